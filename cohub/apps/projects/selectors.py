"""Reads for projects, already narrowed to what the viewer may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from cohub.apps.accounts.models import OrganisationRole
from cohub.apps.projects.models import (
    Invitation,
    Participation,
    Project,
    ProjectMembership,
    ProjectRole,
    TakingPart,
)


def projects_visible_to(user: Any) -> QuerySet[Project]:
    """Projects the user takes part in, or that belong to an organisation they administer.

    Mirrors ``projects.view_project`` so the list never shows a project the
    detail page would refuse.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Project.objects.none()
    return (
        Project.objects.filter(
            Q(memberships__user=user)
            | Q(
                organisation__memberships__user=user,
                organisation__memberships__role=OrganisationRole.ADMIN,
            )
        )
        .distinct()
        .select_related("organisation")
        .order_by("name")
    )


def projects_run_by(user: Any) -> QuerySet[Project]:
    """Projects the user facilitates or whose organisation they administer.

    Mirrors ``can_run_project`` (``projects.change_project``); the rule for a
    project's jobs uses it as a filter.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Project.objects.none()
    return Project.objects.filter(
        Q(memberships__user=user, memberships__role=ProjectRole.FACILITATOR)
        | Q(
            organisation__memberships__user=user,
            organisation__memberships__role=OrganisationRole.ADMIN,
        )
    ).distinct()


def project_members(project: Project) -> list[dict[str, Any]]:
    """Members with all their roles, one entry per person."""
    people: dict[int, dict[str, Any]] = {}
    memberships = ProjectMembership.objects.filter(project=project).select_related("user")
    for membership in memberships.order_by("user__display_name", "user__email", "role"):
        entry = people.setdefault(
            membership.user_id, {"user": membership.user, "roles": [], "role_labels": []}
        )
        entry["roles"].append(membership.role)
        entry["role_labels"].append(membership.get_role_display())
    return list(people.values())


def invitations_open(project: Project) -> QuerySet[Invitation]:
    """Invitations neither used nor cancelled, newest first: waiting, or past their date.

    Expired ones stay on the list so that someone who runs the project sees
    them and can invite again (which renews the link) or cancel them.
    """
    return (
        Invitation.objects.filter(
            project=project, accepted_at__isnull=True, cancelled_at__isnull=True
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )


def invitation_get(project: Project, invitation_id: int) -> Invitation:
    """One invitation of this project (an id from another project is not found)."""
    return get_object_or_404(
        Invitation.objects.select_related("invited_by"), project=project, pk=invitation_id
    )


def taking_part_of(project: Project | int, user: Any) -> str:
    """How ``user`` takes part in the project: what they said, or "" if they have not said.

    Someone who has not said, but facilitates the project, counts as
    facilitating: that is what the role is. Nobody is guessed to have lived
    experience, or to be there for their job.
    """
    if user is None or not getattr(user, "pk", None):
        return ""
    project_id = project if isinstance(project, int) else project.pk
    said = (
        Participation.objects.filter(project_id=project_id, user_id=user.pk)
        .values_list("taking_part", flat=True)
        .first()
    )
    if said:
        return said
    facilitates = ProjectMembership.objects.filter(
        project_id=project_id, user_id=user.pk, role=ProjectRole.FACILITATOR
    ).exists()
    return TakingPart.FACILITATING if facilitates else ""


def participation_of(project: Project, user: Any) -> Participation | None:
    """What ``user`` has said about how they take part (None until they say)."""
    return Participation.objects.filter(project=project, user_id=user.pk).first()
