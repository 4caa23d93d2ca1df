"""Reads for assessments: frameworks and their items."""

from __future__ import annotations

from django.db.models import QuerySet

from cohub.apps.assess import scoring
from cohub.apps.assess.models import (
    AnswerKind,
    AssessmentAnswer,
    AssessmentItem,
    AssessmentRound,
    Framework,
    FrameworkVersion,
    ResponseStatus,
)


def shipped_frameworks() -> list[FrameworkVersion]:
    """The newest version of each framework the hub ships, by key."""
    found = []
    for framework in Framework.objects.filter(organisation=None).order_by("key"):
        latest = framework.latest_version()
        if latest is not None:
            found.append(latest)
    return found


def framework_version(key: str) -> FrameworkVersion | None:
    """The newest version of the shipped framework ``key``, or None."""
    framework = Framework.objects.filter(key=key, organisation=None).first()
    return framework.latest_version() if framework else None


def version_items(version: FrameworkVersion) -> QuerySet[AssessmentItem]:
    return version.items.order_by("position")


def round_results(assessment: AssessmentRound) -> list[tuple[AssessmentItem, scoring.ItemResult]]:
    """Every item of the round scored from sent answers only, widest gap first.

    The same scoring as ``cohub assess results``; the round's own minimum group size.
    """
    items = list(
        AssessmentItem.objects.filter(
            framework_version__in=assessment.framework_versions.all()
        ).select_related("framework_version")
    )
    by_key = {f"{i.framework_version_id}:{i.key}": i for i in items}
    answers = []
    for answer in AssessmentAnswer.objects.filter(
        response__round=assessment, response__status=ResponseStatus.SUBMITTED
    ).select_related("response", "item__framework_version"):
        item = answer.item
        if item.framework_version.answer_kind == AnswerKind.MATRIX:
            continue
        choices = (
            scoring.SCALE
            if item.framework_version.answer_kind == AnswerKind.SCALE
            else item.framework_version.choices
        )
        answers.append(
            scoring.ScoredAnswer(
                respondent=str(answer.response.respondent_id),
                group=answer.response.group,
                item=f"{item.framework_version_id}:{item.key}",
                step=scoring.scale_step(answer.value, choices),
            )
        )
    ranked = scoring.score_items(list(by_key), answers, min_group=assessment.min_group_size)
    return [(by_key[r.item], r) for r in ranked]
