"""Clips: a key quote on a recorded story is also a stretch of its recording.

The rules for when a clip may leave the hub (downloaded alone, or in a
project's playlist) are one declared list, ``CLIP_RULES``, checked in order;
the first that fails is the reason, said without naming anyone. A clip
plays someone's voice, which people who know them can recognise, so it
needs more than a quote in findings does:

1. the quote has times in the recording;
2. its words have not been lost in a new version (it waits for a person);
3. the storyteller agrees, today, that we keep a recording of them;
4. and that they are quoted (anonymously at least; naming follows the
   quote's own setting, as in findings);
5. nobody else is heard in it but the storyteller and the interviewer:
   another participant was never asked whether their voice may be played.

Every clip covers the words the story's shareable version replaced (a bleep
or silence, ``redaction.audio``, ADR 0027). A cut is kept under the
project's ``playlists/`` folder, named by a digest of the recording, the
span and what it covers, so it is not cut twice; the folder goes on any
withdrawal in the project (``reports.playlist.playlists_purge``).

Listening on the story's own page is reading the story, not a clip leaving
it (``stories:recording_media``): the recording itself for whoever runs the
project, a copy with the replaced words covered for everyone else.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.core.files.storage import default_storage

from cohub.apps.analysis.models import Highlight
from cohub.apps.core.errors import ServiceError
from cohub.apps.redaction.audio import (
    cover_kind,
    cut_and_keep,
    kept_cut_name,
    story_audio_covers,
)
from cohub.apps.stories.consent import ConsentNow
from cohub.apps.stories.models import Recording, SpeakerPart
from cohub.apps.stories.scopes import ConsentScope
from cohub.apps.stories.ways_out import CLIP, require_way_out
from cohub.pipeline.clips import ClipSpan


@dataclass(frozen=True)
class ClipRule:
    """One condition a clip must meet; ``reason`` finishes "left out because ..."."""

    key: str
    reason: str
    allows: Callable[[Highlight, ConsentNow], bool]


def _speakers_asked(highlight: Highlight, consent: ConsentNow) -> bool:
    speakers = list(highlight.speakers.all()) or (
        [highlight.speaker] if highlight.speaker is not None else []
    )
    return all(speaker.part != SpeakerPart.PARTICIPANT for speaker in speakers)


CLIP_RULES: tuple[ClipRule, ...] = (
    ClipRule(
        "no_times",
        "it has no times in the recording",
        lambda h, c: h.start_ms is not None and h.end_ms is not None,
    ),
    ClipRule(
        "needs_checking",
        "the story's words changed and someone needs to check the quote",
        lambda h, c: not h.needs_attention,
    ),
    ClipRule(
        "no_recording_consent",
        "the storyteller has not agreed that we keep a recording",
        lambda h, c: c.allows(ConsentScope.RECORD),
    ),
    ClipRule(
        "no_quote_consent",
        "the storyteller has not agreed to be quoted",
        lambda h, c: c.quoting is None,
    ),
    ClipRule(
        "another_voice",
        "someone else is heard in it who was never asked",
        _speakers_asked,
    ),
)


def clip_refusal(highlight: Highlight, consent: ConsentNow) -> ClipRule | None:
    """The first rule the quote's clip breaks, or None when it may leave the hub."""
    for rule in CLIP_RULES:
        if not rule.allows(highlight, consent):
            return rule
    return None


def clip_require(highlight: Highlight, consent: ConsentNow) -> None:
    """Refuse a clip leaving the hub: ``ConsentError`` when consent does not allow the way out
    (``ways_out.CLIP``), ``ServiceError`` naming the first other rule it breaks."""
    require_way_out(consent, CLIP)
    rule = clip_refusal(highlight, consent)
    if rule is not None:
        raise ServiceError(f"The clip cannot be downloaded: {rule.reason}.")


def clip_span(highlight: Highlight, recording: Recording) -> tuple[int, int]:
    """The clip's start and end in ms: its words' times, nudged, inside the recording."""
    start = highlight.clip_start_ms or 0
    end = highlight.clip_end_ms or start + 1
    end = min(end, recording.duration_ms) if recording.duration_ms else end
    return min(start, max(0, end - 1)), end


def clip_filename(highlight: Highlight) -> str:
    """The download's name: the quote's number only, since a story's title may name someone."""
    return f"clip-{highlight.pk}.ogg"


def clip_cache_name(project_id: int, recording: Recording, span: ClipSpan) -> str:
    """Where a cut of exactly this recording, span and covering is kept."""
    return kept_cut_name(project_id, recording, span, stem="clip")


@contextlib.contextmanager
def clip_file(highlight: Highlight, recording: Recording) -> Iterator[Path]:
    """The clip, covered where words were replaced, in a temporary file; the caller checked
    the rules. Cut once per recording, span and covering, and kept (``clip_cache_name``)."""
    start, end = clip_span(highlight, recording)
    story = recording.story
    covers = story_audio_covers(story)
    with tempfile.TemporaryDirectory(prefix="cohub-clip-") as folder:
        target = Path(folder) / clip_filename(highlight)
        span = ClipSpan(Path(), start, end, covers=covers, cover=cover_kind())
        name = clip_cache_name(story.project_id, recording, span)
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as kept, target.open("wb") as out:
                out.write(kept.read())
        else:
            cut_and_keep(recording, span, name, target)
        yield target
