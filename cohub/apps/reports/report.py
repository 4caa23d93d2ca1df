"""The findings report: one builder for the hub's pages, the PDF and ``cohub report``.

The report is built from the findings (``findings.project_findings``), so its
counts, credits and consent rules are the findings page's own: every coded
quote is counted, but a quote's words, and the quote at all, appear only where
the storyteller agrees today that we quote them (the ``REPORT`` way out in the
hub, ``EXPORT`` for a file that leaves it). A withheld quote is left out of
every version, with no title, credit or place that could point at it; only
its count remains, and the report says how many are counted but not shown.
Withdrawn storytellers leave nothing: their stories are purged, and any quote
of theirs still found is skipped as well.

Every claim is traced (docs/adr/0031): a theme's counts link to its quotes
(``#quote-<id>``), each quote names the story, the part of the transcript and,
for a recorded story whose storyteller agrees that we keep the recording, the
second of audio, each as a link into the hub.

A tailored version (``Audience``) keeps only the themes and sectors one
audience can act on, with its own title and "what is in it for you"; its
counts follow what it keeps.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.urls import reverse
from django.utils import timezone

from cohub.apps.analysis import quote_checks
from cohub.apps.analysis.models import ChangeLevel, Highlight
from cohub.apps.projects.models import Project, Sector
from cohub.apps.reports.findings import FindingQuote, Findings, ThemeFinding, project_findings
from cohub.apps.stories.models import Recording, Segment, Storyteller
from cohub.apps.stories.scopes import ConsentScope
from cohub.apps.stories.selectors import consents_for
from cohub.apps.stories.ways_out import REPORT, WayOut

PARTS_PER_PAGE = 200
"""The review sheet's parts per page (``analysis.views.review_sheet.PARTS_PER_PAGE``)."""

OVERVIEW_THEMES = 5
"""At most this many themes get a quote in the two-page overview; the PDF trims to fit."""

NOT_SET_LABEL = "Not set"

# What each level of change means, in plain words for the easy-read version.
EASY_LEVELS = {
    ChangeLevel.INDIVIDUAL.value: "one person's life",
    ChangeLevel.ORGANISATION.value: "how an organisation works",
    ChangeLevel.SOCIETY.value: "everyone in society",
}
EASY_SECTORS = {
    Sector.RESEARCH.value: "people who do research",
    Sector.POLICY.value: "people who make policy",
    Sector.SERVICES.value: "people who run services",
}


class Kind(StrEnum):
    """Which version of the report: the whole of it, two pages, or easy read."""

    FULL = "full"
    OVERVIEW = "overview"
    EASY_READ = "easy-read"

    @property
    def label(self) -> str:
        return {
            "full": "Full report",
            "overview": "Two-page overview",
            "easy-read": "Easy read",
        }[self.value]

    @classmethod
    def parse(cls, value: str | None) -> Kind:
        """The kind asked for; anything unknown is the full report."""
        try:
            return cls(value or cls.FULL.value)
        except ValueError:
            return cls.FULL


def approved_quote_ids(project: Project) -> set[int]:
    """The quotes their storytellers have approved for publishing, as their words stand now.

    Answered by the storyteller check (``analysis.quote_checks``): a quote
    whose words or clip changed after it was approved is waiting again, so it
    leaves every version limited to approved quotes until approved again.
    """
    return quote_checks.approved_quote_ids(project)


@dataclass(frozen=True)
class Audience:
    """A version tailored for one audience; the default keeps everything."""

    title: str = ""
    for_you: str = ""
    theme_ids: frozenset[int] | None = None
    sectors: frozenset[str] | None = None
    approved_only: bool = False

    @property
    def tailored(self) -> bool:
        return bool(
            self.title or self.for_you or self.theme_ids is not None or self.sectors is not None
        ) or (self.approved_only)


@dataclass(frozen=True)
class Count:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class TracedQuote:
    """A quote that may be shown, with where it came from."""

    highlight_id: int
    text: str
    credit: str
    story_id: int
    story_title: str
    part: int | None
    """The part of the transcript (1-based), when the quote's place is known."""
    transcript_url: str
    start_ms: int | None
    end_ms: int | None
    audio_url: str
    """The recording at the quote's first second, or "" (untimed, no recording, no consent)."""
    change_level_label: str
    sector_labels: tuple[str, ...]

    @property
    def anchor(self) -> str:
        return f"quote-{self.highlight_id}"

    @property
    def audio_second(self) -> int | None:
        return None if self.start_ms is None else self.start_ms // 1000


