"""The codebook: the project's themes, adding, renaming and merging them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.analysis import services
from cohub.apps.analysis.forms import ThemeForm, ThemeMergeForm
from cohub.apps.analysis.models import CodingAction
from cohub.apps.analysis.selectors import theme_get, theme_highlights, themes_for
from cohub.apps.analysis.views.common import first_error, offer_undo, pending_undo
from cohub.apps.core.errors import ServiceError
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project


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
        messages.error(request, first_error(form))
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
            "quotes": theme_highlights(project, theme),
            "form": form,
            "can_manage": can_manage and theme.merged_into_id is None,
            "undo": pending_undo(request, project),
        },
    )
