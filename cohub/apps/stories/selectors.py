"""Reads for storytellers and stories, scoped to one project.

Views check the project-level permission first; these only ever look inside
that project, so an id from elsewhere is not found rather than shown.

A story's words are read only through ``story_transcript``, which answers with
the words or with why they are withheld (consent to transcribe taken back, the
keep-until date passed, withdrawn), so no page can show them by forgetting to
ask (docs/adr/0013-consent-on-every-read.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from cohub.apps.projects.models import Project
from cohub.apps.stories.consent import ConsentNow, Withheld, consent_now
from cohub.apps.stories.models import (
    ConsentRecord,
    Segment,
    Speaker,
    Story,
    Storyteller,
    Transcript,
)


def storytellers_for(project: Project) -> QuerySet[Storyteller]:
    return (
        Storyteller.objects.filter(project=project)
        .annotate(story_count=Count("stories"))
        .prefetch_related("consent_records")
        .order_by("withdrawn_at", "pseudonym", "id")
    )


def storyteller_get(project: Project, pk: int) -> Storyteller:
    return get_object_or_404(
        Storyteller.objects.prefetch_related(
            Prefetch("consent_records", queryset=ConsentRecord.objects.order_by("-version"))
        ),
        project=project,
        pk=pk,
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
    return _latest_transcript(story)


def story_withheld(story: Story) -> Withheld | None:
    """Why the story's words, and what was written from them, may not be shown now, or None.

    For pages about a story that do not show its transcript (notes, speakers, editing).
    """
    return consent_now(story.storyteller).words


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