@dataclass
class ReportTheme:
    theme_id: int
    name: str
    description: str
    quote_count: int
    story_count: int
    by_level: list[Count]
    by_sector: list[Count]
    quotes: list[TracedQuote] = field(default_factory=list)
    held_back: int = 0
    """Quotes counted here whose words may not be shown."""

    @property
    def anchor(self) -> str:
        return f"theme-{self.theme_id}"

    @property
    def easy_levels(self) -> list[str]:
        return [EASY_LEVELS[c.value] for c in self.by_level if c.count and c.value in EASY_LEVELS]

    @property
    def easy_sectors(self) -> list[str]:
        return [EASY_SECTORS[c.value] for c in self.by_sector if c.count]

    @property
    def first_quote(self) -> TracedQuote | None:
        """The shortest quote: the one the overview and easy read show."""
        return min(self.quotes, key=lambda q: (len(q.text), q.highlight_id), default=None)


@dataclass
class Report:
    project: Project
    kind: Kind
    audience: Audience
    title: str
    themes: list[ReportTheme]
    quote_count: int
    story_count: int
    shown_count: int
    held_back: int
    by_level: list[Count]
    by_sector: list[Count]
    made_at: dt.datetime
    base_url: str = ""
    overview_themes: int = OVERVIEW_THEMES

    @property
    def themes_with_quotes(self) -> list[ReportTheme]:
        return [t for t in self.themes if t.quote_count]

    @property
    def overview(self) -> list[ReportTheme]:
        return self.themes_with_quotes[: self.overview_themes]

    @property
    def anchored(self) -> set[str]:
        """The themes this version has a heading for, which the tables may link to."""
        shown = self.overview if self.kind == Kind.OVERVIEW else self.themes_with_quotes
        return {t.anchor for t in shown}

    @property
    def audience_sector_labels(self) -> list[str]:
        labels = dict(Sector.choices)
        return [labels[s] for s in Sector.values if s in (self.audience.sectors or ())]

    @property
    def level_values(self) -> list[Count]:
        """The levels drawn in the chart, "Not set" last and only where used."""
        return [c for c in self.by_level if c.value != "" or c.count]


def _levels(quotes: Iterable[FindingQuote]) -> list[Count]:
    counts = Counter(q.change_level for q in quotes)
    rows = [Count(value, label, counts[value]) for value, label in ChangeLevel.choices]
    return [*rows, Count("", NOT_SET_LABEL, counts[""])]


def _sectors(quotes: Iterable[FindingQuote]) -> list[Count]:
    counts = Counter(s for q in quotes for s in q.sectors)
    return [Count(value, label, counts[value]) for value, label in Sector.choices]


def _keep(quote: FindingQuote, audience: Audience) -> bool:
    return audience.sectors is None or bool(audience.sectors & set(quote.sectors))


def _parts(highlights: list[Highlight]) -> dict[int, int]:
    """Quote id -> the index of the transcript part its first character is in, in one query."""
    wanted = {h.transcript_id for h in highlights}
    by_transcript: dict[int, list[tuple[int, int, int]]] = {}
    rows = Segment.objects.filter(transcript_id__in=wanted).values_list(
        "transcript_id", "index", "char_start", "char_end"
    )
    for transcript_id, index, start, end in rows:
        by_transcript.setdefault(transcript_id, []).append((index, start, end))
    found = {}
    for h in highlights:
        for index, start, end in by_transcript.get(h.transcript_id, ()):
            if start <= h.char_start < max(end, start + 1):
                found[h.pk] = index
                break
    return found


def _transcript_url(project: Project, story_id: int, part: int | None) -> str:
    url = reverse("analysis:review_sheet", args=[project.slug, story_id])
    if part is None:
        return url
    page = part // PARTS_PER_PAGE + 1
    return f"{url}{f'?page={page}' if page > 1 else ''}#seg-{part}"


def _audio_url(project: Project, story_id: int, start_ms: int | None) -> str:
    url = reverse("stories:recording_media", args=[project.slug, story_id])
    return f"{url}#t={(start_ms or 0) // 1000}"


