"""Replaced words are covered in a recorded story's clips: a 1 kHz tone, or silence (ADR 0027).

Real recordings (espeak-ng) and real ffmpeg: each clip is decoded and its
loudness measured where the words were replaced and around them.
"""

from __future__ import annotations

import array
import math
import subprocess
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from cohub.apps.analysis.clips import clip_cache_name, clip_file, clip_span
from cohub.apps.analysis.services import highlight_create
from cohub.apps.jobs.models import Job, JobStatus
from cohub.apps.jobs.services import job_run
from cohub.apps.projects.models import ProjectRole
from cohub.apps.redaction import audio, services
from cohub.apps.redaction.audio import (
    COVER_RECORDING,
    MARGIN_MS,
    covered_recording_name,
    story_audio_covers,
)
from cohub.apps.redaction.models import FindingStatus
from cohub.apps.stories.models import Recording, Speaker, SpeakerPart
from cohub.apps.stories.recordings import recording_local_path
from cohub.apps.stories.services import consent_withdraw
from cohub.pipeline.clips import COVER_TONE_LEVEL, ClipSpan, cut_clip
from cohub.pipeline.redact import Kind
from tests import media_support as media
from tests.factories import make_member, make_storyteller
from tests.playback_support import recorded_story
from tests.redaction.conftest import findings_in

pytestmark = pytest.mark.django_db
RATE = 48000
TONE_RMS = COVER_TONE_LEVEL / math.sqrt(2)


def _samples(path: Path) -> array.array[float]:
    raw = subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-i",
            str(path),
            "-f",
            "f32le",
            "-ac",
            "1",
            "-ar",
            str(RATE),
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    return array.array("f", raw)


def _rms(samples: array.array[float], start_s: float, end_s: float) -> float:
    part = samples[int(start_s * RATE) : int(end_s * RATE)]
    return math.sqrt(sum(value * value for value in part) / len(part))


@pytest.mark.parametrize("cover", ["tone", "silence"])
def test_a_covered_stretch_is_the_tone_or_silence_and_the_rest_is_the_original(tmp_path, cover):
    source = media.tone(tmp_path, "steady.wav", seconds=3)  # a 440 Hz sine, loud throughout
    plain = _samples(cut_clip(ClipSpan(source, 500, 2500), tmp_path / "plain.ogg"))
    covered = _samples(
        cut_clip(
            ClipSpan(source, 500, 2500, covers=((1000, 1500), (2400, 9000)), cover=cover),
            tmp_path / "covered.ogg",
        )
    )
    # Inside the covers (0.5-1.0 s and 1.9-2.0 s of the clip): only the tone, or nothing.
    expected = TONE_RMS if cover == "tone" else 0.0
    assert _rms(covered, 0.55, 0.95) == pytest.approx(expected, abs=0.005)
    # Outside: just what the plain cut has.
    assert _rms(plain, 0.55, 0.95) > 0.08
    for start, end in ((0.1, 0.45), (1.05, 1.85)):
        assert _rms(covered, start, end) == pytest.approx(_rms(plain, start, end), rel=0.02)


