"""Reads for storytellers and stories, scoped to one project.

Views check the project-level permission first; these only ever look inside
that project, so an id from elsewhere is not found rather than shown.

A story's words are read only through ``story_transcript``, which answers with
the words or with why they are withheld (consent to transcribe taken back, the
keep-until date passed, withdrawn), so no page can show them by forgetting to
ask (docs/adr/0013-consent-on-every-read.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from cohub.apps.core import audit
from cohub.apps.jobs.models import JobStatus
from cohub.apps.projects.models import Project
from cohub.apps.stories.consent import ConsentNow, Withheld, consent_now
from cohub.apps.stories.models import (
    ConsentRecord,
    Recording,
    RecordingUpload,
    Segment,
    Speaker,
    Story,
    Storyteller,
    Transcript,
)
from cohub.apps.stories.scopes import ConsentScope
from cohub.pipeline.words import WordTime, tokens, words_from_json


def storytellers_for(project: Project) -> QuerySet[Storyteller]:
    return (
        Storyteller.objects.filter(project=project)
        .annotate(story_count=Count("stories"))
        .prefetch_related("consent_records")
        .order_by("withdrawn_at", "pseudonym", "id")
    )


def storyteller_get(project: Project, pk: int) -> Storyteller:
    """One storyteller with their consent history, noted as a read of their details (core.audit).

    Every page about a storyteller shows who they are, so looking them up for
    one is reading their details.
    """
    storyteller = get_object_or_404(
        Storyteller.objects.prefetch_related(
            Prefetch("consent_records", queryset=ConsentRecord.objects.order_by("-version"))
        ),
        project=project,
        pk=pk,
    )
    audit.note_profile(storyteller_id=storyteller.pk)
    return storyteller


def upload_get(project: Project, pk: str) -> RecordingUpload:
    """An unfinished upload in this project by its token (``upload_id`` in its URL).

    One past its expiry is gone, as if the periodic job had already removed it.
    Whether this person may continue it is the ``stories.add_story`` rule's to say.
    """
    return get_object_or_404(
        RecordingUpload.objects.select_related("storyteller"),
        project=project,
        token=str(pk),
        expires_at__gt=timezone.now(),
    )


def upload_for(project: Project, user: Any, token: str) -> RecordingUpload | None:
    """This person's unfinished upload in this project by its token, or None."""
    return (
        RecordingUpload.objects.select_related("storyteller")
        .filter(project=project, created_by=user, token=token, expires_at__gt=timezone.now())
        .first()
    )


def stories_for(project: Project) -> QuerySet[Story]:
    return (
        Story.objects.filter(project=project)
        .select_related("storyteller")
        .order_by("-created_at", "-id")
    )


def story_get(project: Project, pk: int) -> Story:
    return get_object_or_404(
        Story.objects.select_related("storyteller", "project").prefetch_related(
            "storyteller__consent_records"
        ),
        project=project,
        pk=pk,
    )


def _latest_transcript(story: Story) -> Transcript | None:
    return story.transcripts.order_by("-version").first()


def story_transcript(story: Story) -> Transcript | Withheld | None:
    """The newest version of the story's words, or why they may not be read now.

    None only for a story with no text at all (every stored story has some).
    Consent is read as it is now (a prefetched ``storyteller.consent_records``
    is used), so a narrowed consent hides the words on the next page load.
    """
    withheld = story_withheld(story)
    if withheld is not None:
        return withheld
    transcript = _latest_transcript(story)
    if transcript is not None:
        audit.note_read(
            part=audit.PART_TRANSCRIPT, story_id=story.pk, storyteller_id=story.storyteller_id
        )
    return transcript


def story_withheld(story: Story) -> Withheld | None:
    """Why the story's words, and what was written from them, may not be shown now, or None.

    For pages about a story that do not show its transcript (notes, speakers, editing).
    A story that may be read is noted as read (``core.audit``): the page asking
    is about to show what was written from it.
    """
    withheld = consent_now(story.storyteller).words
    if withheld is None:
        audit.note_read(
            part=audit.PART_STORY, story_id=story.pk, storyteller_id=story.storyteller_id
        )
    return withheld


def story_recording(story: Story) -> Recording | Withheld | None:
    """The story's recording to play, or why it may not be heard now (None: there is none).

    Hearing the recording needs the storyteller's consent that we record it
    (``ConsentScope.RECORD``), as it stands today: withdrawal, a passed
    keep-until date or a "no" to recording stops playback on the next request.
    """
    recording = Recording.objects.filter(story_id=story.pk).first()
    if recording is None:
        return None
    withheld = consent_now(story.storyteller).withheld(ConsentScope.RECORD)
    if withheld is not None:
        return withheld
    audit.note_read(
        part=audit.PART_RECORDING, story_id=story.pk, storyteller_id=story.storyteller_id
    )
    return recording


def story_part_count(story: Story) -> int:
    """How many parts the newest text has: a count, so it says nothing of the words."""
    latest = _latest_transcript(story)
    return latest.segments.count() if latest is not None else 0


def consents_for(project: Project) -> dict[int, ConsentNow]:
    """What each storyteller's consent allows today, by storyteller id, in two queries.

    For pages that show quotes from many stories: ``consents[story.storyteller_id]``.
    """
    return _consents(Storyteller.objects.filter(project=project))


def consents_of(storyteller_ids: Iterable[int]) -> dict[int, ConsentNow]:
    """As ``consents_for``, for the storytellers of a list of records (say, a page of the log)."""
    return _consents(Storyteller.objects.filter(pk__in=set(storyteller_ids)))


