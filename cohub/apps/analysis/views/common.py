"""What the analysis pages share: the one-time Undo (or Redo) offer, safe "next" links, errors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.analysis.models import CodingEvent
from cohub.apps.analysis.services import UNDOABLE_ACTIONS
from cohub.apps.projects.models import Project

UNDO_SESSION_KEY = "cohub_undo"


def offer_undo(
    request: AuthenticatedHttpRequest,
    *,
    project: Project,
    event: CodingEvent | None,
    text: str,
    redo: bool = False,
) -> None:
    """Remember the event a service just returned, so the next page shows ``text`` with Undo.

    The id comes from the service's result, never from a guess such as "this
    person's newest event of that kind", which picks the wrong one with two tabs
    open. Without an event (nothing changed) the text is shown as a plain message.
    With ``redo`` the event is one just undone, and the page offers Redo instead.
    """
    if event is None or event.action not in UNDOABLE_ACTIONS:
        messages.success(request, text)
        return
    request.session[UNDO_SESSION_KEY] = {
        "event_id": event.pk,
        "project_id": project.pk,
        "text": text,
        "kind": "redo" if redo else "undo",
    }


def pending_undo(request: HttpRequest, project: Project) -> dict[str, Any] | None:
    """The change offered for undo (or redo) on this page, shown once, like a message.

    Offered only while it still makes sense: Undo while the change is in
    place, Redo while it is undone (someone else may have acted meanwhile).
    """
    offer = request.session.pop(UNDO_SESSION_KEY, None)
    if not offer or offer.get("project_id") != project.pk:
        return None
    redo = offer.get("kind") == "redo"
    event = CodingEvent.objects.filter(
        project=project, pk=offer.get("event_id"), undone_at__isnull=not redo
    ).first()
    if event is None:
        return None
    return {"event": event, "text": offer.get("text", "Done."), "redo": redo}


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` address if it stays on this site, otherwise ``default``."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def review_sheet_url(project: Project, story_id: int, anchor: str = "") -> str:
    url = reverse(
        "analysis:review_sheet", kwargs={"project_slug": project.slug, "story_id": story_id}
    )
    return f"{url}#{anchor}" if anchor else url
