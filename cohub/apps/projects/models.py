"""Projects, who takes part in them and in what role."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from cohub.apps.accounts.models import Organisation
from cohub.apps.core.models import TimeStampedModel


class Sector(models.TextChoices):
    RESEARCH = "research", "Research"
    POLICY = "policy", "Policy"
    SERVICES = "services", "Services"


class ProjectRole(models.TextChoices):
    FACILITATOR = "facilitator", "Facilitator"
    COMMUNITY_REPORTER = "community_reporter", "Community reporter"
    MEMBER = "member", "Co-producer"
    DECISION_MAKER = "decision_maker", "Decision-maker"


class Project(TimeStampedModel):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="projects"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    purpose = models.TextField(help_text="Why this project exists, in plain words.")
    opening_question = models.TextField(
        help_text="The one question a community reporter opens each story with."
    )
    offer_and_control = models.TextField(
        blank=True,
        help_text="What is on offer to people who take part, and where control lies.",
    )
    sectors = models.JSONField(default=list, blank=True)
    topics = models.JSONField(default=list, blank=True)
    publish_changes = models.BooleanField(
        "Publish “You said, we did”",
        default=False,
        help_text="Whether the public page of what people said and what was done is open "
        "to anyone. Set only through reports.public_changes, which audits it.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_sectors_display(self) -> list[str]:
        labels = dict(Sector.choices)
        return [labels.get(s, s) for s in self.sectors]


class ProjectMembership(TimeStampedModel):
    """One role one person holds in one project; several rows for several roles."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships"
    )
    role = models.CharField(max_length=30, choices=ProjectRole.choices)

    class Meta:
        ordering = ["project", "user", "role"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user", "role"], name="unique_project_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} in {self.project}"


class TakingPart(models.TextChoices):
    """How someone takes part in a project, in their own choice of words.

    Shown only as groups ("who shaped the findings"), never beside a name:
    saying you have lived experience is personal, and it is yours to say.
    """

    LIVED_EXPERIENCE = "lived_experience", "Lived experience"
    PROFESSIONAL = "professional", "As part of a job"
    FACILITATING = "facilitating", "Facilitating"


class Participation(TimeStampedModel):
    """How one person says they take part in one project (one row per person and project).

    It is separate from roles: a co-producer may be there from lived experience
    or as part of their job, and only they can say which. Someone who has not
    said counts as facilitating if they facilitate, and as "not said" otherwise.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations"
    )
    taking_part = models.CharField(max_length=30, choices=TakingPart.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="unique_participation")
        ]

    def __str__(self) -> str:
        return f"{self.user} takes part in {self.project}: {self.get_taking_part_display()}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(24)


def invitation_expiry() -> dt.datetime:
    """When a link made now stops working: ``COHUB_INVITATION_DAYS`` from now.

    Read at call time, so a changed setting applies to the next invitation.
    """
    return timezone.now() + dt.timedelta(days=settings.COHUB_INVITATION_DAYS)


class InvitationStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    ACCEPTED = "accepted", "Accepted"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


class Invitation(TimeStampedModel):
    """A facilitator's invitation for someone (by email) to join with given roles.

    The link works until ``expires_at``, until it is used, or until someone
    who runs the project cancels it, whichever comes first.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    roles = models.JSONField(default=list)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.project}"

    def status(self, now: dt.datetime | None = None) -> InvitationStatus:
        """Where the invitation stands: used, cancelled, past its date, or waiting."""
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        if self.cancelled_at is not None:
            return InvitationStatus.CANCELLED
        if self.expires_at <= (now or timezone.now()):
            return InvitationStatus.EXPIRED
        return InvitationStatus.WAITING
