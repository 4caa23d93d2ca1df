"""Reads for the workshop board: its state, what changed since an event id, who shaped it.

The board is the codebook laid out as columns, one per theme in use, with a
"Not sorted yet" column for quotes without a theme. Every participant's page
loads ``board_state`` once and then asks ``board_changes`` for what changed
after the newest event it has seen (docs/adr/0022-workshop-board-live.md).
``board_changes`` answers with the *current* state of each quote, theme and
note the new events name, not with the events themselves: applying it twice,
or out of order with a person's own action, gives the same board, and the
words come through consent as it stands at the moment of reading.

Quotes whose words consent no longer lets the team read are left off the
board (the page says how many), as they are on every other page.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cohub.apps.analysis.models import (
    BoardNote,
    CodingAction,
    CodingEvent,
    Highlight,
    Theme,
    VisioningRound,
)
from cohub.apps.analysis.selectors import FEED_LIMIT, ShownQuote, _shown, coding_events_since
from cohub.apps.projects.models import Project, TakingPart
from cohub.apps.stories.models import ConsentRecord, Story, Storyteller
from cohub.apps.stories.selectors import consents_of


@dataclass
class Column:
    """One theme on the board (``theme`` None: the quotes not sorted yet)."""

    theme: Theme | None
    quotes: list[ShownQuote] = field(default_factory=list)
    notes: list[BoardNote] = field(default_factory=list)
    # The "Move to…" and "Merge into…" choices, filled in by the page that shows the column.
    move_options: str = ""
    merge_options: str = ""

    @property
    def key(self) -> str:
        """The column's id on the page: the theme's id, or "none"."""
        return str(self.theme.pk) if self.theme is not None else "none"


@dataclass
class Board:
    columns: list[Column]
    themes: list[Theme]
    """The themes in use, for the "Move to…" and "Merge into…" menus."""
    withheld: int
    """Quotes left off because consent no longer lets the team read their words."""
    last_event_id: int
    epoch: str
    visioning: VisioningRound | None = None
    """The open visioning round, or the last one closed (its notes stay on show)."""
    round_notes: list[BoardNote] = field(default_factory=list)

    @property
    def etag(self) -> str:
        """What the page's first poll sends as If-None-Match, so it too can be answered 304."""
        return FeedMark(self.last_event_id, self.epoch).etag


def latest_round(project: Project) -> tuple[VisioningRound | None, list[BoardNote]]:
    """The round the board shows (open, else the newest) and its notes, grouped if they are."""
    visioning = (
        VisioningRound.objects.filter(project=project)
        .order_by(F("closed_at").desc(nulls_first=True), "-pk")
        .first()
    )
    if visioning is None:
        return None, []
    notes = list(
        BoardNote.objects.filter(visioning_round=visioning)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    for note in notes:
        note.project = project
    # Grouped notes by group (biggest first, as numbered), then the unsorted and new ones.
    notes.sort(key=lambda n: (not n.group, n.group or 0))
    return visioning, notes


@dataclass(frozen=True)
class FeedMark:
    """Where a project's board stands: its newest coding event and its epoch.

    An open board that has seen event ``last_event_id`` under this epoch has
    nothing to fetch, so the feed answers it "304 Not Modified" from this one
    read, before any other work (docs/adr/0022-workshop-board-live.md).
    """

    last_event_id: int
    epoch: str

    @property
    def etag(self) -> str:
        """The feed's ETag for this state (weak: the JSON differs by who asks; the state not)."""
        return f'W/"{self.last_event_id}.{self.epoch}"'


def feed_mark(project: Project) -> FeedMark:
    """The newest event id and the epoch, in one small statement.

    The epoch covers changes that the coding feed does not report: a consent
    change, a withdrawal (which purges quotes and their events) or a removed
    story changes it, and so does a new day (keep-until dates); the board then
    loads itself again rather than keep showing words it may not. The newest
    event id is an index probe on ``(project, id)``. Written as one plain
    statement because every open board runs it every poll: building it with
    the ORM, or as two queries, cost more than running it.
    """
    event = CodingEvent._meta.db_table
    consent = ConsentRecord._meta.db_table
    teller = Storyteller._meta.db_table
    story = Story._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {event} WHERE project_id = %s), "  # noqa: S608 (our table names)
            f"(SELECT MAX(c.id) FROM {consent} c JOIN {teller} t "
            f"ON c.storyteller_id = t.id WHERE t.project_id = %s), "
            f"(SELECT COUNT(*) FROM {story} WHERE project_id = %s), "
            f"(SELECT MAX(id) FROM {story} WHERE project_id = %s)",
            [project.pk, project.pk, project.pk, project.pk],
        )
        row = cursor.fetchone() or (None, None, None, None)
    today = timezone.localdate().isoformat()
    epoch = ".".join(str(value or 0) for value in row[1:]) + f".{today}"
    return FeedMark(last_event_id=int(row[0] or 0), epoch=epoch)


