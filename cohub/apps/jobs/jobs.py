"""Job kinds the jobs app itself provides."""

from __future__ import annotations

from datetime import timedelta

from cohub.apps.jobs.models import Job
from cohub.apps.jobs.registry import Progress, register
from cohub.apps.jobs.services import jobs_prune_periodic

PRUNE_PERIODIC = "jobs.prune_periodic"


@register("jobs.selfcheck", label="Checking the job worker", max_attempts=1, timeout_s=60)
def selfcheck(job: Job, progress: Progress) -> dict:
    """Does nothing but prove a worker picks jobs up: enqueue one and watch it finish."""
    progress(50, "The worker picked this job up.")
    return {"ok": True}


# Once a day the rows of old housekeeping runs go (COHUB_PERIODIC_JOB_KEEP_DAYS), this
# kind's own among them, so the table stays the size of a month of housekeeping.
@register(
    PRUNE_PERIODIC,
    label="Clearing away old housekeeping runs",
    timeout_s=600,
    every=timedelta(hours=24),
)
def prune_periodic(job: Job, progress: Progress) -> dict:
    return {"rows_removed": jobs_prune_periodic()}
