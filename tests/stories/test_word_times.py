"""Word times are stored with every version: corrections keep them, quotes are timed by them."""

from __future__ import annotations

import pytest

from cohub.apps.analysis.models import Highlight
from cohub.apps.analysis.services import highlight_create
from cohub.apps.stories.models import Recording, StoryEdit
from cohub.apps.stories.recordings import story_add_recording, transcript_write_recognised
from cohub.apps.stories.selectors import segment_words, span_words
from cohub.apps.stories.services import (
    story_edit_undo,
    transcript_revise,
    transcript_revise_part,
)
from cohub.pipeline.formats import SegmentData
from cohub.pipeline.words import WordTime
from tests import media_support as media
from tests.factories import import_vtt_story, make_story

pytestmark = pytest.mark.django_db

# What speech-to-text heard, as the job hands it over: each word with its time.
HEARD = [
    SegmentData(
        text="How did it start?",
        speaker="Speaker 1",
        start_ms=500,
        end_ms=1800,
        words=(
            WordTime(500, 700, "How", 0.91),
            WordTime(750, 900, "did", 0.88),
            WordTime(950, 1100, "it", 0.93),
            WordTime(1150, 1800, "start?", 0.97),
        ),
    ),
    SegmentData(
        text="I waited eleven weeks for a call.",
        speaker="Speaker 2",
        start_ms=2200,
        end_ms=5200,
        words=(
            WordTime(2200, 2350, "I", 0.99),
            WordTime(2400, 2900, "waited", 0.95),
            WordTime(3000, 3500, "eleven", 0.42),
            WordTime(3550, 3900, "weeks", 0.9),
            WordTime(3950, 4100, "for", 0.97),
            WordTime(4150, 4300, "a", 0.96),
            WordTime(4350, 5200, "call.", 0.94),
        ),
    ),
]


@pytest.fixture
def recorded(project, storyteller, settings, tmp_path):
    """A recorded story whose words came from speech-to-text (written as the job writes them)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    added = story_add_recording(
        project=project,
        storyteller=storyteller,
        actor=None,
        path=media.speech(tmp_path, "robin.wav"),
        filename="robin.wav",
    )
    transcript_write_recognised(
        recording=Recording.objects.get(pk=added.recording.pk),
        key="test-run",
        segments=HEARD,
        reason="Speech-to-text",
    )
    return added.story


def _newest(story):
    return story.transcripts.order_by("-version").first()


def _words(story, index):
    return segment_words(_newest(story).segments.get(index=index))


def test_speech_to_text_words_are_stored_with_their_times_and_probabilities(recorded):
    assert _words(recorded, 1) == HEARD[1].words


def test_a_corrected_line_keeps_its_other_words_times_and_quotes_follow(recorded):
    transcript = _newest(recorded)
    start = transcript.text.index("waited eleven weeks")
    quote = highlight_create(
        story=recorded,
        transcript=transcript,
        char_start=start,
        char_end=start + len("waited eleven weeks"),
        actor=None,
    ).highlight
    assert (quote.start_ms, quote.end_ms) == (2400, 3900)  # from its first and last words

    revision = transcript_revise_part(
        story=recorded,
        actor=None,
        index=1,
        text="I waited twelve weeks for a call.",
        speaker=None,
        reason="Misheard",
    )

    words = _words(recorded, 1)
    assert revision.transcript.version == 2
    assert [w.text for w in words] == ["I", "waited", "twelve", "weeks", "for", "a", "call."]
    unchanged = [w for w in words if w.text != "twelve"]
    assert unchanged == [w for w in HEARD[1].words if w.text != "eleven"]
    twelve = words[2]
    assert (twelve.start_ms, twelve.end_ms, twelve.probability) == (3000, 3500, None)
    assert _words(recorded, 0) == HEARD[0].words  # the other line is untouched
    quote = Highlight.objects.get(pk=quote.pk)
    assert quote.transcript_id == revision.transcript.pk
    assert quote.snippet == "waited twelve weeks"
    assert (quote.start_ms, quote.end_ms) == (2400, 3900)

    story_edit_undo(edit=StoryEdit.objects.get(pk=revision.edit.pk), actor=None)
    assert _words(recorded, 1) == HEARD[1].words


def test_a_whole_text_correction_keeps_word_times_of_the_parts_it_corrects(recorded):
    text = "Speaker 1: How did it start?\n\nSpeaker 2: I waited eleven long weeks for a call."
    transcript_revise(story=recorded, actor=None, reason="Typo", text=text)

    words = _words(recorded, 1)
    assert words[:3] == HEARD[1].words[:3]
    assert words[4:] == HEARD[1].words[3:]
    assert words[3].text == "long" and 3500 <= words[3].start_ms <= words[3].end_ms <= 3550


def test_a_quotes_words_can_be_read_with_their_times(recorded):
    transcript = _newest(recorded)
    start = transcript.text.index("start?")
    end = transcript.text.index("waited") + len("waited")

    found = span_words(transcript, start, end)

    assert [w.text for w in found] == ["start?", "I", "waited"]
    assert (found[0].start_ms, found[-1].end_ms) == (1150, 2900)


def test_video_call_cues_share_their_time_over_their_words(project, storyteller):
    story = import_vtt_story(project, storyteller)
    segment = _newest(story).segments.get(index=1)

    words = segment_words(segment)

    assert [w.text for w in words] == segment.text.split()
    assert words[0].start_ms == segment.start_ms and words[-1].end_ms == segment.end_ms
    assert all(w.probability is None for w in words)


def test_typed_stories_have_no_word_times(project):
    story = make_story(project)

    assert all(not segment_words(s) for s in _newest(story).segments.all())
