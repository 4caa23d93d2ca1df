"""Recorded stories: kept only with consent, checked by content, streamed, purged, not repeated.

Real files (ffmpeg, espeak-ng) go through the real services and pages; the
storage is a real folder so the tests can see what is kept and what is removed.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from cohub.apps.core.errors import ConsentError, ServiceError
from cohub.apps.jobs.models import Job, JobStatus
from cohub.apps.projects.models import ProjectRole
from cohub.apps.stories import services
from cohub.apps.stories.models import Recording, Story, StorySource
from cohub.apps.stories.recordings import (
    TRANSCRIBE,
    recording_transcribe,
    story_add_recording,
)
from cohub.apps.stories.selectors import recording_progress
from cohub.pipeline.media import MediaError, MediaProblem, file_sha256
from tests import media_support as media
from tests.factories import make_member, make_storyteller

pytestmark = pytest.mark.django_db


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    """A real folder as the default storage, so kept and removed files can be seen."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return root


@pytest.fixture
def recordings_dir(tmp_path) -> Path:
    folder = tmp_path / "from-the-phone"
    folder.mkdir()
    return folder


def _kept_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _add(project, storyteller, path, **kwargs):
    return story_add_recording(
        project=project,
        storyteller=storyteller,
        actor=kwargs.pop("actor", None),
        path=path,
        filename=kwargs.pop("filename", path.name),
        **kwargs,
    )


def test_a_recording_becomes_a_story_with_its_file_hash_length_and_format(
    project, storyteller, media_root, recordings_dir
):
    path = media.speech(recordings_dir, "robin-at-the-cafe.m4a")

    added = _add(project, storyteller, path)

    story = Story.objects.get(pk=added.story.pk)
    recording = story.recording
    assert story.source == StorySource.RECORDING
    assert story.title == "Robin at the cafe"
    assert story.transcripts.count() == 0  # its words come from the job
    assert recording.sha256 == file_sha256(path) == story.content_hash
    assert recording.size_bytes == path.stat().st_size
    assert 5_000 < recording.duration_ms < 20_000
    assert "mp4" in recording.container and recording.audio_codec == "aac"
    kept = _kept_files(media_root)
    assert len(kept) == 1 and kept[0].read_bytes() == path.read_bytes()
    # The name on disk says nothing about the person.
    assert "robin" not in kept[0].name
    job = added.job
    assert job is not None and job.kind == TRANSCRIBE
    assert job.input_hash == recording.sha256
    assert job.params["story_id"] == story.pk and recording.transcription_job_id == job.pk


def test_without_consent_to_record_nothing_is_read_or_kept(project, media_root, recordings_dir):
    teller = make_storyteller(project, consent={"transcribe": True})

    with pytest.raises(ConsentError, match="Robin has not agreed that we record their story"):
        _add(project, teller, media.speech(recordings_dir))

    assert not Story.objects.exists()
    assert _kept_files(media_root) == []


def test_consent_to_record_alone_keeps_it_without_transcribing(project, media_root, recordings_dir):
    teller = make_storyteller(project, consent={"record": True})

    added = _add(project, teller, media.speech(recordings_dir))

    assert added.job is None and added.waiting_for_consent
    assert not Job.objects.filter(kind=TRANSCRIBE).exists()
    assert recording_progress(added.story).state == "needs_consent"
    with pytest.raises(ConsentError, match="has not agreed that we transcribe their story"):
        recording_transcribe(story=added.story, actor=None)
    assert not Job.objects.filter(kind=TRANSCRIBE).exists()

    # Agreeing to transcription starts it: nobody has to come back and ask.
    services.consent_record(storyteller=teller, actor=None, record=True, transcribe=True)

    job = Job.objects.get(kind=TRANSCRIBE)
    assert job.status == JobStatus.QUEUED and job.params["story_id"] == added.story.pk
    assert recording_progress(added.story).state == "waiting"
    # Asking as well changes nothing: it is the same job.
    assert recording_transcribe(story=added.story, actor=None) == job
    # Consent recorded again (another detail changed) queues nothing more.
    services.consent_record(
        storyteller=teller, actor=None, record=True, transcribe=True, quote_anonymously=True
    )
    assert Job.objects.filter(kind=TRANSCRIBE).count() == 1


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda d: _text_as_mp3(d), MediaProblem.NOT_MEDIA),
        (lambda d: media.silence(d), MediaProblem.SILENT),
        (lambda d: media.cut_short(media.speech(d, "a.m4a"), d, "cut.m4a"), MediaProblem.DAMAGED),
        (lambda d: media.pictures_only(d), MediaProblem.NO_SOUND),
        (lambda d: _empty(d), MediaProblem.EMPTY),
    ],
    ids=["text-named-mp3", "silence", "truncated", "no-sound", "empty"],
)
def test_a_file_that_is_not_a_usable_recording_leaves_nothing_behind(
    project, storyteller, media_root, recordings_dir, make, problem
):
    path = make(recordings_dir)

    with pytest.raises(MediaError) as caught:
        _add(project, storyteller, path)

    assert caught.value.problem == problem
    assert str(caught.value).startswith(path.name)
    assert not Story.objects.exists() and not Recording.objects.exists()
    assert _kept_files(media_root) == []


def test_a_recording_longer_than_the_setting_allows_is_refused(
    project, storyteller, media_root, recordings_dir, settings
):
    settings.COHUB_RECORDING_MAX_SECONDS = 5

    with pytest.raises(MediaError, match="at most 5 seconds") as caught:
        _add(project, storyteller, media.tone(recordings_dir, seconds=8))

    assert caught.value.problem == MediaProblem.TOO_LONG
    assert _kept_files(media_root) == []


