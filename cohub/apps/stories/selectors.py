"""Reads for storytellers and stories, scoped to one project.

Views check the project-level permission first; these only ever look inside
that project, so an id from elsewhere is not found rather than shown.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from cohub.apps.projects.models import Project
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


def latest_transcript(story: Story) -> Transcript | None:
    return story.transcripts.order_by("-version").first()


def transcript_segments(transcript: Transcript) -> QuerySet[Segment]:
    return transcript.segments.select_related("speaker").order_by("index")


def story_speakers(story: Story) -> QuerySet[Speaker]:
    """The people speaking in a story, with how many parts of the newest text each speaks."""
    latest = latest_transcript(story)
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
