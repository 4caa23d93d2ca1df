""" "You said, we did" pages: the changes on the findings area, and their form.

Writes go through ``changes.change_create``/``change_update``; the quotes a
change answers are those the findings (which ask consent) file under the
themes chosen for it, so the form never lists quotes raw.

Publishing (ADR 0033) previews the public page with the very builder the
public page uses (``public_changes.public_page``), so what is read before
the tick is what the public gets; the public page itself is open to anyone
once published, through ``public_project_view``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.core.errors import ServiceError
from cohub.apps.projects.access import project_view, public_project_view
from cohub.apps.projects.models import Project
from cohub.apps.reports.changes import (
    change_create,
    change_get,
    change_update,
    changes_by_status,
    theme_quotes,
)
from cohub.apps.reports.forms import ChangeForm, PublishChangesForm
from cohub.apps.reports.models import ChangeAction, ChangeStatus
from cohub.apps.reports.public_changes import changes_publish as changes_publish_service
from cohub.apps.reports.public_changes import changes_unpublish as changes_unpublish_service
from cohub.apps.reports.public_changes import is_published, public_page


@project_view("reports.view_findings")
@require_GET
def changes(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Every change, grouped by status, with the themes and how many quotes each answers.

    ``?status=done`` shows one status only; a status that does not exist is
    said plainly (400) and every change is shown instead.
    """
    wanted = request.GET.get("status", "")
    unknown = bool(wanted) and wanted not in ChangeStatus.values
    groups = changes_by_status(project)
    if wanted and not unknown:
        groups = [group for group in groups if group[0] == wanted]
    return render(
        request,
        "reports/changes.html",
        {
            "project": project,
            "groups": groups,
            "statuses": ChangeStatus.choices,
            "wanted": "" if unknown else wanted,
            "unknown": wanted if unknown else "",
            "can_record": request.user.has_perm("reports.record_change", project),
            "can_publish": request.user.has_perm("reports.publish_changes", project),
        },
        status=400 if unknown else 200,
    )


def _form_page(
    request: AuthenticatedHttpRequest, project: Project, change: ChangeAction | None
) -> HttpResponse:
    initial: dict[str, Any] = {"status": "planned"}
    if change is not None:
        initial = {
            "title": change.title,
            "owner": change.owner,
            "due": change.due,
            "status": change.status,
            "reason": change.reason,
            "what_was_done": change.what_was_done,
            "themes": list(change.themes.all()),
        }
    form = ChangeForm(request.POST or None, initial=initial, project=project, auto_id="change_%s")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        themes = list(data["themes"])
        fields = {
            "actor": request.user,
            "title": data["title"],
            "owner": data["owner"],
            "due": data["due"],
            "status": data["status"],
            "reason": data["reason"],
            "what_was_done": data["what_was_done"],
            "themes": themes,
            "quotes": theme_quotes(project, themes),
        }
        try:
            if change is None:
                saved = change_create(project=project, **fields)
            else:
                saved = change_update(change=change, **fields)
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, f"Saved “{saved.title}”.")
            return HttpResponseRedirect(reverse("reports:changes", args=[project.slug]))
    return render(
        request,
        "reports/change_form.html",
        {"project": project, "form": form, "change": change},
        status=400 if form.errors else 200,
    )


@project_view("reports.record_change")
@require_http_methods(["GET", "POST"])
def change_new(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """The form for a new change."""
    return _form_page(request, project, None)


@project_view("reports.record_change", load=("change_id", change_get))
@require_http_methods(["GET", "POST"])
def change_edit(
    request: AuthenticatedHttpRequest, project: Project, change: ChangeAction
) -> HttpResponse:
    """Move a change on, or say what was done."""
    return _form_page(request, project, change)


@project_view("reports.publish_changes")
@require_http_methods(["GET", "POST"])
def changes_publish(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Preview exactly what the public will see; publish it after a ticked confirmation."""
    form = PublishChangesForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        changes_publish_service(project=project, actor=request.user)
        messages.success(request, "Published. Anyone with the address can read the page now.")
        return HttpResponseRedirect(reverse("reports:changes_publish", args=[project.slug]))
    return render(
        request,
        "reports/changes_publish.html",
        {
            "project": project,
            "page": public_page(project),
            "form": form,
            "public_url": request.build_absolute_uri(reverse("you_said:page", args=[project.slug])),
        },
        status=400 if form.errors else 200,
    )


@project_view("reports.publish_changes")
@require_POST
def changes_unpublish(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Take the public page down at once; it can be published again after a new preview."""
    if changes_unpublish_service(project=project, actor=request.user):
        messages.success(request, "Taken down. The public page now says it cannot be found.")
    return HttpResponseRedirect(reverse("reports:changes_publish", args=[project.slug]))


@public_project_view(is_published)
@require_GET
def public_changes(request: HttpRequest, project: Project) -> HttpResponse:
    """The public "You said, we did" page: no login, built afresh on every request."""
    return render(
        request, "reports/public_changes.html", {"project": project, "page": public_page(project)}
    )
