"""A quote on a recorded story is a clip: the page plays it, people nudge it, and download it."""

from __future__ import annotations

import json
import subprocess

import pytest
from django.urls import reverse

from cohub.apps.analysis.models import CodingEvent, Highlight
from cohub.apps.analysis.services import coding_event_undo, highlight_create
from cohub.apps.projects.models import ProjectRole
from cohub.apps.stories.models import Speaker, SpeakerPart
from cohub.apps.stories.services import consent_record, transcript_revise_part
from tests.factories import ALL_SCOPES, make_member, make_story
from tests.playback_support import recorded_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(project, storyteller, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    story = recorded_story(project, storyteller, tmp_path)
    # Speaker 2 tells the story; Speaker 1 asks the questions.
    Speaker.objects.filter(story=story, label="Speaker 2").update(part=SpeakerPart.STORYTELLER)
    Speaker.objects.filter(story=story, label="Speaker 1").update(part=SpeakerPart.INTERVIEWER)
    return story


@pytest.fixture
def facilitator(client, project):
    person = make_member(project, ProjectRole.FACILITATOR)
    client.force_login(person)
    return person


def _quote(story, words):
    transcript = story.transcripts.order_by("-version").first()
    start = transcript.text.index(words)
    return highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len(words),
        actor=None,
    ).highlight


def _page(client, story):
    return client.get(reverse("analysis:review_sheet", args=[story.project.slug, story.pk]))


def test_the_story_page_plays_the_recording_from_each_part(client, facilitator, recorded):
    media = reverse("stories:recording_media", args=[recorded.project.slug, recorded.pk])

    html = _page(client, recorded).content.decode()

    assert 'id="story-audio"' in html and f'src="{media}"' in html
    assert f'href="{media}#t=2.2" data-play-from="2200"' in html
    assert 'data-start-ms="2200" data-end-ms="5200"' in html
    assert "Play part 2 from" in html


def test_a_typed_story_has_no_player(client, facilitator, project):
    story = make_story(project)

    assert 'id="story-audio"' not in _page(client, story).content.decode()


def test_without_consent_to_record_the_page_says_why_and_plays_nothing(
    client, facilitator, storyteller, recorded
):
    consent_record(storyteller=storyteller, actor=None, **{**ALL_SCOPES, "record": False})

    html = _page(client, recorded).content.decode()

    assert "The recording cannot be played. Robin has not agreed that we" in html
    assert 'id="story-audio"' not in html and "data-play-from" not in html


def test_a_quote_plays_its_own_span_and_its_edges_can_be_nudged_and_undone(
    client, facilitator, recorded
):
    quote = _quote(recorded, "waited eleven weeks")
    html = _page(client, recorded).content.decode()
    assert 'data-play-from="2400" data-play-to="3900"' in html

    nudge = reverse("analysis:clip_nudge", args=[recorded.project.slug, quote.pk])
    client.post(nudge, {"move": "start-earlier"})
    client.post(nudge, {"move": "end-later"})
    client.post(nudge, {"move": "end-later"})

    quote = Highlight.objects.get(pk=quote.pk)
    assert (quote.clip_start_ms, quote.clip_end_ms) == (2150, 4400)
    assert (quote.start_ms, quote.end_ms, quote.snippet) == (2400, 3900, "waited eleven weeks")
    assert 'data-play-from="2150" data-play-to="4400"' in _page(client, recorded).content.decode()

    # Each nudge is a quote change in the coding log, undone like any other.
    last = CodingEvent.objects.filter(highlight_id=quote.pk).order_by("-pk").first()
    coding_event_undo(event=last, actor=None)
    assert Highlight.objects.get(pk=quote.pk).clip_end_ms == 4150


def test_a_nudged_clip_keeps_its_nudge_when_a_correction_moves_its_words(recorded):
    quote = _quote(recorded, "waited eleven weeks")
    Highlight.objects.filter(pk=quote.pk).update(clip_start_nudge_ms=-300)

    transcript_revise_part(
        story=recorded,
        actor=None,
        index=1,
        text="I had waited eleven weeks for a call.",
        speaker=None,
        reason="Misheard",
    )

    quote = Highlight.objects.get(pk=quote.pk)
    assert quote.snippet == "waited eleven weeks"
    assert (quote.clip_start_ms, quote.end_ms) == (2100, 3900)


def test_a_nudge_cannot_push_the_start_past_the_end(client, facilitator, recorded):
    quote = _quote(recorded, "weeks")
    nudge = reverse("analysis:clip_nudge", args=[recorded.project.slug, quote.pk])
    for _ in range(5):
        client.post(nudge, {"move": "start-later"})

    quote = Highlight.objects.get(pk=quote.pk)
    assert quote.clip_end_ms - quote.clip_start_ms >= 200


def _probe(data, tmp_path):
    path = tmp_path / "download.ogg"
    path.write_bytes(data)
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(json.loads(done.stdout)["format"]["duration"])


def test_a_clip_downloads_cut_to_its_span(client, facilitator, recorded, tmp_path):
    quote = _quote(recorded, "waited eleven weeks")

    response = client.get(reverse("analysis:clip_download", args=[recorded.project.slug, quote.pk]))

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "audio/ogg"
    assert response["Content-Disposition"] == f'attachment; filename="clip-{quote.pk}.ogg"'
    assert "no-store" in response["Cache-Control"]
    assert _probe(b"".join(response.streaming_content), tmp_path) == pytest.approx(1.5, abs=0.06)


def test_a_clip_is_not_downloaded_without_consent_to_be_quoted(
    client, facilitator, storyteller, recorded
):
    quote = _quote(recorded, "waited eleven weeks")
    consent_record(
        storyteller=storyteller,
        actor=None,
        **{**ALL_SCOPES, "quote_anonymously": False, "quote_by_name": False},
    )

    response = client.get(reverse("analysis:clip_download", args=[recorded.project.slug, quote.pk]))

    assert response.status_code == 403
    assert (
        "has not agreed that we quote them without their name, "
        "so we cannot play their voice in a clip or a playlist." in response.content.decode()
    )


def test_a_clip_where_another_participant_is_heard_is_not_downloaded(client, facilitator, recorded):
    Speaker.objects.filter(story=recorded, label="Speaker 1").update(part=SpeakerPart.PARTICIPANT)
    quote = _quote(recorded, "start?\n\nI waited")

    response = client.get(reverse("analysis:clip_download", args=[recorded.project.slug, quote.pk]))
    html = _page(client, recorded).content.decode()

    assert response.status_code == 403
    assert "someone else is heard in it who was never asked" in response.content.decode()
    assert "This clip cannot be downloaded: someone else is heard in it" in html
