"""Listening to a recording and downloading clips are audited once per session, not per seek.

A player asks for a recording a range of bytes at a time (each seek is a
request); the audit keeps one entry for those, and one for each clip taken
away. Real recordings (espeak-ng, ffmpeg), nothing mocked.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohub.apps.analysis.services import highlight_create
from cohub.apps.core import audit
from cohub.apps.core.models import Event
from cohub.apps.stories.models import Speaker, SpeakerPart
from tests.factories import ALL_SCOPES, make_storyteller
from tests.playback_support import recorded_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(project, settings, tmp_path):
    """Robin's recorded story with one quote whose clip may be taken away."""
    immediate = settings.TASKS
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    robin = make_storyteller(project, pseudonym="Robin", consent=ALL_SCOPES)
    story = recorded_story(project, robin, tmp_path, title="Robin's flood")
    Speaker.objects.filter(story=story, label="Speaker 2").update(part=SpeakerPart.STORYTELLER)
    transcript = story.transcripts.get()
    start = transcript.text.index("waited eleven weeks")
    highlight = highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len("waited eleven weeks"),
        actor=None,
    ).highlight
    settings.TASKS = immediate
    return story, highlight


def _downloads(facilitator):
    return list(Event.objects.filter(verb=audit.DOWNLOADED, actor=facilitator))


def test_seeking_in_a_recording_is_one_entry(client, project, facilitator, recorded):
    story, _ = recorded
    client.force_login(facilitator)
    url = reverse("stories:recording_media", args=[project.slug, story.pk])
    for byte_range in ("bytes=0-", "bytes=1000-2000", "bytes=5000-"):
        response = client.get(url, HTTP_RANGE=byte_range)
        assert response.status_code == 206
    [entry] = _downloads(facilitator)
    assert entry.data["route"] == "stories:recording_media"
    assert entry.data["stories"] == [story.pk]
    assert entry.data["parts"] == [audit.PART_RECORDING]
    assert (entry.target_type, entry.target_id) == ("stories.story", str(story.pk))


def test_each_clip_taken_away_is_an_entry_about_its_quote(client, project, facilitator, recorded):
    story, highlight = recorded
    client.force_login(facilitator)
    response = client.get(reverse("analysis:clip_download", args=[project.slug, highlight.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    [entry] = _downloads(facilitator)
    assert entry.data["route"] == "analysis:clip_download"
    assert entry.data["stories"] == [story.pk]
    assert "Robin" not in str(entry.data)


def test_the_playlist_sound_and_its_captions_are_audited(client, project, facilitator, recorded):
    story, _ = recorded
    client.force_login(facilitator)
    for name in ("playlist_captions", "playlist_audio"):
        response = client.get(reverse(f"reports:{name}", args=[project.slug]))
        assert response.status_code in (200, 206), name
    routes = {e.data["route"] for e in _downloads(facilitator)}
    assert routes == {"reports:playlist_captions", "reports:playlist_audio"}
    assert all(e.data["stories"] == [story.pk] for e in _downloads(facilitator))
