"""The workshop board: a project's themes as columns, changed by a group at once, live.

The page works without JavaScript: every change is a small form that posts
and comes back to the board. ``board.js`` sends the same forms with fetch
(asking for JSON), and asks ``board_feed`` every 1.5 s for what the others
changed (docs/adr/0022-workshop-board-live.md). Every change goes through
``analysis.services``, which writes the events the feed reads.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.http import parse_etags
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_POST

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.analysis import services
from cohub.apps.analysis.board import (
    Board,
    Changes,
    FeedMark,
    board_changes,
    board_state,
    contributions,
    feed_mark,
    latest_round,
    note_get,
    round_get,
)
from cohub.apps.analysis.forms import (
    UNSORTED,
    BoardMergeForm,
    BoardMoveForm,
    BoardNoteForm,
    BoardRenameForm,
    BoardThemeForm,
    RoundOpenForm,
)
from cohub.apps.analysis.models import BoardNote, CodingEvent, Highlight, Theme, VisioningRound
from cohub.apps.analysis.selectors import ShownQuote, highlight_get, theme_get
from cohub.apps.analysis.views.common import offer_undo, pending_undo
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.forms import first_error
from cohub.apps.projects.access import project_view
from cohub.apps.projects.forms import ParticipationForm
from cohub.apps.projects.models import Project
from cohub.apps.projects.selectors import participation_of

POLL_MS = 1500
"""How often an open board asks for changes (a hidden tab asks every ``POLL_HIDDEN_MS``)."""
POLL_HIDDEN_MS = 10000


def _wants_json(request: AuthenticatedHttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _board_url(project: Project, anchor: str = "") -> str:
    url = reverse("analysis:board", kwargs={"project_slug": project.slug})
    return f"{url}#{anchor}" if anchor else url


def _done(
    request: AuthenticatedHttpRequest,
    project: Project,
    said: str,
    *,
    focus: str = "",
    event: CodingEvent | None = None,
) -> HttpResponse:
    """The answer to a change that worked: JSON for board.js, else back to the board.

    ``event`` is the change the service returned; the answer offers to undo it
    (the coding log's one Undo, ADR 0003), drawn the same with or without the script.
    """
    undoable = event is not None and event.action in services.UNDOABLE_ACTIONS
    if _wants_json(request):
        offer = ""
        if undoable:
            offer = render_to_string(
                "analysis/_undo.html",
                {
                    "undo": {"event": event, "text": said, "redo": False},
                    "project": project,
                    "next": _board_url(project),
                    "board": True,
                },
                request=request,
            )
        return JsonResponse({"ok": True, "said": said, "focus": focus, "offer": offer})
    offer_undo(request, project=project, event=event if undoable else None, text=said)
    return redirect(_board_url(project, focus))


def _last(events: tuple[CodingEvent, ...]) -> CodingEvent | None:
    """The change a service made, to offer undo for (the last event it wrote)."""
    return events[-1] if events else None


def _refused(
    request: AuthenticatedHttpRequest, project: Project, error: str, *, status: int = 409
) -> HttpResponse:
    """A change that could not be made: say why, change nothing, lose nothing typed."""
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": error}, status=status)
    messages.error(request, error)
    return redirect(_board_url(project))


def _column_theme(project: Project, value: str) -> Theme | None:
    """The theme a board form names (``none``: the Not sorted yet column)."""
    if value in ("", UNSORTED):
        return None
    if not value.isdigit():
        raise ServiceError("That theme is not on this board. Load the board again.")
    found = Theme.objects.filter(project=project, pk=int(value)).first()
    if found is None:
        raise ServiceError("That theme has been removed. Load the board again.")
    return found


def theme_menu(themes: list[Theme], own: Theme | None, *, move: bool) -> SafeString:
    """The <option>s of a column's "Move to…" (or "Merge into…") menu, built once per column.

    Every card in a column offers the same choices, so they are made here once
    rather than by the template for each card: on a board of hundreds of
    quotes that loop was most of the page's time.
    """
    choices: list[tuple[str, str]] = []
    if move and own is not None:
        choices.append((UNSORTED, "Not sorted yet"))
    choices.extend((str(t.pk), t.name) for t in themes if own is None or t.pk != own.pk)
    return format_html_join("", '<option value="{}">{}</option>', choices)


def _render_card(
    request: AuthenticatedHttpRequest,
    project: Project,
    quote: ShownQuote,
    theme: Theme | None,
    themes: list[Theme],
    perms: dict[str, bool],
) -> str:
    return render_to_string(
        "analysis/board/_card.html",
        {
            "project": project,
            "quote": quote,
            "column_theme": theme,
            "move_options": theme_menu(themes, theme, move=True),
            "perms_board": perms,
        },
        request=request,
    )


def _perms(request: AuthenticatedHttpRequest, project: Project) -> dict[str, bool]:
    user = request.user
    return {
        "code": user.has_perm("analysis.code_story", project),
        "manage": user.has_perm("analysis.manage_themes", project),
        "run": user.has_perm("analysis.run_visioning_round", project),
    }


@project_view("analysis.view_codebook")
@require_GET
def board(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """The board, as it is now; board.js keeps it up to date from the feed."""
    state: Board = board_state(project)
    for column in state.columns:
        column.move_options = theme_menu(state.themes, column.theme, move=True)
        column.merge_options = theme_menu(state.themes, column.theme, move=False)
    participation = participation_of(project, request.user)
    return render(
        request,
        "analysis/board/board.html",
        {
            "project": project,
            "board": state,
            "perms_board": _perms(request, project),
            "participation": participation,
            "participation_form": ParticipationForm(
                initial={"taking_part": participation.taking_part if participation else ""}
            ),
            "round_form": RoundOpenForm(),
            "can_group": services.grouping_available(),
            "poll_ms": POLL_MS,
            "poll_hidden_ms": POLL_HIDDEN_MS,
            "undo": pending_undo(request, project),
        },
    )


def _changes_json(
    request: AuthenticatedHttpRequest, project: Project, changes: Changes
) -> dict[str, Any]:
    themes = changes.themes
    current = {theme.pk: theme for theme in themes}
    payload: dict[str, Any] = {
        "last": changes.last_event_id,
        "more": changes.more,
        "epoch": changes.epoch,
        "said": changes.said,
        "themes": [{"id": t.pk, "name": t.name} for t in themes],
        "changed_themes": [],
        "quotes": [],
        "notes": [],
        "round": None,
    }
    if not (
        changes.changed_themes
        or changes.quotes
        or changes.notes
        or changes.said
        or changes.round_changed
    ):
        return payload
    perms = _perms(request, project)
    if changes.round_changed:
        payload["round"] = _render_round(request, project, perms)
    for pk, theme in changes.changed_themes.items():
        entry: dict[str, Any] = {"id": pk, "active": theme is not None}
        if theme is not None:
            entry["name"] = theme.name
            entry["html"] = render_to_string(
                "analysis/board/_column.html",
                {
                    "project": project,
                    "column_theme": theme,
                    "perms_board": perms,
                    "themes": themes,
                    "quotes": [],
                    "notes": [],
                    "column_key": str(theme.pk),
                },
                request=request,
            )
        payload["changed_themes"].append(entry)
    for now in changes.quotes:
        placements = []
        if now.quote is not None:
            for column in now.columns:
                theme = current.get(column) if column is not None else None
                placements.append(
                    {
                        "column": str(column) if column is not None else UNSORTED,
                        "html": _render_card(request, project, now.quote, theme, themes, perms),
                    }
                )
        payload["quotes"].append({"id": now.highlight_id, "placements": placements})
    for note_now in changes.notes:
        html = ""
        if note_now.note is not None:
            html = render_to_string(
                "analysis/board/_note.html",
                {"project": project, "note": note_now.note, "user": request.user},
                request=request,
            )
        payload["notes"].append(
            {
                "id": note_now.note_id,
                "column": str(note_now.column) if note_now.column is not None else UNSORTED,
                "html": html,
            }
        )
    return payload


def _render_round(
    request: AuthenticatedHttpRequest, project: Project, perms: dict[str, bool]
) -> dict[str, Any]:
    """The visioning round as the board shows it: its id, whether open, and its parts' HTML."""
    visioning, notes = latest_round(project)
    context = {
        "project": project,
        "visioning": visioning,
        "round_notes": notes,
        "perms_board": perms,
        "round_form": RoundOpenForm(),
        "can_group": services.grouping_available(),
    }
    return {
        "id": visioning.pk if visioning is not None else None,
        "open": bool(visioning and visioning.is_open),
        "html": render_to_string("analysis/board/_round_slot.html", context, request=request),
        "notes_html": render_to_string(
            "analysis/board/_round_notes.html", context, request=request
        ),
    }


def _has_seen(request: AuthenticatedHttpRequest, mark: FeedMark) -> bool:
    """Does the page already hold this state (its If-None-Match is the mark's ETag)?

    Compared weakly, as HTTP says for If-None-Match; ``*`` is not honoured, so
    only a page that was given this very state is told that nothing changed.
    """
    wanted = mark.etag.removeprefix("W/")
    sent = parse_etags(request.headers.get("If-None-Match", ""))
    return any(tag.removeprefix("W/") == wanted for tag in sent if tag != "*")


@project_view("analysis.view_codebook")
@require_GET
def board_feed(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """What changed on the board after event ``?after=N``, as JSON; 304 when nothing did.

    ``project_view`` has checked the permission before this runs, on every
    poll, so a person who may no longer see the board is refused, never told
    "not modified". Then one statement (``feed_mark``) says whether anything
    changed since the state the page holds; almost every poll ends there,
    before any event, quote or template is read.
    """
    after_text = request.GET.get("after", "0")
    if not after_text.isdigit():
        return JsonResponse({"error": "after must be an event number"}, status=400)
    after = int(after_text)
    mark = feed_mark(project)
    if after >= mark.last_event_id and _has_seen(request, mark):
        unchanged = HttpResponseNotModified()
        unchanged["ETag"] = mark.etag
        unchanged["Cache-Control"] = "no-store"
        return unchanged
    changes = board_changes(project, after, viewer=request.user, mark=mark)
    response = JsonResponse(_changes_json(request, project, changes))
    # The state this answer brings the page to (an event read after the mark counts too).
    reached = FeedMark(max(mark.last_event_id, changes.last_event_id), mark.epoch)
    response["ETag"] = reached.etag
    response["Cache-Control"] = "no-store"
    return response


@project_view("analysis.code_story", load=("highlight_id", highlight_get))
@require_POST
def board_move(
    request: AuthenticatedHttpRequest, project: Project, highlight: Highlight
) -> HttpResponse:
    """Move a quote to another column; if someone moved it first, say where it is now."""
    form = BoardMoveForm(request.POST)
    if not form.is_valid():
        return _refused(request, project, first_error(form), status=400)
    try:
        source = _column_theme(project, form.cleaned_data["from_theme"])
        target = _column_theme(project, form.cleaned_data["to_theme"])
        result = services.highlight_move(
            highlight=highlight, from_theme=source, to_theme=target, actor=request.user
        )
    except ServiceError as error:
        return _refused(request, project, str(error))
    where = f"'{result.to_theme.name}'" if result.to_theme is not None else "Not sorted yet"
    column = str(result.to_theme.pk) if result.to_theme is not None else UNSORTED
    return _done(
        request,
        project,
        f"Moved to {where}.",
        focus=f"card-{column}-{highlight.pk}",
        event=_last(result.events),
    )


@project_view("analysis.manage_themes")
@require_POST
def board_theme_create(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    form = BoardThemeForm(request.POST)
    if not form.is_valid():
        return _refused(request, project, first_error(form), status=400)
    try:
        result = services.theme_create(
            project=project, name=form.cleaned_data["name"], actor=request.user
        )
    except ServiceError as error:
        return _refused(request, project, str(error))
    return _done(
        request,
        project,
        f"The theme '{result.theme.name}' is on the board.",
        focus=f"column-{result.theme.pk}-heading",
        event=_last(result.events),
    )


@project_view("analysis.manage_themes", load=("theme_id", theme_get))
@require_POST
def board_theme_rename(
    request: AuthenticatedHttpRequest, project: Project, theme: Theme
) -> HttpResponse:
    form = BoardRenameForm(request.POST)
    if not form.is_valid():
        return _refused(request, project, first_error(form), status=400)
    old = theme.name
    try:
        result = services.theme_rename(
            theme=theme, name=form.cleaned_data["name"], actor=request.user
        )
    except ServiceError as error:
        return _refused(request, project, str(error))
    return _done(
        request,
        project,
        f"'{old}' is now called '{result.theme.name}'.",
        focus=f"column-{theme.pk}-heading",
        event=_last(result.events),
    )


@project_view("analysis.manage_themes", load=("theme_id", theme_get))
@require_POST
def board_theme_merge(
    request: AuthenticatedHttpRequest, project: Project, theme: Theme
) -> HttpResponse:
    form = BoardMergeForm(request.POST)
    if not form.is_valid():
        return _refused(request, project, first_error(form), status=400)
    try:
        target = _column_theme(project, form.cleaned_data["into"])
        if target is None:
            raise ServiceError("Choose the theme to merge it into.")
        result = services.theme_merge(source=theme, target=target, actor=request.user)
    except ServiceError as error:
        return _refused(request, project, str(error))
    return _done(
        request,
        project,
        f"'{result.source.name}' has been merged into '{result.target.name}'.",
        focus=f"column-{result.target.pk}-heading",
        event=_last(result.events),
    )


@project_view("analysis.code_story")
@require_POST
def board_note_add(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    form = BoardNoteForm(request.POST)
    if not form.is_valid():
        return _refused(request, project, first_error(form), status=400)
    try:
        theme = _column_theme(project, form.cleaned_data["theme"])
        result = services.board_note_add(
            project=project, text=form.cleaned_data["text"], theme=theme, actor=request.user
        )
    except ServiceError as error:
        return _refused(request, project, str(error))
    return _done(
        request,
        project,
        "Your note is on the board.",
        focus=f"note-{result.note.pk}",
        event=_last(result.events),
    )


@project_view("analysis.remove_board_note", load=("note_id", note_get))
@require_POST
def board_note_remove(
    request: AuthenticatedHttpRequest, project: Project, note: BoardNote
) -> HttpResponse:
    try:
        result = services.board_note_remove(note=note, actor=request.user)
    except ServiceError as error:
        return _refused(request, project, str(error))
    return _done(
        request, project, "The note has been taken off the board.", event=_last(result.events)
    )


@project_view("analysis.view_coding_log")
@require_GET
def board_contributions(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Who shaped the findings: the board's decisions by how people take part, never by name."""
    return render(
        request,
        "analysis/board/contributions.html",
        {"project": project, "contributions": contributions(project)},
    )


@project_view("analysis.run_visioning_round")
@require_POST
def board_round_open(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """A facilitator opens a future-visioning round with a question for everyone."""
    form = RoundOpenForm(request.POST)
    if not form.is_valid():
        return _refused(request, project, first_error(form), status=400)
    try:
        result = services.visioning_round_open(
            project=project, prompt=form.cleaned_data["prompt"], actor=request.user
        )
    except ServiceError as error:
        return _refused(request, project, str(error))
    return _done(
        request,
        project,
        "The round is open. Everyone on the board can add notes now.",
        focus="round-heading",
        event=_last(result.events),
    )


@project_view("analysis.run_visioning_round", load=("visioning_round_id", round_get))
@require_POST
def board_round_close(
    request: AuthenticatedHttpRequest, project: Project, visioning_round: VisioningRound
) -> HttpResponse:
    result = services.visioning_round_close(visioning_round=visioning_round, actor=request.user)
    return _done(
        request,
        project,
        "The round is closed. Its notes stay on the board.",
        focus="round-heading",
        event=_last(result.events),
    )


@project_view("analysis.code_story", load=("visioning_round_id", round_get))
@require_POST
def board_round_note(
    request: AuthenticatedHttpRequest, project: Project, visioning_round: VisioningRound
) -> HttpResponse:
    """A short note in answer to the round's question."""
    form = BoardNoteForm(request.POST)
    if not form.is_valid():
        return _refused(request, project, first_error(form), status=400)
    try:
        result = services.board_note_add(
            project=project,
            text=form.cleaned_data["text"],
            visioning_round=visioning_round,
            actor=request.user,
        )
    except ServiceError as error:
        return _refused(request, project, str(error))
    return _done(
        request,
        project,
        "Your note is in the round.",
        focus=f"note-{result.note.pk}",
        event=_last(result.events),
    )


@project_view("analysis.run_visioning_round", load=("visioning_round_id", round_get))
@require_POST
def board_round_group(
    request: AuthenticatedHttpRequest, project: Project, visioning_round: VisioningRound
) -> HttpResponse:
    """Group the round's notes with the theme engine (a few seconds for a few dozen notes)."""
    try:
        result = services.visioning_round_group(visioning_round=visioning_round, actor=request.user)
    except ServiceError as error:
        return _refused(request, project, str(error))
    return _done(
        request,
        project,
        "The notes are grouped.",
        focus="round-heading",
        event=_last(result.events),
    )
