"""Writes for projects, memberships and invitations."""

from __future__ import annotations

import enum
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import dateformat, timezone
from django.utils.text import slugify

from cohub.apps.accounts.models import Organisation, User
from cohub.apps.accounts.services import AccountExistsError, user_create
from cohub.apps.core.cleaning import clean_choices, clean_topics
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import Event, record_event
from cohub.apps.projects.models import (
    Invitation,
    InvitationStatus,
    Participation,
    Project,
    ProjectMembership,
    ProjectRole,
    Sector,
    TakingPart,
    invitation_expiry,
)
from cohub.apps.projects.predicates import forget_cached_roles

logger = logging.getLogger(__name__)


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
def participation_set(*, project: Project, user: User, taking_part: str) -> Participation:
    """Record how ``user`` says they take part in ``project``; only they may say it.

    There is no ``actor``: nobody sets this for someone else, because having
    lived experience is theirs to tell. Events already written keep the way
    their author took part then, so changing it later rewrites no history.
    """
    if taking_part not in TakingPart.values:
        raise ServiceError(
            "Choose how you take part: from lived experience, as part of a job, or facilitating."
        )
    if not ProjectMembership.objects.filter(project=project, user=user).exists():
        raise ServiceError("Only people who take part in the project can say how they take part.")
    participation, _ = Participation.objects.update_or_create(
        project=project, user=user, defaults={"taking_part": taking_part}
    )
    record_event(
        actor=user,
        verb="participation.set",
        target=user,
        project_id=project.pk,
        data={"taking_part": taking_part},
    )
    return participation


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
    """Invite someone by email; an open invitation to the same address is updated, not doubled.

    Inviting again also makes the link work for a fresh ``COHUB_INVITATION_DAYS``,
    so an expired link can be sent once more. A cancelled invitation is never
    revived: it was cancelled because its link should stop working, so a new
    one (with a new link) is made instead.
    """
    roles = list(dict.fromkeys(roles))
    if not roles:
        raise ServiceError("Choose at least one role for the person you invite.")
    for role in roles:
        if role not in ProjectRole.values:
            raise ServiceError(f"Unknown role {role!r}.")
    email = email.strip().lower()
    invitation = Invitation.objects.filter(
        project=project, email__iexact=email, accepted_at__isnull=True, cancelled_at__isnull=True
    ).first()
    if invitation is None:
        invitation = Invitation.objects.create(
            project=project, email=email, roles=roles, invited_by=actor
        )
    else:
        invitation.roles = roles
        invitation.invited_by = actor
        invitation.expires_at = invitation_expiry()
        invitation.save(update_fields=["roles", "invited_by", "expires_at", "updated_at"])
    record_event(
        actor=actor,
        verb="invitation.create",
        target=invitation,
        project_id=project.pk,
        data={"roles": roles},
    )
    return invitation


class InvitationClosedError(ServiceError):
    """The invitation was used, cancelled or is past its date; the page says what to do."""


def who_to_ask(invitation: Invitation) -> str:
    """Who can send a new link, for the sentence "Please ask … for a new one."."""
    if invitation.invited_by is not None:
        return f"{invitation.invited_by}, who invited you,"
    return f"the person who runs {invitation.project.name}"


def closed_reason(invitation: Invitation) -> str:
    """Why a cancelled or expired invitation cannot be accepted, and who to ask; else ""."""
    status = invitation.status()
    if status == InvitationStatus.CANCELLED:
        return f"This invitation was cancelled. Please ask {who_to_ask(invitation)} for a new one."
    if status == InvitationStatus.EXPIRED:
        return (
            "This invitation is too old: it stopped working on "
            f"{dateformat.format(timezone.localtime(invitation.expires_at), 'j F Y')}. "
            f"Please ask {who_to_ask(invitation)} for a new one."
        )
    return ""


