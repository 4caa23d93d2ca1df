"""The 403 page: say what was refused, who may do it instead, and whom to ask.

"Ask the person who runs your project" is wrong when you are that person, and
useless to someone outside the project. So the page works out each case from
what was refused (``ProjectRefusal``, raised by ``project_view``) and from
the viewer's own place in the project, using the same rules that refused.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cohub.apps.projects.models import Project, ProjectMembership, ProjectRole
from cohub.apps.projects.refusals import (
    ProjectRefusal,
    permission_action,
    record_note,
    refusal_message,
)


def _runners(project: Project, viewer: Any) -> list[str]:
    """The facilitators of ``project`` other than the viewer, by name, to ask for help."""
    memberships = (
        ProjectMembership.objects.filter(project=project, role=ProjectRole.FACILITATOR)
        .exclude(user=viewer)
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )
    return [str(m.user) for m in memberships]


def _project_case(request: HttpRequest, refusal: ProjectRefusal) -> dict[str, Any]:
    project, permission, user = refusal.project, refusal.permission, request.user
    if not user.has_perm("projects.view_project", project):
        # Someone outside the project learns nothing about who is in it.
        return {"case": "outside", "project": project}
    allowed_here = user.has_perm(permission, project)
    return {
        "case": "record" if allowed_here else "role",
        "project": project,
        "action": permission_action(permission),
        "who_may": refusal_message(permission, project),
        "record_note": record_note(permission),
        "runners": []
        if user.has_perm("projects.manage_members", project)
        else _runners(project, user),
        "runs_project": user.has_perm("projects.manage_members", project),
    }


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's ``handler403``: the 403 page, worded for the case at hand."""
    context: dict[str, Any] = {"case": "other"}
    if isinstance(exception, ProjectRefusal) and request.user.is_authenticated:
        context = _project_case(request, exception)
    else:
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name == "projects:create":
            context = {"case": "start_project"}
    return render(request, "403.html", context, status=403)