@pytest.fixture
def recorded(project, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # A fresh storage: kept cuts are named by the recording's digest, the same each test.
    settings.STORAGES = {**settings.STORAGES}
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    teller = make_storyteller(project, pseudonym="Robin")
    story = recorded_story(project, teller, tmp_path)
    Speaker.objects.filter(story=story, label="Speaker 2").update(part=SpeakerPart.STORYTELLER)
    Speaker.objects.filter(story=story, label="Speaker 1").update(part=SpeakerPart.INTERVIEWER)
    return story


def _share(story, *pieces):
    """Check the story (without the model), replace every suggestion, make the shareable version."""
    run = services.redaction_check_start(story=story, actor=None).run
    run = services.redaction_findings_store(
        run=run,
        findings=findings_in(run.transcript.text, *pieces),
        engine_settings={"engine": "test"},
    )
    services.findings_decide_kind(
        run=run, actor=None, kind=pieces[0][1].value, status=FindingStatus.ACCEPTED
    )
    services.redaction_share(run=run, actor=None)
    return run


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


def test_the_words_replaced_are_bleeped_in_the_clip_and_the_rest_is_unchanged(recorded):
    highlight = _quote(recorded, "waited eleven weeks")
    recording = Recording.objects.get(story=recorded)
    with clip_file(highlight, recording) as path:
        before = _samples(path)
    _share(recorded, ("eleven", Kind.PERSON))
    # "eleven" was said 3000-3500 ms; the cover is wider by the margin on each side.
    assert story_audio_covers(recorded) == ((3000 - MARGIN_MS, 3500 + MARGIN_MS),)
    highlight.refresh_from_db()
    start, _ = clip_span(highlight, recording)
    with clip_file(highlight, recording) as path:
        after = _samples(path)
    inside = ((3000 - start) / 1000, (3500 - start) / 1000)
    assert _rms(after, *inside) == pytest.approx(TONE_RMS, abs=0.005)
    assert _rms(before, *inside) != pytest.approx(TONE_RMS, abs=0.005)
    outside = (0.05, (3000 - MARGIN_MS - start) / 1000 - 0.05)
    assert _rms(after, *outside) == pytest.approx(_rms(before, *outside), rel=0.05, abs=1e-4)


def test_a_clip_without_redactions_is_the_plain_cut_and_is_kept_once(recorded, tmp_path):
    highlight = _quote(recorded, "waited eleven weeks")
    recording = Recording.objects.get(story=recorded)
    start, end = clip_span(highlight, recording)
    with clip_file(highlight, recording) as path:
        first = path.read_bytes()
    name = clip_cache_name(recorded.project_id, recording, ClipSpan(Path(), start, end))
    assert default_storage.exists(name)
    with clip_file(highlight, recording) as path:
        assert path.read_bytes() == first
    with recording_local_path(recording) as source:
        plain = cut_clip(ClipSpan(source, start, end), tmp_path / "plain.ogg")
    kept = tmp_path / "kept.ogg"
    with default_storage.open(name, "rb") as handle:
        kept.write_bytes(handle.read())
    assert _samples(plain) == _samples(kept)


def test_a_new_shareable_version_with_other_replacements_makes_a_new_cut(recorded, settings):
    highlight = _quote(recorded, "waited eleven weeks")
    recording = Recording.objects.get(story=recorded)
    start, end = clip_span(highlight, recording)
    _share(recorded, ("eleven", Kind.PERSON))
    first = story_audio_covers(recorded)
    _share(recorded, ("waited", Kind.PERSON))
    second = story_audio_covers(recorded)
    assert first != second
    names = {
        clip_cache_name(recorded.project_id, recording, ClipSpan(Path(), start, end, covers=c))
        for c in (first, second)
    }
    assert len(names) == 2
    settings.COHUB_REDACTION_AUDIO = "silence"
    with clip_file(highlight, recording) as path:
        silent = _samples(path)
    assert _rms(silent, (3000 - start) / 1000, (3500 - start) / 1000) < 0.002


# ---------------------------------------------------------------------------
# The story page's player: the original for whoever runs the project, covered for others


def _media(client, story, **headers):
    return client.get(
        reverse("stories:recording_media", args=[story.project.slug, story.pk]), **headers
    )


def _page(client, story):
    return client.get(reverse("analysis:review_sheet", args=[story.project.slug, story.pk]))


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _original(story) -> bytes:
    with default_storage.open(Recording.objects.get(story=story).file.name, "rb") as handle:
        handle.seek(0)  # the in-memory storage of the tests hands out one handle per file
        return handle.read()


def _cover_job(story):
    return Job.objects.get(kind=COVER_RECORDING, params__story_id=story.pk)


def test_others_hear_the_replaced_words_covered_once_the_copy_is_made(recorded, client, tmp_path):
    member = make_member(recorded.project, ProjectRole.MEMBER)
    _share(recorded, ("eleven", Kind.PERSON))
    job = _cover_job(recorded)  # asked for when the shareable version was made
    client.force_login(member)
    waiting = _media(client, recorded)
    assert waiting.status_code == 503
    assert "being made ready with the replaced words covered" in waiting.content.decode()
    page = _page(client, recorded).content.decode()
    assert "being made ready with the replaced words covered" in page
    assert 'id="story-audio"' not in page
    # Asking again joins the job already waiting.
    _media(client, recorded)
    assert Job.objects.filter(kind=COVER_RECORDING).count() == 1

    assert job_run(job.pk).status == JobStatus.SUCCEEDED
    heard = _media(client, recorded)
    assert heard.status_code == 200
    assert heard["Content-Type"] == "audio/ogg"
    played = tmp_path / "played.ogg"
    played.write_bytes(_body(heard))
    samples = _samples(played)
    assert _rms(samples, 3.0, 3.5) == pytest.approx(TONE_RMS, abs=0.005)
    # Seeking works on the copy as on the original.
    part = _media(client, recorded, HTTP_RANGE="bytes=0-99")
    assert part.status_code == 206 and len(_body(part)) == 100
    page = _page(client, recorded).content.decode()
    assert 'id="story-audio"' in page and 'type="audio/ogg"' in page
    assert "you hear a tone instead" in page


def test_whoever_runs_the_project_hears_the_original_and_is_told_others_do_not(
    recorded, client, facilitator
):
    _share(recorded, ("eleven", Kind.PERSON))
    client.force_login(facilitator)
    assert _body(_media(client, recorded)) == _original(recorded)
    assert "Others in the project hear a copy with those words covered" in (
        _page(client, recorded).content.decode()
    )


def test_without_replaced_words_everyone_hears_the_recording_as_it_is(recorded, client):
    client.force_login(make_member(recorded.project, ProjectRole.MEMBER))
    assert _body(_media(client, recorded)) == _original(recorded)
    assert not Job.objects.filter(kind=COVER_RECORDING).exists()
    page = _page(client, recorded).content.decode()
    assert "covered" not in page


def test_withdrawal_removes_the_covered_copy(recorded, django_capture_on_commit_callbacks):
    _share(recorded, ("eleven", Kind.PERSON))
    job_run(_cover_job(recorded).pk)
    recording = Recording.objects.get(story=recorded)
    name = covered_recording_name(recording, story_audio_covers(recorded))
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(storyteller=recorded.storyteller, actor=None)
    assert not default_storage.exists(name)


def test_a_copy_made_while_the_story_is_withdrawn_is_not_kept(recorded, monkeypatch):
    _share(recorded, ("eleven", Kind.PERSON))
    recording = Recording.objects.get(story=recorded)
    name = covered_recording_name(recording, story_audio_covers(recorded))
    real_cut = audio.cut_clip

    def cut_then_withdrawn(span, target):
        made = real_cut(span, target)
        Recording.objects.filter(pk=recording.pk).delete()
        return made

    monkeypatch.setattr(audio, "cut_clip", cut_then_withdrawn)
    result = audio.covered_recording_make(recorded.pk)
    assert "nothing is kept" in result["lines"][0]
    assert not default_storage.exists(name)


def test_the_covers_are_read_in_the_same_queries_however_many_words_were_replaced(
    recorded, project, tmp_path
):
    """Every seek of the player asks for the covers: one query per replaced word
    would make a story slower to hear the more names it had."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    teller = make_storyteller(project, pseudonym="Sam")
    other = recorded_story(project, teller, tmp_path, speech="Another voice.", title="B")
    _share(recorded, ("eleven", Kind.PERSON))
    _share(other, ("waited", Kind.PERSON), ("eleven", Kind.PERSON), ("call", Kind.PERSON))

    with CaptureQueriesContext(connection) as one:
        one_cover = story_audio_covers(recorded)
    with CaptureQueriesContext(connection) as three:
        three_covers = story_audio_covers(other)

    assert one_cover == ((3000 - MARGIN_MS, 3500 + MARGIN_MS),)
    # "waited" (2400-2900) and "eleven" (3000-3500) touch once widened; "call." stands apart.
    assert three_covers == (
        (2400 - MARGIN_MS, 3500 + MARGIN_MS),
        (4350 - MARGIN_MS, 5200 + MARGIN_MS),
    )
    assert len(three.captured_queries) == len(one.captured_queries)
