"""Who may do what, in words, worked out from the rules themselves.

A refusal is only kind if it says who can help. The roles named in a refusal
are found by asking the rule itself, once for a stand-in holding each role
(``predicates.role_probe``), so the web's 403 page and the command line say
the same thing and cannot drift from what is enforced. Each app names, beside
its rules, what a permission lets someone do ("import stories"), so earlier
apps never need to know later apps' permissions.
"""

from __future__ import annotations

from typing import Any

import rules
from django.core.exceptions import PermissionDenied

from cohub.apps.projects.models import Project, ProjectRole
from cohub.apps.projects.predicates import role_probe

# Each role a person can hold in or over a project, as the plural a sentence uses.
ROLE_PLURALS: dict[str, str] = {
    ProjectRole.FACILITATOR: "facilitators",
    ProjectRole.COMMUNITY_REPORTER: "community reporters",
    ProjectRole.MEMBER: "co-producers",
    ProjectRole.DECISION_MAKER: "decision-makers",
    "org_admin": "organisation admins",
}


class ProjectRefusal(PermissionDenied):
    """A 403 that knows what was refused, and where, so the page can say who may do it."""

    def __init__(self, permission: str, project: Project, target: Any = None) -> None:
        super().__init__(f"{permission} refused on project {project.slug}")
        self.permission = permission
        self.project = project
        self.target = project if target is None else target


class OrganisationRefusal(PermissionDenied):
    """A 403 on a whole organisation's page, for someone who belongs to it (ADR 0028)."""

    def __init__(self, permission: str, organisation: Any) -> None:
        super().__init__(f"{permission} refused on organisation {organisation.slug}")
        self.permission = permission
        self.organisation = organisation


_ACTIONS: dict[str, str] = {}
_RECORD_NOTES: dict[str, str] = {}


def describe_permission(permission: str, action: str, *, on_record: str = "") -> None:
    """Say what ``permission`` lets someone do, as words after "may" ("delete stories").

    ``on_record`` says, for a rule that also looks at the record, when a role
    that holds it on the project is still refused ("... for the storytellers
    they work with"), so someone refused on one record learns why.
    """
    _ACTIONS[permission] = action
    if on_record:
        _RECORD_NOTES[permission] = on_record


def record_note(permission: str) -> str:
    """When the permission also depends on the record, that rule in words; else ''."""
    return _RECORD_NOTES.get(permission, "")


def permission_action(permission: str) -> str:
    """What ``permission`` lets someone do, in words; a plain fallback for one not described."""
    return _ACTIONS.get(permission, "do this")


def described_permissions() -> frozenset[str]:
    return frozenset(_ACTIONS)


def roles_allowed(permission: str, project: Project) -> list[str]:
    """The roles (keys of ``ROLE_PLURALS``) whose holders ``permission`` allows on ``project``."""
    return [
        role
        for role in ROLE_PLURALS
        if rules.has_perm(permission, role_probe(project, role), project)
    ]


def words_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def who_may(permission: str, project: Project) -> str:
    """Who ``permission`` allows on ``project``, in words: 'facilitators and co-producers'."""
    return words_list([ROLE_PLURALS[role] for role in roles_allowed(permission, project)])


def refusal_message(
    permission: str, project: Project, *, action: str | None = None, name: str | None = None
) -> str:
    """One sentence saying who may do it instead, for the 403 page and the command line.

    ``action`` overrides the permission's own words where the place asking says
    it better (the command line imports stories; the permission adds them);
    ``name`` is how the project is named (the command line uses the slug typed).
    """
    action = action or permission_action(permission)
    name = name or project.name
    who = who_may(permission, project)
    if not who:
        return f"Nobody may {action} in '{name}'."
    return f"Only {who} of '{name}' may {action}."
