"""The clip playlist: only clips consent allows, captions and chapters on one timeline, a zip."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from cohub.apps.analysis.services import highlight_create
from cohub.apps.jobs.models import Job, JobStatus
from cohub.apps.projects.models import ProjectRole
from cohub.apps.reports.playlist import FOLDER, project_playlist
from cohub.apps.stories.models import Speaker, SpeakerPart
from cohub.apps.stories.services import consent_record, consent_withdraw
from tests.factories import ALL_SCOPES, make_member, make_storyteller
from tests.playback_support import recorded_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def clips(project, settings, tmp_path):
    """Three recorded stories with a quote each: Robin's and Sky's may play, Kit's may not."""
    immediate = settings.TASKS
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    made = {}
    for name, consent in (
        ("Robin", ALL_SCOPES),
        ("Sky", {**ALL_SCOPES, "quote_by_name": False}),
        ("Kit", {**ALL_SCOPES, "quote_anonymously": False, "quote_by_name": False}),
    ):
        teller = make_storyteller(project, pseudonym=name, consent=consent)
        story = recorded_story(
            project,
            teller,
            tmp_path,
            speech=f"{name} here. After the flood I lost my flat, and the council sent me away.",
            title=f"{name}'s",
        )
        Speaker.objects.filter(story=story, label="Speaker 2").update(part=SpeakerPart.STORYTELLER)
        Speaker.objects.filter(story=story, label="Speaker 1").update(
            part=SpeakerPart.INTERVIEWER, display_name="Sam"
        )
        transcript = story.transcripts.get()
        start = transcript.text.index("waited eleven weeks")
        highlight_create(
            story=story,
            transcript=transcript,
            char_start=start,
            char_end=start + len("waited eleven weeks"),
            actor=None,
        )
        made[name] = (teller, story)
    settings.TASKS = immediate  # the playlist's own job runs when asked, as the worker would
    return made


def _make_download(client, project, capture):
    with capture(execute=True):
        response = client.post(_url("playlist_download", project))
    return response, Job.objects.get(kind="reports.playlist_zip")


@pytest.fixture
def reader(client, project):
    client.force_login(make_member(project, ProjectRole.FACILITATOR))


def _url(name, project, *args):
    return reverse(f"reports:{name}", args=[project.slug, *args])


def test_only_clips_consent_allows_are_in_it_and_the_others_are_counted_not_named(
    client, reader, project, clips
):
    page = client.get(_url("playlist", project)).content.decode()

    assert "2 clips from recorded stories" in page
    assert "“waited eleven weeks”" in page
    assert "Robin" in page and "Sky" in page
    assert "1 clip is left out" in page
    assert "1 because the storyteller has not agreed that we quote them without their name." in page
    assert "Kit" not in page


def test_a_story_whose_consent_does_not_allow_clips_is_left_out_by_the_ways_out_list(
    client, reader, project, clips, monkeypatch
):
    """The playlist asks ``ways_out`` (the one declared list), not rules of its own."""
    from cohub.apps.reports import playlist as module
    from cohub.apps.stories.scopes import ConsentScope
    from cohub.apps.stories.ways_out import WayOut

    stricter = WayOut("clip", (ConsentScope.QUOTE_BY_NAME,), "play their voice")
    monkeypatch.setattr(module, "CLIP", stricter)
    page = client.get(_url("playlist", project)).content.decode()

    assert "1 clip from recorded stories" in page  # only Robin agreed to be named
    assert "2 because the storyteller has not agreed that we quote them by name" in page


def test_captions_and_chapters_follow_the_clips_one_after_another(client, reader, project, clips):
    captions = client.get(_url("playlist_captions", project))
    chapters = client.get(_url("playlist_chapters", project)).content.decode()

    assert captions["Content-Type"] == "text/vtt; charset=utf-8"
    text = captions.content.decode()
    # Each clip runs from its first word (2.4 s) to its last (3.9 s): 1.5 s, then a pause.
    assert "00:00:00.000 --> 00:00:01.500\n<v Robin>waited eleven weeks</v>" in text
    assert "00:00:02.200 --> 00:00:03.700\n<v Sky>waited eleven weeks</v>" in text
    assert "clip-1\n00:00:00.000 --> 00:00:01.500\nClip 1: Robin, from “Robin's”" in chapters
    assert "clip-2\n00:00:02.200 --> 00:00:03.700\nClip 2: Sky, from “Sky's”" in chapters


def _seconds(data, tmp_path):
    path = tmp_path / "probe.ogg"
    path.write_bytes(data)
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(json.loads(done.stdout)["format"]["duration"])


def test_the_clips_play_as_one_sound_that_can_be_sought_in(
    client, reader, project, clips, tmp_path
):
    whole = client.get(_url("playlist_audio", project))
    data = b"".join(whole.streaming_content)
    part = client.get(_url("playlist_audio", project), HTTP_RANGE="bytes=0-99")

    assert whole["Content-Type"] == "audio/ogg" and "no-store" in whole["Cache-Control"]
    assert _seconds(data, tmp_path) == pytest.approx(1.5 + 0.7 + 1.5, abs=0.1)
    assert part.status_code == 206 and b"".join(part.streaming_content) == data[:100]


def test_the_download_is_made_by_a_job_and_holds_safe_names_only(
    client, reader, project, clips, django_capture_on_commit_callbacks
):
    response, job = _make_download(client, project, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED, job.error

    download = client.get(job.result["url"])

    assert download["Content-Disposition"].startswith("attachment;")
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = sorted(bundle.namelist())
    assert names == [
        "README.txt",
        "captions.vtt",
        "chapters.vtt",
        "clips/01-robin.ogg",
        "clips/02-sky.ogg",
        "playlist.html",
        "playlist.ogg",
    ]
    assert all(not name.startswith("/") and ".." not in name for name in names)
    assert (
        "1 because the storyteller has not agreed that we quote them without their name."
        in bundle.read("README.txt").decode()
    )
    assert 'src="captions.vtt"' in bundle.read("playlist.html").decode()


def test_a_download_is_refused_once_consent_has_changed(
    client, reader, project, clips, django_capture_on_commit_callbacks
):
    _, job = _make_download(client, project, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    teller, _ = clips["Sky"]
    consent_record(storyteller=teller, actor=None, record=True, transcribe=True)

    response = client.get(job.result["url"])

    assert response.status_code == 302
    assert len(project_playlist(project).entries) == 1


def test_withdrawal_removes_the_kept_playlists(
    client, reader, project, clips, django_capture_on_commit_callbacks
):
    client.get(_url("playlist_audio", project))
    _make_download(client, project, django_capture_on_commit_callbacks)
    folder = f"{FOLDER}/{project.pk}"
    kept = default_storage.listdir(folder)[1]  # kept clip cuts (ADR 0027) may sit there too
    assert len([name for name in kept if name.startswith(("playlist-", "download-"))]) == 2

    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(storyteller=clips["Robin"][0], actor=None)

    assert default_storage.listdir(folder)[1] == []
