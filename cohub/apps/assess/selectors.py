"""Reads for assessments: frameworks, rounds, a person's own answers, results, actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cohub.apps.accounts.models import Organisation, User
from cohub.apps.assess import scoring
from cohub.apps.assess.models import (
    AnswerKind,
    AssessmentAction,
    AssessmentAnswer,
    AssessmentItem,
    AssessmentResponse,
    AssessmentRound,
    Framework,
    FrameworkVersion,
    ResponseStatus,
)
from cohub.apps.projects.models import Project


def shipped_frameworks() -> list[FrameworkVersion]:
    """The newest version of each framework the hub ships, by key."""
    found = []
    for framework in Framework.objects.filter(organisation=None).order_by("key"):
        latest = framework.latest_version()
        if latest is not None:
            found.append(latest)
    return found


def organisation_frameworks(organisation: Any) -> list[FrameworkVersion]:
    """The newest version of each of an organisation's own frameworks, by name."""
    found = []
    for framework in Framework.objects.filter(organisation=organisation):
        latest = (
            framework.versions.filter(for_organisation=False)
            .annotate(item_count=Count("items"))
            .order_by("-version")
            .first()
        )
        if latest is not None:
            found.append(latest)
    return sorted(found, key=lambda v: v.title.casefold())


def own_framework_get(organisation: Organisation, framework_id: int) -> Framework:
    """One of the organisation's own frameworks; the hub's or another's is not found."""
    return get_object_or_404(Framework, pk=framework_id, organisation_id=organisation.pk)


def round_framework_choices(project: Project) -> list[FrameworkVersion]:
    """What a round of ``project`` may ask about: the hub's frameworks, then the organisation's
    own that have at least one question (each at its newest version)."""
    return organisation_round_framework_choices(project.organisation)


def organisation_round_framework_choices(organisation: Organisation) -> list[FrameworkVersion]:
    """What a round of (or in) ``organisation`` may ask about: the hub's, then its own with
    at least one question."""
    own = [
        v
        for v in organisation_frameworks(organisation)
        if v.item_count  # type: ignore[attr-defined]
    ]
    return [*shipped_frameworks(), *own]


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
                respondent=answer.response.paper_respondent or str(answer.response.respondent_id),
                group=answer.response.group,
                item=f"{item.framework_version_id}:{item.key}",
                step=scoring.scale_step(answer.value, choices),
            )
        )
    ranked = scoring.score_items(list(by_key), answers, min_group=assessment.min_group_size)
    return [(by_key[r.item], r) for r in ranked]


def rounds_for(project: Project) -> QuerySet[AssessmentRound]:
    """The project's rounds, newest first, with their frameworks."""
    return (
        AssessmentRound.objects.filter(project=project)
        .prefetch_related("framework_versions")
        .order_by("-opens_at", "-pk")
    )


def organisation_rounds(organisation: Organisation) -> QuerySet[AssessmentRound]:
    """The organisation-wide rounds (no project), newest first, with their frameworks."""
    return (
        AssessmentRound.objects.filter(organisation=organisation, project__isnull=True)
        .prefetch_related("framework_versions")
        .order_by("-opens_at", "-pk")
    )


def organisation_round_get(organisation: Organisation, round_id: int) -> AssessmentRound:
    """One organisation-wide round of ``organisation``; a project's round, or another
    organisation's, is not found."""
    return get_object_or_404(
        AssessmentRound, organisation=organisation, project__isnull=True, pk=round_id
    )


def organisation_action_get(organisation: Organisation, action_id: int) -> AssessmentAction:
    """One action on the organisation's own list (from its organisation-wide rounds)."""
    return get_object_or_404(
        AssessmentAction.objects.select_related("round", "item", "owner"),
        round__organisation=organisation,
        round__project__isnull=True,
        pk=action_id,
    )


def organisation_actions(organisation: Organisation) -> QuerySet[AssessmentAction]:
    """The organisation's action list (from its organisation-wide rounds), soonest due first."""
    return (
        AssessmentAction.objects.filter(
            round__organisation=organisation, round__project__isnull=True
        )
        .select_related("round", "item", "owner")
        .order_by(F("due").asc(nulls_last=True), "pk")
    )


