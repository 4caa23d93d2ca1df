"""Reads for review sheets, key quotes, the codebook and the coding log of one project.

A key quote's words (its snippet, and the coder's note, which often restates
it) reach a page only as a ``ShownQuote``: the words, or why they are withheld,
worked out from the storyteller's consent today by ``stories.consent``. Pages
read quotes through ``story_quotes``, ``theme_quotes``, ``quote_get`` and
``logged_quotes`` (the coding log's, also of quotes removed since);
``highlight_get`` is for the views that change a quote.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from cohub.apps.analysis.models import (
    Attribution,
    CodingAction,
    CodingEvent,
    Highlight,
    ReviewSheet,
    Theme,
)
from cohub.apps.core import audit
from cohub.apps.projects.models import Project
from cohub.apps.stories.consent import ConsentNow, Withheld, consent_now
from cohub.apps.stories.models import Story
from cohub.apps.stories.selectors import consents_for, consents_of


@dataclass(frozen=True)
class ShownQuote:
    """A key quote as a page may show it today.

    ``words`` and ``note`` are empty and ``withheld`` says why when the
    storyteller's consent no longer lets the team read the story. ``named`` is
    True only if the quote is set to "by name" and consent to be named holds now.
    """

    highlight: Highlight
    withheld: Withheld | None
    named: bool

    @property
    def words(self) -> str:
        return "" if self.withheld else self.highlight.snippet

    @property
    def note(self) -> str:
        return "" if self.withheld else self.highlight.note

    @property
    def name_taken_back(self) -> bool:
        """Set to "by name", but the storyteller no longer agrees to be named."""
        return self.highlight.attribution == Attribution.NAMED and not self.named


def _shown(highlight: Highlight, consent: ConsentNow) -> ShownQuote:
    """The quote as a page may show it; one that may be read is noted as read (``core.audit``).

    Callers load ``review_sheet__story`` with the quote.
    """
    if consent.words is None:
        story = highlight.review_sheet.story
        audit.note_read(
            part=audit.PART_QUOTES, story_id=story.pk, storyteller_id=story.storyteller_id
        )
    return ShownQuote(
        highlight=highlight,
        withheld=consent.words,
        named=highlight.attribution == Attribution.NAMED and consent.may_name,
    )


def review_sheet_of(story: Story) -> ReviewSheet | None:
    """The story's review sheet, or None while nobody has written to it yet."""
    return ReviewSheet.objects.filter(story=story).first()


def story_quotes(story: Story) -> list[ShownQuote]:
    """The story's key quotes in the order of their words, as its review sheet shows them."""
    consent = consent_now(story.storyteller)
    highlights = (
        Highlight.objects.filter(review_sheet__story=story)
        .select_related("speaker", "review_sheet__story")
        .prefetch_related("theme_links__theme", "speakers")
        .order_by("char_start", "id")
    )
    return [_shown(highlight, consent) for highlight in highlights]


def highlight_get(project: Project, pk: int) -> Highlight:
    """The quote to change (with its story and storyteller); pages show it through ``quote_get``."""
    return get_object_or_404(
        Highlight.objects.select_related("review_sheet__story__storyteller", "speaker"),
        pk=pk,
        review_sheet__story__project=project,
    )


def quote_get(project: Project, pk: int) -> ShownQuote:
    highlight = highlight_get(project, pk)
    return _shown(highlight, consent_now(highlight.review_sheet.story.storyteller))


@dataclass(frozen=True)
class LoggedQuote:
    """A quote as the coding log names it: its id always, its words only where consent allows."""

    highlight_id: int
    words: str
    """The quote's words (its last words, if it has been removed); empty if withheld or unknown."""
    withheld: Withheld | None = None
    removed: bool = False


# The events whose payload holds a quote's state (with its words, from ADR 0018 on).
_QUOTE_STATE_ACTIONS = (
    CodingAction.HIGHLIGHT_CREATE,
    CodingAction.HIGHLIGHT_UPDATE,
    CodingAction.HIGHLIGHT_DELETE,
    CodingAction.HIGHLIGHT_REANCHOR,
)


