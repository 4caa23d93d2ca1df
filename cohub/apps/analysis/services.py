"""Coding a story: highlights, themes, and undo.

Every action writes a CodingEvent with the state before and after, which is
at once the audit trail, the change feed (``selectors.coding_events_since``)
and what ``coding_event_undo`` reverses and ``coding_event_redo`` puts back.
A quote or theme that an undo removed comes back under its old id, so links
to it keep working (docs/adr/0018-quote-ids-and-credit.md). Each service hands back what it did
(a ``CodingChange``: the record and the events it wrote), so the web, the
command line and a live board never have to guess which event was theirs.

Services that change themes or their links lock the theme rows first, in
primary-key order, and check their state again under the lock: a page loaded
before someone else's merge must not act on a theme that has gone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cohub.apps.accounts.models import User
from cohub.apps.analysis.models import (
    AnchorStatus,
    Attribution,
    BoardNote,
    ChangeLevel,
    CodingAction,
    CodingEvent,
    Highlight,
    HighlightTheme,
    ReviewSheet,
    Theme,
    VisioningRound,
)
from cohub.apps.core.cleaning import clean_choices
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import record_event
from cohub.apps.projects.models import Project, Sector
from cohub.apps.projects.selectors import taking_part_of
from cohub.apps.stories.consent import consent_allows, require_consent
from cohub.apps.stories.models import Speaker, Story, Storyteller, Transcript
from cohub.apps.stories.purge import register_purger
from cohub.apps.stories.scopes import ConsentScope
from cohub.apps.stories.ways_out import QUOTE_BY_NAME, require_way_out
from cohub.pipeline.anchors import Outcome, TextChange
from cohub.pipeline.words import span_of_words, words_from_json


@dataclass(frozen=True, kw_only=True)
class CodingChange:
    """What a coding service did: the events it wrote, oldest first (none if nothing changed)."""

    events: tuple[CodingEvent, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.events)

    @property
    def event(self) -> CodingEvent | None:
        """The last event written: the one an Undo button next to the change reverses."""
        return self.events[-1] if self.events else None


@dataclass(frozen=True, kw_only=True)
class QuoteResult(CodingChange):
    """A key quote made or changed; ``created`` is False when the same words were quoted before."""

    highlight: Highlight
    created: bool = False


@dataclass(frozen=True, kw_only=True)
class TagResult(CodingChange):
    """A theme put on (or taken off) a quote; ``changed`` is False if it already was (or wasn't)."""

    highlight: Highlight
    theme: Theme


@dataclass(frozen=True, kw_only=True)
class ThemeResult(CodingChange):
    """A theme as stored after the change; ``created`` says whether it is new."""

    theme: Theme
    created: bool = False


@dataclass(frozen=True, kw_only=True)
class MergeResult(CodingChange):
    """Both themes of a merge as stored after it: ``source`` now points at ``target``."""

    source: Theme
    target: Theme


@dataclass(frozen=True, kw_only=True)
class UndoResult(CodingChange):
    """The event that was undone (now marked so) and the events the undo wrote."""

    undone: CodingEvent


@dataclass(frozen=True, kw_only=True)
class RedoResult(CodingChange):
    """The event that was redone (in effect again, so it can be undone again) and what it wrote."""

    redone: CodingEvent


HIGHLIGHT_FIELDS = (
    "change_level",
    "sectors",
    "note",
    "attribution",
    "clip_start_nudge_ms",
    "clip_end_nudge_ms",
)

# How far a clip's edge may be moved from its first or last word, and one nudge.
MAX_CLIP_NUDGE_MS = 10_000
CLIP_NUDGE_STEP_MS = 250


def _log(
    *,
    project: Project,
    actor: User | None,
    action: str,
    highlight: Highlight | None = None,
    theme: Theme | None = None,
    story_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> CodingEvent:
    if highlight is not None and story_id is None:
        story_id = highlight.review_sheet.story_id
    return CodingEvent.objects.create(
        project=project,
        actor=actor,
        actor_part=taking_part_of(project, actor),
        action=action,
        story_id=story_id,
        highlight_id=highlight.pk if highlight is not None else None,
        theme_id=theme.pk if theme is not None else None,
        payload=payload or {},
    )


def _highlight_state(highlight: Highlight) -> dict[str, Any]:
    """Everything needed to put the quote back as it is, under its id.

    The snippet is kept so the coding log can still say which quote a change
    was about once the quote is gone; the log shows it only through the
    selectors, which hold it back when consent no longer lets anyone read it.
    """
    return {
        "review_sheet_id": highlight.review_sheet_id,
        "transcript_id": highlight.transcript_id,
        "char_start": highlight.char_start,
        "char_end": highlight.char_end,
        "snippet": highlight.snippet,
        "change_level": highlight.change_level,
        "sectors": list(highlight.sectors),
        "note": highlight.note,
        "attribution": highlight.attribution,
        "anchor_status": highlight.anchor_status,
        "anchor_note": highlight.anchor_note,
        "clip_start_nudge_ms": highlight.clip_start_nudge_ms,
        "clip_end_nudge_ms": highlight.clip_end_nudge_ms,
        "created_by_id": highlight.created_by_id,
        "theme_ids": sorted(highlight.theme_links.values_list("theme_id", flat=True)),
    }


def _clean_highlight_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(HIGHLIGHT_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown highlight fields: {', '.join(sorted(unknown))}.")
    cleaned = dict(fields)
    if cleaned.get("change_level") and cleaned["change_level"] not in ChangeLevel.values:
        raise ServiceError(
            f"Change level must be one of {', '.join(ChangeLevel.values)}, "
            f"not {cleaned['change_level']!r}."
        )
    if "sectors" in cleaned:
        cleaned["sectors"] = clean_choices(cleaned["sectors"], Sector.values, "sector")
    if "attribution" in cleaned and cleaned["attribution"] not in Attribution.values:
        raise ServiceError(f"Unknown attribution {cleaned['attribution']!r}.")
    if "note" in cleaned:
        cleaned["note"] = (cleaned["note"] or "").strip()
    for name in ("clip_start_nudge_ms", "clip_end_nudge_ms"):
        if name in cleaned:
            value = int(cleaned[name] or 0)
            if abs(value) > MAX_CLIP_NUDGE_MS:
                raise ServiceError(
                    f"A clip can start or end at most {MAX_CLIP_NUDGE_MS // 1000} seconds away "
                    "from the words of its quote. To change the words, choose them again."
                )
            cleaned[name] = value
    return cleaned


def _locked_storyteller(story: Story) -> Storyteller:
    """The story's storyteller as stored now, locked until the transaction ends.

    The caller's copy may carry consent prefetched before a change, and a
    withdrawal must not purge the story between the consent check and the write.
    """
    return Storyteller.objects.select_for_update().get(pk=story.storyteller_id)


def _review_sheet_for(story: Story) -> ReviewSheet:
    """The story's review sheet, made the first time anything is written to it.

    Call it after locking the storyteller: the lock serialises two first writes,
    and the unique story column refuses a second sheet whatever happens.
    """
    sheet, _ = ReviewSheet.objects.get_or_create(story=story)
    return sheet


@transaction.atomic
def review_sheet_update(
    *, story: Story, actor: User, ideas: str | None = None, summary: str | None = None
) -> ReviewSheet:
    """Save the ideas and summary written while listening to a story."""
    storyteller = _locked_storyteller(story)
    require_consent(storyteller, ConsentScope.TRANSCRIBE)
    review_sheet = _review_sheet_for(story)
    if ideas is not None:
        review_sheet.ideas = ideas.strip()
    if summary is not None:
        review_sheet.summary = summary.strip()
    review_sheet.updated_by = actor
    review_sheet.save()
    record_event(
        actor=actor,
        verb="review_sheet.update",
        target=review_sheet,
        project_id=story.project_id,
    )
    return review_sheet


def _check_attribution(storyteller: Storyteller, attribution: str | None) -> None:
    """Quoting by name is refused here, in the service, unless consent covers it."""
    if attribution == Attribution.NAMED:
        require_way_out(storyteller, QUOTE_BY_NAME)


def _span_times(transcript: Transcript, start: int, end: int) -> dict[str, Any]:
    """When a span was said (its first and last words), and who speaks in it.

    Parts without word times (files that time only whole parts) give the
    span their own start and end.

    A quote may run over several parts and speakers (a question and its
    answer). It is credited to whoever says most of its words (the first of
    them on a tie), and everyone who speaks in it is kept in ``speakers``, so
    findings can show that the storyteller's words are only part of it.
    """
    segments = list(
        transcript.segments.filter(char_end__gt=start, char_start__lt=end)
        .select_related("speaker")
        .order_by("index")
    )
    if not segments:
        return {"start_ms": None, "end_ms": None, "speaker": None, "speakers": []}
    words: dict[int, int] = {}
    speakers: dict[int, Speaker] = {}
    for segment in segments:
        if segment.speaker is None:
            continue
        overlap = min(end, segment.char_end) - max(start, segment.char_start)
        words[segment.speaker.pk] = words.get(segment.speaker.pk, 0) + overlap
        speakers.setdefault(segment.speaker.pk, segment.speaker)
    main = max(words, key=lambda pk: words[pk]) if words else None
    first, last = segments[0], segments[-1]
    start_ms, end_ms = first.start_ms, last.end_ms
    # The quote's own first and last words, where the parts know their words' times.
    head = span_of_words(
        words_from_json(first.words), first.text, start - first.char_start, end - first.char_start
    )
    tail = span_of_words(
        words_from_json(last.words), last.text, start - last.char_start, end - last.char_start
    )
    if head is not None:
        start_ms = head[0]
    if tail is not None:
        end_ms = tail[1]
    return {
        "start_ms": start_ms,
        "end_ms": end_ms,
        "speaker": speakers[main] if main is not None else None,
        "speakers": list(speakers.values()),
    }


def _trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _hold_feed(project: Project | int) -> None:
    """Take the project's row first in every coding write, until the transaction ends.

    The change feed hands out "events after id N". Ids are drawn when a row is
    inserted, not when it is committed, so two writers could commit ids 11 then
    10 and a reader that saw 11 would never see 10. Holding the project row
    makes one project's coding writes take turns, so ids follow commit order.
    It is always the first lock taken (then storyteller, quote, themes, as the
    stories services do), so writers wait for each other and never deadlock.
    """
    pk = project if isinstance(project, int) else project.pk
    Project.objects.select_for_update(no_key=True).filter(pk=pk).exists()


def _lock_highlight(highlight: Highlight) -> None:
    """Hold the quote's row until the transaction ends, so it cannot vanish mid-change."""
    if not Highlight.objects.select_for_update().filter(pk=highlight.pk).exists():
        raise ServiceError("That key quote has been removed since the page was loaded.")


def _locked_themes(themes: Iterable[Theme]) -> dict[int, Theme]:
    """The themes as stored now, locked in primary-key order until the transaction ends.

    The caller's copies may be stale (loaded before someone else's merge), so
    every check after this reads the locked rows. Locking in one order means two
    merges of the same pair wait for each other instead of deadlocking.
    """
    pks = sorted({theme.pk for theme in themes})
    rows = {t.pk: t for t in Theme.objects.select_for_update().filter(pk__in=pks).order_by("pk")}
    if len(rows) != len(pks):
        raise ServiceError("One of those themes has been removed since the page was loaded.")
    return rows


def _merged_name(theme: Theme) -> str:
    """The name of the theme this one was merged into (read without a lock: it is only shown)."""
    if theme.merged_into_id is None:
        return ""
    names = Theme.objects.filter(pk=theme.merged_into_id).values_list("name", flat=True)
    return names.first() or ""


def _check_theme(theme: Theme, project: Project) -> None:
    """Refuse a theme of another project, or one merged away; ``theme`` must be a locked row."""
    if theme.project_id != project.pk:
        raise ServiceError("That theme belongs to a different project.")
    if theme.merged_into_id is not None:
        raise ServiceError(
            f"The theme '{theme.name}' was merged into '{_merged_name(theme)}'. Use that one."
        )


def _tag(
    highlight: Highlight, theme: Theme, *, actor: User | None, project: Project
) -> list[CodingEvent]:
    """Link a checked, locked theme to a quote; the event written, if the link is new."""
    _, created = HighlightTheme.objects.get_or_create(highlight=highlight, theme=theme)
    if not created:
        return []
    return [
        _log(
            project=project,
            actor=actor,
            action=CodingAction.TAG_ADD,
            highlight=highlight,
            theme=theme,
        )
    ]


@transaction.atomic
def highlight_create(
    *,
    story: Story,
    transcript: Transcript,
    char_start: int,
    char_end: int,
    actor: User | None,
    themes: Iterable[Theme] = (),
    new_theme: str = "",
    **fields: Any,
) -> QuoteResult:
    """Make a key quote from a span of one stored transcript version, with its themes.

    The span is anchored by offsets and the snippet copied, so the quote stays
    put even if a newer transcript version is stored later. ``new_theme`` is a
    name typed in: the theme of that name in any capitals, or a new one. If the
    same words were quoted before, that quote is returned (``created`` False)
    with the themes added to it. Nothing is written if any part is refused.
    """
    if transcript.story_id != story.pk:
        raise ServiceError("That transcript belongs to a different story.")
    _hold_feed(story.project_id)
    storyteller = _locked_storyteller(story)
    require_consent(storyteller, ConsentScope.TRANSCRIBE)
    fields = _clean_highlight_fields(fields)
    _check_attribution(storyteller, fields.get("attribution"))
    if not (0 <= char_start < char_end <= len(transcript.text)):
        raise ServiceError(
            "The selected text is outside the transcript. Select the words again and retry."
        )
    char_start, char_end = _trim_span(transcript.text, char_start, char_end)
    if char_start == char_end:
        raise ServiceError("The selection has no words in it.")
    project = story.project
    events: list[CodingEvent] = []
    chosen = list(themes)
    if new_theme.strip():
        made = theme_find_or_create(project=project, name=new_theme, actor=actor)
        events.extend(made.events)
        chosen.append(made.theme)
    locked = _locked_themes(chosen)
    for theme in locked.values():
        _check_theme(theme, project)
    in_order = [locked[pk] for pk in dict.fromkeys(theme.pk for theme in chosen)]
    review_sheet = _review_sheet_for(story)
    duplicate = Highlight.objects.filter(
        review_sheet=review_sheet,
        transcript=transcript,
        char_start=char_start,
        char_end=char_end,
    ).first()
    if duplicate is not None:
        for theme in in_order:
            events.extend(_tag(duplicate, theme, actor=actor, project=project))
        return QuoteResult(highlight=duplicate, created=False, events=tuple(events))
    spoken = _span_times(transcript, char_start, char_end)
    speakers = spoken.pop("speakers")
    highlight = Highlight.objects.create(
        review_sheet=review_sheet,
        transcript=transcript,
        char_start=char_start,
        char_end=char_end,
        snippet=transcript.text[char_start:char_end],
        created_by=actor,
        **spoken,
        **fields,
    )
    highlight.speakers.set(speakers)
    HighlightTheme.objects.bulk_create(
        [HighlightTheme(highlight=highlight, theme=theme) for theme in in_order]
    )
    events.append(
        _log(
            project=project,
            actor=actor,
            action=CodingAction.HIGHLIGHT_CREATE,
            highlight=highlight,
            payload={"after": _highlight_state(highlight)},
        )
    )
    return QuoteResult(highlight=highlight, created=True, events=tuple(events))


@transaction.atomic
def highlight_update(*, highlight: Highlight, actor: User | None, **fields: Any) -> QuoteResult:
    """Change what is noted about a quote (its words stay as they are).

    Refused while the storyteller's words are withheld: a note is written from
    the words, and nobody may read them to write it.
    """
    _hold_feed(highlight.review_sheet.story.project_id)
    fields = _clean_highlight_fields(fields)
    storyteller = _locked_storyteller(highlight.review_sheet.story)
    require_consent(storyteller, ConsentScope.TRANSCRIBE)
    _check_attribution(storyteller, fields.get("attribution"))
    before = _highlight_state(highlight)
    for name, value in fields.items():
        setattr(highlight, name, value)
    highlight.save()
    event = _log(
        project=highlight.review_sheet.story.project,
        actor=actor,
        action=CodingAction.HIGHLIGHT_UPDATE,
        highlight=highlight,
        payload={"before": before, "after": _highlight_state(highlight)},
    )
    return QuoteResult(highlight=highlight, events=(event,))


class ClipEdge(StrEnum):
    START = "start"
    END = "end"


@transaction.atomic
def highlight_clip_nudge(
    *,
    highlight: Highlight,
    actor: User | None,
    edge: ClipEdge | str,
    step_ms: int,
    recording_ms: int | None = None,
) -> QuoteResult:
    """Move one edge of a quote's clip by ``step_ms`` (negative is earlier); its words stay.

    The nudge is kept apart from the words' times, so the clip keeps it when a
    correction moves the words. A clip stays at least a fifth of a second long,
    inside the recording (``recording_ms``) and within ``MAX_CLIP_NUDGE_MS`` of its
    words. It is an ordinary quote change: one coding event, undone like any other.
    Needs consent to record as well as to transcribe: it is about the recording.
    """
    edge = ClipEdge(edge)
    story = highlight.review_sheet.story
    _hold_feed(story.project_id)  # the lock order of every coding write: project first
    storyteller = _locked_storyteller(story)
    require_consent(storyteller, ConsentScope.RECORD)
    highlight = Highlight.objects.select_for_update().get(pk=highlight.pk)
    if highlight.start_ms is None or highlight.end_ms is None:
        raise ServiceError("This quote has no times, so there is no clip to change.")
    shortest = 200
    start, end = highlight.clip_start_ms or 0, highlight.clip_end_ms or 0
    if edge == ClipEdge.START:
        wanted = min(max(0, start + step_ms), end - shortest)
        nudge = wanted - highlight.start_ms
        field_name = "clip_start_nudge_ms"
    else:
        wanted = max(end + step_ms, start + shortest)
        if recording_ms is not None:
            wanted = min(wanted, recording_ms)
        nudge = wanted - highlight.end_ms
        field_name = "clip_end_nudge_ms"
    nudge = max(-MAX_CLIP_NUDGE_MS, min(MAX_CLIP_NUDGE_MS, nudge))
    if nudge == getattr(highlight, field_name):
        return QuoteResult(highlight=highlight, created=False, events=())
    return highlight_update(highlight=highlight, actor=actor, **{field_name: nudge})


@transaction.atomic
def highlight_delete(*, highlight: Highlight, actor: User | None) -> CodingChange:
    """Remove a quote; its event keeps the state, so undo can bring it back."""
    project = highlight.review_sheet.story.project
    _hold_feed(project)
    event = _log(
        project=project,
        actor=actor,
        action=CodingAction.HIGHLIGHT_DELETE,
        highlight=highlight,
        payload={"before": _highlight_state(highlight)},
    )
    highlight.delete()
    return CodingChange(events=(event,))


@transaction.atomic
def highlight_tag(
    *,
    highlight: Highlight,
    actor: User | None,
    theme: Theme | None = None,
    new_theme: str = "",
) -> TagResult:
    """Put a theme on a quote: a chosen ``theme``, or one named in ``new_theme`` (found or made).

    ``changed`` is False if the quote already had it. A theme merged away since
    the caller loaded it is refused, so the quote does not vanish from findings.
    """
    if (theme is None) == (not new_theme.strip()):
        raise ServiceError("Choose a theme, or type the name of a new one.")
    project = highlight.review_sheet.story.project
    _hold_feed(project)
    _lock_highlight(highlight)
    events: list[CodingEvent] = []
    if theme is None:
        made = theme_find_or_create(project=project, name=new_theme, actor=actor)
        events.extend(made.events)
        theme = made.theme
    fresh = _locked_themes([theme])[theme.pk]
    _check_theme(fresh, project)
    tagged = _tag(highlight, fresh, actor=actor, project=project)
    return TagResult(highlight=highlight, theme=fresh, events=tuple(events + tagged))


@transaction.atomic
def highlight_untag(*, highlight: Highlight, theme: Theme, actor: User | None) -> TagResult:
    """Take a theme off a quote; ``changed`` is False if it was not on it.

    If the theme was merged since the page loaded, its quotes carry the other
    theme now, so the person is told rather than shown a removal that did nothing.
    """
    project = highlight.review_sheet.story.project
    _hold_feed(project)
    _lock_highlight(highlight)
    fresh = _locked_themes([theme])[theme.pk]
    if fresh.project_id != project.pk:
        raise ServiceError("That theme belongs to a different project.")
    deleted, _ = HighlightTheme.objects.filter(highlight=highlight, theme=fresh).delete()
    if not deleted:
        if fresh.merged_into_id is not None:
            into = _merged_name(fresh)
            raise ServiceError(
                f"The theme '{fresh.name}' was merged into '{into}', so the quote is tagged "
                f"'{into}' now. Remove '{into}' if that is what you meant."
            )
        return TagResult(highlight=highlight, theme=fresh)
    event = _log(
        project=project,
        actor=actor,
        action=CodingAction.TAG_REMOVE,
        highlight=highlight,
        theme=fresh,
    )
    return TagResult(highlight=highlight, theme=fresh, events=(event,))


def _clean_theme_name(project: Project, name: str, exclude_pk: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ServiceError("Give the theme a name.")
    if len(name) > 120:
        raise ServiceError("Theme names can be at most 120 characters.")
    # Compared in Python: SQLite's lower() leaves accented letters alone, so
    # "Équipe" and "équipe" would both pass a database-side comparison there.
    active = Theme.objects.filter(project=project, merged_into__isnull=True)
    if exclude_pk is not None:
        active = active.exclude(pk=exclude_pk)
    if name.casefold() in {other.casefold() for other in active.values_list("name", flat=True)}:
        raise ServiceError(f"There is already a theme called '{name}'.")
    return name


@transaction.atomic
def theme_create(
    *, project: Project, name: str, actor: User | None, description: str = ""
) -> ThemeResult:
    """Add a theme to the codebook; names are unique among active themes in any capitals."""
    _hold_feed(project)
    name = _clean_theme_name(project, name)
    try:
        with transaction.atomic():
            theme = Theme.objects.create(
                project=project, name=name, description=description.strip(), created_by=actor
            )
    except IntegrityError as exc:
        raise ServiceError(f"There is already a theme called '{name}'.") from exc
    event = _log(
        project=project,
        actor=actor,
        action=CodingAction.THEME_CREATE,
        theme=theme,
        payload={"after": {"name": name}},
    )
    return ThemeResult(theme=theme, created=True, events=(event,))


@transaction.atomic
def theme_find_or_create(*, project: Project, name: str, actor: User | None) -> ThemeResult:
    """The active theme called ``name`` in any capitals, or a new one by that name.

    Typing the name of a theme that exists means that theme (``created`` False,
    no event). Compared in Python for the same reason as ``_clean_theme_name``:
    SQLite's lower() ignores accents.
    """
    _hold_feed(project)
    wanted = " ".join(name.split()).casefold()
    active = Theme.objects.filter(project=project, merged_into__isnull=True).order_by("pk")
    for theme in active:
        if theme.name.casefold() == wanted:
            return ThemeResult(theme=theme)
    return theme_create(project=project, name=name, actor=actor)


@transaction.atomic
def theme_rename(
    *, theme: Theme, name: str, actor: User | None, description: str | None = None
) -> ThemeResult:
    """Rename (and re-describe) an active theme; the result holds the theme as stored now."""
    _hold_feed(theme.project_id)
    fresh = _locked_themes([theme])[theme.pk]
    if fresh.merged_into_id is not None:
        into = _merged_name(fresh)
        raise ServiceError(
            f"The theme '{fresh.name}' was merged into '{into}', so it cannot be renamed. "
            f"Rename '{into}' instead."
        )
    name = _clean_theme_name(fresh.project, name, exclude_pk=fresh.pk)
    before = {"name": fresh.name, "description": fresh.description}
    fresh.name = name
    if description is not None:
        fresh.description = description.strip()
    try:
        with transaction.atomic():
            fresh.save()
    except IntegrityError as exc:
        raise ServiceError(f"There is already a theme called '{name}'.") from exc
    event = _log(
        project=fresh.project,
        actor=actor,
        action=CodingAction.THEME_RENAME,
        theme=fresh,
        payload={"before": before, "after": {"name": fresh.name, "description": fresh.description}},
    )
    return ThemeResult(theme=fresh, events=(event,))


@transaction.atomic
def theme_merge(*, source: Theme, target: Theme, actor: User | None) -> MergeResult:
    """Fold ``source`` into ``target``: its quotes move over and it stops being offered.

    The source row stays (pointing at the target) so the merge can be undone.
    Both rows are locked and checked as stored: merging A into B and then a
    stale copy of B into A would otherwise leave no active theme at all.
    """
    if source.pk == target.pk:
        raise ServiceError("Choose two different themes to merge.")
    _hold_feed(source.project_id)
    locked = _locked_themes([source, target])
    source, target = locked[source.pk], locked[target.pk]
    if source.project_id != target.project_id:
        raise ServiceError("Themes from different projects cannot be merged.")
    for theme in (source, target):
        if theme.merged_into_id is not None:
            raise ServiceError(
                f"The theme '{theme.name}' has already been merged into '{_merged_name(theme)}'."
            )
    links = HighlightTheme.objects.filter(theme=source)
    moved: list[int] = []
    already: list[int] = []
    target_highlights = set(
        HighlightTheme.objects.filter(theme=target).values_list("highlight_id", flat=True)
    )
    for link in links:
        (already if link.highlight_id in target_highlights else moved).append(link.highlight_id)
    links.delete()
    HighlightTheme.objects.bulk_create(
        [HighlightTheme(highlight_id=h, theme=target) for h in moved]
    )
    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    event = _log(
        project=source.project,
        actor=actor,
        action=CodingAction.THEME_MERGE,
        theme=target,
        payload={
            "source_id": source.pk,
            "source_name": source.name,
            "target_id": target.pk,
            "moved_highlight_ids": moved,
            "shared_highlight_ids": already,
        },
    )
    return MergeResult(source=source, target=target, events=(event,))


@dataclass(frozen=True, kw_only=True)
class MoveResult(CodingChange):
    """A quote moved on the board: the theme it left and the one it is in now (None: unsorted)."""

    highlight: Highlight
    from_theme: Theme | None
    to_theme: Theme | None


def _theme_label(theme: Theme | None) -> str:
    return f"'{theme.name}'" if theme is not None else "Not sorted yet"


def _where_now(highlight: Highlight) -> str:
    names = sorted(
        Theme.objects.filter(highlight_links__highlight=highlight).values_list("name", flat=True)
    )
    if not names:
        return "It is in Not sorted yet now."
    return "It is in " + ", ".join(f"'{n}'" for n in names) + " now."


@transaction.atomic
def highlight_move(
    *,
    highlight: Highlight,
    from_theme: Theme | None,
    to_theme: Theme | None,
    actor: User | None,
) -> MoveResult:
    """Move a quote from one theme to another on the workshop board, as one change.

    ``from_theme`` is where the person saw the quote (None: not sorted yet, so
    no theme at all). If it is not there any more because someone moved it
    first, nothing is changed and the person is told where it is now: two
    people moving one card at once must not silently undo each other.
    Moving a quote into a theme it is already in as well just takes it out of
    the first one. ``to_theme`` None takes it out of ``from_theme``.
    """
    if from_theme is None and to_theme is None:
        raise ServiceError("Choose the theme to move the quote to.")
    if from_theme is not None and to_theme is not None and from_theme.pk == to_theme.pk:
        raise ServiceError(f"The quote is in {_theme_label(to_theme)} already.")
    project = highlight.review_sheet.story.project
    _hold_feed(project)
    _lock_highlight(highlight)
    storyteller = _locked_storyteller(highlight.review_sheet.story)
    require_consent(storyteller, ConsentScope.TRANSCRIBE)
    locked = _locked_themes([t for t in (from_theme, to_theme) if t is not None])
    source = locked[from_theme.pk] if from_theme is not None else None
    target = locked[to_theme.pk] if to_theme is not None else None
    for theme in (source, target):
        if theme is not None and theme.project_id != project.pk:
            raise ServiceError("That theme belongs to a different project.")
    if target is not None:
        _check_theme(target, project)
    current = set(
        HighlightTheme.objects.filter(highlight=highlight).values_list("theme_id", flat=True)
    )
    if source is None and current:
        raise ServiceError(
            "Someone sorted this quote while you were looking, so nothing was changed. "
            + _where_now(highlight)
        )
    if source is not None and source.pk not in current:
        if source.merged_into_id is not None:
            raise ServiceError(
                f"The theme '{source.name}' was merged into '{_merged_name(source)}' a moment "
                "ago, so nothing was changed. Move the quote from there if you still want to."
            )
        raise ServiceError(
            "Someone moved this quote while you were looking, so nothing was changed. "
            + _where_now(highlight)
            + " Move it from there if you still want to."
        )
    was_in_target = target is not None and target.pk in current
    if source is not None:
        HighlightTheme.objects.filter(highlight=highlight, theme=source).delete()
    if target is not None and not was_in_target:
        HighlightTheme.objects.create(highlight=highlight, theme=target)
    event = _log(
        project=project,
        actor=actor,
        action=CodingAction.HIGHLIGHT_MOVE,
        highlight=highlight,
        theme=target or source,
        payload={
            "from_theme_id": source.pk if source is not None else None,
            "from_name": source.name if source is not None else "",
            "to_theme_id": target.pk if target is not None else None,
            "to_name": target.name if target is not None else "",
            "was_in_target": was_in_target,
        },
    )
    return MoveResult(highlight=highlight, from_theme=source, to_theme=target, events=(event,))


def _undo_highlight_move(event: CodingEvent, actor: User | None) -> tuple[CodingEvent, ...]:
    """Move the quote back; refused (by the stale check) if it has moved on since."""
    highlight = _event_highlight(event)
    if highlight is None:
        raise ServiceError("That key quote has been removed since.")
    payload = event.payload
    themes = {
        t.pk: t
        for t in Theme.objects.filter(pk__in=[payload["from_theme_id"], payload["to_theme_id"]])
    }
    source = themes.get(payload["from_theme_id"]) if payload["from_theme_id"] else None
    target = themes.get(payload["to_theme_id"]) if payload["to_theme_id"] else None
    if (payload["from_theme_id"] and source is None) or (payload["to_theme_id"] and target is None):
        raise ServiceError("One of those themes has been removed since.")
    if payload.get("was_in_target"):
        if source is None:
            raise ServiceError("There is nothing to move back.")
        return highlight_tag(highlight=highlight, theme=source, actor=actor).events
    return highlight_move(
        highlight=highlight, from_theme=target, to_theme=source, actor=actor
    ).events


@dataclass(frozen=True, kw_only=True)
class NoteResult(CodingChange):
    """A note added to (or taken off) the board."""

    note: BoardNote


NOTE_MAX = 500


def _clean_note(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise ServiceError("Write something in the note first.")
    if len(text) > NOTE_MAX:
        raise ServiceError(
            f"A note can be up to {NOTE_MAX} characters long (this one has {len(text)}). "
            "Shorten it, or write two notes."
        )
    return text


@transaction.atomic
def board_note_add(
    *,
    project: Project,
    text: str,
    actor: User | None,
    theme: Theme | None = None,
    visioning_round: VisioningRound | None = None,
) -> NoteResult:
    """Put a short note on the board, beside a theme or in an open visioning round."""
    text = _clean_note(text)
    _hold_feed(project)
    if theme is not None:
        fresh = _locked_themes([theme])[theme.pk]
        _check_theme(fresh, project)
        theme = fresh
    if visioning_round is not None:
        visioning_round = VisioningRound.objects.select_for_update().get(pk=visioning_round.pk)
        if visioning_round.project_id != project.pk:
            raise ServiceError("That round belongs to a different project.")
        if not visioning_round.is_open:
            raise ServiceError(
                "This round has been closed, so it takes no more notes. "
                "Your words are still in the box: copy them if you want to keep them."
            )
    note = BoardNote.objects.create(
        project=project, theme=theme, visioning_round=visioning_round, text=text, author=actor
    )
    event = _log(
        project=project,
        actor=actor,
        action=CodingAction.NOTE_ADD,
        theme=theme,
        payload={
            "note_id": note.pk,
            "text": text,
            "round_id": visioning_round.pk if visioning_round is not None else None,
        },
    )
    return NoteResult(note=note, events=(event,))


@transaction.atomic
def board_note_remove(*, note: BoardNote, actor: User | None) -> NoteResult:
    """Take a note off the board (its event keeps the words, as the coding log does)."""
    _hold_feed(note.project_id)
    if not BoardNote.objects.select_for_update().filter(pk=note.pk).exists():
        raise ServiceError("That note has been taken off the board already.")
    event = _log(
        project=note.project,
        actor=actor,
        action=CodingAction.NOTE_REMOVE,
        theme=note.theme,
        payload={
            "note_id": note.pk,
            "text": note.text,
            "round_id": note.visioning_round_id,
            # What undoing the removal needs to put the note back as it was, under its id.
            "author_id": note.author_id,
            "group": note.group,
            "group_label": note.group_label,
        },
    )
    note.delete()
    return NoteResult(note=note, events=(event,))


def _note_restore(event: CodingEvent, actor: User | None) -> tuple[CodingEvent, ...]:
    """Put a note taken off the board back under its old id, beside its theme or in its round.

    A round's note comes back to its round even if the round has closed since:
    nothing new is written, the note is only put back where it was.
    """
    payload = event.payload
    pk = payload.get("note_id")
    if not isinstance(pk, int) or BoardNote.objects.filter(pk=pk).exists():
        raise ServiceError("That note is on the board already.")
    visioning_round = None
    if payload.get("round_id"):
        visioning_round = (
            VisioningRound.objects.select_for_update()
            .filter(pk=payload["round_id"], project_id=event.project_id)
            .first()
        )
        if visioning_round is None:
            raise ServiceError("The visioning round this note was in has been removed.")
    theme = None
    if event.theme_id is not None:
        found = Theme.objects.filter(pk=event.theme_id, project_id=event.project_id).first()
        theme = _current_theme(found) if found is not None else None
    note = BoardNote.objects.create(
        pk=pk,
        project_id=event.project_id,
        theme=theme,
        visioning_round=visioning_round,
        text=payload.get("text", ""),
        author=_user(payload.get("author_id")) if "author_id" in payload else event.actor,
        group=payload.get("group"),
        group_label=payload.get("group_label", ""),
    )
    restored = _log(
        project=event.project,
        actor=actor,
        action=CodingAction.NOTE_ADD,
        theme=theme,
        payload={
            "note_id": note.pk,
            "text": note.text,
            "round_id": note.visioning_round_id,
            "restored": True,
        },
    )
    return (restored,)


def _undo_note_add(event: CodingEvent, actor: User | None) -> tuple[CodingEvent, ...]:
    """Take the note back off the board (what the removal writes lets a redo put it back)."""
    note = BoardNote.objects.filter(pk=event.payload.get("note_id")).first()
    if note is None:
        raise ServiceError("That note has been taken off the board already.")
    return board_note_remove(note=note, actor=actor).events


@dataclass(frozen=True, kw_only=True)
class RoundResult(CodingChange):
    """A visioning round opened, closed or grouped."""

    visioning_round: VisioningRound


@transaction.atomic
def visioning_round_open(*, project: Project, prompt: str, actor: User | None) -> RoundResult:
    """Open a future-visioning round with a prompt; an open round is closed first.

    One round at a time keeps the board clear about which question the notes
    answer.
    """
    prompt = " ".join(prompt.split())
    if not prompt:
        raise ServiceError(
            "Write the question for the round, for example 'Ten years on, what pleased you?'"
        )
    if len(prompt) > 300:
        raise ServiceError(
            "The question can be up to 300 characters long. Shorten it and try again."
        )
    _hold_feed(project)
    events: list[CodingEvent] = []
    for still_open in VisioningRound.objects.select_for_update().filter(
        project=project, closed_at__isnull=True
    ):
        events.extend(visioning_round_close(visioning_round=still_open, actor=actor).events)
    opened = VisioningRound.objects.create(project=project, prompt=prompt, opened_by=actor)
    return RoundResult(
        visioning_round=opened, events=(*events, _log_round_open(opened, actor=actor))
    )


def _log_round_open(opened: VisioningRound, *, actor: User | None, **extra: Any) -> CodingEvent:
    return _log(
        project=opened.project,
        actor=actor,
        action=CodingAction.ROUND_OPEN,
        payload={"round_id": opened.pk, "prompt": opened.prompt, **extra},
    )


def _other_open_round(project_id: int, pk: int) -> VisioningRound | None:
    return (
        VisioningRound.objects.select_for_update()
        .filter(project_id=project_id, closed_at__isnull=True)
        .exclude(pk=pk)
        .first()
    )


def _undo_round_open(event: CodingEvent, actor: User | None) -> tuple[CodingEvent, ...]:
    """Take a round back off the board, while nobody has written in it yet.

    People's notes are never removed as a side effect: a round with notes is
    refused, and the facilitator can close it instead (or take the notes off
    first, each of which can be undone on its own).
    """
    found = (
        VisioningRound.objects.select_for_update()
        .filter(pk=event.payload.get("round_id"), project_id=event.project_id)
        .first()
    )
    if found is None:
        raise ServiceError("That visioning round has been removed already.")
    written = found.notes.count()
    if written:
        raise ServiceError(
            f"People have written {written} note{'s' if written != 1 else ''} in this round, "
            "so it stays. Close the round instead, or take its notes off the board first."
        )
    removed = _log(
        project=event.project,
        actor=actor,
        action=CodingAction.ROUND_REMOVE,
        payload={
            "round_id": found.pk,
            "prompt": found.prompt,
            "opened_by_id": found.opened_by_id,
            "closed": found.closed_at is not None,
        },
    )
    found.delete()
    return (removed,)


def _redo_round_open(event: CodingEvent, actor: User | None) -> tuple[CodingEvent, ...]:
    """Take back an undo's ``round_remove``: the round opens again under its old id.

    As with opening any round, a round still open is closed first.
    """
    payload = event.payload
    pk = payload.get("round_id")
    if not isinstance(pk, int) or VisioningRound.objects.filter(pk=pk).exists():
        raise ServiceError("That visioning round is back already.")
    written: list[CodingEvent] = []
    for still_open in VisioningRound.objects.select_for_update().filter(
        project_id=event.project_id, closed_at__isnull=True
    ):
        written.extend(visioning_round_close(visioning_round=still_open, actor=actor).events)
    opened = VisioningRound.objects.create(
        pk=pk,
        project_id=event.project_id,
        prompt=payload.get("prompt", ""),
        opened_by=_user(payload.get("opened_by_id")) or actor,
        closed_at=timezone.now() if payload.get("closed") else None,
    )
    written.append(_log_round_open(opened, actor=actor, restored=True))
    return tuple(written)


def _undo_round_close(event: CodingEvent, actor: User | None) -> tuple[CodingEvent, ...]:
    """Open a closed round again, unless another round is open now (one question at a time)."""
    found = (
        VisioningRound.objects.select_for_update()
        .filter(pk=event.payload.get("round_id"), project_id=event.project_id)
        .first()
    )
    if found is None:
        raise ServiceError("That visioning round has been removed since.")
    if found.is_open:
        raise ServiceError("That visioning round is open already.")
    other = _other_open_round(event.project_id, found.pk)
    if other is not None:
        raise ServiceError(
            f"Another round is open now ('{other.prompt}'). Close it first, then undo this."
        )
    found.closed_at = None
    found.save(update_fields=["closed_at", "updated_at"])
    reopened = _log(
        project=event.project,
        actor=actor,
        action=CodingAction.ROUND_REOPEN,
        payload={"round_id": found.pk, "prompt": found.prompt},
    )
    return (reopened,)


def _redo_round_close(event: CodingEvent, actor: User | None) -> tuple[CodingEvent, ...]:
    """Take back an undo's ``round_reopen``: close the round again."""
    found = VisioningRound.objects.filter(
        pk=event.payload.get("round_id"), project_id=event.project_id
    ).first()
    if found is None:
        raise ServiceError("That visioning round has been removed since.")
    if not found.is_open:
        raise ServiceError("That visioning round is closed already.")
    return visioning_round_close(visioning_round=found, actor=actor).events


def _undo_round_group(event: CodingEvent, actor: User | None) -> tuple[CodingEvent, ...]:
    """Put the round's notes back in the groups they had before this grouping.

    Written as a grouping of its own (with the groups before and after), so a
    redo puts this one back the same way.
    """
    payload = event.payload
    if "before" not in payload:
        raise ServiceError("This grouping was made before groupings could be undone.")
    found = (
        VisioningRound.objects.select_for_update()
        .filter(pk=payload.get("round_id"), project_id=event.project_id)
        .first()
    )
    if found is None:
        raise ServiceError("That visioning round has been removed since.")
    wanted = {int(pk): (group, label) for pk, (group, label) in payload["before"].items()}
    return (
        _regroup(
            found,
            wanted,
            grouped_with=payload.get("grouped_with_before", {}),
            actor=actor,
        ),
    )


def _regroup(
    visioning_round: VisioningRound,
    wanted: dict[int, tuple[int | None, str]],
    *,
    grouped_with: dict[str, Any],
    actor: User | None,
) -> CodingEvent:
    """Set the groups of a round's notes and write the one ``round_group`` event saying so.

    The event keeps the groups before and the settings before, so undoing it
    puts them back; notes taken off meanwhile are left out.
    """
    notes = list(BoardNote.objects.filter(visioning_round=visioning_round, pk__in=list(wanted)))
    before = {str(note.pk): [note.group, note.group_label] for note in notes}
    grouped_before = visioning_round.grouped_with
    for note in notes:
        note.group, note.group_label = wanted[note.pk]
    BoardNote.objects.bulk_update(notes, ["group", "group_label"])
    visioning_round.grouped_with = grouped_with
    visioning_round.save(update_fields=["grouped_with", "updated_at"])
    groups = sorted({label for _, label in wanted.values() if label})
    return _log(
        project=visioning_round.project,
        actor=actor,
        action=CodingAction.ROUND_GROUP,
        payload={
            "round_id": visioning_round.pk,
            "groups": groups,
            "notes": len(notes),
            "before": before,
            "grouped_with_before": grouped_before,
        },
    )


@transaction.atomic
def visioning_round_close(*, visioning_round: VisioningRound, actor: User | None) -> RoundResult:
    """Close a round: its notes stay on the board, and it takes no new ones."""
    _hold_feed(visioning_round.project_id)
    fresh = VisioningRound.objects.select_for_update().get(pk=visioning_round.pk)
    if not fresh.is_open:
        return RoundResult(visioning_round=fresh)
    fresh.closed_at = timezone.now()
    fresh.save(update_fields=["closed_at", "updated_at"])
    event = _log(
        project=fresh.project,
        actor=actor,
        action=CodingAction.ROUND_CLOSE,
        payload={"round_id": fresh.pk, "prompt": fresh.prompt},
    )
    return RoundResult(visioning_round=fresh, events=(event,))


def grouping_available() -> bool:
    """Whether the theme engine (``cohub.pipeline.cluster``) is installed to group notes."""
    import importlib.util

    return importlib.util.find_spec("cohub.pipeline.cluster") is not None


def visioning_round_group(*, visioning_round: VisioningRound, actor: User | None) -> RoundResult:
    """Group the round's notes with the same engine as the theme suggestions.

    The grouping is worked out first, outside any transaction (it takes
    seconds), so the board's other writers never wait for it; then it is saved
    in one short transaction. Notes written meanwhile stay ungrouped until the
    next grouping. The same notes always give the same groups.
    """
    if not grouping_available():
        raise ServiceError("Grouping notes needs the theme engine, which is not installed here.")
    from cohub.pipeline.cluster import group_texts

    notes = list(visioning_round.notes.order_by("pk"))
    if len(notes) < 2:
        raise ServiceError("Add at least two notes before grouping them.")
    grouping = group_texts([note.text for note in notes])
    placed = {
        note.pk: (grouping.placements[i].theme, grouping.label_of(i))
        for i, note in enumerate(notes)
    }
    return _save_grouping(
        visioning_round=visioning_round,
        placed=placed,
        grouped_with={"engine": "cohub.pipeline.cluster", **dict(grouping.parameters)},
        actor=actor,
    )


@transaction.atomic
def _save_grouping(
    *,
    visioning_round: VisioningRound,
    placed: dict[int, tuple[int, str]],
    grouped_with: dict[str, Any],
    actor: User | None,
) -> RoundResult:
    _hold_feed(visioning_round.project_id)
    fresh = VisioningRound.objects.select_for_update().get(pk=visioning_round.pk)
    wanted: dict[int, tuple[int | None, str]] = {
        pk: ((number or 0), label if number else "Not grouped")
        for pk, (number, label) in placed.items()
    }
    event = _regroup(fresh, wanted, grouped_with=grouped_with, actor=actor)
    return RoundResult(visioning_round=fresh, events=(event,))


def _tag_events(events: Iterable[CodingEvent], **link: CodingEvent) -> None:
    """Say which change the events an undo or a redo wrote were about (``undo_of``/``redo_of``)."""
    events = list(events)
    CodingEvent.objects.filter(pk__in=[e.pk for e in events]).update(**link)
    for written in events:
        for name, value in link.items():
            setattr(written, name, value)


def _in_effect(event: CodingEvent) -> CodingEvent:
    """The event that says how ``event``'s change stands now: its newest redo, or itself.

    Redoing a merge or a removal writes a fresh event with the state as it was
    redone (which quotes moved, what the quote looked like); undoing the change
    again must go by that, not by the state of the first time.
    """
    newest = CodingEvent.objects.filter(redo_of=event, action=event.action).order_by("-pk").first()
    return newest or event


@transaction.atomic
def coding_event_undo(*, event: CodingEvent, actor: User | None) -> UndoResult:
    """Reverse one coding action by its event id, if what it changed is still as it left it.

    The undo writes events of its own (a removal, a theme taken back out of a
    merge), so anyone following the feed sees it; they are returned, marked as
    the undo of ``event``, and ``coding_event_redo`` can take them back. The
    events an undo or a redo wrote are not undone on their own: Undo and Redo
    act on the change they were about.
    """
    _hold_feed(event.project_id)
    event = CodingEvent.objects.select_for_update().get(pk=event.pk)
    if event.undone_at is not None:
        raise ServiceError("That action has already been undone.")
    if event.undo_of_id is not None or event.redo_of_id is not None:
        raise ServiceError(
            "That change was an undo or a redo of another one. "
            "Use Undo or Redo on that change in the coding log."
        )
    undo = _UNDO.get(event.action)
    if undo is None:
        raise ServiceError("That kind of action cannot be undone.")
    written = undo(_in_effect(event), actor)
    _tag_events(written, undo_of=event)
    event.undone_at = timezone.now()
    event.undone_by = actor
    event.save(update_fields=["undone_at", "undone_by"])
    return UndoResult(undone=event, events=tuple(written))


@transaction.atomic
def coding_event_redo(*, event: CodingEvent, actor: User | None) -> RedoResult:
    """Make an undone action happen again, by taking back what its undo wrote.

    A quote or theme the undo removed comes back under its old id, with its
    themes, speakers and details, so links to it keep working and the
    action can be undone again. A second request for the same redo (a double
    click, a stale page) is refused, so nothing is put back twice.
    """
    _hold_feed(event.project_id)
    event = CodingEvent.objects.select_for_update().get(pk=event.pk)
    if event.undone_at is None:
        raise ServiceError("That change is in place, so there is nothing to redo.")
    undo_events = list(
        CodingEvent.objects.select_for_update()
        .filter(undo_of=event, undone_at__isnull=True)
        .order_by("-pk")
    )
    if not undo_events:
        raise ServiceError("Undoing it changed nothing, so there is nothing to put back.")
    written: list[CodingEvent] = []
    now = timezone.now()
    for undo_event in undo_events:
        reverse = _REVERSE.get(undo_event.action)
        if reverse is None:
            raise ServiceError("That kind of action cannot be redone.")
        written.extend(reverse(undo_event, actor))
        undo_event.undone_at = now
        undo_event.undone_by = actor
        undo_event.save(update_fields=["undone_at", "undone_by"])
    _tag_events(written, redo_of=event)
    event.undone_at = None
    event.undone_by = None
    event.save(update_fields=["undone_at", "undone_by"])
    return RedoResult(redone=event, events=tuple(written))


def _event_highlight(event: CodingEvent) -> Highlight | None:
    """The highlight an event was about, if it still exists."""
    if event.highlight_id is None:
        return None
    return Highlight.objects.filter(pk=event.highlight_id).first()


def _event_theme(event: CodingEvent) -> Theme | None:
    """The theme an event was about, if it still exists."""
    if event.theme_id is None:
        return None
    return Theme.objects.filter(pk=event.theme_id).first()


def _undo_highlight_create(event: CodingEvent, actor: User | None) -> tuple[CodingEvent, ...]:
    highlight = _event_highlight(event)
    if highlight is None:
        raise ServiceError("That highlight has already been removed.")
    return highlight_delete(highlight=highlight, actor=actor).events


def _user(pk: int | None) -> User | None:
    """The person with this id, if they still have an account."""
    return User.objects.filter(pk=pk).first() if pk is not None else None


def _current_theme(theme: Theme) -> Theme:
    """The theme a quote's theme lives on as: itself, or the one it was merged into."""
    seen = {theme.pk}
    while theme.merged_into_id is not None and theme.merged_into_id not in seen:
        into = Theme.objects.filter(pk=theme.merged_into_id).first()
        if into is None:
            break
        seen.add(into.pk)
        theme = into
    return theme


def _restore_place(
    transcript: Transcript, start: int, end: int, status: str, note: str
) -> tuple[Transcript, int, int, str, str]:
    """Where a quote put back belongs now: on the newest text if its words changed meanwhile.

    Quotes follow each new version of the text (``anchoring``), but a removed
    one could not; it is placed now the same way, or flagged for a person.
    """
    newest = Transcript.objects.filter(story_id=transcript.story_id).order_by("-version").first()
    if newest is None or newest.pk == transcript.pk or status == AnchorStatus.LOST:
        return transcript, start, end, status, note
    placement = TextChange(transcript.text, newest.text).place(start, end)
    if placement.start is None or placement.end is None:
        return (
            transcript,
            start,
            end,
            AnchorStatus.LOST,
            f"The words of this quote were changed or taken out in version {newest.version} "
            "of the text while it was removed. Choose its words again, or remove it.",
        )
    if placement.outcome == Outcome.UPDATED:
        status = AnchorStatus.UPDATED
    return newest, placement.start, placement.end, status, note


def _highlight_restore(*, pk: int, state: dict[str, Any], actor: User | None) -> QuoteResult:
    """Put a removed quote back under its old id, as it was when it was removed.

    Ids are never handed out twice (SQLite's AUTOINCREMENT, PostgreSQL's
    identity), so the old id is free unless the quote is back already. Its
    themes come back (as the theme they were merged into, if they were), its
    speakers are worked out again from the same words, and it is named only if
    consent still allows it.
    """
    if Highlight.objects.filter(pk=pk).exists():
        raise ServiceError("That key quote is back already.")
    review_sheet = (
        ReviewSheet.objects.select_related("story__project")
        .filter(pk=state["review_sheet_id"])
        .first()
    )
    transcript = Transcript.objects.filter(pk=state["transcript_id"]).first()
    if review_sheet is None or transcript is None or transcript.story_id != review_sheet.story_id:
        raise ServiceError("The story this key quote came from is gone.")
    story = review_sheet.story
    storyteller = _locked_storyteller(story)
    require_consent(storyteller, ConsentScope.TRANSCRIBE)
    fields = _clean_highlight_fields(
        {name: state[name] for name in HIGHLIGHT_FIELDS if name in state}
    )
    if fields["attribution"] == Attribution.NAMED and not consent_allows(
        storyteller, ConsentScope.QUOTE_BY_NAME
    ):
        fields["attribution"] = Attribution.ANONYMOUS  # consent has narrowed since
    transcript, start, end, status, note = _restore_place(
        transcript,
        state["char_start"],
        state["char_end"],
        state.get("anchor_status", AnchorStatus.PLACED),
        state.get("anchor_note", ""),
    )
    again = Highlight.objects.filter(
        review_sheet=review_sheet, transcript=transcript, char_start=start, char_end=end
    ).first()
    if again is not None:
        raise ServiceError(
            f"Those words were quoted again after this quote was removed (quote {again.pk}), "
            "so it cannot come back beside that one."
        )
    current = [_current_theme(t) for t in Theme.objects.filter(pk__in=state["theme_ids"])]
    locked = _locked_themes(current)
    themes = [t for t in locked.values() if t.merged_into_id is None]
    spoken = _span_times(transcript, start, end)
    speakers = spoken.pop("speakers")
    creator = _user(state.get("created_by_id"))
    highlight = Highlight.objects.create(
        pk=pk,
        review_sheet=review_sheet,
        transcript=transcript,
        char_start=start,
        char_end=end,
        snippet=transcript.text[start:end],
        created_by=creator or actor,
        anchor_status=status,
        anchor_note=note,
        **spoken,
        **fields,
    )
    highlight.speakers.set(speakers)
    HighlightTheme.objects.bulk_create(
        [HighlightTheme(highlight=highlight, theme=theme) for theme in themes]
    )
    event = _log(
        project=story.project,
        actor=actor,
        action=CodingAction.HIGHLIGHT_CREATE,
        highlight=highlight,
        payload={"after": _highlight_state(highlight), "restored": True},
    )
    return QuoteResult(highlight=highlight, created=True, events=(event,))


def _undo_highlight_delete(event: CodingEvent, actor: User | None) -> tuple[CodingEvent, ...]:
    if event.highlight_id is None:
        raise ServiceError("That event names no key quote.")
    return _highlight_restore(
        pk=event.highlight_id, state=event.payload["before"], actor=actor
    ).events


def _undo_highlight_update(event: CodingEvent, actor: User | None) -> tuple[CodingEvent, ...]:
    highlight = _event_highlight(event)
    if highlight is None:
        raise ServiceError("That highlight has been removed since.")
    before = event.payload["before"]
    return highlight_update(
        highlight=highlight, actor=actor, **{k: before[k] for k in HIGHLIGHT_FIELDS if k in before}
    ).events


def _undo_tag_add(event: CodingEvent, actor: User | None) -> tuple[CodingEvent, ...]:
    highlight = _event_highlight(event)
    theme = _event_theme(event)
    if highlight is None or theme is None:
        raise ServiceError("That highlight or theme has been removed since.")
    return highlight_untag(highlight=highlight, theme=theme, actor=actor).events


def _undo_tag_remove(event: CodingEvent, actor: User | None) -> tuple[CodingEvent, ...]:
    highlight = _event_highlight(event)
    theme = _event_theme(event)
    if highlight is None or theme is None:
        raise ServiceError("That highlight or theme has been removed since.")
    return highlight_tag(highlight=highlight, theme=theme, actor=actor).events


def _undo_theme_create(event: CodingEvent, actor: User | None) -> tuple[CodingEvent, ...]:
    found = _event_theme(event)
    if found is None:
        raise ServiceError("That theme has already been removed.")
    theme = _locked_themes([found])[found.pk]
    if theme.highlight_links.exists() or theme.merged_from.exists():
        raise ServiceError(
            f"The theme '{theme.name}' is in use now. Remove its quotes first, or merge it."
        )
    removed = _log(
        project=event.project,
        actor=actor,
        action=CodingAction.THEME_DELETE,
        theme=theme,
        payload={
            "before": {
                "name": theme.name,
                "description": theme.description,
                "created_by_id": theme.created_by_id,
            }
        },
    )
    theme.delete()
    return (removed,)


def _redo_theme_create(event: CodingEvent, actor: User | None) -> tuple[CodingEvent, ...]:
    """Take back an undo's ``theme_delete``: the theme returns under its old id and name."""
    if event.theme_id is None or Theme.objects.filter(pk=event.theme_id).exists():
        raise ServiceError("That theme is back already.")
    before = event.payload["before"]
    name = _clean_theme_name(event.project, before["name"])
    creator = _user(before.get("created_by_id"))
    theme = Theme.objects.create(
        pk=event.theme_id,
        project=event.project,
        name=name,
        description=before.get("description", ""),
        created_by=creator or actor,
    )
    made = _log(
        project=event.project,
        actor=actor,
        action=CodingAction.THEME_CREATE,
        theme=theme,
        payload={"after": {"name": name}, "restored": True},
    )
    return (made,)


def _redo_theme_merge(event: CodingEvent, actor: User | None) -> tuple[CodingEvent, ...]:
    """Take back an undo's ``theme_unmerge``: merge the two themes again, as they are now."""
    payload = event.payload
    themes = {
        t.pk: t for t in Theme.objects.filter(pk__in=[payload["source_id"], payload["target_id"]])
    }
    source, target = themes.get(payload["source_id"]), themes.get(payload["target_id"])
    if source is None or target is None:
        raise ServiceError("One of those themes has been removed since.")
    return theme_merge(source=source, target=target, actor=actor).events


def _undo_theme_rename(event: CodingEvent, actor: User | None) -> tuple[CodingEvent, ...]:
    theme = _event_theme(event)
    if theme is None:
        raise ServiceError("That theme has been removed since.")
    before = event.payload["before"]
    return theme_rename(
        theme=theme, name=before["name"], description=before["description"], actor=actor
    ).events


def _undo_theme_merge(event: CodingEvent, actor: User | None) -> tuple[CodingEvent, ...]:
    payload = event.payload
    locked = _locked_themes(
        Theme.objects.filter(pk__in=[payload["source_id"], payload["target_id"]])
    )
    source, target = locked.get(payload["source_id"]), locked.get(payload["target_id"])
    if source is None or target is None:
        raise ServiceError("One of the merged themes has been removed since.")
    if source.merged_into_id != target.pk:
        raise ServiceError(f"The theme '{source.name}' is no longer merged into '{target.name}'.")
    _clean_theme_name(source.project, source.name, exclude_pk=source.pk)
    moved = payload["moved_highlight_ids"]
    HighlightTheme.objects.filter(theme=target, highlight_id__in=moved).delete()
    existing = set(
        Highlight.objects.filter(pk__in=moved + payload["shared_highlight_ids"]).values_list(
            "pk", flat=True
        )
    )
    restored = [h for h in moved + payload["shared_highlight_ids"] if h in existing]
    HighlightTheme.objects.bulk_create(
        [HighlightTheme(highlight_id=h, theme=source) for h in restored],
        ignore_conflicts=True,
    )
    source.merged_into = None
    source.save(update_fields=["merged_into", "updated_at"])
    unmerged = _log(
        project=event.project,
        actor=actor,
        action=CodingAction.THEME_UNMERGE,
        theme=source,
        payload={
            "source_id": source.pk,
            "source_name": source.name,
            "target_id": target.pk,
            "restored_highlight_ids": restored,
        },
    )
    return (unmerged,)


_UNDO: dict[str, Callable[[CodingEvent, User | None], tuple[CodingEvent, ...]]] = {
    CodingAction.HIGHLIGHT_CREATE: _undo_highlight_create,
    CodingAction.HIGHLIGHT_DELETE: _undo_highlight_delete,
    CodingAction.HIGHLIGHT_UPDATE: _undo_highlight_update,
    CodingAction.TAG_ADD: _undo_tag_add,
    CodingAction.TAG_REMOVE: _undo_tag_remove,
    CodingAction.THEME_CREATE: _undo_theme_create,
    CodingAction.THEME_RENAME: _undo_theme_rename,
    CodingAction.THEME_MERGE: _undo_theme_merge,
    CodingAction.HIGHLIGHT_MOVE: _undo_highlight_move,
    CodingAction.NOTE_ADD: _undo_note_add,
    CodingAction.NOTE_REMOVE: _note_restore,
    CodingAction.ROUND_OPEN: _undo_round_open,
    CodingAction.ROUND_CLOSE: _undo_round_close,
    CodingAction.ROUND_GROUP: _undo_round_group,
}

UNDOABLE_ACTIONS: frozenset[str] = frozenset(_UNDO)
"""The actions an Undo button is offered for (what undo itself writes is not among them)."""

_REVERSE: dict[str, Callable[[CodingEvent, User | None], tuple[CodingEvent, ...]]] = {
    **_UNDO,
    CodingAction.THEME_DELETE: _redo_theme_create,
    CodingAction.THEME_UNMERGE: _redo_theme_merge,
    CodingAction.ROUND_REMOVE: _redo_round_open,
    CodingAction.ROUND_REOPEN: _redo_round_close,
}
"""How a redo takes back each kind of event an undo writes."""


@register_purger
def _purge_coding_events(story_ids: list[int]) -> None:
    """Coding-log rows can hold quote snippets, so they go with their story."""
    CodingEvent.objects.filter(story_id__in=story_ids).delete()
