"""The audit of reads: who saw which story's content, when (issue 7 item 5, ADR 0026).

Reads are noted where the words are read, not where they are shown: the
selectors that hand a page a story's words, quotes or recording call
``note_read``, so a page that reads through them is audited without knowing
it. ``project_view`` (every project page) opens a ``reading()`` for the
request and writes one ``Event`` for everything it read; an export or a job
opens its own and writes its own entry (nested readings do not leak outwards,
so nothing is counted twice).

An entry holds ids and kinds only (which stories, storytellers and parts),
never words or titles: audit rows outlive withdrawn stories. Repeats of the
same read by the same person within ``COHUB_AUDIT_REPEAT_SECONDS`` (seeking in
a recording sends a request per seek; the board polls) are one entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from cohub.apps.core.models import Event

# What a person saw of a story, for the log page's words and its filter.
PART_PROFILE = "profile"  # a storyteller's details: who they are, what they agreed to
PART_STORY = "story"  # a page about the story: its notes, speakers, ideas
PART_TRANSCRIPT = "transcript"
PART_QUOTES = "quotes"
PART_RECORDING = "recording"
PART_CLIPS = "clips"

# The verbs of read entries (writes keep their own ``<entity>.<action>`` verbs).
VIEWED = "content.viewed"
DOWNLOADED = "content.downloaded"
EXPORTED = "content.exported"
READ_VERBS = (VIEWED, DOWNLOADED, EXPORTED)

DEFAULT_REPEAT_SECONDS = 300

# The labels of the records an entry is about when the page names none.
STORY_LABEL = "stories.story"
STORYTELLER_LABEL = "stories.storyteller"
PROJECT_LABEL = "projects.project"


@dataclass
class Reads:
    """What one request (or export, or job) read, by id."""

    stories: set[int] = field(default_factory=set)
    storytellers: set[int] = field(default_factory=set)
    parts: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.stories or self.storytellers)

    def as_data(self) -> dict[str, list[Any]]:
        return {
            "stories": sorted(self.stories),
            "storytellers": sorted(self.storytellers),
            "parts": sorted(self.parts),
        }


_current: ContextVar[Reads | None] = ContextVar("cohub_audit_reads", default=None)


@contextmanager
def reading() -> Iterator[Reads]:
    """Collect what the code inside reads; the caller records it (``record_read``)."""
    reads = Reads()
    token = _current.set(reads)
    try:
        yield reads
    finally:
        _current.reset(token)


def reads_recorded() -> None:
    """Forget what the current reading holds: the caller has written its own entry for it.

    For a download that records a fuller entry of its own (a subject access
    download), so the page's audit does not write a second one.
    """
    reads = _current.get()
    if reads is not None:
        reads.stories.clear()
        reads.storytellers.clear()
        reads.parts.clear()


def note_read(*, part: str, story_id: int, storyteller_id: int) -> None:
    """Say that a story's content was just handed to whoever is reading (no-op outside one)."""
    reads = _current.get()
    if reads is None:
        return
    reads.stories.add(story_id)
    reads.storytellers.add(storyteller_id)
    reads.parts.add(part)


def note_profile(*, storyteller_id: int) -> None:
    """Say that a storyteller's own details (not a story) were just handed to the reader."""
    reads = _current.get()
    if reads is None:
        return
    reads.storytellers.add(storyteller_id)
    reads.parts.add(PART_PROFILE)


def note_reads(*, part: str, pairs: Iterable[tuple[int, int]]) -> None:
    """``note_read`` for many ``(story_id, storyteller_id)`` pairs at once."""
    for story_id, storyteller_id in pairs:
        note_read(part=part, story_id=story_id, storyteller_id=storyteller_id)


def _repeat_window() -> dt.timedelta:
    return dt.timedelta(
        seconds=getattr(settings, "COHUB_AUDIT_REPEAT_SECONDS", DEFAULT_REPEAT_SECONDS)
    )


def record_read(
    *,
    actor: Any,
    verb: str,
    reads: Reads,
    project_id: int,
    target: models.Model | None = None,
    route: str = "",
    via: str = "web",
) -> Event | None:
    """Write the entry for ``reads``, or nothing when the same read was just written.

    ``target`` is the record the page is about; without one, a read of a single
    story is about that story, of one storyteller's details about them, and
    anything else about the project.
    ``route`` names the page or command (``analysis:review_sheet``,
    ``cohub export-findings``). Returns the new entry, or None for a repeat or
    when nothing was read.
    """
    if not reads:
        return None
    data: dict[str, Any] = {"route": route, "via": via, **reads.as_data()}
    if target is not None:
        target_type, target_id = target._meta.label_lower, str(target.pk)
    elif len(reads.stories) == 1:
        target_type, target_id = STORY_LABEL, str(next(iter(reads.stories)))
    elif not reads.stories and len(reads.storytellers) == 1:
        target_type, target_id = STORYTELLER_LABEL, str(next(iter(reads.storytellers)))
    else:
        target_type, target_id = PROJECT_LABEL, str(project_id)
    user = actor if getattr(actor, "is_authenticated", False) else None
    recent = Event.objects.filter(
        actor=user,
        verb=verb,
        project_id=project_id,
        target_type=target_type,
        target_id=target_id,
        created_at__gte=timezone.now() - _repeat_window(),
    ).values_list("data", flat=True)
    if any(previous == data for previous in recent):
        return None
    return Event.objects.create(
        actor=user,
        verb=verb,
        target_type=target_type,
        target_id=target_id,
        project_id=project_id,
        data=data,
    )
