"""Project role predicates: every app's rules are built from these.

Each predicate takes the *project* as its object. Views resolve the project
from the URL, check the permission on it, and then look records up only
inside that project, so a record id from another project is simply not found.
"""

from __future__ import annotations

from typing import Any

import rules

from cohub.apps.accounts.models import OrganisationRole
from cohub.apps.accounts.predicates import organisation_roles
from cohub.apps.projects.models import ProjectMembership, ProjectRole


def project_roles(user: Any, project: Any) -> frozenset[str]:
    """Roles ``user`` holds in ``project`` (cached on the user for this request)."""
    if project is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cache: dict[int, frozenset[str]] = user.__dict__.setdefault("_cohub_project_roles", {})
    if project.pk not in cache:
        cache[project.pk] = frozenset(
            ProjectMembership.objects.filter(user=user, project=project).values_list(
                "role", flat=True
            )
        )
    return cache[project.pk]


def forget_cached_roles(user: Any) -> None:
    """Drop the per-request role cache after a membership change."""
    # request.user is a lazy proxy; the cache lives on the real user inside it.
    user = getattr(user, "_wrapped", user)
    user.__dict__.pop("_cohub_project_roles", None)
    user.__dict__.pop("_cohub_org_roles", None)


def _has_role(role: str):
    @rules.predicate(name=f"is_{role}")
    def predicate(user: Any, project: Any) -> bool:
        return role in project_roles(user, project)

    return predicate


is_facilitator = _has_role(ProjectRole.FACILITATOR)
is_community_reporter = _has_role(ProjectRole.COMMUNITY_REPORTER)
is_co_producer = _has_role(ProjectRole.MEMBER)
is_decision_maker = _has_role(ProjectRole.DECISION_MAKER)


@rules.predicate
def is_project_member(user: Any, project: Any) -> bool:
    return bool(project_roles(user, project))


@rules.predicate
def is_project_org_admin(user: Any, project: Any) -> bool:
    if project is None:
        return False
    return OrganisationRole.ADMIN in organisation_roles(user, project.organisation_id)


# Named groupings used across the apps' rules.py files.
can_run_project = is_facilitator | is_project_org_admin
can_gather = can_run_project | is_community_reporter
can_code = can_gather | is_co_producer
can_read_findings = can_code | is_decision_maker
can_see_project = is_project_member | is_project_org_admin
