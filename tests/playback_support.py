"""A recorded story whose words came from speech-to-text, for the playback and clip tests.

The recording is real (espeak-ng, checked and kept by the service); its words are
written as the transcription job writes them, so tests need not wait for Whisper.
"""

from __future__ import annotations

from pathlib import Path

from cohub.apps.projects.models import Project
from cohub.apps.stories.models import Recording, Story, Storyteller
from cohub.apps.stories.recordings import story_add_recording, transcript_write_recognised
from cohub.pipeline.formats import SegmentData
from cohub.pipeline.words import WordTime
from tests import media_support as media

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


def recorded_story(
    project: Project,
    storyteller: Storyteller,
    folder: Path,
    *,
    segments: list[SegmentData] = HEARD,
    speech: str = "",
    title: str = "",
) -> Story:
    """Needs jobs left queued (the dummy backend). ``speech`` makes a different recording."""
    name = f"recording-{abs(hash(speech)) % 10_000}.wav"
    added = story_add_recording(
        project=project,
        storyteller=storyteller,
        actor=None,
        path=media.speech(folder, name, text=speech),
        filename=name,
        title=title,
    )
    transcript_write_recognised(
        recording=Recording.objects.get(pk=added.recording.pk),
        key="test-run",
        segments=segments,
        reason="Speech-to-text",
    )
    return added.story
