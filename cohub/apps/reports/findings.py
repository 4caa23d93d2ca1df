"""Findings: themes with their counts, sources and quotes side by side.

Counts include every coded quote, but a quote's words appear only where the
storyteller agrees, today, that we transcribe their story and quote it (the
rule is ``ConsentNow.quoting`` in ``stories.consent``, and a withheld quote
says why in its words), and their name only where they agreed to be named and
the coder chose to name them. The transcript's speaker label goes
with the name (imported transcripts usually label turns with real names).
Consent is read as it is now, so a narrowed consent takes effect on the next
view or export.

A quote is credited to whoever said it (see docs/adr/0004-speakers.md): the
storyteller's words under their pseudonym or, as above, their name; an
interviewer's as "Interviewer (Sam)"; anyone else's as "Another participant",
without a name, because nobody asked them whether they may be named. Words
with no speaker are taken as the storyteller's own.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from cohub.apps.analysis.models import Attribution, ChangeLevel, Highlight, HighlightTheme, Theme
from cohub.apps.core import audit
from cohub.apps.projects.models import Project, Sector
from cohub.apps.redaction.selectors import is_replaced, replaced_words
from cohub.apps.stories.consent import consent_now
from cohub.apps.stories.models import Speaker, SpeakerPart, Storyteller
from cohub.apps.stories.ways_out import QUOTE_BY_NAME, REPORT, WayOut, way_out_withheld

WITHHELD = "Quote withheld: the storyteller has not agreed to be quoted."
"""Said only for a quote withheld with no reason recorded; each quote gives its own."""
NEEDS_CHECK = (
    "Quote held back: the words of the story changed, and someone needs to check this quote."
)

NOT_SET = "not_set"
"""The level filter for quotes whose level of change nobody has set yet."""
LEVEL_CHOICES = [*ChangeLevel.choices, (NOT_SET, "Not set")]


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
    needs_check: bool = False
    parts: tuple[str, ...] = ()
    """The part each credited speaker plays, in the order of ``source``: "storyteller"."""
    themes: tuple[str, ...] = ()
    """The names of the quote's current themes, alphabetically; none while it is not themed."""
    withheld_reason: str = ""
    """ "Withheld: Sam has not agreed that we transcribe their story.", when consent is why."""

    @property
    def withheld(self) -> bool:
        return self.text is None

    @property
    def withheld_message(self) -> str:
        if self.withheld_reason:
            return self.withheld_reason
        return NEEDS_CHECK if self.needs_check else WITHHELD


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
    quotes: list[FindingQuote] = field(default_factory=list)
    """Every quote once, in story order, whatever its themes: the CSV's rows."""


@dataclass(frozen=True)
class _Voice:
    """What one storyteller's current consent lets the findings show."""

    withheld: str
    may_name: bool
    source_named: str
    source_anonymous: str

    @property
    def may_quote(self) -> bool:
        return not self.withheld


def _voices(project: Project, way: WayOut) -> dict[int, _Voice]:
    """Each storyteller's consent for this way out (``REPORT`` or ``EXPORT``), worked out once."""
    voices = {}
    storytellers = Storyteller.objects.filter(project=project).prefetch_related("consent_records")
    for storyteller in storytellers:
        consent = consent_now(storyteller)
        withheld = way_out_withheld(consent, way)
        may_name = withheld is None and way_out_withheld(consent, QUOTE_BY_NAME) is None
        named = may_name and storyteller.real_name
        voices[storyteller.pk] = _Voice(
            withheld=withheld.message if withheld else "",
            may_name=may_name,
            source_named=storyteller.real_name if named else storyteller.pseudonym,
            source_anonymous=storyteller.pseudonym,
        )
    return voices


def _speakers(highlight: Highlight) -> list[Speaker | None]:
    """Who speaks in a quote, in order; ``[None]`` for words with no speaker."""
    speakers = sorted(highlight.speakers.all(), key=lambda speaker: speaker.pk)
    if not speakers and highlight.speaker is not None:
        speakers = [highlight.speaker]
    return list(speakers) or [None]


def _has_storytellers_words(highlight: Highlight) -> bool:
    return any(s is None or s.is_storyteller for s in _speakers(highlight))


def _part(speaker: Speaker | None) -> str:
    """The part; words with no speaker are the storyteller's, as in ``_credit``."""
    return "storyteller" if speaker is None else speaker.part_word


