"""Long work as rows: what to run, how far it got, and how it ended.

The jobs app knows no domain app. Apps register a handler for a ``kind``;
the worker (django-tasks' ``db_worker``) runs it and records the outcome here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Done"
    FAILED = "failed", "Failed"


class Job(models.Model):
    kind = models.CharField(max_length=80)
    params = models.JSONField(default=dict)
    input_hash = models.CharField(max_length=64, blank=True, db_index=True)
    project_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done, 0-100.")
    progress_message = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    error = models.TextField(blank=True)
    # The latest result, copied from the newest JobResult for cheap reads.
    result = models.JSONField(default=dict, blank=True)
    # For a periodic run: the start of the period it belongs to (UTC).
    scheduled_for = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Duplicate-request protection that holds under concurrency (two
            # clicks, two web processes): one waiting or running job per input.
            models.UniqueConstraint(
                "kind",
                "input_hash",
                Coalesce("project_id", models.Value(0)),
                condition=models.Q(status__in=["queued", "running"]) & ~models.Q(input_hash=""),
                name="jobs_one_active_job_per_input",
            ),
            # Two workers checking the clock at once still queue one run per period.
            models.UniqueConstraint(
                "kind",
                "scheduled_for",
                condition=models.Q(scheduled_for__isnull=False),
                name="jobs_one_run_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class JobResult(models.Model):
    """One version of a job's result and what produced it.

    Each successful attempt adds a version, so running a job again keeps the
    earlier result beside the new one, and a result can always be explained:
    which engine and model (name and version or file digest), with which
    parameters and seed, from which input.
    """

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="results")
    version = models.PositiveIntegerField()
    attempt = models.PositiveSmallIntegerField()
    result = models.JSONField(default=dict, blank=True)
    engine = models.CharField(max_length=100, blank=True)
    model_name = models.CharField(max_length=200, blank=True)
    model_version = models.CharField(
        max_length=200, blank=True, help_text="A release number, or sha256: of the model files."
    )
    parameters = models.JSONField(default=dict, blank=True)
    seed = models.BigIntegerField(null=True, blank=True)
    input_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job", "-version"]
        constraints = [
            models.UniqueConstraint("job", "version", name="jobs_one_result_per_version"),
        ]

    def __str__(self) -> str:
        return f"result v{self.version} of job #{self.job_id}"