def _refuse_unless_waiting(invitation: Invitation) -> None:
    reason = closed_reason(invitation)
    if reason:
        raise InvitationClosedError(reason)


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> list[ProjectMembership]:
    """Turn an invitation into memberships. Accepting twice changes nothing."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("project", "invited_by")
        .get(pk=invitation.pk)
    )
    if invitation.accepted_at is not None:
        if invitation.accepted_by_id != user.pk:
            raise InvitationClosedError("This invitation has already been used.")
        return []
    _refuse_unless_waiting(invitation)
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
    record_event(
        actor=user, verb="invitation.accept", target=invitation, project_id=invitation.project_id
    )
    return added


@dataclass(frozen=True)
class Joined:
    """What joining did: the account to log in as, and whether this request made it."""

    user: User
    created: bool
    memberships: list[ProjectMembership] = field(default_factory=list)


@transaction.atomic
def invitation_accept_new_account(
    *, invitation: Invitation, display_name: str, password: str
) -> Joined:
    """Make the invited person's account and accept the invitation, in one step.

    For someone with no account yet: they choose their name and a password on
    the invitation page. A second submit of the same form (a double click, a
    reload) finds the invitation used by the account the first one made, and
    with the same password answers as the first did, so the person still
    lands in the project. Anyone else is refused: if the address got an
    account in the meantime (made elsewhere), the person must log in to
    accept, so a token alone never sets the password of an existing account.
    """
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("project", "invited_by", "accepted_by")
        .get(pk=invitation.pk)
    )
    if invitation.accepted_at is not None:
        earlier = invitation.accepted_by
        if (
            earlier is not None
            and earlier.email.lower() == invitation.email.lower()
            and earlier.check_password(password)
        ):
            return Joined(user=earlier, created=False)
        raise InvitationClosedError(
            "This invitation has already been used. If it was you, log in to go to the project."
        )
    _refuse_unless_waiting(invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise AccountExistsError(
            f"There is already a cohub account for {invitation.email}. "
            "Log in with it to accept the invitation."
        )
    user = user_create(email=invitation.email, password=password, display_name=display_name)
    memberships = invitation_accept(invitation=invitation, user=user)
    return Joined(user=user, created=True, memberships=memberships)


@transaction.atomic
def invitation_cancel(*, invitation: Invitation, actor: User) -> bool:
    """Stop the link working. True if this cancelled it; False if it was cancelled already.

    A used invitation cannot be cancelled: the person has joined, and taking
    their roles away is done on the members page, where it can be seen.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ServiceError(
            f"{invitation.email} has already joined, so there is no invitation to cancel. "
            "To take their roles away, use the buttons beside their name."
        )
    if invitation.cancelled_at is not None:
        return False
    invitation.cancelled_at = timezone.now()
    invitation.cancelled_by = actor
    invitation.save(update_fields=["cancelled_at", "cancelled_by", "updated_at"])
    record_event(
        actor=actor,
        verb="invitation.cancel",
        target=invitation,
        project_id=invitation.project_id,
        data={"email": invitation.email},
    )
    return True


class Delivery(enum.Enum):
    """What happened to an invitation email."""

    SENT = "sent"
    NOT_CONFIGURED = "not_configured"  # this hub sends no email; the link is copied by hand
    FAILED = "failed"  # the mail server refused or did not answer


def invitation_send(*, invitation: Invitation, link: str) -> Delivery:
    """Email the invitation link when this hub sends email (``COHUB_EMAIL_ENABLED``).

    Call it after the invitation is saved, outside any transaction: a slow
    mail server must not hold the database. A mail server that fails is
    logged and reported back (``FAILED``) rather than raised, because the
    invitation itself is made and its link can still be copied by hand;
    the page says so.
    """
    if not settings.COHUB_EMAIL_ENABLED:
        return Delivery.NOT_CONFIGURED
    labels = dict(ProjectRole.choices)
    context = {
        "invitation": invitation,
        "project": invitation.project,
        "inviter": invitation.invited_by,
        "roles": [labels.get(role, role) for role in invitation.roles],
        "link": link,
        "expires_at": timezone.localtime(invitation.expires_at),
    }
    subject = " ".join(render_to_string("projects/email/invitation_subject.txt", context).split())
    body = render_to_string("projects/email/invitation.txt", context)
    try:
        send_mail(subject, body, None, [invitation.email])
    except (smtplib.SMTPException, OSError):
        logger.warning("The invitation email %s could not be sent", invitation.pk, exc_info=True)
        return Delivery.FAILED
    return Delivery.SENT
