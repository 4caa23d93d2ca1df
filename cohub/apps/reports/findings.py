"""Findings: themes with their counts, sources and quotes side by side.

Counts include every coded quote, but a quote's words appear only where the
storyteller agreed to be quoted, and their name only where they agreed to be
named and the coder chose to name them. Consent is read as it is now, so a
narrowed consent takes effect on the next view or export.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch

from cohub.apps.analysis.models import HighlightTheme, Theme
from cohub.apps.projects.models import Project, Sector
from cohub.apps.stories.consent import consent_allows
from cohub.apps.stories.models import Attribution, ChangeLevel, ConsentRecord, Highlight

WITHHELD = "Quote withheld: the storyteller has not agreed to be quoted."


@dataclass(frozen=True)
class FindingQuote:
    highlight_id: int
    story_id: int
    story_title: str
    text: str | None
    source: str
    speaker: str
    start_ms: int | None
    end_ms: int | None
    change_level: str
    change_level_label: str
    sectors: tuple[str, ...]
    note: str

    @property
    def withheld(self) -> bool:
        return self.text is None


@dataclass
class ThemeFinding:
    theme_id: int | None
    name: str
    description: str
    quotes: list[FindingQuote] = field(default_factory=list)

    @property
    def quote_count(self) -> int:
        return len(self.quotes)

    @property
    def story_count(self) -> int:
        return len({q.story_id for q in self.quotes})

    @property
    def by_change_level(self) -> list[tuple[str, int]]:
        counts = Counter(q.change_level for q in self.quotes)
        rows = [(label, counts[value]) for value, label in ChangeLevel.choices]
        if counts[""]:
            rows.append(("Not set", counts[""]))
        return rows

    @property
    def by_sector(self) -> list[tuple[str, int]]:
        counts = Counter(s for q in self.quotes for s in q.sectors)
        return [(label, counts[value]) for value, label in Sector.choices]


@dataclass
class Findings:
    project: Project
    themes: list[ThemeFinding]
    untagged: ThemeFinding
    story_count: int
    quote_count: int


def _quote(highlight: Highlight) -> FindingQuote:
    story = highlight.review_sheet.story
    storyteller = story.storyteller
    text = highlight.snippet if consent_allows(storyteller, "quote_anonymously") else None
    named = highlight.attribution == Attribution.NAMED and consent_allows(
        storyteller, "quote_by_name"
    )
    source = storyteller.real_name if named and storyteller.real_name else storyteller.pseudonym
    return FindingQuote(
        highlight_id=highlight.pk,
        story_id=story.pk,
        story_title=story.title,
        text=text,
        source=source,
        speaker=highlight.speaker,
        start_ms=highlight.start_ms,
        end_ms=highlight.end_ms,
        change_level=highlight.change_level,
        change_level_label=highlight.get_change_level_display() if highlight.change_level else "",
        sectors=tuple(highlight.sectors),
        note=highlight.note,
    )


def project_findings(project: Project) -> Findings:
    """Build the findings of a project in a fixed number of queries."""
    highlights = (
        Highlight.objects.filter(review_sheet__story__project=project)
        .select_related("review_sheet__story__storyteller")
        .prefetch_related(
            Prefetch(
                "review_sheet__story__storyteller__consent_records",
                queryset=ConsentRecord.objects.order_by("-version"),
            ),
            Prefetch(
                "theme_links", queryset=HighlightTheme.objects.only("highlight_id", "theme_id")
            ),
        )
        .order_by("review_sheet__story__created_at", "char_start", "pk")
    )
    themes = {
        t.pk: ThemeFinding(theme_id=t.pk, name=t.name, description=t.description)
        for t in Theme.objects.filter(project=project, merged_into__isnull=True)
    }
    untagged = ThemeFinding(theme_id=None, name="Not yet themed", description="")
    stories: set[int] = set()
    count = 0
    for highlight in highlights:
        quote = _quote(highlight)
        stories.add(quote.story_id)
        count += 1
        theme_ids = [link.theme_id for link in highlight.theme_links.all()]
        targets = [themes[t] for t in theme_ids if t in themes]
        for target in targets or [untagged]:
            target.quotes.append(quote)
    ordered = sorted(themes.values(), key=lambda t: (-t.quote_count, t.name.lower()))
    return Findings(
        project=project,
        themes=ordered,
        untagged=untagged,
        story_count=len(stories),
        quote_count=count,
    )


CSV_HEADER = (
    "Theme",
    "Quote",
    "Source",
    "Story",
    "Speaker",
    "Start (seconds)",
    "End (seconds)",
    "Change level",
    "Sectors",
    "Note",
)


def findings_csv_rows(findings: Findings) -> list[tuple]:
    """One row per quote per theme (a quote in two themes appears twice)."""
    sector_labels = dict(Sector.choices)
    rows: list[tuple] = [CSV_HEADER]
    for theme in [*findings.themes, findings.untagged]:
        for quote in theme.quotes:
            rows.append(
                (
                    theme.name if theme.theme_id else "",
                    quote.text if quote.text is not None else WITHHELD,
                    quote.source,
                    quote.story_title,
                    quote.speaker,
                    "" if quote.start_ms is None else f"{quote.start_ms / 1000:.3f}",
                    "" if quote.end_ms is None else f"{quote.end_ms / 1000:.3f}",
                    quote.change_level_label,
                    "; ".join(sector_labels.get(s, s) for s in quote.sectors),
                    quote.note,
                )
            )
    return rows
