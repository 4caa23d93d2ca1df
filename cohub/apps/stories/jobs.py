"""Job kinds of the stories app."""

from __future__ import annotations

from cohub.apps.jobs.models import Job
from cohub.apps.jobs.registry import Progress, register
from cohub.apps.stories.services import stories_purge_expired

PURGE_EXPIRED = "stories.purge_expired"


@register(PURGE_EXPIRED, label="Removing stories whose keep-until date has passed", timeout_s=600)
def purge_expired(job: Job, progress: Progress) -> dict:
    return {"stories_removed": stories_purge_expired()}