def organisation_people(organisation: Organisation) -> QuerySet[User]:
    """Everyone who belongs to the organisation: its own members, and its projects' members."""
    return (
        User.objects.filter(
            Q(organisation_memberships__organisation=organisation)
            | Q(project_memberships__project__organisation=organisation),
            is_active=True,
        )
        .distinct()
        .order_by("display_name", "email")
    )


def round_get(project: Project, round_id: int) -> AssessmentRound:
    """One round of ``project``; a round of another project is not found."""
    return get_object_or_404(AssessmentRound, project=project, pk=round_id)


def action_get(project: Project, action_id: int) -> AssessmentAction:
    """One action on ``project``'s list; another project's is not found."""
    return get_object_or_404(
        AssessmentAction.objects.select_related("round__project", "item", "owner"),
        round__project=project,
        pk=action_id,
    )


def round_items(assessment: AssessmentRound) -> list[AssessmentItem]:
    """Every item a respondent answers, one framework after another, in its own order."""
    return list(
        AssessmentItem.objects.filter(framework_version__rounds=assessment)
        .select_related("framework_version__framework")
        .order_by("framework_version__framework__key", "position")
    )


def item_choices(item: AssessmentItem) -> list[str]:
    """The answers ``item`` offers, lowest first ("don't know" is offered beside them)."""
    if item.framework_version.answer_kind == AnswerKind.SCALE:
        return list(scoring.SCALE)
    return list(item.framework_version.choices)


def response_for(assessment: AssessmentRound, user: Any) -> AssessmentResponse | None:
    """``user``'s own response to the round (a draft or sent), or None."""
    return AssessmentResponse.objects.filter(round=assessment, respondent=user).first()


def own_answers(response: AssessmentResponse | None) -> dict[int, AssessmentAnswer]:
    """The respondent's answers by item id: only ever read for the person themselves."""
    if response is None:
        return {}
    return {answer.item_id: answer for answer in response.answers.all()}


@dataclass(frozen=True)
class RoundLine:
    """A round on the list, with where the viewer stands in it."""

    round: AssessmentRound
    items: int
    answered: int
    sent: bool
    is_open: bool
    sent_count: int


def round_lines(project: Project, user: Any) -> list[RoundLine]:
    """The round list: per round how far the viewer got and how many have sent answers."""
    return _lines(rounds_for(project), user)


def organisation_round_lines(organisation: Organisation, user: Any) -> list[RoundLine]:
    """``round_lines`` for the organisation-wide rounds."""
    return _lines(organisation_rounds(organisation), user)


def _lines(found: QuerySet[AssessmentRound], user: Any) -> list[RoundLine]:
    rounds = list(
        found.annotate(
            item_count=Count("framework_versions__items", distinct=True),
            sent_count=Count(
                "responses",
                filter=Q(responses__status=ResponseStatus.SUBMITTED),
                distinct=True,
            ),
        )
    )
    mine = {
        r.round_id: r
        for r in AssessmentResponse.objects.filter(
            round__in=[a.pk for a in rounds], respondent=user
        ).annotate(answered=Count("answers"))
    }
    now = timezone.now()
    lines = []
    for assessment in rounds:
        response = mine.get(assessment.pk)
        lines.append(
            RoundLine(
                round=assessment,
                items=assessment.item_count,  # type: ignore[attr-defined]
                answered=response.answered if response else 0,  # type: ignore[attr-defined]
                sent=bool(response and response.status == ResponseStatus.SUBMITTED),
                is_open=round_is_open(assessment, now),
                sent_count=assessment.sent_count,  # type: ignore[attr-defined]
            )
        )
    return lines


def round_is_open(assessment: AssessmentRound, now: dt.datetime | None = None) -> bool:
    """Still taking answers: opened, and not past its closing time."""
    now = now or timezone.now()
    return assessment.opens_at <= now and (
        assessment.closes_at is None or assessment.closes_at > now
    )


