"""Assessment frameworks (versioned data), rounds, each member's answers, actions, peer reviews."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from cohub.apps.accounts.models import Organisation
from cohub.apps.core.models import TimeStampedModel
from cohub.apps.projects.models import Project


class AnswerKind(models.TextChoices):
    SCALE = "scale", "Agreement scale"
    LADDER = "ladder", "Single choice on the ladder"
    MATRIX = "matrix", "Single choice of a matrix cell"


class Framework(TimeStampedModel):
    """A framework by its stable key; its wording lives in its versions.

    ``organisation`` is empty for the frameworks the hub ships, and set for an
    organisation's own.
    """

    key = models.SlugField(max_length=60)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "organisation"],
                name="unique_framework_key",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return self.key

    def latest_version(self) -> FrameworkVersion | None:
        """The newest version in a project's words (the one people choose and edit)."""
        return self.versions.filter(for_organisation=False).order_by("-version").first()


class FrameworkVersion(TimeStampedModel):
    """One wording of a framework. A new version is new rows: old rounds keep theirs.

    A shipped framework whose questions speak of "this project" also comes
    worded for a whole organisation: a second row of the same version number
    with ``for_organisation`` set, whose items have the same keys and answers
    in other words. An organisation-wide round asks those (``services``).
    """

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    answer_kind = models.CharField(max_length=10, choices=AnswerKind.choices)
    choices = models.JSONField(
        default=list, blank=True, help_text="For ladder and matrix: the options, lowest first."
    )
    content_hash = models.CharField(max_length=64)
    for_organisation = models.BooleanField(
        default=False, help_text="Worded for a round of a whole organisation."
    )

    class Meta:
        ordering = ["framework", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "version", "for_organisation"],
                name="unique_framework_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class AssessmentItem(TimeStampedModel):
    """One statement or question of a framework version."""

    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="items"
    )
    key = models.SlugField(max_length=80)
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    statement = models.TextField()
    easy_read = models.TextField()
    good_looks_like = models.TextField()

    class Meta:
        ordering = ["framework_version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework_version", "key"], name="unique_item_key_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.title}"


class AssessmentRound(TimeStampedModel):
    """A facilitator's round of assessment for a project (or a whole organisation)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="assessment_rounds"
    )
    project = models.ForeignKey(
        Project,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assessment_rounds",
    )
    title = models.CharField(max_length=200)
    framework_versions = models.ManyToManyField(FrameworkVersion, related_name="rounds")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField(null=True, blank=True)
    min_group_size = models.PositiveIntegerField(
        help_text="A group's results show only when at least this many of it answered."
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-opens_at"]

    def __str__(self) -> str:
        return self.title


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", "Started, not sent yet"
    SUBMITTED = "submitted", "Sent"


class AssessmentResponse(TimeStampedModel):
    """One member's answers to one round; a draft until they send it."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assessment_responses",
        help_text="Empty for answers given on paper or in another tool and imported.",
    )
    paper_respondent = models.CharField(
        max_length=120,
        blank=True,
        help_text="For imported answers: the respondent's reference in the file, never a name.",
    )
    group = models.CharField(max_length=30, help_text="The group at the time they answered.")
    status = models.CharField(
        max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "respondent"], name="one_response_per_person"),
            models.UniqueConstraint(
                fields=["round", "paper_respondent"],
                condition=~models.Q(paper_respondent=""),
                name="one_response_per_paper_respondent",
            ),
        ]

    def __str__(self) -> str:
        return f"Response to {self.round}"


class AssessmentAnswer(TimeStampedModel):
    """The answer to one item: a scale label, a rung or a cell, "dont_know", and a comment."""

    response = models.ForeignKey(
        AssessmentResponse, on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(AssessmentItem, on_delete=models.PROTECT, related_name="answers")
    value = models.CharField(max_length=60)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="one_answer_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item.key}: {self.value}"


class ActionStatus(models.TextChoices):
    TO_DO = "to_do", "To do"
    DOING = "doing", "Under way"
    DONE = "done", "Done"


class AssessmentAction(TimeStampedModel):
    """What the project will do about one item; its progress shows in the next round."""

    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="actions")
    item = models.ForeignKey(AssessmentItem, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.TO_DO
    )

    class Meta:
        ordering = ["due", "pk"]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def project(self) -> Project | None:
        """The project the action is on (its round's), for the rules that check it."""
        return self.round.project


def peer_review_expiry() -> dt.datetime:
    """When a peer review link made now stops working: ``COHUB_PEER_REVIEW_DAYS`` from now.

    Read at call time, so a changed setting applies to the next link.
    """
    return timezone.now() + dt.timedelta(days=settings.COHUB_PEER_REVIEW_DAYS)


class PeerReviewState(models.TextChoices):
    WAITING = "waiting", "Waiting"
    STARTED = "started", "Started"
    SENT = "sent", "Sent"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class PeerReview(TimeStampedModel):
    """An invitation for someone from another organisation to review one round (ADR 0034).

    The link's token is kept only as its SHA-256 (``token_hash``): the
    database never holds a working link. Sending the link again makes a new
    token, so the old link (and any session opened with it) stops working.
    The reviewer has no account; what they may see is this round's
    questions and the evidence the project shares, nothing else.
    """

    round = models.ForeignKey(
        AssessmentRound, on_delete=models.CASCADE, related_name="peer_reviews"
    )
    reviewer_name = models.CharField(max_length=120)
    reviewer_organisation = models.CharField(max_length=200)
    reviewer_email = models.EmailField(blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(default=peer_review_expiry)
    revoked_at = models.DateTimeField(null=True, blank=True)
    first_opened_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Peer review by {self.reviewer_name} ({self.reviewer_organisation})"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def state(self, now: dt.datetime | None = None) -> PeerReviewState:
        """Revoked, sent, expired, started (an answer kept) or waiting, in that order."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return PeerReviewState.REVOKED
        if self.submitted_at is not None:
            return PeerReviewState.SENT
        if self.expires_at <= now:
            return PeerReviewState.EXPIRED
        if self.answers.exists():
            return PeerReviewState.STARTED
        return PeerReviewState.WAITING


class PeerAnswer(TimeStampedModel):
    """A peer reviewer's answer to one item: kept apart from members' answers on purpose.

    A separate table, so no query that scores the members (their medians,
    the gap between groups) can pick a reviewer's answer up by mistake.
    """

    peer_review = models.ForeignKey(PeerReview, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(AssessmentItem, on_delete=models.PROTECT, related_name="peer_answers")
    value = models.CharField(max_length=60)
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["peer_review", "item"], name="one_peer_answer_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item.key}: {self.value} (peer)"


class PeerEvidence(TimeStampedModel):
    """Something the project chooses to show its peer reviewers: an account in its own words.

    Written by a facilitator for the reviewers of one round; it may say which
    questions it concerns (shown beside those questions), or none (shown with
    the round). Only text: no files, so nothing from the project's stories
    leaves with it unless someone writes it here on purpose.
    """

    round = models.ForeignKey(
        AssessmentRound, on_delete=models.CASCADE, related_name="peer_evidence"
    )
    title = models.CharField(max_length=200)
    text = models.TextField()
    items = models.ManyToManyField(AssessmentItem, blank=True, related_name="peer_evidence")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.title
