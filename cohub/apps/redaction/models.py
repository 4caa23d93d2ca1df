"""Suggested redactions: a run of the engine over one transcript version, and what people decided.

Findings hold the very words they are about (a name, a phone number), so
they live only as long as the story: every row hangs off the story or its
transcript and goes with it on deletion or withdrawal. The project's deny and
allow lists hang off the project.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from cohub.apps.jobs.models import Job
from cohub.apps.projects.models import Project
from cohub.apps.stories.models import Story, Transcript
from cohub.pipeline.redact import Kind

KIND_CHOICES = [(kind.value, kind.words.capitalize()) for kind in Kind]


class ListName(models.TextChoices):
    DENY = "deny", "Always treat as personal"
    ALLOW = "allow", "Never treat as personal"


class ProjectTerm(models.Model):
    """One entry of a project's deny or allow list."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="redaction_terms")
    list_name = models.CharField(max_length=10, choices=ListName.choices)
    words = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=KIND_CHOICES, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["list_name", "id"]
        constraints = [
            models.UniqueConstraint(
                "project", "list_name", Lower("words"), name="unique_redaction_term"
            )
        ]

    def __str__(self) -> str:
        return f"{self.list_name}: {self.words}"


class RunStatus(models.TextChoices):
    WAITING = "waiting", "Waiting to be checked"
    DONE = "done", "Checked"
    FAILED = "failed", "The check did not finish"


class RedactionRun(models.Model):
    """The engine's pass over one version of a story's words; its findings await people."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="redaction_runs")
    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.WAITING)
    engine_settings = models.JSONField(
        default=dict, blank=True, help_text="Engine, model and list sizes."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    shared_transcript = models.OneToOneField(
        Transcript,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="redaction_source",
        help_text="The shareable version made from this run's accepted findings.",
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Check of story {self.story_id}, version {self.transcript_id}"


class FindingStatus(models.TextChoices):
    SUGGESTED = "suggested", "Waiting for a decision"
    ACCEPTED = "accepted", "Will be replaced"
    REJECTED = "rejected", "Kept as it is"


class RedactionFinding(models.Model):
    """One suggestion: these characters of the run's transcript look personal."""

    run = models.ForeignKey(RedactionRun, on_delete=models.CASCADE, related_name="findings")
    index = models.PositiveIntegerField()
    char_start = models.PositiveIntegerField()
    char_end = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    text = models.CharField(max_length=500)
    replacement = models.CharField(max_length=80)
    suggested_replacement = models.CharField(max_length=80)
    source = models.CharField(max_length=40, help_text="Which recogniser found it.")
    score = models.FloatField(default=1.0)
    status = models.CharField(
        max_length=10, choices=FindingStatus.choices, default=FindingStatus.SUGGESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "index"]
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="unique_redaction_finding_index")
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.char_start}-{self.char_end}"

    @property
    def kind_member(self) -> Kind:
        return Kind(self.kind)


class RedactionDecision(models.Model):
    """One thing a person did to the suggestions, with what it changed, so it can be undone."""

    run = models.ForeignKey(RedactionRun, on_delete=models.CASCADE, related_name="decisions")
    verb = models.CharField(max_length=20)
    summary = models.CharField(max_length=200)
    changes = models.JSONField(default=list, help_text="[{finding, before, after}], states only.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.summary
