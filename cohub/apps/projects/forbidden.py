"""The 403 page: say what was refused, who may do it instead, and whom to ask.

"Ask the person who runs your project" is wrong when you are that person, and
useless to someone outside the project. So the page works out each case from
what was refused (``ProjectRefusal``, raised by ``project_view``) and from
the viewer's own place in the project, using the same rules that refused.

Each refusal also writes one log line saying who was refused, where, and by
which rule. Django's own ``django.request`` record for a 403 carries the
exception's whole traceback, which says nothing an operator needs (a refusal
is the rules working) and buries real errors, so it is not written.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cohub.apps.core.permissions import declared_permission
from cohub.apps.projects.models import Project, ProjectMembership, ProjectRole
from cohub.apps.projects.refusals import (
    OrganisationRefusal,
    ProjectRefusal,
    permission_action,
    record_note,
    refusal_message,
)

logger = logging.getLogger("cohub.refusals")


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
    elif isinstance(exception, OrganisationRefusal):
        # Only someone who belongs to the organisation gets here (others: not found).
        context = {
            "case": "organisation",
            "organisation": exception.organisation,
            "action": permission_action(exception.permission),
        }
    else:
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name == "projects:create":
            context = {"case": "start_project"}
    response = render(request, "403.html", context, status=403)
    log_refusal(request, exception)
    # Django's django.request logger skips a response marked as logged; its record
    # would repeat this one with a traceback.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _refused_rule(request: HttpRequest, exception: Exception | None) -> str:
    """The rule that refused, as precisely as the refusal says it."""
    if isinstance(exception, ProjectRefusal):
        rule = f"{exception.permission} on project {exception.project.slug}"
        if exception.target is not exception.project:
            rule += f" ({type(exception.target).__name__} {exception.target.pk})"
        return rule
    if isinstance(exception, OrganisationRefusal):
        return f"{exception.permission} on organisation {exception.organisation.slug}"
    match = getattr(request, "resolver_match", None)
    permission = declared_permission(match.func) if match is not None else None
    if permission:
        return permission
    return str(exception) if exception is not None and str(exception) else "no rule named"


def _printable(text: str) -> str:
    """``text`` with control characters escaped, so a crafted path cannot forge a log line."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def log_refusal(request: HttpRequest, exception: Exception | None) -> None:
    """One line for a 403: who (by user id, never by name or email), what path, which rule."""
    user = getattr(request, "user", None)
    who = f"user {user.pk}" if user is not None and user.is_authenticated else "a visitor"
    logger.warning(
        "Refused %s %s for %s: %s",
        request.method,
        _printable(request.path),
        who,
        _refused_rule(request, exception),
    )