def board_epoch(project: Project) -> str:
    """Changes that the coding feed does not report (see ``feed_mark``)."""
    return feed_mark(project).epoch


def _current_themes(project: Project) -> list[Theme]:
    return list(Theme.objects.filter(project=project, merged_into__isnull=True))


def _successors(project: Project) -> dict[int, int]:
    """Merged theme id -> the theme in use it lives on as (so its notes show there)."""
    into = dict(
        Theme.objects.filter(project=project, merged_into__isnull=False).values_list(
            "pk", "merged_into_id"
        )
    )
    resolved = {}
    for pk in into:
        seen, current = {pk}, into[pk]
        while current in into and current not in seen:
            seen.add(current)
            current = into[current]
        resolved[pk] = current
    return resolved


def _shown_quotes(project: Project, highlights: list[Highlight]) -> list[ShownQuote]:
    tellers = {h.review_sheet.story.storyteller_id for h in highlights}
    consents = consents_of(tellers) if tellers else {}
    return [_shown(h, consents[h.review_sheet.story.storyteller_id]) for h in highlights]


def _highlights(project: Project, ids: Iterable[int] | None = None) -> list[Highlight]:
    rows = (
        Highlight.objects.filter(review_sheet__story__project=project)
        .select_related("review_sheet__story", "speaker")
        .prefetch_related("theme_links")
        .order_by("review_sheet__story__title", "char_start", "id")
    )
    if ids is not None:
        rows = rows.filter(pk__in=set(ids))
    return list(rows)


def _note_rows(project: Project, ids: Iterable[int] | None = None) -> list[BoardNote]:
    rows = BoardNote.objects.filter(project=project, visioning_round__isnull=True).select_related(
        "author"
    )
    if ids is not None:
        rows = rows.filter(pk__in=set(ids))
    notes = list(rows)
    for note in notes:
        note.project = project  # the removal rule reads it; no query per note
    return notes


def board_state(project: Project) -> Board:
    """Everything the board page shows, in a fixed number of queries."""
    # Read the newest id (and the epoch) first: a change that lands while the rest is read
    # is then read again by the first poll, never missed (applying a change twice is harmless).
    mark = feed_mark(project)
    themes = _current_themes(project)
    columns = {theme.pk: Column(theme) for theme in themes}
    unsorted = Column(None)
    withheld = 0
    for quote in _shown_quotes(project, _highlights(project)):
        if quote.withheld is not None:
            withheld += 1
            continue
        links = [link.theme_id for link in quote.highlight.theme_links.all()]
        placed = [columns[pk] for pk in links if pk in columns]
        for column in placed or [unsorted]:
            column.quotes.append(quote)
    successors = _successors(project)
    for note in _note_rows(project):
        theme_id = successors.get(note.theme_id, note.theme_id) if note.theme_id else None
        target = columns.get(theme_id) if theme_id is not None else None
        (target or unsorted).notes.append(note)
    visioning, round_notes = latest_round(project)
    return Board(
        columns=[unsorted, *columns.values()],
        themes=themes,
        withheld=withheld,
        last_event_id=mark.last_event_id,
        epoch=mark.epoch,
        visioning=visioning,
        round_notes=round_notes,
    )


@dataclass
class QuoteNow:
    """A quote named by new events, as it stands: the columns it is in (empty: off the board)."""

    quote: ShownQuote | None
    highlight_id: int
    columns: list[int | None]


