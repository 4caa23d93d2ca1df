"""Coding pages: changing key quotes, tagging them, the codebook and the coding log.

Every change here goes through ``analysis.services``, which logs a CodingEvent;
after a change the next page offers an "Undo" button for that event.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.analysis import services
from cohub.apps.analysis.forms import (
    HighlightEditForm,
    HighlightTagForm,
    ThemeForm,
    ThemeMergeForm,
)
from cohub.apps.analysis.models import CodingAction, CodingEvent, Theme
from cohub.apps.analysis.selectors import coding_log as coding_log_for
from cohub.apps.analysis.selectors import theme_get, themes_for
from cohub.apps.core.errors import ServiceError
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project
from cohub.apps.stories.consent import consent_allows
from cohub.apps.stories.models import Highlight, Story

UNDO_SESSION_KEY = "cohub_undo"

# ---------------------------------------------------------------------------
# Helpers shared with the story pages


def offer_undo(
    request: AuthenticatedHttpRequest,
    *,
    project: Project,
    action: str,
    text: str,
    highlight_id: int | None = None,
    theme_id: int | None = None,
) -> None:
    """Remember the event just logged so the next page shows ``text`` with an Undo button.

    Services return the changed record, not the event, so the event is found as the
    newest one of that kind by this person in this project.
    """
    events = coding_log_for(project).filter(actor=request.user, action=action)
    if highlight_id is not None:
        events = events.filter(highlight_id=highlight_id)
    if theme_id is not None:
        events = events.filter(theme_id=theme_id)
    event = events.first()
    if event is None:
        messages.success(request, text)
        return
    request.session[UNDO_SESSION_KEY] = {
        "event_id": event.pk,
        "project_id": project.pk,
        "text": text,
    }


def pending_undo(request: HttpRequest, project: Project) -> dict[str, Any] | None:
    """The change offered for undo on this page (shown once, like a message)."""
    offer = request.session.pop(UNDO_SESSION_KEY, None)
    if not offer or offer.get("project_id") != project.pk:
        return None
    event = CodingEvent.objects.filter(
        project=project, pk=offer.get("event_id"), undone_at__isnull=True
    ).first()
    if event is None:
        return None
    return {"event": event, "text": offer.get("text", "Done.")}


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` address if it stays on this site, otherwise ``default``."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _story_url(project: Project, story_id: int, anchor: str = "") -> str:
    url = reverse(
        "analysis:story_detail", kwargs={"project_slug": project.slug, "story_id": story_id}
    )
    return f"{url}#{anchor}" if anchor else url


def _highlight_get(project: Project, highlight_id: int) -> Highlight:
    return get_object_or_404(
        Highlight.objects.select_related("review_sheet__story__storyteller"),
        pk=highlight_id,
        review_sheet__story__project=project,
    )


def _first_error(form: Any) -> str:
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return "Something was not right. Please try again."


# ---------------------------------------------------------------------------
# Key quotes


@project_view("analysis.code_story")
def highlight_edit(
    request: AuthenticatedHttpRequest, project: Project, highlight_id: int
) -> HttpResponse:
    highlight = _highlight_get(project, highlight_id)
    story = highlight.review_sheet.story
    back = safe_next(request, _story_url(project, story.pk, f"quote-{highlight.pk}"))
    initial = {
        "change_level": highlight.change_level,
        "sectors": highlight.sectors,
        "note": highlight.note,
        "attribution": highlight.attribution,
    }
    form = HighlightEditForm(request.POST or None, initial=initial)
    form.setup_attribution(
        pseudonym=story.storyteller.pseudonym,
        may_name=consent_allows(story.storyteller, "quote_by_name"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.highlight_update(
                highlight=highlight, actor=request.user, **form.highlight_fields()
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            offer_undo(
                request,
                project=project,
                action=CodingAction.HIGHLIGHT_UPDATE,
                highlight_id=highlight.pk,
                text="The key quote has been updated.",
            )
            return HttpResponseRedirect(back)
    return render(
        request,
        "analysis/highlight_edit.html",
        {
            "project": project,
            "story": story,
            "highlight": highlight,
            "form": form,
            "back": back,
            "themes": [link.theme for link in highlight.theme_links.select_related("theme")],
        },
    )


@project_view("analysis.code_story")
@require_POST
def highlight_delete(
    request: AuthenticatedHttpRequest, project: Project, highlight_id: int
) -> HttpResponse:
    highlight = _highlight_get(project, highlight_id)
    story_id = highlight.review_sheet.story_id
    pk = highlight.pk
    services.highlight_delete(highlight=highlight, actor=request.user)
    offer_undo(
        request,
        project=project,
        action=CodingAction.HIGHLIGHT_DELETE,
        highlight_id=pk,
        text="The key quote has been removed.",
    )
    back = safe_next(request, _story_url(project, story_id, "key-quotes"))
    if f"quote-{pk}" in back:
        back = _story_url(project, story_id, "key-quotes")
    return HttpResponseRedirect(back)


@project_view("analysis.code_story")
@require_POST
def highlight_tag(
    request: AuthenticatedHttpRequest, project: Project, highlight_id: int
) -> HttpResponse:
    """Tag with a chosen theme, or with a new one typed in (which needs manage_themes)."""
    highlight = _highlight_get(project, highlight_id)
    back = safe_next(
        request, _story_url(project, highlight.review_sheet.story_id, f"quote-{highlight.pk}")
    )
    form = HighlightTagForm(request.POST, themes=themes_for(project))
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return HttpResponseRedirect(back)
    name = form.cleaned_data["new_name"]
    if name and not request.user.has_perm("analysis.manage_themes", project):
        raise PermissionDenied
    try:
        with transaction.atomic():
            theme = (
                services.theme_find_or_create(project=project, name=name, actor=request.user)
                if name
                else form.cleaned_data["theme_id"]
            )
            tagged = services.highlight_tag(highlight=highlight, theme=theme, actor=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(back)
    if tagged:
        offer_undo(
            request,
            project=project,
            action=CodingAction.TAG_ADD,
            highlight_id=highlight.pk,
            theme_id=theme.pk,
            text=f"The quote is now tagged '{theme.name}'.",
        )
    else:
        messages.info(request, f"The quote was already tagged '{theme.name}'.")
    return HttpResponseRedirect(back)


@project_view("analysis.code_story")
@require_POST
def highlight_untag(
    request: AuthenticatedHttpRequest, project: Project, highlight_id: int, theme_id: int
) -> HttpResponse:
    highlight = _highlight_get(project, highlight_id)
    theme = get_object_or_404(Theme, project=project, pk=theme_id)
    back = safe_next(
        request, _story_url(project, highlight.review_sheet.story_id, f"quote-{highlight.pk}")
    )
    try:
        removed = services.highlight_untag(highlight=highlight, theme=theme, actor=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(back)
    if removed:
        offer_undo(
            request,
            project=project,
            action=CodingAction.TAG_REMOVE,
            highlight_id=highlight.pk,
            theme_id=theme.pk,
            text=f"The theme '{theme.name}' was taken off the quote.",
        )
    return HttpResponseRedirect(back)


# ---------------------------------------------------------------------------
# The codebook


@project_view("analysis.view_codebook")
def theme_list(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """The project's themes; people who manage themes can add one here (POST)."""
    can_manage = request.user.has_perm("analysis.manage_themes", project)
    form = ThemeForm(request.POST or None, auto_id="theme_%s")
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                theme = services.theme_create(
                    project=project,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    actor=request.user,
                )
            except ServiceError as error:
                form.add_error("name", str(error))
            else:
                offer_undo(
                    request,
                    project=project,
                    action=CodingAction.THEME_CREATE,
                    theme_id=theme.pk,
                    text=f"The theme '{theme.name}' has been added.",
                )
                return redirect("analysis:theme_list", project_slug=project.slug)
    themes = themes_for(project)
    merged = (
        themes_for(project, include_merged=True)
        .filter(merged_into__isnull=False)
        .select_related("merged_into")
    )
    return render(
        request,
        "analysis/theme_list.html",
        {
            "project": project,
            "themes": themes,
            "merged": merged,
            "form": form,
            "merge_form": ThemeMergeForm(themes=themes, auto_id="merge_%s"),
            "can_manage": can_manage,
            "undo": pending_undo(request, project),
        },
    )


