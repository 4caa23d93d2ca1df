"""Reads for the codebook and the coding log of one project."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from cohub.apps.analysis.models import CodingEvent, Theme
from cohub.apps.projects.models import Project


def themes_for(project: Project, *, include_merged: bool = False) -> QuerySet[Theme]:
    themes = Theme.objects.filter(project=project)
    if not include_merged:
        themes = themes.filter(merged_into__isnull=True)
    return themes.annotate(
        quote_count=Count("highlight_links", distinct=True),
        story_count=Count("highlight_links__highlight__review_sheet__story", distinct=True),
    ).select_related("merged_into")


def theme_get(project: Project, pk: int) -> Theme:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Theme, project=project, pk=pk)


def coding_log(project: Project, *, story_id: int | None = None) -> QuerySet[CodingEvent]:
    events = CodingEvent.objects.filter(project=project).select_related("actor", "undone_by")
    if story_id is not None:
        events = events.filter(story_id=story_id)
    return events.order_by("-created_at", "-id")
