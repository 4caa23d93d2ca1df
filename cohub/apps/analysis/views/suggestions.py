"""Theme suggestions: ask for a run, see what it found, decide on each suggested theme.

Seeing runs needs ``view_codebook``; asking for one and every decision need
``manage_themes`` (each its own POST view), the same permission as making a
theme by hand, since accepting one does exactly that.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.analysis import suggestions as services
from cohub.apps.analysis.models import Highlight, Suggestion
from cohub.apps.analysis.selectors import highlight_get, quote_get
from cohub.apps.analysis.suggestion_forms import SuggestionRenameForm, SuggestionRunForm
from cohub.apps.analysis.suggestion_selectors import (
    run_view,
    suggestion_get,
    suggestion_run_get,
    suggestion_runs_for,
)
from cohub.apps.analysis.vectors import similar_quotes
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.forms import first_error
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project


def _render_runs(
    request: AuthenticatedHttpRequest, project: Project, form: SuggestionRunForm | None = None
) -> HttpResponse:
    return render(
        request,
        "analysis/suggestion_runs.html",
        {
            "project": project,
            "runs": suggestion_runs_for(project),
            "form": form or SuggestionRunForm(auto_id="run_%s"),
            "can_manage": request.user.has_perm("analysis.manage_themes", project),
        },
    )


@project_view("analysis.view_codebook")
@require_GET
def suggestion_runs(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Earlier runs, and the form to ask for theme suggestions."""
    return _render_runs(request, project)


@project_view("analysis.manage_themes")
@require_POST
def suggestion_run_create(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    form = SuggestionRunForm(request.POST, auto_id="run_%s")
    if form.is_valid():
        try:
            run = services.suggestion_run_request(
                project=project,
                actor=request.user,
                themes=form.cleaned_data["themes"],
                start_from=form.cleaned_data["start_from"],
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            return redirect("analysis:suggestion_run", project_slug=project.slug, run_id=run.pk)
    return _render_runs(request, project, form)


@project_view("analysis.view_codebook")
@require_GET
def suggestion_run(
    request: AuthenticatedHttpRequest, project: Project, run_id: int
) -> HttpResponse:
    """What a run found, each suggested theme with its most typical quotes and the decisions."""
    run = suggestion_run_get(project, run_id)
    return render(
        request,
        "analysis/suggestion_run.html",
        {
            "project": project,
            "run": run,
            "view": run_view(project, run),
            "can_manage": request.user.has_perm("analysis.manage_themes", project),
            "rename_form": SuggestionRenameForm(auto_id=False),
        },
    )


def _back(project: Project, suggestion: Suggestion) -> HttpResponse:
    url = reverse(
        "analysis:suggestion_run",
        kwargs={"project_slug": project.slug, "run_id": suggestion.run_id},
    )
    return redirect(f"{url}#suggestion-{suggestion.pk}")


@project_view("analysis.manage_themes", load=("suggestion_id", suggestion_get))
@require_POST
def suggestion_decide(
    request: AuthenticatedHttpRequest, project: Project, suggestion: Suggestion
) -> HttpResponse:
    """One decision on one suggested theme: accept, rename, merge, split or reject."""
    action = request.POST.get("decision", "")
    try:
        if action == "accept":
            result = services.suggestion_accept(
                suggestion=suggestion, actor=request.user, name=request.POST.get("name", "")
            )
            assert result.theme is not None
            messages.success(
                request,
                f"'{result.theme.name}' is in the codebook now, with its quotes.",
            )
        elif action == "reject":
            services.suggestion_reject(suggestion=suggestion, actor=request.user)
            messages.success(
                request, f"'{suggestion.label}' was rejected. The codebook is unchanged."
            )
        elif action == "rename":
            form = SuggestionRenameForm(request.POST, auto_id=False)
            if not form.is_valid():
                messages.error(request, first_error(form))
                return _back(project, suggestion)
            services.suggestion_rename(
                suggestion=suggestion, actor=request.user, name=form.cleaned_data["name"]
            )
            messages.success(
                request, f"The suggestion is now called '{form.cleaned_data['name']}'."
            )
        elif action == "merge":
            try:
                target = suggestion_get(project, int(request.POST.get("into", "")))
            except (ValueError, Http404):
                messages.error(request, "Choose the suggestion to merge it into.")
                return _back(project, suggestion)
            services.suggestion_merge(source=suggestion, target=target, actor=request.user)
            messages.success(request, f"'{suggestion.label}' was merged into '{target.label}'.")
            return _back(project, target)
        elif action == "split":
            made = services.suggestion_split(suggestion=suggestion, actor=request.user)
            labels = " and ".join(f"'{s.label}'" for s in made.made)
            messages.success(request, f"'{suggestion.label}' was split into {labels}.")
            if made.made:
                return _back(project, made.made[0])
        else:
            messages.error(request, "Choose what to do with the suggestion.")
    except ServiceError as error:
        messages.error(request, str(error))
    return _back(project, suggestion)


@project_view("analysis.view_codebook", load=("highlight_id", highlight_get))
@require_GET
def quote_similar(
    request: AuthenticatedHttpRequest, project: Project, highlight: Highlight
) -> HttpResponse:
    """More like this: the quotes across the project's stories most like this one."""
    quote = quote_get(project, highlight.pk)
    return render(
        request,
        "analysis/quote_similar.html",
        {
            "project": project,
            "quote": quote,
            "similar": [] if quote.withheld else similar_quotes(project, highlight),
        },
    )
