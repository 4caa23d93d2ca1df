"""Writes for projects, memberships and invitations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from cohub.apps.accounts.models import Organisation, User
from cohub.apps.core.cleaning import clean_choices, clean_topics
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import Event, record_event
from cohub.apps.projects.models import (
    Invitation,
    Project,
    ProjectMembership,
    ProjectRole,
    Sector,
)
from cohub.apps.projects.predicates import forget_cached_roles


def unique_project_slug(name: str) -> str:
    base = slugify(name)[:60] or "project"
    slug, n = base, 2
    while Project.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


@transaction.atomic
def project_create(
    *,
    organisation: Organisation,
    name: str,
    purpose: str,
    opening_question: str,
    actor: User | None,
    offer_and_control: str = "",
    sectors: Iterable[str] = (),
    topics: Iterable[str] = (),
    slug: str | None = None,
) -> Project:
    """Create a project; whoever creates it becomes its first facilitator."""
    project = Project.objects.create(
        organisation=organisation,
        name=name.strip(),
        slug=slug or unique_project_slug(name),
        purpose=purpose.strip(),
        opening_question=opening_question.strip(),
        offer_and_control=offer_and_control.strip(),
        sectors=clean_choices(sectors, Sector.values, "sector"),
        topics=clean_topics(topics),
    )
    if actor is not None:
        membership_add(project=project, user=actor, roles=[ProjectRole.FACILITATOR], actor=actor)
    record_event(actor=actor, verb="project.create", target=project, project_id=project.pk)
    return project


@transaction.atomic
def project_update(*, project: Project, actor: User, **fields: Any) -> Project:
    allowed = {"name", "purpose", "opening_question", "offer_and_control", "sectors", "topics"}
    unknown = set(fields) - allowed
    if unknown:
        raise ServiceError(f"These project fields cannot be changed here: {', '.join(unknown)}.")
    if "sectors" in fields:
        fields["sectors"] = clean_choices(fields["sectors"], Sector.values, "sector")
    if "topics" in fields:
        fields["topics"] = clean_topics(fields["topics"])
    for name, value in fields.items():
        setattr(project, name, value.strip() if isinstance(value, str) else value)
    project.save()
    record_event(
        actor=actor,
        verb="project.update",
        target=project,
        project_id=project.pk,
        data={"fields": sorted(fields)},
    )
    return project


@transaction.atomic
def membership_add(
    *, project: Project, user: User, roles: Iterable[str], actor: User | None
) -> list[ProjectMembership]:
    """Give ``user`` each role in ``roles``; roles already held are kept, not duplicated."""
    added = []
    for role in roles:
        if role not in ProjectRole.values:
            raise ServiceError(f"Unknown role {role!r}.")
        membership, created = ProjectMembership.objects.get_or_create(
            project=project, user=user, role=role
        )
        if created:
            added.append(membership)
    if added:
        record_event(
            actor=actor,
            verb="membership.add",
            target=user,
            project_id=project.pk,
            data={"roles": [m.role for m in added]},
        )
    forget_cached_roles(user)
    return added


@dataclass(frozen=True)
class MembershipRemoval:
    """What taking a role away did: whose role, which, what they still hold, the event."""

    user: User
    role: str
    roles_left: tuple[str, ...]
    event: Event

    @property
    def left_the_project(self) -> bool:
        """They held no other role here, so they no longer take part."""
        return not self.roles_left


@transaction.atomic
def membership_remove(*, project: Project, user: User, role: str, actor: User) -> MembershipRemoval:
    """Take one role away from one person, never leaving the project without a facilitator.

    Two facilitators removing each other at the same moment would each still
    see the other and both succeed. So the project row is locked first and the
    roles are read only after that, inside the transaction: a second removal
    waits for the first, then counts again and is refused. Whatever the caller
    loaded earlier (a members page, a confirmation) is never trusted.
    """
    if role not in ProjectRole.values:
        raise ServiceError(f"Unknown role {role!r}.")
    label = ProjectRole(role).label.lower()
    Project.objects.select_for_update(no_key=True).get(pk=project.pk)
    held = set(
        ProjectMembership.objects.filter(project=project, user=user).values_list("role", flat=True)
    )
    if role not in held:
        raise ServiceError(f"{user} is not a {label} in this project, so nothing was removed.")
    if role == ProjectRole.FACILITATOR:
        others = ProjectMembership.objects.filter(
            project=project, role=ProjectRole.FACILITATOR
        ).exclude(user=user)
        if not others.exists():
            raise ServiceError(
                f"{user} is the only facilitator left. A project needs at least one "
                "facilitator, so invite or choose another one first."
            )
    ProjectMembership.objects.filter(project=project, user=user, role=role).delete()
    event = record_event(
        actor=actor,
        verb="membership.remove",
        target=user,
        project_id=project.pk,
        data={"role": role},
    )
    forget_cached_roles(user)
    return MembershipRemoval(
        user=user, role=role, roles_left=tuple(sorted(held - {role})), event=event
    )


@transaction.atomic
def invitation_create(
    *, project: Project, email: str, roles: Iterable[str], actor: User
) -> Invitation:
    """Invite someone by email; an open invitation to the same address is updated, not doubled."""
    roles = list(dict.fromkeys(roles))
    if not roles:
        raise ServiceError("Choose at least one role for the person you invite.")
    for role in roles:
        if role not in ProjectRole.values:
            raise ServiceError(f"Unknown role {role!r}.")
    email = email.strip().lower()
    invitation = Invitation.objects.filter(
        project=project, email__iexact=email, accepted_at__isnull=True
    ).first()
    if invitation is None:
        invitation = Invitation.objects.create(
            project=project, email=email, roles=roles, invited_by=actor
        )
    else:
        invitation.roles = roles
        invitation.invited_by = actor
        invitation.save(update_fields=["roles", "invited_by", "updated_at"])
    record_event(
        actor=actor,
        verb="invitation.create",
        target=invitation,
        project_id=project.pk,
        data={"roles": roles},
    )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> list[ProjectMembership]:
    """Turn an invitation into memberships. Accepting twice changes nothing."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        if invitation.accepted_by_id != user.pk:
            raise ServiceError("This invitation has already been used.")
        return []
    if invitation.email.lower() != user.email.lower():
        raise ServiceError(
            "This invitation was sent to a different email address. "
            "Log in with that address to accept it."
        )
    added = membership_add(
        project=invitation.project, user=user, roles=invitation.roles, actor=user
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return added