@dataclass
class NoteNow:
    note_id: int
    note: BoardNote | None
    column: int | None


@dataclass
class Changes:
    """What changed on the board after an event id (see the module's docstring)."""

    last_event_id: int
    more: bool
    epoch: str
    themes: list[Theme]
    """Every theme in use now (for the menus), in the board's order."""
    changed_themes: dict[int, Theme | None]
    """Themes named by the events: as stored now, or None if gone from the board."""
    quotes: list[QuoteNow]
    notes: list[NoteNow]
    said: list[str]
    """One plain sentence per change made by someone else, for the live announcement."""
    round_changed: bool = False
    """A visioning round opened, closed or was grouped, or got a note: show it again."""


def _payload_ids(event: CodingEvent, *names: str) -> list[int]:
    found = []
    for name in names:
        value = (event.payload or {}).get(name)
        if isinstance(value, int):
            found.append(value)
        elif isinstance(value, list):
            found.extend(v for v in value if isinstance(v, int))
    return found


def _actor_name(event: CodingEvent) -> str:
    return str(event.actor) if event.actor is not None else "Someone"


def describe(event: CodingEvent) -> str:
    """A short sentence about a change for the live announcement; it names no quote's words.

    What an undo or a redo wrote says so, so watchers know a change was taken back
    rather than made anew.
    """
    sentence = _describe(event)
    if event.undo_of_id:
        return sentence.removesuffix(".") + ", undoing an earlier change."
    if event.redo_of_id:
        return sentence.removesuffix(".") + ", redoing a change that was undone."
    return sentence


def _describe(event: CodingEvent) -> str:
    who = _actor_name(event)
    payload = event.payload or {}
    action = event.action
    if action == CodingAction.HIGHLIGHT_MOVE:
        to = payload.get("to_name")
        return (
            f"{who} moved a quote to '{to}'." if to else f"{who} moved a quote to Not sorted yet."
        )
    if action == CodingAction.TAG_ADD:
        return f"{who} added a quote to a theme."
    if action == CodingAction.TAG_REMOVE:
        return f"{who} took a quote out of a theme."
    if action == CodingAction.THEME_RENAME:
        before = (payload.get("before") or {}).get("name", "")
        after = (payload.get("after") or {}).get("name", "")
        return f"{who} renamed '{before}' to '{after}'."
    if action == CodingAction.THEME_MERGE:
        return f"{who} merged '{payload.get('source_name', '')}' into another theme."
    if action == CodingAction.THEME_CREATE:
        return f"{who} added the theme '{(payload.get('after') or {}).get('name', '')}'."
    if action == CodingAction.NOTE_ADD:
        return f"{who} added a note."
    if action == CodingAction.NOTE_REMOVE:
        return f"{who} took a note off the board."
    if action == CodingAction.ROUND_OPEN:
        return f"{who} opened a visioning round: {payload.get('prompt', '')}"
    if action == CodingAction.ROUND_CLOSE:
        return f"{who} closed the visioning round."
    if action == CodingAction.ROUND_GROUP:
        return f"{who} grouped the notes of the visioning round."
    if action == CodingAction.ROUND_REMOVE:
        return f"{who} took the visioning round off the board: {payload.get('prompt', '')}"
    if action == CodingAction.ROUND_REOPEN:
        return f"{who} opened the visioning round again: {payload.get('prompt', '')}"
    return f"{who}: {event.get_action_display().lower()}."


