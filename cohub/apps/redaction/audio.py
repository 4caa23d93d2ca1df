"""Where a recorded story's audio is covered: the words its shareable version replaced.

The accepted findings of every run that made a shareable version are
offsets into the version that was checked; the words those characters touch
(``stories.selectors.span_words``) give the times, widened by ``MARGIN_MS``
on each side (word times are a guess to a few tens of ms, and a name's first
sound must not leak), then merged. Every clip, playlist and download that
leaves the hub covers these stretches (ADR 0027); the recording itself is
never changed.
"""

from __future__ import annotations

from django.conf import settings

from cohub.apps.redaction.models import FindingStatus, RedactionFinding
from cohub.apps.stories.models import Story
from cohub.apps.stories.selectors import span_words
from cohub.pipeline.clips import COVERS
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
    spans = []
    for finding in findings:
        words = span_words(finding.run.transcript, finding.char_start, finding.char_end)
        if words:
            start = min(word.start_ms for word in words)
            end = max(word.end_ms for word in words)
            spans.append((max(0, start - MARGIN_MS), end + MARGIN_MS))
    return tuple(merge_spans(spans))
