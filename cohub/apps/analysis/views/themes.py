"""The codebook: the project's themes, adding, renaming and merging them.

Reading the codebook needs ``view_codebook``; each change is its own POST view
declaring ``manage_themes``, so a page and the stronger action on it never
share one permission check.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.analysis import services
from cohub.apps.analysis.forms import ThemeForm, ThemeMergeForm
from cohub.apps.analysis.models import Theme
from cohub.apps.analysis.selectors import theme_get, theme_quotes, themes_for
from cohub.apps.analysis.views.common import offer_undo, pending_undo
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.forms import first_error
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project


def _render_theme_list(
    request: AuthenticatedHttpRequest, project: Project, form: ThemeForm | None = None
) -> HttpResponse:
    themes = list(themes_for(project))  # the list and both merge menus
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
            "form": form or ThemeForm(auto_id="theme_%s"),
            "merge_form": ThemeMergeForm(themes=themes, auto_id="merge_%s"),
            "can_manage": request.user.has_perm("analysis.manage_themes", project),
            "undo": pending_undo(request, project),
        },
    )


@project_view("analysis.view_codebook")
@require_GET
def theme_list(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """The project's themes; people who manage themes see the forms to add and merge."""
    return _render_theme_list(request, project)


@project_view("analysis.manage_themes")
@require_POST
def theme_create(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Add a theme; on a problem the codebook comes back with the name kept and the reason."""
    form = ThemeForm(request.POST, auto_id="theme_%s")
    if form.is_valid():
        try:
            result = services.theme_create(
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
                event=result.event,
                text=f"The theme '{result.theme.name}' has been added.",
            )
            return redirect("analysis:theme_list", project_slug=project.slug)
    return _render_theme_list(request, project, form)


@project_view("analysis.manage_themes")
@require_POST
def theme_merge(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    form = ThemeMergeForm(request.POST, themes=list(themes_for(project)))
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("analysis:theme_list", project_slug=project.slug)
    try:
        result = services.theme_merge(
            source=form.cleaned_data["source"],
            target=form.cleaned_data["target"],
            actor=request.user,
        )
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect("analysis:theme_list", project_slug=project.slug)
    offer_undo(
        request,
        project=project,
        event=result.event,
        text=f"'{result.source.name}' has been merged into '{result.target.name}'.",
    )
    return redirect("analysis:theme_list", project_slug=project.slug)


def _render_theme_detail(
    request: AuthenticatedHttpRequest,
    project: Project,
    theme: Theme,
    form: ThemeForm | None = None,
) -> HttpResponse:
    if form is None:
        form = ThemeForm(
            initial={"name": theme.name, "description": theme.description}, auto_id="rename_%s"
        )
    can_manage = request.user.has_perm("analysis.manage_themes", project)
    return render(
        request,
        "analysis/theme_detail.html",
        {
            "project": project,
            "theme": theme,
            "quotes": theme_quotes(project, theme),
            "form": form,
            "can_manage": can_manage and theme.merged_into_id is None,
            "undo": pending_undo(request, project),
        },
    )


@project_view("analysis.view_codebook")
@require_GET
def theme_detail(
    request: AuthenticatedHttpRequest, project: Project, theme_id: int
) -> HttpResponse:
    """One theme with its quotes; people who manage themes see the form to rename it."""
    return _render_theme_detail(request, project, theme_get(project, theme_id))


@project_view("analysis.manage_themes", load=("theme_id", theme_get))
@require_POST
def theme_rename(request: AuthenticatedHttpRequest, project: Project, theme: Theme) -> HttpResponse:
    """Rename or re-describe a theme.

    The permission is checked on the theme, so a merged one is refused (403);
    the service checks again under a lock, for a merge that lands meanwhile.
    """
    form = ThemeForm(request.POST, auto_id="rename_%s")
    if form.is_valid():
        try:
            result = services.theme_rename(
                theme=theme,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                actor=request.user,
            )
        except ServiceError as error:
            theme.refresh_from_db()
            if theme.merged_into_id is not None:
                # The page no longer offers the form, so say it at the top instead.
                messages.error(request, str(error))
                return redirect(
                    "analysis:theme_detail", project_slug=project.slug, theme_id=theme.pk
                )
            form.add_error("name", str(error))
        else:
            old_name = theme.name
            new_name = result.theme.name
            text = (
                f"'{old_name}' is now called '{new_name}'."
                if old_name != new_name
                else f"The theme '{new_name}' has been saved."
            )
            offer_undo(request, project=project, event=result.event, text=text)
            return redirect("analysis:theme_detail", project_slug=project.slug, theme_id=theme.pk)
    return _render_theme_detail(request, project, theme, form)
