"""Job kinds of the accounts app."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from cohub.apps.jobs.models import Job
from cohub.apps.jobs.registry import Progress, register

CLEAR_SESSIONS = "accounts.clear_sessions"


# A session that has ended still holds who was logged in and, in its messages,
# words that may name a storyteller: expired ones are removed every hour, not left
# in the database until someone remembers `clearsessions` (docs/adr/0025).
@register(
    CLEAR_SESSIONS,
    label="Removing sessions that have ended",
    timeout_s=600,
    every=timedelta(hours=1),
)
def clear_sessions(job: Job, progress: Progress) -> dict:
    expired = Session.objects.filter(expire_date__lt=timezone.now()).count()
    call_command("clearsessions")
    return {"sessions_removed": expired}
