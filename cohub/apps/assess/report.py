"""The round report (issue 8 item 6, ADR 0035): one builder for the hub's page, its PDF and the CLI.

Built from ``results.item_panels``, the results page's own selectors and
scoring, so the report's medians and gaps are the page's. The report leaves
the project (a council committee reads it), so it is stricter than the page
about small groups: a group below the round's minimum leaves no trace
anywhere in it.

- its figures are never given (the page's rule already);
- its members' comments are left out (``item_comments(shown_groups_only=True)``);
- while any group of an item is hidden, the count for everyone together and
  the spread of everyone's answers are left out for that item, and the count
  of everyone who sent answers for the round: each is a sum a hidden group's
  size could be worked out from by taking away the groups shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from cohub.apps.assess import scoring
from cohub.apps.assess.models import (
    AnswerKind,
    AssessmentAction,
    AssessmentResponse,
    AssessmentRound,
    FrameworkVersion,
    ResponseStatus,
)
from cohub.apps.assess.peer_selectors import sent_peer_review_count
from cohub.apps.assess.results import (
    EVERYONE,
    TREND_HEADINGS,
    GroupLine,
    ItemPanel,
    hidden_words,
    item_panels,
)
from cohub.apps.core import pdf

CSS_NAME = "assess/report.css"
FOLDERS = ("assess/",)
WITHHELD = "not given while a group is too small to show"


@dataclass(frozen=True)
class GroupCount:
    """How many of a group sent answers, or why no number is given."""

    label: str
    n: int | None
    note: str


@dataclass(frozen=True)
class GapLine:
    """One row of the table of gaps: the item, the gap, and the groups at either end."""

    panel: ItemPanel
    highest: str
    lowest: str


@dataclass
class RoundReport:
    round: AssessmentRound
    made_on: dt.date
    frameworks: list[FrameworkVersion]
    min_group: int
    panels: list[ItemPanel]
    gaps: list[GapLine]
    actions: list[AssessmentAction]
    groups: list[GroupCount]
    sent: int | None
    peer_count: int
    trend_headings: list[str] = field(default_factory=lambda: list(TREND_HEADINGS))

    @property
    def title(self) -> str:
        return self.round.title

    @property
    def place(self) -> str:
        """Whose round it is: the project and its organisation, or the organisation."""
        project = self.round.project
        if project is None:
            return self.round.organisation.name
        return f"{project.name}, {self.round.organisation.name}"


def _ends(lines: list[GroupLine]) -> tuple[str, str]:
    shown = [
        line
        for line in lines
        if line.key in scoring.GROUPS and not line.hidden_note and line.value is not None
    ]
    if not shown:
        return "", ""
    top = max(line.value or 0 for line in shown)
    bottom = min(line.value or 0 for line in shown)

    def words(value: float) -> str:
        at = [line for line in shown if line.value == value]
        return " and ".join(line.label for line in at) + f": {at[0].median}"

    return words(top), words(bottom)


def _withhold_sums(panel: ItemPanel) -> None:
    """Leave out the item's sums while any group is hidden (the module's rule)."""
    if panel.kind == AnswerKind.MATRIX:
        return  # a matrix has no groups: its cells are everyone's
    if not any(line.hidden_note for line in panel.groups if line.key in scoring.GROUPS):
        return
    panel.spread_shown = False
    panel.groups = [
        GroupLine(line.key, line.label, None, line.median, "", line.value)
        if line.key == EVERYONE and not line.hidden_note
        else line
        for line in panel.groups
    ]


def _group_counts(assessment: AssessmentRound) -> tuple[list[GroupCount], int | None]:
    counts = dict(
        AssessmentResponse.objects.filter(round=assessment, status=ResponseStatus.SUBMITTED)
        .values_list("group")
        .annotate(n=Count("pk"))
        .values_list("group", "n")
    )
    minimum = assessment.min_group_size
    lines = []
    for key in scoring.GROUPS:
        n = counts.get(key, 0)
        shown = n >= minimum
        lines.append(
            GroupCount(
                scoring.GROUP_WORDS[key],
                n if shown else None,
                "" if shown else hidden_words(minimum),
            )
        )
    hidden = any(line.n is None for line in lines)
    return lines, None if hidden else sum(counts.values())


def build_round_report(assessment: AssessmentRound) -> RoundReport:
    """The round's report as it stands now: widest gap first, small groups leaving no trace."""
    panels = item_panels(assessment, comments_from_shown_groups=True)
    for panel in panels:
        _withhold_sums(panel)
    gaps = []
    for panel in panels:
        if panel.gap is None:
            continue
        highest, lowest = _ends(panel.groups)
        gaps.append(GapLine(panel=panel, highest=highest, lowest=lowest))
    seen: set[int] = set()
    actions: list[AssessmentAction] = []
    for panel in panels:
        for action in panel.actions:
            if action.pk not in seen:
                seen.add(action.pk)
                actions.append(action)
    groups, sent = _group_counts(assessment)
    return RoundReport(
        round=assessment,
        made_on=timezone.localdate(),
        frameworks=list(
            assessment.framework_versions.select_related("framework").order_by("framework__key")
        ),
        min_group=assessment.min_group_size,
        panels=panels,
        gaps=gaps,
        actions=actions,
        groups=groups,
        sent=sent,
        peer_count=sent_peer_review_count(assessment),
    )


def _css() -> str:
    return pdf.static_text(CSS_NAME, folders=FOLDERS)


def round_report_html_document(report: RoundReport) -> str:
    """The report as one HTML file with its stylesheet inside: it opens anywhere, offline."""
    return render_to_string(
        "assess/round_report_document.html", {"report": report, "css": _css(), "css_href": ""}
    )


def round_report_digest(report: RoundReport) -> str:
    """What the report would draw now, as a digest of its HTML (which holds every word)."""
    return hashlib.sha256(round_report_html_document(report).encode("utf-8")).hexdigest()[:32]


def round_report_pdf(report: RoundReport) -> bytes:
    """The report drawn as a PDF by WeasyPrint, fetching only its own stylesheet."""
    source = render_to_string(
        "assess/round_report_document.html",
        {"report": report, "css_href": pdf.STATIC_SCHEME + CSS_NAME},
    )
    return pdf.html_to_pdf(source, folders=FOLDERS)


def round_report_filename(report: RoundReport, *, fmt: str) -> str:
    """``<project or organisation>-<round>-report-YYYY-MM-DD.<fmt>``, safe on any disk."""
    owner = report.round.project.slug if report.round.project else report.round.organisation.slug
    name = re.sub(r"-+", "-", slugify(report.round.title)[:40]) or f"round-{report.round.pk}"
    return f"{owner}-{name}-report-{report.made_on:%Y-%m-%d}.{fmt}"