def board_changes(
    project: Project, after_id: int, *, viewer: Any, mark: FeedMark | None = None
) -> Changes:
    """The current state of whatever changed after ``after_id``, in a fixed number of queries.

    One read of the change feed (at most ``FEED_LIMIT`` events; ``more`` says
    to ask again at once), then the quotes, themes and notes it names, read as
    they are now. Nothing else is read when nothing changed, which is what
    almost every poll finds: ``mark`` (read by the caller, or here) says so.
    """
    mark = mark if mark is not None else feed_mark(project)
    epoch = mark.epoch
    newer = mark.last_event_id > after_id
    events = coding_events_since(project, after_id, limit=FEED_LIMIT) if newer else []
    if not events:
        return Changes(
            last_event_id=after_id,
            more=False,
            epoch=epoch,
            themes=[],
            changed_themes={},
            quotes=[],
            notes=[],
            said=[],
        )
    quote_ids: set[int] = set()
    theme_ids: set[int] = set()
    note_ids: set[int] = set()
    round_changed = False
    for event in events:
        if event.action in ROUND_ACTIONS or (event.payload or {}).get("round_id"):
            round_changed = True
            continue
        if event.highlight_id:
            quote_ids.add(event.highlight_id)
        if event.theme_id:
            theme_ids.add(event.theme_id)
        quote_ids.update(
            _payload_ids(
                event, "moved_highlight_ids", "shared_highlight_ids", "restored_highlight_ids"
            )
        )
        theme_ids.update(
            _payload_ids(event, "source_id", "target_id", "from_theme_id", "to_theme_id")
        )
        note_ids.update(_payload_ids(event, "note_id"))
    themes = _current_themes(project)
    current = {theme.pk: theme for theme in themes}
    changed_themes: dict[int, Theme | None] = {pk: current.get(pk) for pk in theme_ids}
    # Notes beside a theme merged away now show beside the theme it went into.
    merged_away = [pk for pk, theme in changed_themes.items() if theme is None]
    successors = _successors(project)
    notes = BoardNote.objects.filter(project=project, visioning_round__isnull=True)
    if merged_away:
        note_ids.update(notes.filter(theme_id__in=merged_away).values_list("pk", flat=True))
    quotes = []
    found = {h.pk: h for h in _highlights(project, quote_ids)} if quote_ids else {}
    shown = {q.highlight.pk: q for q in _shown_quotes(project, list(found.values()))}
    for pk in sorted(quote_ids):
        quote = shown.get(pk)
        if quote is None or quote.withheld is not None:
            quotes.append(QuoteNow(quote=None, highlight_id=pk, columns=[]))
            continue
        links = [link.theme_id for link in quote.highlight.theme_links.all()]
        placed: list[int | None] = [t for t in links if t in current]
        quotes.append(QuoteNow(quote=quote, highlight_id=pk, columns=placed or [None]))
    note_rows = {n.pk: n for n in _note_rows(project, note_ids)} if note_ids else {}
    note_changes = []
    for pk in sorted(note_ids):
        note = note_rows.get(pk)
        column = None
        if note is not None and note.theme_id:
            column = successors.get(note.theme_id, note.theme_id)
            if column not in current:
                column = None
        note_changes.append(NoteNow(note_id=pk, note=note, column=column))
    viewer_id = getattr(viewer, "pk", None)
    said = [
        describe(event)
        for event in events
        if event.actor_id != viewer_id
        and event.action not in (CodingAction.HIGHLIGHT_REANCHOR, CodingAction.HIGHLIGHT_UPDATE)
    ]
    return Changes(
        last_event_id=events[-1].pk,
        more=len(events) == FEED_LIMIT,
        epoch=epoch,
        themes=themes,
        changed_themes=changed_themes,
        quotes=quotes,
        notes=note_changes,
        said=said,
        round_changed=round_changed,
    )


ROUND_ACTIONS = (
    CodingAction.ROUND_OPEN,
    CodingAction.ROUND_CLOSE,
    CodingAction.ROUND_GROUP,
    CodingAction.ROUND_REMOVE,
    CodingAction.ROUND_REOPEN,
)


def note_get(project: Project, pk: int) -> BoardNote:
    return get_object_or_404(BoardNote.objects.select_related("author"), project=project, pk=pk)


def round_get(project: Project, pk: int) -> VisioningRound:
    return get_object_or_404(VisioningRound, project=project, pk=pk)


# ---------- Who shaped the findings ----------

