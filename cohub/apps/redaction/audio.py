"""Where a recorded story's audio is covered: the words its shareable version replaced.

The accepted findings of every run that made a shareable version are
offsets into the version that was checked; the words those characters touch
(``stories.selectors.span_words``) give the times, widened by ``MARGIN_MS``
on each side (word times are a guess to a few tens of ms, and a name's first
sound must not leak), then merged. Every clip, playlist and download that
leaves the hub covers these stretches (ADR 0027); the recording itself is
never changed.

Inside the hub, the story page's player plays the original only to those who
may hear it (``redaction.hear_original``: whoever runs the project); everyone
else hears a covered copy of the whole recording, made once by a job and kept
beside the playlists, so the same purge removes it.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage

from cohub.apps.jobs.services import job_enqueue
from cohub.apps.redaction.models import FindingStatus, RedactionFinding
from cohub.apps.stories.consent import consent_now
from cohub.apps.stories.models import Recording, Story
from cohub.apps.stories.playback import PlaySource
from cohub.apps.stories.recordings import recording_local_path
from cohub.apps.stories.scopes import ConsentScope
from cohub.apps.stories.selectors import spans_words
from cohub.pipeline.clips import COVERS, ClipSpan, cut_clip
from cohub.pipeline.spans import merge_spans

MARGIN_MS = 120


def cover_kind() -> str:
    """``COHUB_REDACTION_AUDIO``: "tone" (the default, a 1 kHz bleep) or "silence"."""
    kind = str(getattr(settings, "COHUB_REDACTION_AUDIO", "tone"))
    return kind if kind in COVERS else "tone"


def story_audio_covers(story: Story) -> tuple[tuple[int, int], ...]:
    """The stretches (ms in the recording) to cover in anything played from ``story``.

    Reading words is reading the story: callers checked consent already.
    """
    findings = (
        RedactionFinding.objects.filter(
            run__story=story,
            run__shared_transcript__isnull=False,
            status=FindingStatus.ACCEPTED,
        )
        .select_related("run__transcript")
        .order_by("run_id", "index")
    )
    by_transcript: dict[int, list[RedactionFinding]] = {}
    for finding in findings:
        by_transcript.setdefault(finding.run.transcript_id, []).append(finding)
    spans = []
    for group in by_transcript.values():
        stretches = [(finding.char_start, finding.char_end) for finding in group]
        for words in spans_words(group[0].run.transcript, stretches):
            if words:
                start = min(word.start_ms for word in words)
                end = max(word.end_ms for word in words)
                spans.append((max(0, start - MARGIN_MS), end + MARGIN_MS))
    return tuple(merge_spans(spans))


# ---------------------------------------------------------------------------
# The story page's player, for those who may not hear the original

COVER_RECORDING = "redaction.cover_recording"
# Kept cuts (clips and covered copies) sit beside the project's playlists, so the
# same purge removes them.
KEPT_FOLDER = "playlists"


@dataclass(frozen=True)
class CoveredRecording:
    """The covered copy of a recording: where it is kept, and whether it is made yet."""

    name: str
    ready: bool


def kept_cut_name(project_id: int, recording: Recording, span: ClipSpan, *, stem: str) -> str:
    """Where a cut of exactly this recording, span and covering is kept (a change: a new cut)."""
    summary = [recording.sha256, span.start_ms, span.end_ms, list(span.covers), span.cover]
    digest = hashlib.sha256(json.dumps(summary).encode()).hexdigest()[:32]
    return f"{KEPT_FOLDER}/{project_id}/{stem}-{digest}.ogg"


def cut_and_keep(recording: Recording, span: ClipSpan, name: str, target: Path) -> str:
    """Cut ``span`` of the recording to ``target`` and keep a copy as ``name``; the saved name."""
    with recording_local_path(recording) as source:
        cut_clip(replace(span, path=source), target)
    with target.open("rb") as handle:
        return default_storage.save(name, File(handle))


def _whole(recording: Recording, covers: tuple[tuple[int, int], ...]) -> ClipSpan:
    return ClipSpan(Path(), 0, recording.duration_ms, covers=covers, cover=cover_kind())


def covered_recording_name(recording: Recording, covers: tuple[tuple[int, int], ...]) -> str:
    """Where the whole recording, covered exactly so, is kept."""
    return kept_cut_name(
        recording.story.project_id, recording, _whole(recording, covers), stem="story"
    )


def covered_recording(
    recording: Recording, covers: tuple[tuple[int, int], ...], *, actor: Any = None
) -> CoveredRecording:
    """The covered copy to play, asking for it to be made when it is not there yet.

    Covering a whole recording takes ffmpeg a minute or more for an hour of
    sound, too long for a page to wait, so it is a job; asking again while one
    waits or runs joins that one (``job_enqueue``'s input hash). The job is
    also asked for when a shareable version is made, so it is usually ready by
    the time anyone presses play.
    """
    name = covered_recording_name(recording, covers)
    if default_storage.exists(name):
        return CoveredRecording(name=name, ready=True)
    job_enqueue(
        kind=COVER_RECORDING,
        params={"story_id": recording.story_id},
        project_id=recording.story.project_id,
        created_by=actor,
        input_hash=name.rsplit("/", 1)[-1],
    )
    return CoveredRecording(name=name, ready=False)


def covered_recording_make(story_id: int) -> dict[str, Any]:
    """The job's work: cut the whole recording with its replaced words covered, once.

    Safe to repeat: a copy already there is kept. A story withdrawn while the
    cut was made leaves nothing: the copy is removed again once saved.
    """
    recording = (
        Recording.objects.select_related("story__storyteller").filter(story_id=story_id).first()
    )
    if recording is None:
        return {"lines": ["The story or its recording is gone; nothing to cover."]}
    if consent_now(recording.story.storyteller).withheld(ConsentScope.RECORD) is not None:
        return {"lines": ["The storyteller has not agreed that we keep the recording."]}
    covers = story_audio_covers(recording.story)
    if not covers:
        return {"lines": ["No words of this story were replaced; the recording plays as it is."]}
    name = covered_recording_name(recording, covers)
    if default_storage.exists(name):
        return {"lines": ["The covered recording was ready already."]}
    with tempfile.TemporaryDirectory(prefix="cohub-cover-") as folder:
        saved = cut_and_keep(
            recording, _whole(recording, covers), name, Path(folder) / "covered.ogg"
        )
    if not Recording.objects.filter(pk=recording.pk, sha256=recording.sha256).exists():
        default_storage.delete(saved)
        return {"lines": ["The story was withdrawn while it was covered; nothing is kept."]}
    return {"lines": [f"{len(covers)} stretches covered in the recording."]}


def covered_play_source(
    story: Story, recording: Recording, user: Any, project: Any
) -> PlaySource | None:
    """For the story page (``stories.playback.register_play_source``): the covered copy
    for those who may not hear the original, once words were replaced; else None."""
    covers = story_audio_covers(story)
    if not covers or user.has_perm("redaction.hear_original", project):
        return None
    covered = covered_recording(recording, covers, actor=user)
    return PlaySource(name=covered.name, content_type="audio/ogg", ready=covered.ready)
