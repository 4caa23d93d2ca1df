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

A round for a whole organisation (``organisation_group``) applies the same
order to everything a person says and holds across that organisation's
projects, taken together: lived experience said in any one project comes
first; then the decision-maker role in any; then facilitating (the role in
any, or said in any); then taking part as part of a job in any. So a
practitioner in one project who says they have lived experience in another
answers as lived_experience, once, for the whole organisation. Someone who
only belongs to the organisation itself (an admin or member of it, in none of
its projects) has said nothing and belongs to no group. The group is worked
out when they first answer and kept on their response, like a project round's.
"""

from __future__ import annotations

from typing import Any

from cohub.apps.accounts.models import Organisation
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


# The groups in the order above: the first a person reaches is theirs.
_PRECEDENCE = (LIVED_EXPERIENCE, DECISION_MAKER, FACILITATOR, PRACTITIONER)


def organisation_group(organisation: Organisation, user: Any) -> str | None:
    """The group ``user`` answers as in a round for all of ``organisation``.

    ``group_for`` is asked once for each thing they say in any of its projects
    (and once for saying nothing), always with every role they hold across its
    projects; the group earliest in the module's order wins.
    """
    projects = Project.objects.filter(organisation=organisation)
    said = set(
        Participation.objects.filter(project__in=projects, user=user).values_list(
            "taking_part", flat=True
        )
    )
    roles = set(
        ProjectMembership.objects.filter(project__in=projects, user=user).values_list(
            "role", flat=True
        )
    )
    found = {group_for(taking_part=taking_part, roles=roles) for taking_part in {*said, None}}
    return next((group for group in _PRECEDENCE if group in found), None)
