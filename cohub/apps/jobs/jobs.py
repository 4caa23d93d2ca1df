"""Job kinds the jobs app itself provides."""

from __future__ import annotations

from cohub.apps.jobs.models import Job
from cohub.apps.jobs.registry import Progress, register


@register("jobs.selfcheck", label="Checking the job worker", max_attempts=1, timeout_s=60)
def selfcheck(job: Job, progress: Progress) -> dict:
    """Does nothing but prove a worker picks jobs up: enqueue one and watch it finish."""
    progress(50, "The worker picked this job up.")
    return {"ok": True}
