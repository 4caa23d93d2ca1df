"""Project role predicates: every app's rules are built from these.

A predicate's object is the project or any record in it (a story, a theme, a
job that names its project): ``project_of`` finds the project, so one rule
works on both, and an app can combine a role with a check on the record
itself (``can_code & theme_is_current``). Given the project itself, a record
check answers for records of that project in general (see ADR 0008).
Views resolve the project from the URL and look records up only inside it,
so a record id from another project is simply not found.
"""

from __future__ import annotations

from typing import Any

import rules

from cohub.apps.accounts.models import OrganisationRole, User
from cohub.apps.accounts.predicates import is_organisation_admin, organisation_roles
from cohub.apps.projects.models import Project, ProjectMembership, ProjectRole


def project_of(obj: Any) -> Project | None:
    """The project ``obj`` is, or belongs to: itself, its ``project``, or its ``project_id``.

    Records of later apps with no direct ``project`` field give one as a
    property (a key quote's is its story's). Jobs name their project by id
    only, because the jobs app knows no domain app.
    """
    if obj is None or isinstance(obj, Project):
        return obj
    project = getattr(obj, "project", None)
    if isinstance(project, Project):
        return project
    project_id = getattr(obj, "project_id", None)
    if not isinstance(project_id, int):
        return None
    # One rule asks several predicates; look the project up once per object.
    cached = obj.__dict__.get("_cohub_project")
    if cached is None or cached.pk != project_id:
        cached = Project.objects.filter(pk=project_id).first()
        obj.__dict__["_cohub_project"] = cached
    return cached


def project_roles(user: Any, obj: Any) -> frozenset[str]:
    """Roles ``user`` holds in the project of ``obj`` (cached on the user for this request)."""
    project = project_of(obj)
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


def _has_role(role: str) -> rules.Predicate:
    @rules.predicate(name=f"is_{role}")
    def predicate(user: Any, obj: Any) -> bool:
        return role in project_roles(user, obj)

    return predicate


is_facilitator = _has_role(ProjectRole.FACILITATOR)
is_community_reporter = _has_role(ProjectRole.COMMUNITY_REPORTER)
is_co_producer = _has_role(ProjectRole.MEMBER)
is_decision_maker = _has_role(ProjectRole.DECISION_MAKER)


@rules.predicate
def is_project_member(user: Any, obj: Any) -> bool:
    return bool(project_roles(user, obj))


@rules.predicate
def is_project_org_admin(user: Any, obj: Any) -> bool:
    project = project_of(obj)
    if project is None:
        return False
    return OrganisationRole.ADMIN in organisation_roles(user, project.organisation_id)


@rules.predicate
def facilitates_in_organisation(user: Any, organisation: Any) -> bool:
    """Facilitates at least one project of ``organisation`` (checked on the organisation).

    Facilitators start the work: someone already trusted to run one project
    of an organisation may start another there without waiting for an admin.
    """
    if organisation is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return ProjectMembership.objects.filter(
        user=user, role=ProjectRole.FACILITATOR, project__organisation_id=organisation.pk
    ).exists()


@rules.predicate
def belongs_to_organisation(user: Any, organisation: Any) -> bool:
    """A member of any project of ``organisation``, or of the organisation itself.

    Checked on the organisation: everyone an organisation-wide round is for.
    """
    if organisation is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if organisation_roles(user, organisation.pk):
        return True
    return ProjectMembership.objects.filter(
        user=user, project__organisation_id=organisation.pk
    ).exists()


# Named groupings used across the apps' rules.py files.
can_run_project = is_facilitator | is_project_org_admin
can_gather = can_run_project | is_community_reporter
can_code = can_gather | is_co_producer
can_read_findings = can_code | is_decision_maker
can_see_project = is_project_member | is_project_org_admin
# Checked on an organisation: who runs work across it (opens its organisation-wide rounds).
can_run_organisation = is_organisation_admin | facilitates_in_organisation


def role_probe(project: Project, role: str) -> User:
    """A stand-in who holds exactly ``role`` in ``project`` (or 'org_admin'), to ask rules with.

    Refusals say who may do something instead, worked out from the rules
    themselves rather than written out by hand, so the words cannot drift from
    what is enforced. The stand-in is never saved: its role caches are filled
    in here, so the role predicates answer without looking anyone up.
    """
    probe = User(email="", is_active=True)
    project_roles_held = frozenset() if role == "org_admin" else frozenset({role})
    org_roles = frozenset({OrganisationRole.ADMIN}) if role == "org_admin" else frozenset()
    probe.__dict__["_cohub_project_roles"] = {project.pk: project_roles_held}
    probe.__dict__["_cohub_org_roles"] = {project.organisation_id: org_roles}
    return probe