@project_view("analysis.manage_themes")
@require_POST
def theme_merge(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    form = ThemeMergeForm(request.POST, themes=themes_for(project))
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect("analysis:theme_list", project_slug=project.slug)
    source, target = form.cleaned_data["source"], form.cleaned_data["target"]
    try:
        services.theme_merge(source=source, target=target, actor=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect("analysis:theme_list", project_slug=project.slug)
    offer_undo(
        request,
        project=project,
        action=CodingAction.THEME_MERGE,
        theme_id=target.pk,
        text=f"'{source.name}' has been merged into '{target.name}'.",
    )
    return redirect("analysis:theme_list", project_slug=project.slug)


def _theme_quotes(project: Project, theme: Theme):
    return (
        Highlight.objects.filter(theme_links__theme=theme, review_sheet__story__project=project)
        .select_related("review_sheet__story")
        .order_by("review_sheet__story__title", "char_start", "id")
    )


@project_view("analysis.view_codebook")
def theme_detail(
    request: AuthenticatedHttpRequest, project: Project, theme_id: int
) -> HttpResponse:
    """One theme with its quotes; people who manage themes can rename it (POST)."""
    theme = theme_get(project, theme_id)
    can_manage = request.user.has_perm("analysis.manage_themes", project)
    form = ThemeForm(
        request.POST or None,
        initial={"name": theme.name, "description": theme.description},
        auto_id="rename_%s",
    )
    if request.method == "POST":
        if not can_manage or theme.merged_into_id is not None:
            raise PermissionDenied
        if form.is_valid():
            old_name = theme.name
            try:
                services.theme_rename(
                    theme=theme,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    actor=request.user,
                )
            except ServiceError as error:
                form.add_error("name", str(error))
            else:
                text = (
                    f"'{old_name}' is now called '{theme.name}'."
                    if old_name != theme.name
                    else f"The theme '{theme.name}' has been saved."
                )
                offer_undo(
                    request,
                    project=project,
                    action=CodingAction.THEME_RENAME,
                    theme_id=theme.pk,
                    text=text,
                )
                return redirect(
                    "analysis:theme_detail", project_slug=project.slug, theme_id=theme.pk
                )
            theme.refresh_from_db()
    return render(
        request,
        "analysis/theme_detail.html",
        {
            "project": project,
            "theme": theme,
            "quotes": _theme_quotes(project, theme),
            "form": form,
            "can_manage": can_manage and theme.merged_into_id is None,
            "undo": pending_undo(request, project),
        },
    )


# ---------------------------------------------------------------------------
# The coding log


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
    # Keyed by id but looked up with an event's ids, which are None where nothing was involved.
    snippets: dict[int | None, str] = dict(
        Highlight.objects.filter(pk__in=highlight_ids).values_list("pk", "snippet")
    )
    theme_names: dict[int | None, str] = dict(
        Theme.objects.filter(pk__in=theme_ids).values_list("pk", "name")
    )
    story_ids = {e.story_id for e in events if e.story_id}
    titles: dict[int | None, str] = dict(
        Story.objects.filter(pk__in=story_ids).values_list("pk", "title")
    )

    def quote(event: CodingEvent) -> str:
        snippet = snippets.get(event.highlight_id)
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
        else:
            text = event.get_action_display()
        rows.append({"event": event, "text": text, "story_title": titles.get(event.story_id, "")})
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
