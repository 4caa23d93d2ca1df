"""Job kinds of the stories app."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse

from cohub.apps.accounts.models import User
from cohub.apps.core.models import Event
from cohub.apps.jobs.models import Job, JobStatus
from cohub.apps.jobs.registry import Outcome, Progress, register
from cohub.apps.projects.models import Project
from cohub.apps.stories.models import Storyteller
from cohub.apps.stories.purge import PURGE_VERBS, database_vacuum, file_deletions_run
from cohub.apps.stories.recordings import TRANSCRIBE
from cohub.apps.stories.resumable import uploads_expire
from cohub.apps.stories.retention import keep_until_notices_send
from cohub.apps.stories.services import stories_import_stored, stories_purge_expired
from cohub.apps.stories.transcription import recording_transcribe_run
from cohub.apps.stories.uploads import IMPORT_BATCH, StoredUpload

PURGE_EXPIRED = "stories.purge_expired"
EXPIRE_UPLOADS = "stories.expire_uploads"
DELETE_FILES = "stories.delete_files"
VACUUM = "stories.vacuum_after_purge"
WARN_KEEP_UNTIL = "stories.warn_keep_until"


# Every worker queues one run per six hours (see docs/jobs.md, "Periodic jobs").
@register(
    PURGE_EXPIRED,
    label="Removing stories whose keep-until date has passed",
    timeout_s=600,
    every=timedelta(hours=6),
)
def purge_expired(job: Job, progress: Progress) -> dict:
    return {"stories_removed": stories_purge_expired()}


# Facilitators are told before a keep-until date (once per story and date, however often
# this runs), so they can ask the storyteller before the purge above removes the story.
@register(
    WARN_KEEP_UNTIL,
    label="Telling facilitators about stories that will be removed soon",
    timeout_s=600,
    every=timedelta(hours=6),
)
def warn_keep_until(job: Job, progress: Progress) -> dict:
    sent = keep_until_notices_send()
    return {"stories": sent.stories, "emails": sent.emails, "failed": sent.failed}


# An upload of a recording left unfinished for a day is removed (ADR 0019): its
# bytes are somebody's story, and the disk is not a dump.
@register(
    EXPIRE_UPLOADS,
    label="Removing recordings that were never finished sending",
    timeout_s=600,
    every=timedelta(hours=1),
)
def expire_uploads(job: Job, progress: Progress) -> dict:
    return {"removed": uploads_expire()}


# A purge deletes its files after it commits and keeps a row for each until it has
# (ADR 0024); this finishes the ones a killed process or a refusing disk left.
@register(
    DELETE_FILES,
    label="Finishing the removal of files of removed stories",
    timeout_s=600,
    every=timedelta(hours=1),
)
def delete_files(job: Job, progress: Progress) -> dict:
    return {"left": file_deletions_run()}


# Deleted rows stay in PostgreSQL's files until a vacuum rewrites them (ADR 0024): once a
# night, if anything was purged since the last run, the purged tables are rewritten.
@register(
    VACUUM,
    label="Clearing removed stories out of the database files",
    timeout_s=3600,
    every=timedelta(hours=24),
)
def vacuum_after_purge(job: Job, progress: Progress) -> dict:
    last = (
        Job.objects.filter(kind=VACUUM, status=JobStatus.SUCCEEDED)
        .exclude(pk=job.pk)
        .order_by("-finished_at")
        .values_list("started_at", flat=True)
        .first()
    )
    purges = Event.objects.filter(verb__in=PURGE_VERBS)
    if last is not None:
        purges = purges.filter(created_at__gte=last)
    if not purges.exists():
        return {"vacuumed": 0, "note": "nothing was removed since the last run"}
    return database_vacuum()


# One attempt: the files are deleted once read, so a failed import is retried by
# uploading the files again, never by reading them a second time.
@register(IMPORT_BATCH, label="Importing transcripts", timeout_s=900, max_attempts=1)
def import_batch(job: Job, progress: Progress) -> dict:
    """Import the files a big upload left in storage (see ``stories_import_queue``)."""
    params = job.params
    if job.project_id is None:
        raise ValueError("An import job must belong to a project.")
    project = Project.objects.get(pk=job.project_id)
    recorded_on = params.get("recorded_on")
    batch = stories_import_stored(
        project=project,
        actor=User.objects.filter(pk=job.created_by_id).first() if job.created_by_id else None,
        storyteller=Storyteller.objects.get(pk=params["storyteller_id"], project=project),
        stored=[StoredUpload.from_param(value) for value in params["files"]],
        title=params.get("title", ""),
        recorded_on=date.fromisoformat(recorded_on) if recorded_on else None,
        progress=progress,
    )
    imported, failed = len(batch.imported), len(batch.failed)
    summary = f"{imported} of {len(batch.files)} files became stories."
    if failed:
        summary += " Reload this page to see why the others did not."
    progress(100, summary)
    return {
        "imported": imported,
        "failed": failed,
        "lines": [item.message for item in batch.files],
        "url": reverse("stories:story_list", kwargs={"project_slug": project.slug}),
    }


# Speech-to-text runs native model code, so in a child process the worker can kill
# (ADR 0006). Whisper tiny.en with int8 weights uses a few hundred MB; larger models
# a user configures need more, so the cap leaves room for a "small" or "base" model.
@register(
    TRANSCRIBE,
    label="Transcribing a recording",
    timeout_s=6 * 60 * 60,
    isolated=True,
    memory_mb=4096,
    max_attempts=3,
)
def transcribe(job: Job, progress: Progress) -> Outcome:
    """Turn a story's recording into its words; safe to repeat (see ``recordings``)."""
    return recording_transcribe_run(job, progress)
