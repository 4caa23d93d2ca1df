"""Job kinds of the stories app."""

from __future__ import annotations

from datetime import timedelta

from cohub.apps.jobs.models import Job
from cohub.apps.jobs.registry import Progress, register
from cohub.apps.stories.services import stories_purge_expired

PURGE_EXPIRED = "stories.purge_expired"


# Every worker queues one run per six hours (see docs/jobs.md, "Periodic jobs").
@register(
    PURGE_EXPIRED,
    label="Removing stories whose keep-until date has passed",
    timeout_s=600,
    every=timedelta(hours=6),
)
def purge_expired(job: Job, progress: Progress) -> dict:
    return {"stories_removed": stories_purge_expired()}
