"""The coding log: every change to quotes and themes in plain words, and undoing or redoing one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.analysis import services
from cohub.apps.analysis.models import CodingAction, CodingEvent, Theme
from cohub.apps.analysis.selectors import LoggedQuote, coding_event_get, logged_quotes
from cohub.apps.analysis.selectors import coding_log as coding_log_for
from cohub.apps.analysis.views.common import offer_undo, pending_undo, safe_next
from cohub.apps.core.errors import ServiceError
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project
from cohub.apps.stories.models import Story


def _short(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length].rstrip() + "…"


def _quote_label(quote: LoggedQuote | None, highlight_id: int | None) -> str:
    """ "“I lost my job” (quote 12)": the words where they may be read, and always the id."""
    if quote is None or highlight_id is None:
        return "a key quote"
    if quote.words:
        return f"“{_short(quote.words)}” (quote {highlight_id})"
    if quote.withheld:
        return f"quote {highlight_id} (words withheld: {quote.withheld.refusal.rstrip('.')})"
    return f"quote {highlight_id}"


ROUND_VERBS: dict[str, str] = {
    CodingAction.ROUND_OPEN: "Opened",
    CodingAction.ROUND_CLOSE: "Closed",
    CodingAction.ROUND_REMOVE: "Took off the board",
    CodingAction.ROUND_REOPEN: "Opened again",
}


def describe_events(project: Project, events: list[CodingEvent]) -> list[dict[str, Any]]:
    """Each event in plain words, looking quotes, themes and stories up in bulk.

    A quote is named by its id and, where consent allows, its first words, also
    after it was removed, so an undone change still says which quote it was about.
    """
    quotes = logged_quotes(project, events)
    theme_ids = {e.theme_id for e in events if e.theme_id}
    for event in events:
        for key in ("source_id", "target_id"):
            if event.payload.get(key):
                theme_ids.add(event.payload[key])
    theme_names: dict[int | None, str] = dict(
        Theme.objects.filter(pk__in=theme_ids).values_list("pk", "name")
    )
    story_ids = {e.story_id for e in events if e.story_id}
    titles: dict[int | None, str] = dict(
        Story.objects.filter(pk__in=story_ids).values_list("pk", "title")
    )

    def quote(event: CodingEvent) -> str:
        found = quotes.get(event.highlight_id) if event.highlight_id else None
        return _quote_label(found, event.highlight_id)

    def theme(event: CodingEvent) -> str:
        return f"'{theme_names.get(event.theme_id, 'a removed theme')}'"

    rows = []
    for event in events:
        payload = event.payload or {}
        action = event.action
        if action == CodingAction.HIGHLIGHT_CREATE and payload.get("restored"):
            text = f"Put back the key quote {quote(event)}"
        elif action == CodingAction.HIGHLIGHT_CREATE:
            text = f"Made a key quote: {quote(event)}"
        elif action == CodingAction.HIGHLIGHT_UPDATE:
            text = f"Changed the details of {quote(event)}"
        elif action == CodingAction.HIGHLIGHT_DELETE:
            text = f"Removed the key quote {quote(event)}"
        elif action == CodingAction.TAG_ADD:
            text = f"Tagged {quote(event)} with {theme(event)}"
        elif action == CodingAction.TAG_REMOVE:
            text = f"Took {theme(event)} off {quote(event)}"
        elif action == CodingAction.THEME_CREATE:
            text = f"Added the theme '{payload.get('after', {}).get('name', '')}'"
        elif action == CodingAction.THEME_RENAME:
            before = payload.get("before", {}).get("name", "")
            after = payload.get("after", {}).get("name", "")
            text = (
                f"Renamed the theme '{before}' to '{after}'"
                if before != after
                else f"Changed the description of '{after}'"
            )
        elif action == CodingAction.THEME_MERGE:
            target = theme_names.get(payload.get("target_id"), "a removed theme")
            text = f"Merged the theme '{payload.get('source_name', '')}' into '{target}'"
        elif action == CodingAction.THEME_DELETE:
            text = f"Removed the theme '{payload.get('before', {}).get('name', '')}'"
        elif action == CodingAction.THEME_UNMERGE:
            target = theme_names.get(payload.get("target_id"), "a removed theme")
            text = f"Took the theme '{payload.get('source_name', '')}' back out of '{target}'"
        elif action == CodingAction.HIGHLIGHT_REANCHOR:
            text = f"Moved {quote(event)} to the story's changed words"
        elif action == CodingAction.HIGHLIGHT_MOVE:
            start = payload.get("from_name") or "Not sorted yet"
            end = payload.get("to_name") or "Not sorted yet"
            text = f"Moved {quote(event)} from '{start}' to '{end}' on the board"
        elif action in (CodingAction.NOTE_ADD, CodingAction.NOTE_REMOVE):
            verb = "Added" if action == CodingAction.NOTE_ADD else "Took off"
            text = f"{verb} the board note '{payload.get('text', '')}'"
        elif action in ROUND_VERBS:
            text = f"{ROUND_VERBS[action]} the visioning round '{payload.get('prompt', '')}'"
        elif action == CodingAction.ROUND_GROUP:
            text = f"Grouped the notes of a visioning round ({payload.get('notes', 0)} notes)"
        else:
            text = event.get_action_display()
        # What an undo or a redo wrote is undone and redone through the change it was about.
        follows = event.undo_of_id or event.redo_of_id
        if event.undo_of_id:
            text += ", undoing an earlier change"
        elif event.redo_of_id:
            text += ", redoing a change that was undone"
        rows.append(
            {
                "event": event,
                "text": text,
                "story_title": titles.get(event.story_id, ""),
                "undoable": event.action in services.UNDOABLE_ACTIONS and not follows,
                "follows": bool(follows),
            }
        )
    return rows


def _with_undo_allowed(
    request: AuthenticatedHttpRequest, project: Project, rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Offer Undo only where this person may undo it (a round's changes are a facilitator's)."""
    for row in rows:
        row["event"].project = project  # the rule reads it; no query per row
        row["undoable"] = row["undoable"] and request.user.has_perm(
            "analysis.undo_coding_change", row["event"]
        )
    return rows