def item_comments(
    assessment: AssessmentRound, *, min_count: int, shown_groups_only: bool = False
) -> dict[int, list[str]]:
    """Sent comments by item id, without names, sorted by their words (not by who or when).

    An item's comments show only when at least ``min_count`` people answered it,
    so one person's words are never the only answer on the page. With
    ``shown_groups_only`` (the round report, which leaves the project), a
    comment shows only when its writer's group reached ``min_count`` answers
    to that item, so a group too small for figures leaves no words either;
    someone in no group then counts as a group of their own, never shown.
    """
    counts: dict[int, int] = {}
    group_counts: dict[tuple[int, str], int] = {}
    found: list[tuple[int, str, str]] = []
    for item_id, comment, group in AssessmentAnswer.objects.filter(
        response__round=assessment, response__status=ResponseStatus.SUBMITTED
    ).values_list("item_id", "comment", "response__group"):
        counts[item_id] = counts.get(item_id, 0) + 1
        group_counts[(item_id, group)] = group_counts.get((item_id, group), 0) + 1
        if comment.strip():
            found.append((item_id, group, comment.strip()))
    comments: dict[int, list[str]] = {}
    for item_id, group, words in found:
        if counts[item_id] < min_count:
            continue
        if shown_groups_only and (not group or group_counts[(item_id, group)] < min_count):
            continue
        comments.setdefault(item_id, []).append(words)
    return {item_id: sorted(words, key=str.casefold) for item_id, words in comments.items()}


def matrix_counts(assessment: AssessmentRound) -> dict[int, dict[str, int]]:
    """Sent matrix answers, item id -> cell -> how many chose it ("don't know" included)."""
    counts: dict[int, dict[str, int]] = {}
    for item_id, value in AssessmentAnswer.objects.filter(
        response__round=assessment,
        response__status=ResponseStatus.SUBMITTED,
        item__framework_version__answer_kind=AnswerKind.MATRIX,
    ).values_list("item_id", "value"):
        cells = counts.setdefault(item_id, {})
        cells[value] = cells.get(value, 0) + 1
    return counts


def project_actions(project: Project) -> QuerySet[AssessmentAction]:
    """The project's action list, soonest due first, with the item and round it came from."""
    return (
        AssessmentAction.objects.filter(round__project=project)
        .select_related("round", "item", "owner")
        .order_by(F("due").asc(nulls_last=True), "pk")
    )


def round_actions(assessment: AssessmentRound) -> dict[int, list[AssessmentAction]]:
    """Actions by item id: the round's own, and open ones from earlier rounds of the project
    (for an organisation-wide round, the organisation's earlier organisation-wide rounds).

    An earlier round's action shows under the same item key here, so the next
    round sees what was promised and how far it got.
    """
    found: dict[int, list[AssessmentAction]] = {}
    items = {(i.framework_version.framework_id, i.key): i.pk for i in round_items(assessment)}
    for action in AssessmentAction.objects.filter(
        _same_place("round__", assessment), round__opens_at__lte=assessment.opens_at
    ).select_related("item__framework_version", "owner", "round"):
        key = (action.item.framework_version.framework_id, action.item.key)
        if key in items:
            found.setdefault(items[key], []).append(action)
    return found


def _same_place(prefix: str, assessment: AssessmentRound) -> Q:
    """Rounds of the same project, or (for an organisation-wide one) the same organisation's
    organisation-wide rounds: never a project's round mixed with the organisation's."""
    if assessment.project_id is not None:
        return Q(**{f"{prefix}project_id": assessment.project_id})
    return Q(
        **{f"{prefix}organisation_id": assessment.organisation_id, f"{prefix}project__isnull": True}
    )


def earlier_rounds(assessment: AssessmentRound, *, limit: int = 4) -> list[AssessmentRound]:
    """The project's rounds opened before this one, oldest first (the last ``limit``); for an
    organisation-wide round, the organisation's earlier organisation-wide rounds."""
    found = list(
        AssessmentRound.objects.filter(
            _same_place("", assessment), opens_at__lt=assessment.opens_at
        ).order_by("-opens_at", "-pk")[:limit]
    )
    return found[::-1]
