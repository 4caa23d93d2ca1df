"""Reads for jobs, already narrowed to what the viewer may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cohub.apps.jobs.models import Job, JobResult


def jobs_visible_to(user: Any) -> QuerySet[Job]:
    """Jobs the user started (every job for a superuser); mirrors ``jobs.view_job``."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Job.objects.none()
    if user.is_superuser:
        return Job.objects.all()
    return Job.objects.filter(created_by=user)


def job_latest_result(job: Job) -> JobResult | None:
    """The newest result version of a job (None before its first success).

    The caller has checked ``jobs.view_job`` on ``job``.
    """
    return job.results.order_by("-version").first()
