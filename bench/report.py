"""How long the findings report takes to make: the HTML alone, then the PDF (WeasyPrint).

Decides whether the PDF needs the job queue (docs/adr/0031): the rule was to
queue it if making it takes longer than 2 s on the demo. Loads the demo into a
throwaway SQLite database (``cohub demo``'s own loader), then makes each
version of the report (full, two-page overview, easy read) as the HTML file
(the baseline, in the same run) and as the PDF, and prints the median of
REPEATS. Then the same for the busy project of bench/_busy.py (the findings
bench's project), where every quote may be shown, which is the worst case for
the PDF's length. Run with
``python bench/report.py`` (part of ``make bench``).
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["COHUB_DATA_DIR"] = tempfile.mkdtemp(prefix="cohub-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

from _busy import QUOTES_PER_STORY, STORIES, busy_project  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from cohub.apps.projects.models import Project  # noqa: E402
from cohub.apps.reports.render import report_html_document, report_pdf  # noqa: E402
from cohub.apps.reports.report import Kind, build_report  # noqa: E402
from cohub.apps.stories.ways_out import EXPORT  # noqa: E402

REPEATS = 5


def median_s(func: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def report_on(project: Project, label: str) -> None:
    print(f"{label}: median of {REPEATS}, seconds")
    print(f"  {'version':<20}{'HTML':>8}{'PDF':>8}{'pages':>7}")
    for kind in Kind:

        def html(kind: Kind = kind) -> str:
            return report_html_document(build_report(project, kind=kind, way=EXPORT))

        def pdf(kind: Kind = kind) -> bytes:
            return report_pdf(build_report(project, kind=kind, way=EXPORT))

        pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf()))
        print(f"  {kind.label:<20}{median_s(html):8.2f}{median_s(pdf):8.2f}{pages:7d}")


def main() -> None:
    from cohub.demo.loader import demo_load

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    info = demo_load()
    print(f"Loaded the demo in {time.perf_counter() - started:.1f} s")
    report_on(Project.objects.get(slug=info.project_slug), "The demo project")
    with transaction.atomic():
        busy = busy_project(slug="bench-report")
    quotes = STORIES * QUOTES_PER_STORY
    report_on(busy, f"A busy project ({STORIES} stories, {quotes} quotes)")


if __name__ == "__main__":
    main()
