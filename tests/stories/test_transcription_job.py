"""The transcription job: real speech, the real engine, a real worker killed part way.

The speech is made with espeak-ng and transcribed by faster-whisper with the
tiny.en model cohub ships, so these tests take some seconds each.
"""

from __future__ import annotations

import multiprocessing
import os
import signal

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.urls import reverse

from cohub.apps.core.errors import ConsentError
from cohub.apps.jobs.models import Job, JobStatus
from cohub.apps.jobs.services import job_requeue_abandoned, job_run
from cohub.apps.projects.models import ProjectRole
from cohub.apps.stories import services
from cohub.apps.stories.models import Recording, Segment, Transcript
from cohub.apps.stories.recordings import story_add_recording
from cohub.apps.stories.selectors import segment_words
from cohub.apps.stories.transcription import recording_transcribe_run
from tests import media_support as media
from tests.factories import ProjectFactory, make_member, make_storyteller
from tests.worker_process import run_one_job

LONGER_STORY = (
    "My name is Robin. After the flood I lost my flat, and the council sent me from one "
    "office to another. Every office asked for the same papers, and every time I had to "
    "tell the whole story again. I slept at my sister's house for three months. What "
    "helped in the end was a neighbour who knew someone at the housing office. She came "
    "with me, she wrote everything down, and she stayed until we had an answer. "
) * 3


@pytest.fixture
def media_root(settings, tmp_path):
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return root


@pytest.fixture
def queue_only(settings):
    """Jobs are queued and left for a worker, instead of run at once as tests usually do."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _add(project, storyteller, path):
    return story_add_recording(
        project=project, storyteller=storyteller, actor=None, path=path, filename=path.name
    )


@pytest.mark.django_db
def test_the_words_are_written_once_with_times_and_how_they_were_made(
    project, storyteller, media_root, tmp_path
):
    added = _add(project, storyteller, media.speech(tmp_path, "robin.mp3"))
    seen: list[tuple[int, str]] = []

    first = recording_transcribe_run(
        added.job, lambda percent, message: seen.append((percent, message))
    )

    transcript = Transcript.objects.get(story=added.story)
    assert transcript.version == 1 and "flood" in transcript.text.lower()
    segments = list(transcript.segments.order_by("index"))
    assert segments and all(s.start_ms is not None and s.end_ms > s.start_ms for s in segments)
    # Every word is stored with the time it was said and how sure the engine was.
    for segment in segments:
        words = segment_words(segment)
        assert [w.text for w in words] == segment.text.split()
        assert all(segment.start_ms <= w.start_ms <= w.end_ms <= segment.end_ms for w in words)
        assert all(w.probability is not None and 0 <= w.probability <= 1 for w in words)
    flood = next(w for s in segments for w in segment_words(s) if "flood" in w.text.lower())
    assert flood.end_ms > flood.start_ms
    recording = Recording.objects.get(pk=added.recording.pk)
    assert recording.transcript_id == transcript.pk
    assert recording.provenance["model_name"] == "whisper-tiny.en"
    assert first.provenance.engine.startswith("faster-whisper ")
    assert first.provenance.input_hash == recording.sha256
    assert first.provenance.parameters["compute_type"] == "int8"
    assert any(message.startswith("Writing down what was said") for _, message in seen)
    assert seen[-1] == (100, "The transcript is ready")

    # The same run again (its worker stopped before it could say it was done):
    # the words are found, not written again, and nothing is transcribed.
    seen.clear()
    again = recording_transcribe_run(
        added.job, lambda percent, message: seen.append((percent, message))
    )

    assert again.result["already_written"] is True
    assert again.provenance == first.provenance
    assert Transcript.objects.filter(story=added.story).count() == 1
    assert seen == []


@pytest.mark.django_db
def test_no_words_are_written_once_consent_to_transcribe_is_taken_back(
    project, storyteller, media_root, tmp_path
):
    added = _add(project, storyteller, media.speech(tmp_path))
    services.consent_record(storyteller=storyteller, actor=None, record=True)

    with pytest.raises(ConsentError, match="has not agreed that we transcribe their story"):
        recording_transcribe_run(added.job, lambda percent, message: None)

    assert not Transcript.objects.filter(story=added.story).exists()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_transcription_leaves_no_words_and_the_retry_writes_them_once(
    media_root, queue_only, tmp_path, client
):
    project = ProjectFactory()
    storyteller = make_storyteller(project)
    added = _add(project, storyteller, media.speech(tmp_path, "long.m4a", text=LONGER_STORY))
    job = added.job
    context = multiprocessing.get_context("spawn")
    worker = context.Process(
        target=run_one_job,
        args=(
            os.environ.get("DJANGO_SETTINGS_MODULE") or django_settings.SETTINGS_MODULE,
            {name: getattr(django_settings, name) for name in ("MEDIA_ROOT", "STORAGES", "TASKS")},
            {alias: str(connections[alias].settings_dict["NAME"]) for alias in connections},
            job.pk,
        ),
    )
    worker.start()
    try:
        # Wait until the worker has really started transcribing: its child reports a step.
        started = Job.objects.none()
        for _ in range(2400):
            started = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).exclude(
                progress_message=""
            )
            if started.exists() or not worker.is_alive():
                break
            worker.join(0.05)
        assert started.exists(), "the worker never started the transcription"
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.join()

    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING  # as a dead worker leaves it
    assert not Transcript.objects.filter(story=added.story).exists()
    assert not Segment.objects.filter(transcript__story=added.story).exists()

    # A worker starting up queues it again; the next attempt writes the words.
    assert [j.pk for j in job_requeue_abandoned(all_running=True)] == [job.pk]
    job = job_run(job.pk)

    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.attempts == 2
    assert Transcript.objects.filter(story=added.story).count() == 1
    stored = job.results.get()
    assert stored.model_name == "whisper-tiny.en" and stored.input_hash == added.recording.sha256
    # A second delivery of the same job changes nothing.
    job_run(job.pk)
    assert Transcript.objects.filter(story=added.story).count() == 1

    # The story page's status says it is done.
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    status = client.get(
        reverse(
            "stories:recording_status",
            kwargs={"project_slug": project.slug, "story_id": added.story.pk},
        )
    )
    assert status.json()["state"] == "done"