def logged_quotes(project: Project, events: Iterable[CodingEvent]) -> dict[int, LoggedQuote]:
    """The quotes that ``events`` are about, by id, as the coding log may name them.

    A quote still there is named by its words; one removed since (by a person
    or an undo) by the words it had, kept in its events, so the log still says
    which quote an undone action was about. Either way the words are held back,
    with the reason, while the storyteller's consent does not let the team read
    the story; a withdrawal has purged the events with the story. A fixed
    number of queries, however many events.
    """
    events = list(events)
    ids = {e.highlight_id for e in events if e.highlight_id}
    if not ids:
        return {}
    found: dict[int, tuple[str, int | None, bool]] = {
        pk: (snippet, story_id, False)
        for pk, snippet, story_id in Highlight.objects.filter(
            pk__in=ids, review_sheet__story__project=project
        ).values_list("pk", "snippet", "review_sheet__story_id")
    }
    missing = ids - set(found)
    if missing:
        history = CodingEvent.objects.filter(
            project=project, highlight_id__in=missing, action__in=_QUOTE_STATE_ACTIONS
        ).order_by("-pk")
        for highlight_id, story_id, payload in history.values_list(
            "highlight_id", "story_id", "payload"
        ):
            if highlight_id is None or highlight_id in found:
                continue
            # The newest state: after a change, or before a removal (which has no after).
            state = (payload or {}).get("after") or (payload or {}).get("before") or {}
            if state.get("snippet"):
                found[highlight_id] = (state["snippet"], story_id, True)
        for event in events:
            if event.highlight_id in missing and event.highlight_id not in found:
                found[event.highlight_id] = ("", event.story_id, True)
    tellers = dict(
        Story.objects.filter(
            project=project, pk__in={story_id for _, story_id, _ in found.values() if story_id}
        ).values_list("pk", "storyteller_id")
    )
    consents = consents_of(tellers.values()) if tellers else {}
    quotes = {}
    for pk, (words, story_id, removed) in found.items():
        teller = tellers.get(story_id) if story_id else None
        consent = consents.get(teller) if teller else None
        withheld = consent.words if consent is not None else None
        # A story not found (or its storyteller) shows no words either.
        shown = words if consent is not None and withheld is None else ""
        if shown and story_id is not None and teller is not None:
            audit.note_read(part=audit.PART_QUOTES, story_id=story_id, storyteller_id=teller)
        quotes[pk] = LoggedQuote(highlight_id=pk, words=shown, withheld=withheld, removed=removed)
    return quotes


def highlight_counts(story_ids: Sequence[int]) -> dict[int, int]:
    """Key quotes per story, in one query."""
    rows = (
        Highlight.objects.filter(review_sheet__story_id__in=story_ids)
        .values("review_sheet__story_id")
        .annotate(n=Count("pk"))
    )
    return {row["review_sheet__story_id"]: row["n"] for row in rows}


def review_sheet_counts(story_ids: Sequence[int]) -> dict[int, int]:
    """1 for each story whose review sheet has ideas or a summary written on it."""
    return {
        story_id: 1
        for story_id in ReviewSheet.objects.filter(story_id__in=story_ids)
        .exclude(ideas="", summary="")
        .values_list("story_id", flat=True)
    }


def project_highlight_count(project: Project) -> int:
    return Highlight.objects.filter(review_sheet__story__project=project).count()


def project_theme_count(project: Project) -> int:
    """Themes in use now; merged ones are left out."""
    return Theme.objects.filter(project=project, merged_into__isnull=True).count()


def themes_for(project: Project, *, include_merged: bool = False) -> QuerySet[Theme]:
    themes = Theme.objects.filter(project=project)
    if not include_merged:
        themes = themes.filter(merged_into__isnull=True)
    return themes.annotate(
        quote_count=Count("highlight_links", distinct=True),
        story_count=Count("highlight_links__highlight__review_sheet__story", distinct=True),
    ).select_related("merged_into")


def theme_get(project: Project, pk: int) -> Theme:
    return get_object_or_404(Theme, project=project, pk=pk)


def theme_quotes(project: Project, theme: Theme) -> list[ShownQuote]:
    """The quotes tagged with ``theme``, story by story."""
    highlights = list(
        Highlight.objects.filter(theme_links__theme=theme, review_sheet__story__project=project)
        .select_related("review_sheet__story", "speaker")
        .order_by("review_sheet__story__title", "char_start", "id")
    )
    consents = consents_for(project) if highlights else {}
    return [_shown(h, consents[h.review_sheet.story.storyteller_id]) for h in highlights]


def coding_log(project: Project, *, story_id: int | None = None) -> QuerySet[CodingEvent]:
    events = CodingEvent.objects.filter(project=project).select_related("actor", "undone_by")
    if story_id is not None:
        events = events.filter(story_id=story_id)
    return events.order_by("-created_at", "-id")


FEED_LIMIT = 200
"""How many events one read of the change feed returns at most; ask again after the last id."""


def coding_event_get(project: Project, pk: int) -> CodingEvent:
    """One coding event of this project (404 for another project's), to undo or redo it."""
    return get_object_or_404(CodingEvent, project=project, pk=pk)


def coding_events_since(
    project: Project, after_id: int = 0, *, limit: int = FEED_LIMIT
) -> list[CodingEvent]:
    """This project's coding events with an id above ``after_id``, oldest first.

    The change feed: a live board remembers the last id it saw and asks for what
    came after it, so nothing is missed after a reconnect and nothing is seen
    twice. Ids only grow, so id order is the order the changes were committed in
    for any one project's writers (each service commits its events together).
    Served by the ``(project, id)`` index. An undone event keeps its id; the undo
    writes events of its own, so the feed reports it too.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    return list(
        CodingEvent.objects.filter(project=project, pk__gt=after_id)
        .select_related("actor")
        .order_by("pk")[:limit]
    )
