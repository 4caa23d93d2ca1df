"""How long the findings of a busy project take to build, and in how many queries.

Makes a project with STORIES stories and QUOTES key quotes spread over a
dozen themes (through the real services, in a throwaway SQLite database),
then builds the findings with ``project_findings`` and with a plain baseline
that looks each quote's themes and consent up one by one, as a first version
would. Prints time and query count for both. Run with `make bench`.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["COHUB_DATA_DIR"] = tempfile.mkdtemp(prefix="cohub-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from cohub.apps.accounts.models import Organisation  # noqa: E402
from cohub.apps.analysis import services as coding  # noqa: E402
from cohub.apps.analysis.models import Highlight  # noqa: E402
from cohub.apps.projects.services import project_create  # noqa: E402
from cohub.apps.reports.findings import project_findings  # noqa: E402
from cohub.apps.stories import services as stories  # noqa: E402
from cohub.apps.stories.consent import consent_allows  # noqa: E402

STORIES = 60
QUOTES_PER_STORY = 15
THEMES = 12
REPEATS = 5


def build_project():
    organisation = Organisation.objects.create(name="Bench", slug="bench")
    project = project_create(
        organisation=organisation, name="Bench", purpose="p", opening_question="q", actor=None
    )
    themes = [
        coding.theme_create(project=project, name=f"Theme {n}", actor=None).theme
        for n in range(THEMES)
    ]
    consent = {"record": True, "transcribe": True, "quote_anonymously": True}
    for s in range(STORIES):
        teller = stories.storyteller_create(
            project=project, actor=None, pseudonym=f"Teller {s}", consent=consent
        )
        text = "\n\n".join(
            f"Teller {s}: This is part {p} of story {s}, about waiting and being heard."
            for p in range(QUOTES_PER_STORY)
        )
        story = stories.story_create_from_text(
            project=project, storyteller=teller, actor=None, title=f"Story {s}", text=text
        )
        transcript = story.transcripts.get()
        for p, segment in enumerate(transcript.segments.order_by("index")):
            coding.highlight_create(
                story=story,
                transcript=transcript,
                char_start=segment.char_start,
                char_end=segment.char_end,
                actor=None,
                themes=[themes[(s + p) % THEMES], themes[(s * p) % THEMES]],
                change_level=("individual", "organisation", "society")[p % 3],
                sectors=["services"],
            )
    return project


def baseline_findings(project) -> dict[str, int]:
    """Quote counts per theme, one lookup per quote (what prefetching replaces)."""
    counts: dict[str, int] = {}
    for highlight in Highlight.objects.filter(review_sheet__story__project=project):
        storyteller = highlight.review_sheet.story.storyteller
        consent_allows(storyteller, "quote_anonymously")
        for link in highlight.theme_links.select_related("theme"):
            counts[link.theme.name] = counts.get(link.theme.name, 0) + 1
    return counts


def measure(func, project) -> tuple[float, int, object]:
    times, result = [], None
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = func(project)
        times.append(time.perf_counter() - started)
    calls = []
    with connection.execute_wrapper(lambda execute, *args: calls.append(1) or execute(*args)):
        func(project)
    return statistics.median(times), len(calls), result


def main() -> None:
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with transaction.atomic():
        project = build_project()
    build_s = time.perf_counter() - started
    quotes = STORIES * QUOTES_PER_STORY
    print(f"Made {STORIES} stories and {quotes} key quotes in {build_s:.1f} s (services, SQLite)")

    ours_s, ours_q, findings = measure(project_findings, project)
    base_s, base_q, baseline = measure(baseline_findings, project)
    assert {t.name: t.quote_count for t in findings.themes} == baseline, "results differ"
    print(f"Building the findings of {quotes} quotes in {THEMES} themes, median of {REPEATS}:")
    print(f"  project_findings       {ours_s * 1000:8.1f} ms  {ours_q:5d} queries")
    print(f"  one-by-one baseline    {base_s * 1000:8.1f} ms  {base_q:5d} queries")
    print(f"  speed-up               {base_s / ours_s:8.1f} x")


if __name__ == "__main__":
    main()
