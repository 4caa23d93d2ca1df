"""The coding log: every change to quotes and themes in plain words, and undoing one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.analysis import services
from cohub.apps.analysis.models import CodingAction, CodingEvent, Theme
from cohub.apps.analysis.selectors import coding_log as coding_log_for
from cohub.apps.analysis.selectors import quote_words
from cohub.apps.analysis.views.common import pending_undo, safe_next
from cohub.apps.core.errors import ServiceError
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project
from cohub.apps.stories.consent import Withheld
from cohub.apps.stories.models import Story


def _short(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length].rstrip() + "…"


def describe_events(events: list[CodingEvent]) -> list[dict[str, Any]]:
    """Each event in plain words, looking quotes, themes and stories up in bulk."""
    highlight_ids = {e.highlight_id for e in events if e.highlight_id}
    theme_ids = {e.theme_id for e in events if e.theme_id}
    for event in events:
        for key in ("source_id", "target_id"):
            if event.payload.get(key):
                theme_ids.add(event.payload[key])
    # The words come through the selector, so a quote whose story is withheld says why instead.
    snippets = quote_words(highlight_ids)
    theme_names: dict[int | None, str] = dict(
        Theme.objects.filter(pk__in=theme_ids).values_list("pk", "name")
    )
    story_ids = {e.story_id for e in events if e.story_id}
    titles: dict[int | None, str] = dict(
        Story.objects.filter(pk__in=story_ids).values_list("pk", "title")
    )

    def quote(event: CodingEvent) -> str:
        snippet = snippets.get(event.highlight_id) if event.highlight_id else None
        if isinstance(snippet, Withheld):
            return f"a key quote (words withheld: {snippet.refusal.rstrip('.')})"
        return f"“{_short(snippet)}”" if snippet else "a key quote (since removed)"

    def theme(event: CodingEvent) -> str:
        return f"'{theme_names.get(event.theme_id, 'a removed theme')}'"

    rows = []
    for event in events:
        payload = event.payload or {}
        action = event.action
        if action == CodingAction.HIGHLIGHT_CREATE:
            text = f"Made a key quote: {quote(event)}"
        elif action == CodingAction.HIGHLIGHT_UPDATE:
            text = f"Changed the details of {quote(event)}"
        elif action == CodingAction.HIGHLIGHT_DELETE:
            text = "Removed a key quote"
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
        else:
            text = event.get_action_display()
        rows.append(
            {
                "event": event,
                "text": text,
                "story_title": titles.get(event.story_id, ""),
                "undoable": event.action in services.UNDOABLE_ACTIONS,
            }
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
            "rows": describe_events(list(page.object_list)),
            "can_undo": request.user.has_perm("analysis.code_story", project),
            "undo": pending_undo(request, project),
        },
    )


@project_view("analysis.code_story")
@require_POST
def coding_event_undo(
    request: AuthenticatedHttpRequest, project: Project, event_id: int
) -> HttpResponse:
    event = get_object_or_404(CodingEvent, project=project, pk=event_id)
    back = safe_next(request, reverse("analysis:coding_log", kwargs={"project_slug": project.slug}))
    description = describe_events([event])[0]["text"]
    try:
        services.coding_event_undo(event=event, actor=request.user)
    except ServiceError as error:
        messages.error(request, f"That could not be undone. {error}")
    else:
        messages.success(request, f"Undone: {description}.")
    return HttpResponseRedirect(back)
