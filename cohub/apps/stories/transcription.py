"""The transcription job's runner: load the recording, run speech-to-text, write the words.

Thin on purpose (STYLE, "tasks are thin and take ids"): the rules live in
``recordings`` (consent, writing once) and the speech-to-text in
``cohub.pipeline.asr``, which ``cohub transcribe`` and the benchmark share.
It runs in the job's child process (``isolated=True``), so a stuck or
oversized model run is killed from outside and retried.
"""

from __future__ import annotations

import importlib.util
import math
from typing import Any

from cohub.apps.jobs.models import Job
from cohub.apps.jobs.registry import Outcome, Progress, Provenance
from cohub.apps.stories.consent import require_consent
from cohub.apps.stories.derived import story_page_url
from cohub.apps.stories.models import Recording, Transcript
from cohub.apps.stories.recordings import (
    recording_local_path,
    transcript_write_recognised,
    transcription_key,
)
from cohub.apps.stories.scopes import ConsentScope
from cohub.pipeline.formats import SegmentData
from cohub.pipeline.words import WordTime

# What each stage of the pipeline is called on the story page and in the terminal.
_STAGE_WORDS = {
    "decoding": "Reading the recording",
    "finding speech": "Finding where people speak",
    "transcribing": "Writing down what was said",
    "speakers": "Telling the voices apart",
}


def speakers_default() -> int | str | None:
    """ "auto" (estimate how many voices) where this install can tell voices apart, else None."""
    return "auto" if importlib.util.find_spec("cohub.pipeline.diarize") is not None else None


def time_left_words(seconds: float | None) -> str:
    """ "about 3 minutes left", for a guess that is only ever rough."""
    if seconds is None:
        return ""
    if seconds < 50:
        return "less than a minute left"
    minutes = math.ceil(seconds / 60)
    if minutes < 90:
        return f"about {minutes} minute{'s' if minutes != 1 else ''} left"
    hours = round(minutes / 60, 1)
    return f"about {hours:g} hours left"


def progress_message(stage: str, seconds_left: float | None) -> str:
    words = _STAGE_WORDS.get(stage, "Transcribing")
    left = time_left_words(seconds_left)
    return f"{words}: {left}" if left else words


def heard_words(segment: Any) -> tuple[WordTime, ...]:
    """Speech-to-text's words of one segment (``asr.Segment``) as stored word times."""
    return tuple(
        WordTime(
            start_ms=round(word.start * 1000),
            end_ms=round(word.end * 1000),
            text=word.text.strip(),
            probability=round(float(word.probability), 3),
        )
        for word in segment.words
        if word.text.strip()
    )


def _result(recording: Recording, transcript: Transcript, *, repeated: bool) -> dict[str, Any]:
    story = recording.story
    return {
        "url": story_page_url(project_slug=story.project.slug, story_id=story.pk),
        "story_id": recording.story_id,
        "transcript_version": transcript.version,
        "segments": transcript.segments.count(),
        "speakers": recording.story.speakers.count(),
        "already_written": repeated,
    }


def _provenance(recording: Recording) -> Provenance:
    stored = recording.provenance or {}
    engine = " ".join(str(stored.get(k, "")) for k in ("engine", "engine_version")).strip()
    return Provenance(
        engine=engine[:100],
        model_name=str(stored.get("model_name", ""))[:200],
        model_version=str(stored.get("model_version", ""))[:200],
        parameters=dict(stored.get("parameters") or {}),
        input_hash=recording.sha256,
    )


def recording_transcribe_run(job: Job, progress: Progress) -> Outcome:
    """One attempt of ``stories.transcribe``: safe to repeat, as job handlers must be."""
    from cohub.pipeline import asr

    recording = (
        Recording.objects.select_related("story__storyteller", "story__project")
        .filter(pk=job.params.get("recording_id"))
        .first()
    )
    if recording is None:
        # Deleted or withdrawn since it was queued (the purge deletes such jobs too).
        return Outcome(result={"removed": True})
    require_consent(recording.story.storyteller, ConsentScope.TRANSCRIBE)
    key = transcription_key(job)
    if recording.transcript_key == key and recording.transcript_id is not None:
        # This run already wrote the words (its worker stopped before saying so).
        transcript = Transcript.objects.get(pk=recording.transcript_id)
        return Outcome(
            result=_result(recording, transcript, repeated=True),
            provenance=_provenance(recording),
        )
    last: list[Any] = [None]

    def report(step: asr.Progress) -> None:
        percent = min(99, int(step.fraction * 100))
        message = progress_message(step.stage, step.seconds_left)
        if (percent, message) != last[0]:
            last[0] = (percent, message)
            progress(percent, message)

    progress(0, "Getting the recording ready")
    speakers = job.params.get("speakers", speakers_default())
    if speakers == "auto" and speakers_default() is None:
        speakers = None
    with recording_local_path(recording) as path:
        heard = asr.transcribe_media(path, speakers=speakers, progress=report)
    if heard.input_sha256 and heard.input_sha256 != recording.sha256:
        raise ValueError("The recording's file has changed since it was added.")
    segments = [
        SegmentData(
            text=segment.text,
            speaker=segment.speaker or "",
            start_ms=round(segment.start * 1000),
            end_ms=round(segment.end * 1000),
            words=heard_words(segment),
        )
        for segment in heard.segments
    ]
    transcript = transcript_write_recognised(
        recording=recording,
        key=key,
        segments=segments,
        reason=f"Speech-to-text ({heard.engine}, {heard.model_name})",
        provenance=heard.provenance(),
    )
    recording.refresh_from_db()
    progress(100, "The transcript is ready")
    return Outcome(
        result=_result(recording, transcript, repeated=False), provenance=_provenance(recording)
    )
