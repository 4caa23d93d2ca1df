"""Reads for peer review (ADR 0034): invitations, shared evidence, and the peer figures.

The peer figures are kept apart from the members' scoring: ``peer_results``
reads only ``PeerAnswer`` rows of sent peer reviews, and nothing here is
passed to ``scoring.score_items`` with the members' answers, so a reviewer
never moves a group's median or the gap between groups.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from cohub.apps.assess import scoring
from cohub.apps.assess.models import (
    AnswerKind,
    AssessmentItem,
    AssessmentRound,
    PeerAnswer,
    PeerEvidence,
    PeerReview,
)
from cohub.apps.core import private_links

# Peer figures show from one sent review: ADR 0034 says why (reviewers are told
# before they answer that the project reads their answers as "the peer review").
PEER_MIN_REVIEWERS = 1


def same_digest(a: str, b: str) -> bool:
    """Compare two digests in constant time, so timing says nothing about a stored one."""
    return hmac.compare_digest(a.encode(), b.encode())


def peer_review_by_token(token: str) -> PeerReview | None:
    """The peer review a link's token opens, or None (a guess, or a link since replaced)."""
    if not token or len(token) > 200:
        return None
    return (
        PeerReview.objects.select_related("round__project", "round__organisation", "created_by")
        .filter(token_hash=private_links.digest(token))
        .first()
    )


def peer_reviews_for(assessment: AssessmentRound) -> QuerySet[PeerReview]:
    """The round's invitations, newest first, each with how many answers it has kept."""
    return (
        PeerReview.objects.filter(round=assessment)
        .select_related("created_by")
        .annotate(answer_count=Count("answers"))
        .order_by("-created_at", "-pk")
    )


def peer_review_get(assessment: AssessmentRound, peer_review_id: int) -> PeerReview:
    """One invitation of ``assessment``; another round's is not found."""
    return get_object_or_404(
        PeerReview.objects.select_related("round"), round=assessment, pk=peer_review_id
    )


def round_evidence(assessment: AssessmentRound) -> list[PeerEvidence]:
    """What the project shares with the round's reviewers, oldest first, with its questions."""
    return list(
        PeerEvidence.objects.filter(round=assessment)
        .prefetch_related("items")
        .order_by("created_at", "pk")
    )


def evidence_get(assessment: AssessmentRound, evidence_id: int) -> PeerEvidence:
    """One piece of shared evidence of ``assessment``; another round's is not found."""
    return get_object_or_404(PeerEvidence, round=assessment, pk=evidence_id)


def peer_own_answers(peer_review: PeerReview) -> dict[int, PeerAnswer]:
    """The reviewer's own answers by item id, for their pages only."""
    return {answer.item_id: answer for answer in peer_review.answers.all()}


@dataclass(frozen=True)
class PeerFigure:
    """An item's peer review figure: how many reviewers answered, their median, their comments.

    ``median`` is None when only "don't know" was answered, or when fewer than
    ``PEER_MIN_REVIEWERS`` reviewers answered (``shown`` is then False).
    """

    n: int
    median: float | None
    shown: bool
    comments: list[str] = field(default_factory=list)
    cells: dict[str, int] = field(default_factory=dict)


def sent_peer_review_count(assessment: AssessmentRound) -> int:
    """How many reviewers of the round have sent their answers."""
    return PeerReview.objects.filter(
        round=assessment, submitted_at__isnull=False, revoked_at__isnull=True
    ).count()


def peer_results(assessment: AssessmentRound) -> dict[int, PeerFigure]:
    """Item id -> the peer figure, from sent (and not revoked) peer reviews only.

    For scale and ladder items the median of the reviewers' steps (the same
    median as the members', "don't know" counted in ``n`` and left out of
    it); for a matrix item ``median`` is None and only ``n`` and comments
    are given, with ``cells`` (how many reviewers chose each cell).
    Revoking a sent review takes its answers out of the results.
    This is the one function the results page, its charts and the round
    report use for peer figures. One query, however many items.
    """
    steps: dict[int, list[int | None]] = {}
    comments: dict[int, list[str]] = {}
    cells: dict[int, dict[str, int]] = {}
    for answer in PeerAnswer.objects.filter(
        peer_review__round=assessment,
        peer_review__submitted_at__isnull=False,
        peer_review__revoked_at__isnull=True,
    ).select_related("item__framework_version"):
        item: AssessmentItem = answer.item
        version = item.framework_version
        choices = scoring.SCALE if version.answer_kind == AnswerKind.SCALE else version.choices
        try:
            step = scoring.scale_step(answer.value, choices)
        except ValueError:  # a matrix cell has no step
            step = None
        steps.setdefault(item.pk, []).append(
            None if version.answer_kind == AnswerKind.MATRIX else step
        )
        if version.answer_kind == AnswerKind.MATRIX:
            chosen = cells.setdefault(item.pk, {})
            chosen[answer.value] = chosen.get(answer.value, 0) + 1
        if answer.comment.strip():
            comments.setdefault(item.pk, []).append(answer.comment.strip())
    found = {}
    for item_id, values in steps.items():
        shown = len(values) >= PEER_MIN_REVIEWERS
        found[item_id] = PeerFigure(
            n=len(values),
            median=scoring.median(values) if shown else None,
            shown=shown,
            comments=sorted(comments.get(item_id, []), key=str.casefold) if shown else [],
            cells=cells.get(item_id, {}) if shown else {},
        )
    return found