def test_the_same_recording_twice_is_refused_and_queues_no_more_work(
    project, storyteller, media_root, recordings_dir
):
    path = media.speech(recordings_dir)
    first = _add(project, storyteller, path)
    copy = recordings_dir / "the-same-again.wav"
    copy.write_bytes(path.read_bytes())

    with pytest.raises(
        ServiceError, match=f"already in the project as the story '{first.story.title}'"
    ):
        _add(project, storyteller, copy)

    assert Story.objects.count() == 1
    assert Job.objects.filter(kind=TRANSCRIBE).count() == 1
    assert len(_kept_files(media_root)) == 1
    # Asking again while it waits returns the job already queued.
    assert recording_transcribe(story=first.story, actor=None).pk == first.job.pk


def test_deleting_the_story_removes_the_file_and_its_jobs(
    project,
    storyteller,
    facilitator,
    media_root,
    recordings_dir,
    django_capture_on_commit_callbacks,
):
    added = _add(project, storyteller, media.speech(recordings_dir))
    assert len(_kept_files(media_root)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.story_delete(story=added.story, actor=facilitator)

    assert _kept_files(media_root) == []
    assert not Job.objects.filter(kind=TRANSCRIBE).exists()
    assert not Recording.objects.exists()


def test_withdrawal_removes_every_recording_of_the_storyteller(
    project, storyteller, media_root, recordings_dir, django_capture_on_commit_callbacks
):
    _add(project, storyteller, media.speech(recordings_dir, "one.wav"))
    _add(project, storyteller, media.tone(recordings_dir, "two.mp3"))
    someone_else = make_storyteller(project, pseudonym="Kit")
    theirs = _add(project, someone_else, media.tone(recordings_dir, "three.mp3", seconds=4))

    with django_capture_on_commit_callbacks(execute=True):
        removed = services.consent_withdraw(storyteller=storyteller, actor=None)

    assert removed == 2
    kept = _kept_files(media_root)
    assert kept == [media_root / theirs.recording.file.name]
    jobs = Job.objects.filter(kind=TRANSCRIBE)
    assert [job.params["story_id"] for job in jobs] == [theirs.story.pk]


# Pages ---------------------------------------------------------------------


def test_a_recording_uploaded_on_the_page_lands_on_its_story_page_with_progress(
    client, project, storyteller, media_root, recordings_dir
):
    reporter = make_member(project, ProjectRole.COMMUNITY_REPORTER)
    client.force_login(reporter)
    path = media.speech(recordings_dir, "kitchen-table.mp3")
    url = reverse("stories:recording_add", kwargs={"project_slug": project.slug})

    with path.open("rb") as handle:
        response = client.post(url, {"storyteller": storyteller.pk, "recording": handle})

    story = Story.objects.get()
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="recording-progress"' in text
    assert "Waiting for its turn" in text
    assert story.created_by == reporter
    status = client.get(
        reverse(
            "stories:recording_status",
            kwargs={"project_slug": project.slug, "story_id": story.pk},
        )
    )
    assert status.json()["state"] == "waiting"
    assert status.json()["finished"] is False


def test_a_bad_upload_is_named_on_the_form_and_nothing_is_kept(
    client, project, storyteller, facilitator, media_root
):
    client.force_login(facilitator)
    fake = SimpleUploadedFile("interview.mp3", b"Robin: not a recording at all\n", "audio/mpeg")
    url = reverse("stories:recording_add", kwargs={"project_slug": project.slug})

    response = client.post(url, {"storyteller": storyteller.pk, "recording": fake})

    assert response.status_code == 200
    assert "interview.mp3 is not a sound or video recording" in response.content.decode()
    assert not Story.objects.exists()
    assert _kept_files(media_root) == []


def test_the_page_says_plainly_when_ffmpeg_is_missing(
    client, project, storyteller, facilitator, monkeypatch, tmp_path
):
    client.force_login(facilitator)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))

    response = client.get(reverse("stories:recording_add", kwargs={"project_slug": project.slug}))

    text = response.content.decode()
    assert "Recordings cannot be added yet" in text
    assert "ffmpeg is not installed" in text
    assert 'type="file"' not in text


def test_an_upload_streams_to_disk_and_is_never_read_whole_into_memory(
    project, storyteller, facilitator, media_root, recordings_dir, settings
):
    """A 10 MB recording goes through the page while Python holds a small part of it at once."""
    from cohub.apps.stories.views.recordings import recording_add

    path = media.tone(recordings_dir, "long.wav", seconds=120)  # 16-bit WAV: about 10 MB
    size = path.stat().st_size
    assert size > 30 * settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    with path.open("rb") as handle:
        request = RequestFactory().post(
            reverse("stories:recording_add", kwargs={"project_slug": project.slug}),
            {"storyteller": storyteller.pk, "recording": handle},
        )
    request.user = facilitator
    request._dont_enforce_csrf_checks = True
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    request.session = SessionStore()
    request._messages = FallbackStorage(request)

    tracemalloc.start()
    try:
        response = recording_add(request, project_slug=project.slug)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response.status_code == 302, response.content[:400]
    kept = _kept_files(media_root)
    assert len(kept) == 1 and kept[0].stat().st_size == size
    assert peak < size / 4, f"held {peak} bytes at once for a {size} byte upload"


def _text_as_mp3(folder: Path) -> Path:
    path = folder / "interview.mp3"
    path.write_text("Robin: this is a transcript, not a recording\n")
    return path


def _empty(folder: Path) -> Path:
    path = folder / "nothing.ogg"
    path.touch()
    return path
