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

from _busy import QUOTES_PER_STORY, STORIES, THEMES, busy_project  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from cohub.apps.analysis.models import Highlight  # noqa: E402
from cohub.apps.reports.findings import project_findings  # noqa: E402
from cohub.apps.stories.consent import consent_allows  # noqa: E402

REPEATS = 5


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
        project = busy_project(slug="bench", themes_per_quote=2)
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