@project_view("analysis.view_coding_log")
def coding_log(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    page = Paginator(coding_log_for(project), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "analysis/coding_log.html",
        {
            "project": project,
            "page": page,
            "rows": _with_undo_allowed(
                request, project, describe_events(project, list(page.object_list))
            ),
            "can_undo": request.user.has_perm("analysis.code_story", project),
            "undo": pending_undo(request, project),
        },
    )


def _answer(
    request: AuthenticatedHttpRequest,
    project: Project,
    back: str,
    *,
    error: str = "",
    offer: dict[str, Any] | None = None,
) -> HttpResponse:
    """Back to the page the change was made on, or JSON for the workshop board's script.

    For the board, the answer carries the next offer (Redo after an undo, and
    the other way round) drawn as the page draws it, so it works the same by
    keyboard and screen reader with or without the script.
    """
    if request.headers.get("Accept", "").find("application/json") >= 0:
        if error:
            return JsonResponse({"ok": False, "error": error}, status=409)
        if offer is None:
            raise ValueError("an answer that worked needs the next offer")
        html = render_to_string(
            "analysis/_undo.html",
            {"undo": offer, "project": project, "next": back, "board": True},
            request=request,
        )
        button = "redo-button" if offer["redo"] else "undo-button"
        return JsonResponse({"ok": True, "said": offer["text"], "offer": html, "focus": button})
    if error:
        messages.error(request, error)
    elif offer is not None:
        offer_undo(
            request, project=project, event=offer["event"], text=offer["text"], redo=offer["redo"]
        )
    return HttpResponseRedirect(back)


@project_view("analysis.undo_coding_change", load=("event_id", coding_event_get))
@require_POST
def coding_event_undo(
    request: AuthenticatedHttpRequest, project: Project, event: CodingEvent
) -> HttpResponse:
    back = safe_next(request, reverse("analysis:coding_log", kwargs={"project_slug": project.slug}))
    description = describe_events(project, [event])[0]["text"]
    try:
        result = services.coding_event_undo(event=event, actor=request.user)
    except ServiceError as error:
        return _answer(request, project, back, error=f"That could not be undone. {error}")
    # The next page offers Redo, in case the undo was a slip.
    offer = {"event": result.undone, "text": f"Undone: {description}.", "redo": True}
    return _answer(request, project, back, offer=offer)


@project_view("analysis.undo_coding_change", load=("event_id", coding_event_get))
@require_POST
def coding_event_redo(
    request: AuthenticatedHttpRequest, project: Project, event: CodingEvent
) -> HttpResponse:
    """Make an undone change again; a quote comes back under its id, so links to it still work."""
    back = safe_next(request, reverse("analysis:coding_log", kwargs={"project_slug": project.slug}))
    try:
        result = services.coding_event_redo(event=event, actor=request.user)
    except ServiceError as error:
        return _answer(request, project, back, error=f"That could not be redone. {error}")
    description = describe_events(project, [result.redone])[0]["text"]
    offer = {"event": result.redone, "text": f"Redone: {description}.", "redo": False}
    return _answer(request, project, back, offer=offer)
