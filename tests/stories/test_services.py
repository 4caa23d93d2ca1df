"""Story import and typed stories: what gets stored, and what a bad file leaves behind."""

from __future__ import annotations

import pytest

from cohub.apps.core.errors import ConsentError, ServiceError
from cohub.apps.stories import services
from cohub.apps.stories.models import Segment, Story, Transcript
from cohub.pipeline.formats import TranscriptFormatError
from tests.factories import GATHER_ONLY, make_storyteller

VTT = b"""WEBVTT

1
00:00:01.000 --> 00:00:04.500
<v Sam>What happened when you first asked for help?</v>

2
00:00:05.000 --> 00:00:09.250
<v Robin>I waited eleven weeks. Nobody called back.</v>
"""

BROKEN_VTT = b"""WEBVTT

1
00:00:01.000 --> 00:00:04.500
<v Sam>Fine so far.</v>

2
00:00:05.000 -> 00:00:09
<v Robin>This cue has a broken timing line.</v>
"""


@pytest.mark.django_db
def test_import_stores_segments_with_offsets_into_the_text(project):
    storyteller = make_storyteller(project, consent=GATHER_ONLY)
    story = services.story_import_transcript(
        project=project, storyteller=storyteller, actor=None, data=VTT, filename="robin-call.vtt"
    )
    transcript = story.transcripts.get()
    segments = list(transcript.segments.order_by("index"))
    assert [(s.speaker.label, s.start_ms, s.end_ms) for s in segments] == [
        ("Sam", 1000, 4500),
        ("Robin", 5000, 9250),
    ]
    for segment in segments:
        assert transcript.text[segment.char_start : segment.char_end] == segment.text
    assert story.title == "Robin call"


@pytest.mark.django_db
def test_broken_file_leaves_nothing_behind(project):
    storyteller = make_storyteller(project, consent=GATHER_ONLY)
    with pytest.raises(TranscriptFormatError) as error:
        services.story_import_transcript(
            project=project,
            storyteller=storyteller,
            actor=None,
            data=BROKEN_VTT,
            filename="broken.vtt",
        )
    assert error.value.line == 8
    assert error.value.cue == 2
    assert Story.objects.count() == Transcript.objects.count() == Segment.objects.count() == 0


@pytest.mark.django_db
def test_same_transcript_twice_is_refused_not_duplicated(project):
    storyteller = make_storyteller(project, consent=GATHER_ONLY)
    services.story_import_transcript(
        project=project, storyteller=storyteller, actor=None, data=VTT, filename="a.vtt"
    )
    with pytest.raises(ServiceError, match="already in the project"):
        services.story_import_transcript(
            project=project, storyteller=storyteller, actor=None, data=VTT, filename="b.vtt"
        )
    assert Story.objects.count() == 1


@pytest.mark.django_db
def test_no_story_without_consent_to_record_and_transcribe(project):
    storyteller = make_storyteller(project, consent={"record": True})
    with pytest.raises(ConsentError, match="transcribe"):
        services.story_create_from_text(
            project=project, storyteller=storyteller, actor=None, title="t", text="Hello there."
        )
    assert Story.objects.count() == 0


@pytest.mark.django_db
def test_storyteller_from_another_project_is_refused(project):
    from tests.factories import ProjectFactory

    other = make_storyteller(ProjectFactory())
    with pytest.raises(ServiceError, match="different project"):
        services.story_create_from_text(
            project=project, storyteller=other, actor=None, title="t", text="Hello there."
        )
