"""Word times are stored with every version: corrections keep them, quotes are timed by them."""

from __future__ import annotations

import pytest

from cohub.apps.analysis.models import Highlight
from cohub.apps.analysis.services import highlight_create
from cohub.apps.stories.models import StoryEdit
from cohub.apps.stories.selectors import segment_words, span_words
from cohub.apps.stories.services import (
    story_edit_undo,
    transcript_revise,
    transcript_revise_part,
)
from tests.factories import import_vtt_story, make_story
from tests.playback_support import HEARD, recorded_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(project, storyteller, settings, tmp_path):
    """A recorded story whose words came from speech-to-text (written as the job writes them)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return recorded_story(project, storyteller, tmp_path)


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
