"""Playing a recording: byte ranges so seeking works, never cached, only while consent allows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohub.apps.projects.models import ProjectRole
from cohub.apps.stories.models import Recording
from cohub.apps.stories.recordings import story_add_recording
from cohub.apps.stories.services import consent_record, consent_withdraw
from tests import media_support as media
from tests.factories import ALL_SCOPES, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(project, storyteller, settings, tmp_path):
    """A recorded story kept in a real storage folder, its transcription left queued."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    source = media.speech(tmp_path, "kitchen.ogg")
    # The name says nothing true: what the file is comes from looking inside it.
    disguised = source.rename(tmp_path / "kitchen.bin")
    added = story_add_recording(
        project=project, storyteller=storyteller, actor=None, path=disguised, filename="x.bin"
    )
    return added.story, disguised.read_bytes()


def _url(story):
    return reverse("stories:recording_media", args=[story.project.slug, story.pk])


def _listener(client, project):
    client.force_login(make_member(project, ProjectRole.FACILITATOR))


def _body(response):
    return b"".join(response.streaming_content)


def test_the_whole_recording_plays_with_its_probed_type_and_is_never_cached(
    client, project, recorded
):
    story, data = recorded
    _listener(client, project)

    response = client.get(_url(story))

    assert response.status_code == 200
    assert response["Content-Type"] == "audio/ogg"
    assert response["Accept-Ranges"] == "bytes"
    assert "no-store" in response["Cache-Control"]
    assert int(response["Content-Length"]) == len(data)
    assert _body(response) == data


def test_a_range_gets_just_those_bytes_so_a_player_can_seek(client, project, recorded):
    story, data = recorded
    _listener(client, project)

    middle = client.get(_url(story), HTTP_RANGE="bytes=100-199")
    tail = client.get(_url(story), HTTP_RANGE="bytes=-50")
    rest = client.get(_url(story), HTTP_RANGE=f"bytes={len(data) - 10}-")

    assert middle.status_code == 206
    assert middle["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert "no-store" in middle["Cache-Control"]
    assert _body(middle) == data[100:200]
    assert (tail.status_code, _body(tail)) == (206, data[-50:])
    assert (rest.status_code, _body(rest)) == (206, data[-10:])


def test_a_range_past_the_end_is_refused_with_the_size(client, project, recorded):
    story, data = recorded
    _listener(client, project)

    response = client.get(_url(story), HTTP_RANGE=f"bytes={len(data)}-")

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(data)}"


def test_without_consent_to_record_the_recording_does_not_play_and_says_why(
    client, project, storyteller, recorded
):
    story, _ = recorded
    _listener(client, project)
    consent_record(storyteller=storyteller, actor=None, **{**ALL_SCOPES, "record": False})

    response = client.get(_url(story), HTTP_RANGE="bytes=0-99")

    assert response.status_code == 403
    assert "has not agreed that we" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_after_withdrawal_the_recording_is_gone(client, project, storyteller, recorded):
    story, _ = recorded
    _listener(client, project)
    consent_withdraw(storyteller=storyteller, actor=None)

    assert client.get(_url(story)).status_code == 404
    assert not Recording.objects.filter(story_id=story.pk).exists()


def test_a_typed_story_has_no_recording_to_play(client, project, story):
    _listener(client, project)

    assert client.get(_url(story)).status_code == 404
