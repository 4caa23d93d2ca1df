"""Changing key quotes and tagging them with themes.

Every change goes through ``analysis.services``, which logs a CodingEvent;
the next page offers an "Undo" button for that event.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.analysis import services
from cohub.apps.analysis.forms import HighlightEditForm, HighlightNewThemeForm, HighlightTagForm
from cohub.apps.analysis.models import Attribution, Highlight, Theme
from cohub.apps.analysis.selectors import highlight_get, quote_get, themes_for
from cohub.apps.analysis.services import TagResult
from cohub.apps.analysis.views.common import offer_undo, review_sheet_url, safe_next
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.forms import first_error
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project
from cohub.apps.stories.consent import consent_now


@project_view("analysis.code_story")
def highlight_edit(
    request: AuthenticatedHttpRequest, project: Project, highlight_id: int
) -> HttpResponse:
    shown = quote_get(project, highlight_id)
    highlight = shown.highlight
    story = highlight.review_sheet.story
    back = safe_next(request, review_sheet_url(project, story.pk, f"quote-{highlight.pk}"))
    context = {"project": project, "story": story, "highlight": highlight, "shown": shown}
    if shown.withheld is not None:
        # No form: its note would show words written from the story, and saving is refused.
        if request.method == "POST":
            messages.error(request, f"The key quote was not changed. {shown.withheld.refusal}")
        return render(request, "analysis/highlight_edit.html", {**context, "back": back})
    may_name = consent_now(story.storyteller).may_name
    initial = {
        "change_level": highlight.change_level,
        "sectors": highlight.sectors,
        "note": highlight.note,
        # "By name" is not offered without consent to it, so the form starts at anonymous.
        "attribution": highlight.attribution if may_name else Attribution.ANONYMOUS,
    }
    form = HighlightEditForm(request.POST or None, initial=initial)
    form.setup_attribution(pseudonym=story.storyteller.pseudonym, may_name=may_name)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.highlight_update(
                highlight=highlight, actor=request.user, **form.highlight_fields()
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            offer_undo(
                request, project=project, event=result.event, text="The key quote has been updated."
            )
            return HttpResponseRedirect(back)
    return render(
        request,
        "analysis/highlight_edit.html",
        {
            **context,
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
    highlight = highlight_get(project, highlight_id)
    story_id = highlight.review_sheet.story_id
    pk = highlight.pk
    result = services.highlight_delete(highlight=highlight, actor=request.user)
    offer_undo(request, project=project, event=result.event, text="The key quote has been removed.")
    back = safe_next(request, review_sheet_url(project, story_id, "key-quotes"))
    if f"quote-{pk}" in back:
        back = review_sheet_url(project, story_id, "key-quotes")
    return HttpResponseRedirect(back)


def _back_to_quote(
    request: AuthenticatedHttpRequest, project: Project, highlight: Highlight
) -> str:
    return safe_next(
        request, review_sheet_url(project, highlight.review_sheet.story_id, f"quote-{highlight.pk}")
    )


def _tagged(request: AuthenticatedHttpRequest, project: Project, result: TagResult) -> None:
    if result.changed:
        offer_undo(
            request,
            project=project,
            event=result.event,
            text=f"The quote is now tagged '{result.theme.name}'.",
        )
    else:
        messages.info(request, f"The quote was already tagged '{result.theme.name}'.")


@project_view("analysis.code_story")
@require_POST
def highlight_tag(
    request: AuthenticatedHttpRequest, project: Project, highlight_id: int
) -> HttpResponse:
    """Tag a quote with a theme chosen from the codebook."""
    highlight = highlight_get(project, highlight_id)
    back = _back_to_quote(request, project, highlight)
    form = HighlightTagForm(request.POST, themes=list(themes_for(project)))
    if not form.is_valid():
        messages.error(request, first_error(form))
        return HttpResponseRedirect(back)
    try:
        result = services.highlight_tag(
            highlight=highlight, theme=form.cleaned_data["theme_id"], actor=request.user
        )
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        _tagged(request, project, result)
    return HttpResponseRedirect(back)


@project_view("analysis.manage_themes")
@require_POST
def highlight_tag_new_theme(
    request: AuthenticatedHttpRequest, project: Project, highlight_id: int
) -> HttpResponse:
    """Tag a quote with a theme typed in, which starts it if the codebook has no such name.

    Its own view because starting a theme needs ``manage_themes``, not only the
    ``code_story`` that tagging needs (today every role with one has the other).
    """
    highlight = highlight_get(project, highlight_id)
    back = _back_to_quote(request, project, highlight)
    form = HighlightNewThemeForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return HttpResponseRedirect(back)
    try:
        result = services.highlight_tag(
            highlight=highlight, new_theme=form.cleaned_data["new_name"], actor=request.user
        )
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        _tagged(request, project, result)
    return HttpResponseRedirect(back)


@project_view("analysis.code_story")
@require_POST
def highlight_untag(
    request: AuthenticatedHttpRequest, project: Project, highlight_id: int, theme_id: int
) -> HttpResponse:
    highlight = highlight_get(project, highlight_id)
    theme = get_object_or_404(Theme, project=project, pk=theme_id)
    back = _back_to_quote(request, project, highlight)
    try:
        result = services.highlight_untag(highlight=highlight, theme=theme, actor=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(back)
    if result.changed:
        offer_undo(
            request,
            project=project,
            event=result.event,
            text=f"The theme '{result.theme.name}' was taken off the quote.",
        )
    return HttpResponseRedirect(back)
