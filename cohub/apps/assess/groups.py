"""Which group a member answers as: one function, so the hub and the reports agree.

The four groups are lived_experience, practitioner, facilitator and
decision_maker (``scoring.GROUPS``). In this order:
1. someone who says they take part from lived experience (projects.Participation)
   answers as lived_experience: it is their word, and it comes first;
2. someone who holds the decision-maker role answers as decision_maker;
3. someone who facilitates (the role, or says they take part by facilitating)
   answers as facilitator;
4. someone who says they take part as part of a job answers as practitioner;
5. anyone else (has not said) belongs to no group: they count in "everyone"
   but in no group's figures.
"""

from __future__ import annotations

from typing import Any

from cohub.apps.projects.models import (
    Participation,
    Project,
    ProjectMembership,
    ProjectRole,
    TakingPart,
)

LIVED_EXPERIENCE = "lived_experience"
PRACTITIONER = "practitioner"
FACILITATOR = "facilitator"
DECISION_MAKER = "decision_maker"


def group_for(*, taking_part: str | None, roles: frozenset[str] | set[str]) -> str | None:
    """The group for someone who says ``taking_part`` (or nothing) and holds ``roles``."""
    if taking_part == TakingPart.LIVED_EXPERIENCE:
        return LIVED_EXPERIENCE
    if ProjectRole.DECISION_MAKER in roles:
        return DECISION_MAKER
    if ProjectRole.FACILITATOR in roles or taking_part == TakingPart.FACILITATING:
        return FACILITATOR
    if taking_part == TakingPart.PROFESSIONAL:
        return PRACTITIONER
    return None


def member_group(project: Project, user: Any) -> str | None:
    """The group ``user`` answers as in ``project`` (see the module's order)."""
    taking_part = (
        Participation.objects.filter(project=project, user=user)
        .values_list("taking_part", flat=True)
        .first()
    )
    roles = set(
        ProjectMembership.objects.filter(project=project, user=user).values_list("role", flat=True)
    )
    return group_for(taking_part=taking_part, roles=roles)
