"""Reads for theme suggestion runs, narrowed to one project; quotes only as ``ShownQuote``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from cohub.apps.analysis.models import (
    Suggestion,
    SuggestionQuote,
    SuggestionRun,
    SuggestionStatus,
)
from cohub.apps.analysis.selectors import ShownQuote, _shown
from cohub.apps.jobs.models import Job
from cohub.apps.projects.models import Project
from cohub.apps.stories.selectors import consents_for

SHOWN_AT_FIRST = 3


def placement_counts(story_ids: Sequence[int]) -> dict[int, int]:
    """Places in suggested themes per story, for the story pages' "withdrawal removes" lists."""
    rows = (
        SuggestionQuote.objects.filter(highlight__review_sheet__story_id__in=list(story_ids))
        .values("highlight__review_sheet__story_id")
        .annotate(n=Count("pk"))
    )
    return {row["highlight__review_sheet__story_id"]: row["n"] for row in rows}


def suggestion_runs_for(project: Project) -> QuerySet[SuggestionRun]:
    """The project's runs, newest first, with counts of suggestions, accepted and open."""
    return (
        SuggestionRun.objects.filter(project=project)
        .select_related("requested_by")
        .annotate(
            suggestion_count=Count("suggestions", filter=Q(suggestions__unsorted=False)),
            accepted_count=Count(
                "suggestions", filter=Q(suggestions__status=SuggestionStatus.ACCEPTED)
            ),
            open_count=Count(
                "suggestions",
                filter=Q(suggestions__status=SuggestionStatus.OPEN, suggestions__unsorted=False),
            ),
        )
        .order_by("-created_at", "-id")
    )


def suggestion_run_get(project: Project, pk: int) -> SuggestionRun:
    return get_object_or_404(
        SuggestionRun.objects.select_related("requested_by"), project=project, pk=pk
    )


def suggestion_get(project: Project, pk: int) -> Suggestion:
    return get_object_or_404(
        Suggestion.objects.select_related("run__project", "theme", "existing_theme"),
        run__project=project,
        pk=pk,
    )


def sureness(confidence: float) -> str:
    """How sure the grouping is, in words (the number is a centroid silhouette, 0-1)."""
    if confidence >= 0.3:
        return "Clear group"
    if confidence >= 0.15:
        return "Fairly clear group"
    return "Loose group"


@dataclass(frozen=True)
class SuggestionView:
    suggestion: Suggestion
    representatives: list[ShownQuote]
    others: list[ShownQuote]
    sureness: str

    @property
    def size(self) -> int:
        return len(self.representatives) + len(self.others)


@dataclass(frozen=True)
class RunView:
    run: SuggestionRun
    job: Job | None
    open: list[SuggestionView] = field(default_factory=list)
    decided: list[SuggestionView] = field(default_factory=list)
    unsorted: SuggestionView | None = None

    @property
    def merge_targets(self) -> list[Suggestion]:
        return [view.suggestion for view in self.open]


def run_view(project: Project, run: SuggestionRun) -> RunView:
    """Everything the run's page shows, in a fixed number of queries."""
    job = Job.objects.filter(pk=run.job_id).first() if run.job_id else None
    suggestions = list(
        run.suggestions.select_related("theme", "decided_by", "merged_into", "existing_theme")
    )
    placed = (
        SuggestionQuote.objects.filter(suggestion__run=run)
        .select_related("highlight__review_sheet__story", "highlight__speaker")
        .order_by("suggestion_id", "rank", "pk")
    )
    consents = consents_for(project) if suggestions else {}
    quotes: dict[int, list[ShownQuote]] = {}
    for row in placed:
        storyteller_id = row.highlight.review_sheet.story.storyteller_id
        quotes.setdefault(row.suggestion_id, []).append(
            _shown(row.highlight, consents[storyteller_id])
        )
    views = []
    for suggestion in suggestions:
        mine = quotes.get(suggestion.pk, [])
        views.append(
            SuggestionView(
                suggestion=suggestion,
                representatives=mine[:SHOWN_AT_FIRST],
                others=mine[SHOWN_AT_FIRST:],
                sureness=sureness(suggestion.confidence),
            )
        )
    return RunView(
        run=run,
        job=job,
        open=[v for v in views if v.suggestion.is_open and not v.suggestion.unsorted],
        decided=[v for v in views if not v.suggestion.is_open],
        unsorted=next((v for v in views if v.suggestion.unsorted and v.suggestion.is_open), None),
    )
