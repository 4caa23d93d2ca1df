"""Reads for jobs, already narrowed to what the viewer may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from cohub.apps.jobs.models import Job, JobResult
from cohub.apps.jobs.policy import project_jobs_visible


def jobs_visible_to(user: Any) -> QuerySet[Job]:
    """Jobs the user may see (every job for a superuser); mirrors ``jobs.view_job``."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Job.objects.none()
    if user.is_superuser:
        return Job.objects.all()
    return Job.objects.filter(
        Q(project_id__isnull=True, created_by=user) | project_jobs_visible(user)
    )


def job_latest_result(job: Job) -> JobResult | None:
    """The newest result version of a job (None before its first success).

    The caller has checked ``jobs.view_job`` on ``job``.
    """
    return job.results.order_by("-version").first()