def _consents(storytellers: QuerySet[Storyteller]) -> dict[int, ConsentNow]:
    storytellers = storytellers.prefetch_related("consent_records")
    return {storyteller.pk: consent_now(storyteller) for storyteller in storytellers}


def transcript_segments(transcript: Transcript) -> QuerySet[Segment]:
    return transcript.segments.select_related("speaker").order_by("index")


def segment_words(segment: Segment) -> tuple[WordTime, ...]:
    """When each word of a part was said, one per word of its text (empty when untimed)."""
    return words_from_json(segment.words)


def span_words(transcript: Transcript, char_start: int, char_end: int) -> list[WordTime]:
    """The timed words that the characters ``[char_start, char_end)`` of a version touch.

    For a quote (its transcript and offsets) or a stretch to bleep: every word
    whose characters overlap the span, in order, with its start and end in ms.
    Reading words is reading the story: callers check consent first.
    """
    return spans_words(transcript, [(char_start, char_end)])[0]


def spans_words(transcript: Transcript, spans: Sequence[tuple[int, int]]) -> list[list[WordTime]]:
    """``span_words`` for many spans of one version, in one query.

    A story's covered stretches are asked for on every seek of its player,
    and a story may have dozens of replaced names: one query per stretch
    would make each seek as slow as the story is sensitive.
    """
    if not spans:
        return []
    low = min(start for start, _ in spans)
    high = max(end for _, end in spans)
    rows = transcript.segments.filter(char_end__gt=low, char_start__lt=high).order_by("index")
    parts = [
        (row.char_start, row.char_end, tokens(row.text), words_from_json(row.words))
        for row in rows.only("char_start", "char_end", "text", "words")
    ]
    found: list[list[WordTime]] = []
    for char_start, char_end in spans:
        touched: list[WordTime] = []
        for row_start, row_end, row_tokens, words in parts:
            if row_end <= char_start or row_start >= char_end:
                continue
            for number, (begin, finish, _) in enumerate(row_tokens):
                if number >= len(words):
                    break
                if row_start + finish > char_start and row_start + begin < char_end:
                    touched.append(words[number])
        found.append(touched)
    return found


def story_speakers(story: Story) -> QuerySet[Speaker]:
    """The people speaking in a story, with how many parts of the newest text each speaks."""
    latest = _latest_transcript(story)
    return (
        Speaker.objects.filter(story=story)
        .annotate(
            part_count=Count("segments", filter=Q(segments__transcript=latest), distinct=True)
        )
        .order_by("id")
    )


def speaker_get(story: Story, pk: int) -> Speaker:
    return get_object_or_404(Speaker.objects.select_related("story"), story=story, pk=pk)


def active_storyteller_count(project: Project) -> int:
    """Storytellers who have not withdrawn: the ones a project can still hear from."""
    return Storyteller.objects.filter(project=project, withdrawn_at__isnull=True).count()


def story_count(project: Project) -> int:
    return Story.objects.filter(project=project).count()


@dataclass(frozen=True)
class RecordingProgress:
    """Where a story's recording stands on its way to words, as the story page says it.

    ``state`` is one of: ``waiting`` (queued), ``running``, ``done``, ``failed``,
    ``needs_consent`` (kept, but the storyteller has not agreed to transcription)
    or ``not_started`` (agreed, but nobody has asked yet).
    """

    recording: Recording
    state: str
    percent: int
    message: str
    error: str
    status_url: str

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed", "needs_consent", "not_started")

    @property
    def summary(self) -> str:
        """One sentence for the screen reader's live region: it changes only with the state."""
        return _PROGRESS_SUMMARIES[self.state]

    def as_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "finished": self.finished,
            "percent": self.percent,
            "message": self.message,
            "summary": self.summary,
            "error": self.error,
        }


_PROGRESS_SUMMARIES = {
    "waiting": "Waiting for its turn to be written out.",
    "running": "Being written out now.",
    "done": "The transcript is ready.",
    "failed": "The recording could not be written out.",
    "needs_consent": "Waiting for consent to transcribe.",
    "not_started": "Not written out yet.",
}


def recording_progress(story: Story) -> RecordingProgress | None:
    """The story's recording and how its transcription is going; None for a story without one."""
    from cohub.apps.stories.consent import consent_allows
    from cohub.apps.stories.scopes import ConsentScope

    recording = (
        Recording.objects.select_related("transcription_job").filter(story_id=story.pk).first()
    )
    if recording is None:
        return None
    job = recording.transcription_job
    percent, message, error = 0, "", ""
    if job is not None and job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
        state = "waiting" if job.status == JobStatus.QUEUED else "running"
        percent, message = job.progress, job.progress_message
    elif recording.transcript_id is not None:
        state, percent = "done", 100
    elif job is not None and job.status == JobStatus.FAILED:
        state = "failed"
        # "SilentMediaError: We could not hear..." -> the sentence after the type.
        error = job.error.partition(": ")[2] or job.error
    elif not consent_allows(story.storyteller, ConsentScope.TRANSCRIBE):
        state = "needs_consent"
    else:
        state = "not_started"
    url = reverse(
        "stories:recording_status",
        kwargs={"project_slug": story.project.slug, "story_id": story.pk},
    )
    return RecordingProgress(
        recording=recording,
        state=state,
        percent=percent,
        message=message,
        error=error,
        status_url=url,
    )