def build_report(
    project: Project,
    *,
    kind: Kind = Kind.FULL,
    audience: Audience | None = None,
    way: WayOut = REPORT,
    base_url: str = "",
    findings: Findings | None = None,
    approved: Callable[[Project], set[int]] = approved_quote_ids,
) -> Report:
    """The report of ``project`` as ``kind`` for ``audience``, with consent read now.

    ``way`` is ``REPORT`` for a page in the hub and ``EXPORT`` for a file
    (the PDF, the command line). ``base_url`` ("https://hub.example.org")
    makes every link absolute, for a file read outside the hub.
    """
    audience = audience or Audience()
    findings = findings or project_findings(project, way=way)
    withdrawn = set(
        Storyteller.objects.filter(project=project, withdrawn_at__isnull=False).values_list(
            "pk", flat=True
        )
    )
    highlights = list(
        Highlight.objects.filter(review_sheet__story__project=project).select_related(
            "review_sheet__story"
        )
    )
    story_of = {h.pk: h.review_sheet.story for h in highlights}
    parts = _parts(highlights)
    consents = consents_for(project)
    recorded = set(
        Recording.objects.filter(story__project=project).values_list("story_id", flat=True)
    )
    approved_ids = approved(project) if audience.approved_only else set()
    sector_labels = dict(Sector.choices)

    def present(quote: FindingQuote) -> bool:
        story = story_of.get(quote.highlight_id)
        return story is not None and story.storyteller_id not in withdrawn

    def traced(quote: FindingQuote) -> TracedQuote | None:
        story = story_of[quote.highlight_id]
        if quote.text is None:
            return None
        if audience.approved_only and quote.highlight_id not in approved_ids:
            return None
        consent = consents.get(story.storyteller_id)
        hear = (
            quote.start_ms is not None
            and story.pk in recorded
            and consent is not None
            and consent.withheld(ConsentScope.RECORD) is None
        )
        part = parts.get(quote.highlight_id)
        return TracedQuote(
            highlight_id=quote.highlight_id,
            text=quote.text,
            credit=quote.source,
            story_id=quote.story_id,
            story_title=quote.story_title,
            part=None if part is None else part + 1,
            transcript_url=base_url + _transcript_url(project, quote.story_id, part),
            start_ms=quote.start_ms,
            end_ms=quote.end_ms,
            audio_url=base_url + _audio_url(project, quote.story_id, quote.start_ms)
            if hear
            else "",
            change_level_label=quote.change_level_label or NOT_SET_LABEL,
            sector_labels=tuple(sector_labels.get(s, s) for s in quote.sectors),
        )

    def theme_of(finding: ThemeFinding) -> ReportTheme:
        quotes = [q for q in finding.quotes if present(q) and _keep(q, audience)]
        shown = [t for t in map(traced, quotes) if t is not None]
        return ReportTheme(
            theme_id=finding.theme_id or 0,
            name=finding.name,
            description=finding.description,
            quote_count=len(quotes),
            story_count=len({q.story_id for q in quotes}),
            by_level=_levels(quotes),
            by_sector=_sectors(quotes),
            quotes=shown,
            held_back=len(quotes) - len(shown),
        )

    chosen = [
        f
        for f in findings.themes
        if audience.theme_ids is None
        or (f.theme_id is not None and f.theme_id in audience.theme_ids)
    ]
    themes = sorted(map(theme_of, chosen), key=lambda t: (-t.quote_count, t.name.casefold()))
    # Totals count each quote once, however many of the kept themes it is in; quotes
    # nobody has themed yet are not part of the report.
    kept = {t.name for t in themes}
    counted = [
        q
        for q in findings.quotes
        if present(q) and _keep(q, audience) and any(name in kept for name in q.themes)
    ]
    shown_ids = {q.highlight_id for t in themes for q in t.quotes}
    held = sum(1 for q in counted if q.highlight_id not in shown_ids)
    return Report(
        project=project,
        kind=kind,
        audience=audience,
        title=audience.title or f"What we heard: {project.name}",
        themes=themes,
        quote_count=len(counted),
        story_count=len({q.story_id for q in counted}),
        shown_count=len(shown_ids),
        held_back=held,
        by_level=_levels(counted),
        by_sector=_sectors(counted),
        made_at=timezone.now(),
        base_url=base_url,
    )
