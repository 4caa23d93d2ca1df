"""Coding a story: highlights, themes, and undo.

Every action writes a CodingEvent with the state before and after, which is
both the audit trail and what ``coding_event_undo`` reverses.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cohub.apps.accounts.models import User
from cohub.apps.analysis.models import (
    Attribution,
    ChangeLevel,
    CodingAction,
    CodingEvent,
    Highlight,
    HighlightTheme,
    ReviewSheet,
    Theme,
)
from cohub.apps.core.cleaning import clean_choices
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import record_event
from cohub.apps.projects.models import Project, Sector
from cohub.apps.stories.consent import require_consent
from cohub.apps.stories.models import Story, Storyteller, Transcript
from cohub.apps.stories.purge import register_purger
from cohub.apps.stories.scopes import ConsentScope

HIGHLIGHT_FIELDS = ("change_level", "sectors", "note", "attribution")


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
        action=action,
        story_id=story_id,
        highlight_id=highlight.pk if highlight is not None else None,
        theme_id=theme.pk if theme is not None else None,
        payload=payload or {},
    )


def _highlight_state(highlight: Highlight) -> dict[str, Any]:
    return {
        "review_sheet_id": highlight.review_sheet_id,
        "transcript_id": highlight.transcript_id,
        "char_start": highlight.char_start,
        "char_end": highlight.char_end,
        "change_level": highlight.change_level,
        "sectors": list(highlight.sectors),
        "note": highlight.note,
        "attribution": highlight.attribution,
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
        require_consent(storyteller, ConsentScope.QUOTE_BY_NAME)


def _span_times(transcript: Transcript, start: int, end: int) -> dict[str, Any]:
    segments = list(
        transcript.segments.filter(char_end__gt=start, char_start__lt=end).order_by("index")
    )
    if not segments:
        return {"start_ms": None, "end_ms": None, "speaker": ""}
    speakers = list(dict.fromkeys(s.speaker for s in segments if s.speaker))
    return {
        "start_ms": segments[0].start_ms,
        "end_ms": segments[-1].end_ms,
        "speaker": ", ".join(speakers)[:120],
    }


def _trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@transaction.atomic
def highlight_create(
    *,
    story: Story,
    transcript: Transcript,
    char_start: int,
    char_end: int,
    actor: User | None,
    themes: Iterable[Theme] = (),
    **fields: Any,
) -> Highlight:
    """Make a key quote from a span of one stored transcript version.

    The span is anchored by offsets and the snippet copied, so the quote stays
    put even if a newer transcript version is stored later.
    """
    if transcript.story_id != story.pk:
        raise ServiceError("That transcript belongs to a different story.")
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
    review_sheet = _review_sheet_for(story)
    duplicate = Highlight.objects.filter(
        review_sheet=review_sheet,
        transcript=transcript,
        char_start=char_start,
        char_end=char_end,
    ).first()
    if duplicate is not None:
        return duplicate
    highlight = Highlight.objects.create(
        review_sheet=review_sheet,
        transcript=transcript,
        char_start=char_start,
        char_end=char_end,
        snippet=transcript.text[char_start:char_end],
        created_by=actor,
        **_span_times(transcript, char_start, char_end),
        **fields,
    )
    project = story.project
    for theme in themes:
        _check_theme(theme, project)
        HighlightTheme.objects.get_or_create(highlight=highlight, theme=theme)
    _log(
        project=project,
        actor=actor,
        action=CodingAction.HIGHLIGHT_CREATE,
        highlight=highlight,
        payload={"after": _highlight_state(highlight)},
    )
    return highlight


@transaction.atomic
def highlight_update(*, highlight: Highlight, actor: User, **fields: Any) -> Highlight:
    fields = _clean_highlight_fields(fields)
    _check_attribution(_locked_storyteller(highlight.review_sheet.story), fields.get("attribution"))
    before = _highlight_state(highlight)
    for name, value in fields.items():
        setattr(highlight, name, value)
    highlight.save()
    _log(
        project=highlight.review_sheet.story.project,
        actor=actor,
        action=CodingAction.HIGHLIGHT_UPDATE,
        highlight=highlight,
        payload={"before": before, "after": _highlight_state(highlight)},
    )
    return highlight


@transaction.atomic
def highlight_delete(*, highlight: Highlight, actor: User) -> None:
    project = highlight.review_sheet.story.project
    _log(
        project=project,
        actor=actor,
        action=CodingAction.HIGHLIGHT_DELETE,
        highlight=highlight,
        payload={"before": _highlight_state(highlight)},
    )
    highlight.delete()


def _check_theme(theme: Theme, project: Project) -> None:
    if theme.project_id != project.pk:
        raise ServiceError("That theme belongs to a different project.")
    if theme.merged_into is not None:
        raise ServiceError(
            f"The theme '{theme.name}' was merged into '{theme.merged_into.name}'. Use that one."
        )


@transaction.atomic
def highlight_tag(*, highlight: Highlight, theme: Theme, actor: User) -> bool:
    """Attach a theme to a highlight; returns False if it was already attached."""
    project = highlight.review_sheet.story.project
    _check_theme(theme, project)
    _, created = HighlightTheme.objects.get_or_create(highlight=highlight, theme=theme)
    if created:
        _log(
            project=project,
            actor=actor,
            action=CodingAction.TAG_ADD,
            highlight=highlight,
            theme=theme,
        )
    return created


@transaction.atomic
def highlight_untag(*, highlight: Highlight, theme: Theme, actor: User) -> bool:
    project = highlight.review_sheet.story.project
    deleted, _ = HighlightTheme.objects.filter(highlight=highlight, theme=theme).delete()
    if deleted:
        _log(
            project=project,
            actor=actor,
            action=CodingAction.TAG_REMOVE,
            highlight=highlight,
            theme=theme,
        )
    return bool(deleted)


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
) -> Theme:
    name = _clean_theme_name(project, name)
    try:
        with transaction.atomic():
            theme = Theme.objects.create(
                project=project, name=name, description=description.strip(), created_by=actor
            )
    except IntegrityError as exc:
        raise ServiceError(f"There is already a theme called '{name}'.") from exc
    _log(
        project=project,
        actor=actor,
        action=CodingAction.THEME_CREATE,
        theme=theme,
        payload={"after": {"name": name}},
    )
    return theme


@transaction.atomic
def theme_find_or_create(*, project: Project, name: str, actor: User | None) -> Theme:
    """The active theme called ``name`` in any capitals, or a new one by that name.

    Typing the name of a theme that exists means that theme. Compared in Python
    for the same reason as ``_clean_theme_name``: SQLite's lower() ignores accents.
    """
    wanted = " ".join(name.split()).casefold()
    active = Theme.objects.filter(project=project, merged_into__isnull=True).order_by("pk")
    for theme in active:
        if theme.name.casefold() == wanted:
            return theme
    return theme_create(project=project, name=name, actor=actor)


@transaction.atomic
def theme_rename(*, theme: Theme, name: str, actor: User, description: str | None = None) -> Theme:
    name = _clean_theme_name(theme.project, name, exclude_pk=theme.pk)
    before = {"name": theme.name, "description": theme.description}
    theme.name = name
    if description is not None:
        theme.description = description.strip()
    try:
        with transaction.atomic():
            theme.save()
    except IntegrityError as exc:
        raise ServiceError(f"There is already a theme called '{name}'.") from exc
    _log(
        project=theme.project,
        actor=actor,
        action=CodingAction.THEME_RENAME,
        theme=theme,
        payload={"before": before, "after": {"name": theme.name, "description": theme.description}},
    )
    return theme


@transaction.atomic
def theme_merge(*, source: Theme, target: Theme, actor: User) -> Theme:
    """Fold ``source`` into ``target``: its quotes move over and it stops being offered.

    The source row stays (pointing at the target) so the merge can be undone.
    """
    if source.pk == target.pk:
        raise ServiceError("Choose two different themes to merge.")
    if source.project_id != target.project_id:
        raise ServiceError("Themes from different projects cannot be merged.")
    for theme in (source, target):
        if theme.merged_into_id is not None:
            raise ServiceError(f"The theme '{theme.name}' has already been merged.")
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
    _log(
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
    return target


@transaction.atomic
def coding_event_undo(*, event: CodingEvent, actor: User) -> None:
    """Reverse one coding action, if what it changed is still as it left it."""
    event = CodingEvent.objects.select_for_update().get(pk=event.pk)
    if event.undone_at is not None:
        raise ServiceError("That action has already been undone.")
    undo = _UNDO.get(event.action)
    if undo is None:
        raise ServiceError("That kind of action cannot be undone.")
    undo(event, actor)
    event.undone_at = timezone.now()
    event.undone_by = actor
    event.save(update_fields=["undone_at", "undone_by"])


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


def _undo_highlight_create(event: CodingEvent, actor: User) -> None:
    highlight = _event_highlight(event)
    if highlight is None:
        raise ServiceError("That highlight has already been removed.")
    highlight_delete(highlight=highlight, actor=actor)


def _undo_highlight_delete(event: CodingEvent, actor: User) -> None:
    state = event.payload["before"]
    review_sheet = (
        ReviewSheet.objects.select_related("story").filter(pk=state["review_sheet_id"]).first()
    )
    transcript = Transcript.objects.filter(pk=state["transcript_id"]).first()
    if review_sheet is None or transcript is None:
        raise ServiceError("The story this highlight came from is gone.")
    themes = Theme.objects.filter(pk__in=state["theme_ids"], merged_into__isnull=True)
    highlight = highlight_create(
        story=review_sheet.story,
        transcript=transcript,
        char_start=state["char_start"],
        char_end=state["char_end"],
        actor=actor,
        themes=themes,
        change_level=state["change_level"],
        sectors=state["sectors"],
        note=state["note"],
        attribution=Attribution.ANONYMOUS,
    )
    if state["attribution"] == Attribution.NAMED:
        # If consent has narrowed since, the quote comes back anonymous.
        with contextlib.suppress(ServiceError):
            highlight_update(highlight=highlight, actor=actor, attribution=Attribution.NAMED)
    CodingEvent.objects.filter(project=event.project, highlight_id=event.highlight_id).update(
        highlight_id=highlight.pk
    )


def _undo_highlight_update(event: CodingEvent, actor: User) -> None:
    highlight = _event_highlight(event)
    if highlight is None:
        raise ServiceError("That highlight has been removed since.")
    before = event.payload["before"]
    highlight_update(highlight=highlight, actor=actor, **{k: before[k] for k in HIGHLIGHT_FIELDS})


def _undo_tag_add(event: CodingEvent, actor: User) -> None:
    highlight = _event_highlight(event)
    theme = _event_theme(event)
    if highlight is None or theme is None:
        raise ServiceError("That highlight or theme has been removed since.")
    highlight_untag(highlight=highlight, theme=theme, actor=actor)


def _undo_tag_remove(event: CodingEvent, actor: User) -> None:
    highlight = _event_highlight(event)
    theme = _event_theme(event)
    if highlight is None or theme is None:
        raise ServiceError("That highlight or theme has been removed since.")
    highlight_tag(highlight=highlight, theme=theme, actor=actor)


def _undo_theme_create(event: CodingEvent, actor: User) -> None:
    theme = _event_theme(event)
    if theme is None:
        raise ServiceError("That theme has already been removed.")
    if theme.highlight_links.exists() or theme.merged_from.exists():
        raise ServiceError(
            f"The theme '{theme.name}' is in use now. Remove its quotes first, or merge it."
        )
    theme.delete()


def _undo_theme_rename(event: CodingEvent, actor: User) -> None:
    theme = _event_theme(event)
    if theme is None:
        raise ServiceError("That theme has been removed since.")
    before = event.payload["before"]
    theme_rename(theme=theme, name=before["name"], description=before["description"], actor=actor)


def _undo_theme_merge(event: CodingEvent, actor: User) -> None:
    payload = event.payload
    source = Theme.objects.filter(pk=payload["source_id"]).first()
    target = Theme.objects.filter(pk=payload["target_id"]).first()
    if source is None or target is None:
        raise ServiceError("One of the merged themes has been removed since.")
    _clean_theme_name(source.project, source.name, exclude_pk=source.pk)
    moved = payload["moved_highlight_ids"]
    HighlightTheme.objects.filter(theme=target, highlight_id__in=moved).delete()
    existing = set(
        Highlight.objects.filter(pk__in=moved + payload["shared_highlight_ids"]).values_list(
            "pk", flat=True
        )
    )
    HighlightTheme.objects.bulk_create(
        [
            HighlightTheme(highlight_id=h, theme=source)
            for h in moved + payload["shared_highlight_ids"]
            if h in existing
        ],
        ignore_conflicts=True,
    )
    source.merged_into = None
    source.save(update_fields=["merged_into", "updated_at"])


_UNDO: dict[str, Callable[[CodingEvent, User], None]] = {
    CodingAction.HIGHLIGHT_CREATE: _undo_highlight_create,
    CodingAction.HIGHLIGHT_DELETE: _undo_highlight_delete,
    CodingAction.HIGHLIGHT_UPDATE: _undo_highlight_update,
    CodingAction.TAG_ADD: _undo_tag_add,
    CodingAction.TAG_REMOVE: _undo_tag_remove,
    CodingAction.THEME_CREATE: _undo_theme_create,
    CodingAction.THEME_RENAME: _undo_theme_rename,
    CodingAction.THEME_MERGE: _undo_theme_merge,
}


@register_purger
def _purge_coding_events(story_ids: list[int]) -> None:
    """Coding-log rows can hold quote snippets, so they go with their story."""
    CodingEvent.objects.filter(story_id__in=story_ids).delete()
