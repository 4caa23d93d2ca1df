"""Writes for recorded stories: keep a recording, transcribe it as a job, write its words once.

A recording becomes a story as soon as it is kept, with no words yet: its
transcript comes from speech-to-text on a worker (``stories.transcribe``, in
``jobs.py``), which can take longer than anyone should wait on a page. The
rules, in the order they are checked:

- Keeping a recording needs the storyteller's consent to "record"; turning it
  into words needs "transcribe", checked when the job is queued and again,
  under the storyteller's lock, when its words are written. A recording kept
  without consent to transcribe waits until that consent is given and someone
  asks for it (``recording_transcribe``).
- The file is checked by its content before anything is kept
  (``cohub.pipeline.media.check_recording``): a refusal names the file and says
  what is wrong, and leaves nothing behind.
- The same recording (by SHA-256) is one story per project; adding it again
  is refused and repeats no work. While a transcription is waiting or running,
  asking again returns the same job.
- Speech-to-text writes its words once (``transcript_write_recognised``): in
  one transaction, marked with the run that wrote them, so a worker killed
  after writing and retried finds them there and writes nothing twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q

from cohub.apps.accounts.models import User
from cohub.apps.core.errors import ConsentError, ServiceError
from cohub.apps.core.models import record_event
from cohub.apps.jobs.models import Job, JobResult, JobStatus
from cohub.apps.jobs.services import job_enqueue
from cohub.apps.projects.models import Project
from cohub.apps.stories.consent import consent_allows, require_consent
from cohub.apps.stories.models import Recording, Story, StorySource, Storyteller, Transcript
from cohub.apps.stories.purge import files_delete_on_commit
from cohub.apps.stories.scopes import ConsentScope
from cohub.pipeline.formats import SegmentData
from cohub.pipeline.media import MediaInfo, MediaLimits, check_recording, file_sha256

TRANSCRIBE = "stories.transcribe"

_FOLDER = "recordings"
_COPY_CHUNK = 1024 * 1024


def recording_limits() -> MediaLimits:
    """How big and how long one recording may be, from the settings (``config/env.py``)."""
    return MediaLimits(
        max_bytes=settings.COHUB_RECORDING_MAX_BYTES,
        max_seconds=settings.COHUB_RECORDING_MAX_SECONDS,
    )


@dataclass(frozen=True)
class RecordingAdded:
    """A kept recording: its story, and the transcription job (None until consent allows one)."""

    story: Story
    recording: Recording
    job: Job | None

    @property
    def waiting_for_consent(self) -> bool:
        return self.job is None


def _storage_name(filename: str) -> str:
    # The person's file name may name someone, so it stays on the story only; the
    # extension is kept for whoever looks in the folder with a media player.
    suffix = PurePath(filename).suffix.lower()[:10]
    if not suffix[1:].isalnum():
        suffix = ""
    return f"{_FOLDER}/{uuid.uuid4().hex}{suffix}"


def _refuse_duplicate(project: Project, digest: str) -> None:
    duplicate = Story.objects.filter(project=project, content_hash=digest).first()
    if duplicate is not None:
        raise ServiceError(
            f"This recording is already in the project as the story '{duplicate.title}'. "
            "Nothing new was added."
        )


def story_add_recording(
    *,
    project: Project,
    storyteller: Storyteller | None,
    actor: User | None,
    path: str | os.PathLike[str],
    filename: str,
    title: str = "",
    recorded_on: dt.date | None = None,
    speakers: int | str | None = "auto",
    new_storyteller: str = "",
    consent_for_new: Mapping[str, Any] | None = None,
    consent_note: str = "",
    transcribe: bool = True,
) -> RecordingAdded:
    """Keep the recording at ``path`` (named ``filename`` by the person) as a new story.

    Whose story: ``storyteller``; else the active storyteller called
    ``new_storyteller``; else a new storyteller of that name (or named after the
    file) with consent ``consent_for_new`` (scope -> True, ``keep_until``),
    registered in the same transaction as the story, so a refused file leaves
    no storyteller behind either.

    The file is checked and hashed where it lies (a web upload's temporary file,
    or a file named on the command line), then copied into storage a piece at a
    time. Transcription is queued at once when the storyteller agreed to it.
    ``speakers`` is how many voices to tell apart ("auto" to estimate, None for
    none). ``transcribe=False`` queues nothing: for words that arrive another
    way (the demo ships what speech-to-text heard, written with
    ``transcript_write_recognised``). Raises ``MediaError`` for a file that is
    not a usable recording,
    ``ConsentError`` without consent to record, ``ServiceError`` for a repeat.
    """
    from cohub.apps.stories.services import _storyteller_named, _title_from_filename

    name = PurePath(filename).name or "(no name)"
    if storyteller is None and new_storyteller.strip():
        storyteller = _storyteller_named(project, new_storyteller.strip())
    # Nothing is read without consent to keep it; checked again under the lock below.
    if storyteller is not None:
        if storyteller.project_id != project.pk:
            raise ServiceError("That storyteller belongs to a different project.")
        require_consent(Storyteller.objects.get(pk=storyteller.pk), ConsentScope.RECORD)
    elif not (consent_for_new or {}).get(ConsentScope.RECORD.value):
        raise ConsentError(
            f"{new_storyteller or 'The new storyteller'} has not agreed that we "
            f"{ConsentScope.RECORD.agreement()}."
        )
    info = check_recording(path, name=name, limits=recording_limits())
    digest = file_sha256(path)
    _refuse_duplicate(project, digest)
    with open(path, "rb") as handle:
        stored = default_storage.save(_storage_name(name), File(handle))
    try:
        return _keep(
            project=project,
            storyteller=storyteller,
            new_storyteller=(new_storyteller.strip() or PurePath(name).stem)[:120],
            consent_for_new=dict(consent_for_new or {}),
            consent_note=consent_note,
            actor=actor,
            stored=stored,
            name=name,
            info=info,
            digest=digest,
            title=title or _title_from_filename(name),
            recorded_on=recorded_on,
            speakers=speakers,
            transcribe=transcribe,
        )
    except BaseException:
        default_storage.delete(stored)
        raise


@transaction.atomic
def _keep(
    *,
    project: Project,
    storyteller: Storyteller | None,
    new_storyteller: str,
    consent_for_new: dict[str, Any],
    consent_note: str,
    actor: User | None,
    stored: str,
    name: str,
    info: MediaInfo,
    digest: str,
    title: str,
    recorded_on: dt.date | None,
    speakers: int | str | None,
    transcribe: bool = True,
) -> RecordingAdded:
    # The order every story write takes locks in: the project, then the storyteller.
    from cohub.apps.stories.services import _storyteller_named, storyteller_create

    Project.objects.select_for_update(no_key=True).get(pk=project.pk)
    if storyteller is None:
        # Someone may have registered them while the file was being checked.
        storyteller = _storyteller_named(project, new_storyteller)
    if storyteller is None:
        storyteller = storyteller_create(
            project=project,
            actor=actor,
            pseudonym=new_storyteller,
            consent=consent_for_new,
            consent_note=consent_note,
        )
    storyteller = Storyteller.objects.select_for_update().get(pk=storyteller.pk)
    require_consent(storyteller, ConsentScope.RECORD)
    _refuse_duplicate(project, digest)
    story = Story.objects.create(
        project=project,
        storyteller=storyteller,
        title=" ".join(title.split())[:200] or "Untitled recording",
        source=StorySource.RECORDING,
        source_filename=name[:255],
        content_hash=digest,
        recorded_on=recorded_on,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    recording = Recording.objects.create(
        story=story,
        file=stored,
        sha256=digest,
        size_bytes=info.size_bytes,
        duration_ms=info.duration_ms,
        container=info.container,
        audio_codec=info.audio_codec,
        has_video=info.has_video,
    )
    record_event(
        actor=actor,
        verb="story.create",
        target=story,
        project_id=project.pk,
        data={"source": StorySource.RECORDING, "duration_ms": info.duration_ms},
    )
    job = None
    if transcribe and consent_allows(storyteller, ConsentScope.TRANSCRIBE):
        job = _queue_transcription(recording, actor=actor, speakers=speakers)
    return RecordingAdded(story=story, recording=recording, job=job)


def _queue_transcription(
    recording: Recording, *, actor: User | None, speakers: int | str | None
) -> Job:
    job = job_enqueue(
        kind=TRANSCRIBE,
        params={
            "recording_id": recording.pk,
            "story_id": recording.story_id,
            "speakers": speakers,
        },
        project_id=recording.story.project_id,
        created_by=actor,
        input_hash=recording.sha256,
    )
    if recording.transcription_job_id != job.pk:
        recording.transcription_job = job
        recording.save(update_fields=["transcription_job"])
    return job


def recordings_transcribe_waiting(*, storyteller: Storyteller, actor: User | None) -> list[Job]:
    """Queue speech-to-text for the storyteller's recordings that were kept waiting for consent.

    Called when consent is recorded: a recording kept with consent to record
    only starts being written out the moment the storyteller agrees to
    transcription, without anyone having to come back and ask. One that was
    tried and failed waits for a person to press "Try again".
    """
    from cohub.apps.stories.transcription import speakers_default

    if not consent_allows(storyteller, ConsentScope.TRANSCRIBE):
        return []
    waiting = Recording.objects.select_related("story").filter(
        story__storyteller=storyteller, transcript__isnull=True, transcription_job__isnull=True
    )
    return [
        _queue_transcription(recording, actor=actor, speakers=speakers_default())
        for recording in waiting
    ]


@transaction.atomic
def recording_transcribe(
    *, story: Story, actor: User | None, speakers: int | str | None = "auto"
) -> Job:
    """Queue speech-to-text for a story's recording; the job already waiting if there is one.

    For a recording kept before its storyteller agreed to transcription, or to
    try again after a failure. Refused when the recording already has its words
    (correct them instead) or the storyteller has not agreed.
    """
    storyteller = Storyteller.objects.select_for_update().get(pk=story.storyteller_id)
    require_consent(storyteller, ConsentScope.TRANSCRIBE)
    recording = Recording.objects.select_for_update().filter(story_id=story.pk).first()
    if recording is None:
        raise ServiceError("This story has no recording to transcribe.")
    if recording.transcript_id is not None:
        raise ServiceError(
            "This recording has already been written out. To change its words, edit the story."
        )
    active = recording.transcription_job
    if active is not None and active.status in (JobStatus.QUEUED, JobStatus.RUNNING):
        return active
    recording.story = story
    return _queue_transcription(recording, actor=actor, speakers=speakers)


def transcription_key(job: Job) -> str:
    """Which run of a transcription job this is: the same across retries of one run.

    A retry (the worker was killed) repeats the run and must find what the run
    already wrote; a re-run of a finished job (``job_rerun``, say with a better
    model) is a new run and writes a new version.
    """
    runs = JobResult.objects.filter(job_id=job.pk).count()
    return f"job-{job.pk}-run-{runs + 1}"


@transaction.atomic
def transcript_write_recognised(
    *,
    recording: Recording,
    key: str,
    segments: Sequence[SegmentData],
    reason: str,
    provenance: dict[str, Any] | None = None,
) -> Transcript:
    """Write what speech-to-text heard as the story's next version, once per run (``key``).

    Everything is one transaction: a worker killed part way leaves no words at
    all, and a retry of the same run finds the version already written and
    returns it. ``provenance`` (engine, model, settings) is kept with the recording
    in the same transaction, so a retry can still say how the words were made.
    Speakers get rows (``Speaker``) with guessed parts, as on import;
    quotes on an earlier version follow the new one.
    """
    from cohub.apps.stories.services import (
        _lock_for_editing,
        _speakers_for,
        _store_transcript,
        _write_version,
    )

    story = _lock_for_editing(recording.story)  # checks consent to transcribe
    recording = Recording.objects.select_for_update().get(pk=recording.pk)
    if recording.transcript_key == key and recording.transcript_id is not None:
        return Transcript.objects.get(pk=recording.transcript_id)
    if not segments or not any(segment.text.strip() for segment in segments):
        raise ServiceError("No words were heard in the recording, so nothing was written.")
    current = Transcript.objects.filter(story=story).order_by("-version").first()
    if current is None:
        transcript = _store_transcript(
            story, segments, 1, _speakers_for(story, segments, actor=None), reason=reason
        )
    else:
        transcript = _write_version(story, None, segments, reason=reason).transcript
    recording.transcript = transcript
    recording.transcript_key = key
    recording.provenance = dict(provenance or {})
    recording.save(update_fields=["transcript", "transcript_key", "provenance"])
    record_event(
        actor=None,
        verb="transcript.recognise",
        target=story,
        project_id=story.project_id,
        data={"version": transcript.version, "segments": len(segments)},
    )
    return transcript


# ---------------------------------------------------------------------------
# Files


@contextlib.contextmanager
def recording_local_path(recording: Recording) -> Iterator[Path]:
    """A path on this machine to the recording: the stored file, or a temporary copy.

    Storage on the local disk hands out its own path; any other storage (in
    memory, a bucket) is copied a megabyte at a time to a temporary file,
    removed afterwards.
    """
    try:
        local = Path(default_storage.path(recording.file.name))
    except NotImplementedError:
        local = None
    # Some storages (Django's in-memory one) name a path that is not on the disk.
    if local is not None and local.is_file():
        yield local
        return
    with contextlib.ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="cohub-recording-"))
        copy = Path(folder) / PurePath(recording.file.name).name
        try:
            source = stack.enter_context(default_storage.open(recording.file.name, "rb"))
        except FileNotFoundError:
            raise ServiceError(
                "The recording's file is missing from storage, so it cannot be transcribed."
            ) from None
        with copy.open("wb") as target:
            shutil.copyfileobj(source, target, _COPY_CHUNK)
        yield copy


def recordings_purge(story_ids: list[int]) -> None:
    """Purger (``purge.py``): the recordings' files, and the transcription jobs about them.

    The rows go with the stories; the files are deleted once the removal
    commits (deleting first would lose them if it rolled back). Jobs are
    deleted outright: their parameters name the story, and a worker still
    running one finds nothing to write to.
    """
    names = list(Recording.objects.filter(story_id__in=story_ids).values_list("file", flat=True))
    job_ids = Recording.objects.filter(
        story_id__in=story_ids, transcription_job__isnull=False
    ).values_list("transcription_job_id", flat=True)
    Job.objects.filter(
        Q(pk__in=list(job_ids)) | Q(kind=TRANSCRIBE, params__story_id__in=story_ids)
    ).delete()
    files_delete_on_commit(names=names)


def recording_file_exists(recording: Recording) -> bool:
    return bool(recording.file.name) and default_storage.exists(recording.file.name)


def _copy_upload_to(upload: Any, target: Path) -> None:
    with target.open("wb") as out:
        for chunk in upload.chunks(_COPY_CHUNK):
            out.write(chunk)


@contextlib.contextmanager
def upload_local_path(upload: Any) -> Iterator[Path]:
    """A path to a web upload: its temporary file, or a copy of a small in-memory one.

    Django streams any upload over ``FILE_UPLOAD_MAX_MEMORY_SIZE`` to a temporary
    file as it arrives; only small files are ever in memory, and those are written
    out here in pieces so the checks can read them with ffmpeg.
    """
    temporary = getattr(upload, "temporary_file_path", None)
    if temporary is not None:
        yield Path(temporary())
        return
    with tempfile.TemporaryDirectory(prefix="cohub-upload-") as folder:
        target = Path(folder) / "upload"
        _copy_upload_to(upload, target)
        yield target