# The board's decisions, grouped as the contributions page shows them.
DECISION_KINDS: dict[str, tuple[str, ...]] = {
    "Moved quotes": (CodingAction.HIGHLIGHT_MOVE, CodingAction.TAG_ADD, CodingAction.TAG_REMOVE),
    "Named themes": (CodingAction.THEME_CREATE, CodingAction.THEME_RENAME),
    "Merged themes": (CodingAction.THEME_MERGE,),
    "Wrote notes": (CodingAction.NOTE_ADD,),
}
SUGGESTION_PREFIX = "suggestion_"
"""Decisions on machine suggestions (the themes app's actions) start with this."""

PART_ORDER = (
    TakingPart.LIVED_EXPERIENCE,
    TakingPart.PROFESSIONAL,
    TakingPart.FACILITATING,
    "",
)
PART_LABELS = {**dict(TakingPart.choices), "": "Not said"}


@dataclass
class PartShare:
    part: str
    label: str
    people: int
    counts: dict[str, int]
    total: int
    share: float
    """This group's share of every decision, 0 to 1."""


@dataclass
class Contributions:
    kinds: list[str]
    parts: list[PartShare]
    total: int
    summary: str
    since: dt.datetime | None


def _kind_of(action: str) -> str | None:
    for kind, actions in DECISION_KINDS.items():
        if action in actions:
            return kind
    if action.startswith(SUGGESTION_PREFIX) and "accept" in action:
        return "Accepted suggestions"
    return None


def contributions(project: Project) -> Contributions:
    """How many of the board's decisions each group made: the people who lived it, or others.

    Counted by how each person took part when they acted (``actor_part``), in
    groups only, never by name. Undone changes do not count, nor do the
    events an undo or redo wrote (they put back someone's decision). Accepting
    a suggestion is one decision: the theme and tags it wrote (listed in its
    event's ``made_events``) are not counted again as named themes and moves.
    """
    rows = list(
        CodingEvent.objects.filter(
            project=project,
            undone_at__isnull=True,
            undo_of__isnull=True,
            redo_of__isnull=True,
        )
        .values_list("pk", "action", "actor_part", "actor_id", "created_at", "payload")
        .order_by("pk")
    )
    part_of_acceptance = {
        made
        for _, action, _, _, _, payload in rows
        if action == CodingAction.SUGGESTION_ACCEPT
        for made in (payload or {}).get("made_events", ())
    }
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    people: dict[str, set[int]] = defaultdict(set)
    since = None
    for pk, action, part, actor_id, created, _ in rows:
        kind = _kind_of(action)
        if kind is None or pk in part_of_acceptance:
            continue
        since = since or created
        counts[part or ""][kind] += 1
        if actor_id is not None:
            people[part or ""].add(actor_id)
    kinds = [*DECISION_KINDS, "Accepted suggestions"]
    total = sum(sum(c.values()) for c in counts.values())
    parts = []
    for part in PART_ORDER:
        made = sum(counts[part].values())
        if not made and part == "":
            continue
        parts.append(
            PartShare(
                part=part,
                label=PART_LABELS[part],
                people=len(people[part]),
                counts={kind: counts[part][kind] for kind in kinds},
                total=made,
                share=made / total if total else 0.0,
            )
        )
    return Contributions(
        kinds=kinds, parts=parts, total=total, summary=_summary(parts, total), since=since
    )


def _summary(parts: list[PartShare], total: int) -> str:
    """One plain sentence: was the power shared, or did one group decide?"""
    if total == 0:
        return "Nobody has changed the board yet."
    lived = next((p for p in parts if p.part == TakingPart.LIVED_EXPERIENCE), None)
    top = max(parts, key=lambda p: p.total)
    lived_share = lived.share if lived is not None else 0.0
    if top.share > 2 / 3:
        who = top.label.lower() if top.part else "people who have not said how they take part"
        line = f"One group made most of the decisions: {who}, with {top.total} of {total}."
        if top.part != TakingPart.LIVED_EXPERIENCE:
            line += " People with lived experience may need more room to shape the findings."
        return line
    if lived_share >= 1 / 3:
        return (
            f"Decisions were shared: people with lived experience made {round(lived_share * 100)}% "
            f"of them ({lived.total if lived else 0} of {total})."
        )
    return (
        f"People with lived experience made {round(lived_share * 100)}% of the decisions "
        f"({lived.total if lived else 0} of {total}). Other groups made most of them."
    )