def _credit(speaker: Speaker | None, storyteller_source: str, replaced: frozenset[str]) -> str:
    if speaker is None or speaker.is_storyteller:
        return storyteller_source
    if speaker.part == SpeakerPart.INTERVIEWER:
        # A name taken out of the words is not printed back beside them.
        if is_replaced(speaker.display_name, replaced):
            return "Interviewer"
        return f"Interviewer ({speaker.display_name})"
    return "Another participant"


def _quote(
    highlight: Highlight,
    voice: _Voice,
    *,
    keep_anonymous: bool,
    themes: tuple[str, ...] = (),
    replaced: frozenset[str] = frozenset(),
) -> FindingQuote:
    story = highlight.review_sheet.story
    # Naming is the storyteller's to allow, so it applies only to their own words.
    named = (
        highlight.attribution == Attribution.NAMED
        and voice.may_name
        and not keep_anonymous
        and _has_storytellers_words(highlight)
    )
    storyteller_source = voice.source_named if named else voice.source_anonymous
    credits = dict.fromkeys(_credit(s, storyteller_source, replaced) for s in _speakers(highlight))
    parts = dict.fromkeys(_part(s) for s in _speakers(highlight))
    main = highlight.speaker
    if main is None:
        speaker = ""
    elif main.is_storyteller:
        speaker = main.display_name if named else ""
    elif main.part == SpeakerPart.INTERVIEWER and not is_replaced(main.display_name, replaced):
        speaker = main.display_name
    else:
        speaker = ""
    return FindingQuote(
        highlight_id=highlight.pk,
        story_id=story.pk,
        story_title=story.title,
        # A quote lost from a new version keeps its old words, which may have been
        # taken out on purpose: they wait for a person before anyone reads them.
        text=highlight.snippet if voice.may_quote and not highlight.needs_attention else None,
        source=" and ".join(credits),
        speaker=speaker,
        start_ms=highlight.start_ms,
        end_ms=highlight.end_ms,
        change_level=highlight.change_level,
        change_level_label=highlight.get_change_level_display() if highlight.change_level else "",
        sectors=tuple(highlight.sectors),
        # A coder's note often restates the quote, so it is withheld with it.
        note=highlight.note if voice.may_quote and not highlight.needs_attention else "",
        needs_check=highlight.needs_attention,
        parts=tuple(parts),
        themes=themes,
        withheld_reason=voice.withheld,
    )


def _kept_anonymous(highlights: list[Highlight]) -> set[int]:
    """Storytellers with any quote of their words set to anonymous: none of theirs shows a name.

    Showing "Priya Nair" beside "Priya", both from the same story, would tie
    the quotes someone chose to keep anonymous to her name. An interviewer's
    question says nothing about how the storyteller wants to be shown.
    """
    return {
        h.review_sheet.story.storyteller_id
        for h in highlights
        if h.attribution != Attribution.NAMED and _has_storytellers_words(h)
    }


def project_findings(project: Project, *, way: WayOut = REPORT) -> Findings:
    """Build the findings of a project in seven queries, however many quotes it has.

    ``way`` is the way out they are for (``ways_out.REPORT`` for the page,
    ``EXPORT`` for a download): each storyteller's quotes are in only where
    their consent allows that way out, else withheld with the reason.

    Consent is worked out once per storyteller and theme links are read as
    plain pairs: per-quote lookups made a 900-quote project ten times slower
    (see bench/findings.py).
    """
    highlights = list(
        Highlight.objects.filter(review_sheet__story__project=project)
        .select_related("review_sheet__story", "speaker")
        .prefetch_related("speakers")
        .order_by("review_sheet__story__created_at", "char_start", "pk")
    )
    themes = {
        t.pk: ThemeFinding(theme_id=t.pk, name=t.name, description=t.description)
        for t in Theme.objects.filter(project=project, merged_into__isnull=True)
    }
    links: dict[int, list[int]] = defaultdict(list)
    for highlight_id, theme_id in HighlightTheme.objects.filter(theme__project=project).values_list(
        "highlight_id", "theme_id"
    ):
        links[highlight_id].append(theme_id)
    voices = _voices(project, way)
    replaced = replaced_words(project)
    keep_anonymous = _kept_anonymous(highlights)
    untagged = ThemeFinding(theme_id=None, name="Not yet themed", description="")
    stories: set[int] = set()
    quotes: list[FindingQuote] = []
    for highlight in highlights:
        storyteller_id = highlight.review_sheet.story.storyteller_id
        targets = [themes[t] for t in links.get(highlight.pk, ()) if t in themes]
        quote = _quote(
            highlight,
            voices[storyteller_id],
            keep_anonymous=storyteller_id in keep_anonymous,
            themes=tuple(sorted((t.name for t in targets), key=str.casefold)),
            replaced=replaced.get(highlight.review_sheet.story_id, frozenset()),
        )
        stories.add(quote.story_id)
        if quote.text is not None:
            audit.note_read(
                part=audit.PART_QUOTES, story_id=quote.story_id, storyteller_id=storyteller_id
            )
        quotes.append(quote)
        for target in targets or [untagged]:
            target.quotes.append(quote)
    ordered = sorted(themes.values(), key=lambda t: (-t.quote_count, t.name.lower()))
    return Findings(
        project=project,
        themes=ordered,
        untagged=untagged,
        story_count=len(stories),
        quote_count=len(quotes),
        quotes=quotes,
    )


def clean_filter(*, level: str, sector: str) -> tuple[str, str]:
    """The level and sector to narrow by, with anything unknown read as "no filter"."""
    if level not in {value for value, _ in LEVEL_CHOICES}:
        level = ""
    if sector not in Sector.values:
        sector = ""
    return level, sector


def _matches(quote: FindingQuote, level: str, sector: str) -> bool:
    if level == NOT_SET and quote.change_level:
        return False
    if level and level != NOT_SET and quote.change_level != level:
        return False
    return not sector or sector in quote.sectors


def findings_narrow(findings: Findings, *, level: str = "", sector: str = "") -> Findings:
    """The findings with only the quotes at ``level`` for ``sector``; every count follows.

    Pure: it reads nothing from the database, so the page, an export or the API
    narrow the same way. Themes are ordered again by their narrowed counts.
    """
    if not level and not sector:
        return findings

    def keep(theme: ThemeFinding) -> ThemeFinding:
        return replace(theme, quotes=[q for q in theme.quotes if _matches(q, level, sector)])

    themes = sorted(
        (keep(t) for t in findings.themes), key=lambda t: (-t.quote_count, t.name.lower())
    )
    untagged = keep(findings.untagged)
    quotes = [q for q in findings.quotes if _matches(q, level, sector)]
    return Findings(
        project=findings.project,
        themes=themes,
        untagged=untagged,
        story_count=len({q.story_id for q in quotes}),
        quote_count=len(quotes),
        quotes=quotes,
    )


CSV_HEADER = (
    "Quote id",
    "Quote",
    "Themes",
    "Who spoke",
    "Speaking as",
    "Story",
    "Start (seconds)",
    "End (seconds)",
    "Change level",
    "Sectors",
    "Note",
)
"""The findings CSV's columns. "Quote id" is the key quote's id, which undo and redo keep."""

THEME_SEPARATOR = "; "


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def findings_csv_rows(findings: Findings) -> list[tuple[object, ...]]:
    """One row per quote, in story order, with all its themes in one cell.

    A row per quote per theme counted a quote in two themes twice when people
    added the rows up or made a chart from them; a quote id lets a sheet be
    matched back to cohub, and its themes can still be split into columns.
    "Who spoke" credits each speaker as findings do (ADR 0004): an interviewer's
    words are never the storyteller's. Every cell is made safe for spreadsheets
    when the rows are written (``core.csvsafe``), theme names included.
    """
    sector_labels = dict(Sector.choices)
    rows: list[tuple[object, ...]] = [CSV_HEADER]
    for quote in findings.quotes:
        rows.append(
            (
                quote.highlight_id,
                quote.text if quote.text is not None else quote.withheld_message,
                THEME_SEPARATOR.join(quote.themes),
                quote.source,
                _sentence(" and ".join(quote.parts)),
                quote.story_title,
                "" if quote.start_ms is None else f"{quote.start_ms / 1000:.3f}",
                "" if quote.end_ms is None else f"{quote.end_ms / 1000:.3f}",
                quote.change_level_label,
                "; ".join(sector_labels.get(s, s) for s in quote.sectors),
                quote.note,
            )
        )
    return rows
