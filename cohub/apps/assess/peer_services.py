"""Writes for peer review (ADR 0034): invite, send again, revoke, evidence, the reviewer's answers.

A facilitator invites someone from another organisation to review one
round. The link carries a random token; only its SHA-256 is stored, so the
database holds no working link and the page that makes it shows it once.
Every facilitator step, and each time a link is opened or answers are
sent, is a line in the audit trail: the reviewer is a named outsider, and
the project should be able to say who saw what it shared, and when.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import dateformat, timezone

from cohub.apps.assess import scoring
from cohub.apps.assess.models import (
    AssessmentItem,
    AssessmentRound,
    PeerAnswer,
    PeerEvidence,
    PeerReview,
    PeerReviewState,
    peer_review_expiry,
)
from cohub.apps.assess.selectors import item_choices, round_is_open
from cohub.apps.core import private_links
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import record_event

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeerInvited:
    """A peer review and its link's token: the only moment the token is known."""

    peer_review: PeerReview
    token: str


class PeerLinkClosedError(ServiceError):
    """The link was revoked, replaced, or is past its date; the page says what to do."""

    def __init__(self, message: str, *, state: str) -> None:
        super().__init__(message)
        self.state = state


def _audit_data(peer_review: PeerReview) -> dict[str, Any]:
    # The organisation, not the person's name or address: the trail says which
    # outside body saw the round, and the invitation row keeps who.
    return {
        "round": peer_review.round_id,
        "organisation": peer_review.reviewer_organisation,
    } | _round_organisation(peer_review.round)


def _round_organisation(assessment: AssessmentRound) -> dict[str, Any]:
    # A round of a whole organisation has no project to file its lines under: they name
    # the organisation instead ("organisation" already names the reviewer's).
    return {} if assessment.project_id else {"round_organisation": assessment.organisation_id}


def _asker(assessment: AssessmentRound) -> str:
    """Who asks for the review, in words: the project, or the organisation whose round it is."""
    return "the project" if assessment.project_id else "the organisation"


def peer_review_invite(
    *,
    assessment: AssessmentRound,
    name: str,
    organisation: str,
    email: str = "",
    actor: Any,
) -> PeerInvited:
    """Invite a reviewer from another organisation to one round; returns the link's token.

    Inviting the same person (same name and organisation) to the same round
    while their link still works is refused, so a double click makes one
    invitation, not two; the list offers "send again" for a new link.
    """
    name, organisation, email = name.strip(), organisation.strip(), email.strip().lower()
    if not name:
        raise ServiceError("Give the reviewer's name.", field="name")
    if not organisation:
        raise ServiceError("Say which organisation the reviewer comes from.", field="organisation")
    if organisation.casefold() == assessment.organisation.name.strip().casefold():
        raise ServiceError(
            "A peer reviewer comes from another organisation: this is the project's own. "
            "Members of the project answer the round themselves."
            if assessment.project_id
            else "A peer reviewer comes from another organisation: this round is this "
            "organisation's own. Everyone in it answers the round themselves.",
            field="organisation",
        )
    if not round_is_open(assessment):
        raise ServiceError("This round has closed, so no one new can review it.")
    token, digest = private_links.new_secret()
    with transaction.atomic():
        already = (
            PeerReview.objects.select_for_update()
            .filter(
                round=assessment,
                reviewer_name__iexact=name,
                reviewer_organisation__iexact=organisation,
                revoked_at__isnull=True,
            )
            .first()
        )
        if already is not None and already.state() != PeerReviewState.EXPIRED:
            raise ServiceError(
                f"{already.reviewer_name} ({already.reviewer_organisation}) is already invited "
                "to this round. Use \u201csend a new link\u201d in the list if they need one."
            )
        peer_review = PeerReview.objects.create(
            round=assessment,
            reviewer_name=name,
            reviewer_organisation=organisation,
            reviewer_email=email,
            token_hash=digest,
            created_by=actor,
        )
        record_event(
            actor=actor,
            verb="peer_review.invite",
            target=peer_review,
            project_id=assessment.project_id,
            organisation_id=assessment.organisation_id,
            data=_audit_data(peer_review),
        )
    return PeerInvited(peer_review=peer_review, token=token)


def peer_review_resend(*, peer_review: PeerReview, actor: Any) -> PeerInvited:
    """A new link for the same reviewer: the old one (and any page open with it) stops working.

    The link works for a fresh ``COHUB_PEER_REVIEW_DAYS`` and keeps the answers
    already given, so someone whose link ran out carries on where they were.
    """
    if peer_review.revoked_at is not None:
        raise ServiceError("This invitation was revoked. Invite the reviewer again instead.")
    if peer_review.submitted_at is not None:
        raise ServiceError("This reviewer has already sent their answers: there is nothing to do.")
    if not round_is_open(peer_review.round):
        raise ServiceError("This round has closed, so the reviewer can no longer answer.")
    token, digest = private_links.new_secret()
    with transaction.atomic():
        peer_review.token_hash = digest
        peer_review.expires_at = peer_review_expiry()
        peer_review.save(update_fields=["token_hash", "expires_at", "updated_at"])
        record_event(
            actor=actor,
            verb="peer_review.resend",
            target=peer_review,
            project_id=peer_review.round.project_id,
            organisation_id=peer_review.round.organisation_id,
            data=_audit_data(peer_review),
        )
    return PeerInvited(peer_review=peer_review, token=token)


def peer_review_revoke(*, peer_review: PeerReview, actor: Any) -> PeerReview:
    """Stop the link working at once; a sent review's answers leave the results too.

    Revoking twice changes nothing (and writes no second line).
    """
    if peer_review.revoked_at is not None:
        return peer_review
    with transaction.atomic():
        peer_review.revoked_at = timezone.now()
        peer_review.save(update_fields=["revoked_at", "updated_at"])
        record_event(
            actor=actor,
            verb="peer_review.revoke",
            target=peer_review,
            project_id=peer_review.round.project_id,
            organisation_id=peer_review.round.organisation_id,
            data=_audit_data(peer_review),
        )
    return peer_review


def closed_reason(peer_review: PeerReview) -> tuple[str, str]:
    """(state, words) when the reviewer's link no longer opens the round; ("", "") when it does.

    A sent review still opens, read-only, until its date, so the reviewer can
    see what they sent.
    """
    state = peer_review.state()
    who = peer_review.created_by or "the person who invited you"
    if state == PeerReviewState.REVOKED:
        return str(state), (
            f"This link was withdrawn by {_asker(peer_review.round)}, so it no longer opens "
            "the review. "
            f"If you think that is a mistake, please ask {who}."
        )
    if state == PeerReviewState.EXPIRED:
        day = dateformat.format(timezone.localtime(peer_review.expires_at), "j F Y")
        return str(state), (
            f"This link stopped working on {day}. If you still want to give your review, "
            f"please ask {who} to send you a new link; your answers so far are kept."
        )
    if not round_is_open(peer_review.round) and state != PeerReviewState.SENT:
        return "closed", "This round has closed, so answers can no longer be given."
    return "", ""


def peer_link_open(*, peer_review: PeerReview) -> PeerReview:
    """The reviewer opened their link: refuse a closed one, and note the use in the trail.

    Each opening is a line (an outsider reading what the project shared);
    the first one also marks the invitation as opened.
    """
    state, reason = closed_reason(peer_review)
    if reason:
        raise PeerLinkClosedError(reason, state=state)
    with transaction.atomic():
        if peer_review.first_opened_at is None:
            peer_review.first_opened_at = timezone.now()
            peer_review.save(update_fields=["first_opened_at", "updated_at"])
        record_event(
            actor=None,
            verb="peer_review.open",
            target=peer_review,
            project_id=peer_review.round.project_id,
            organisation_id=peer_review.round.organisation_id,
            data=_audit_data(peer_review),
        )
    return peer_review


def _refuse_unless_answering(peer_review: PeerReview) -> None:
    state, reason = closed_reason(peer_review)
    if reason:
        raise PeerLinkClosedError(reason, state=state)
    if peer_review.submitted_at is not None:
        raise ServiceError("You have already sent your review, so it can no longer be changed.")


def peer_answer_save(
    *, peer_review: PeerReview, item: AssessmentItem, value: str, comment: str = ""
) -> PeerAnswer:
    """Keep one of the reviewer's answers, so they can stop and carry on by the same link."""
    _refuse_unless_answering(peer_review)
    if not peer_review.round.framework_versions.filter(pk=item.framework_version_id).exists():
        raise ServiceError("That question is not part of this round.")
    choices = item_choices(item)
    try:
        step = scoring.scale_step(value, choices)
    except ValueError:
        raise ServiceError("Choose one of the answers given, or \u201cdon't know\u201d.") from None
    stored = scoring.DONT_KNOW if step is None else choices[step - 1]
    answer, _ = PeerAnswer.objects.update_or_create(
        peer_review=peer_review, item=item, defaults={"value": stored, "comment": comment.strip()}
    )
    return answer


def peer_review_submit(*, peer_review: PeerReview) -> PeerReview:
    """Send the review: it is locked and shows beside the self-assessment. Twice is once."""
    if peer_review.submitted_at is not None:
        return peer_review
    _refuse_unless_answering(peer_review)
    if not peer_review.answers.exists():
        raise ServiceError("Answer at least one question before sending.")
    with transaction.atomic():
        updated = PeerReview.objects.filter(pk=peer_review.pk, submitted_at__isnull=True).update(
            submitted_at=timezone.now(), updated_at=timezone.now()
        )
        peer_review.refresh_from_db()
        if updated:
            record_event(
                actor=None,
                verb="peer_review.submit",
                target=peer_review,
                project_id=peer_review.round.project_id,
                organisation_id=peer_review.round.organisation_id,
                data={**_audit_data(peer_review), "answers": peer_review.answers.count()},
            )
    return peer_review


def peer_evidence_add(
    *,
    assessment: AssessmentRound,
    title: str,
    text: str,
    items: Iterable[AssessmentItem] = (),
    actor: Any,
) -> PeerEvidence:
    """Share an account, in the project's (or the organisation's) words, with the round's
    peer reviewers."""
    title, text = title.strip(), text.strip()
    if not title:
        raise ServiceError("Give the evidence a short title.", field="title")
    if not text:
        raise ServiceError("Write what you want the reviewers to read.", field="text")
    chosen = list(items)
    allowed = set(
        AssessmentItem.objects.filter(framework_version__rounds=assessment).values_list(
            "pk", flat=True
        )
    )
    if any(item.pk not in allowed for item in chosen):
        raise ServiceError("Choose questions of this round only.", field="items")
    with transaction.atomic():
        same = PeerEvidence.objects.filter(round=assessment, title=title, text=text).first()
        if same is not None:  # the same words sent twice (a double click) are kept once
            return same
        evidence = PeerEvidence.objects.create(
            round=assessment, title=title, text=text, created_by=actor
        )
        evidence.items.set(chosen)
        record_event(
            actor=actor,
            verb="peer_evidence.add",
            target=evidence,
            project_id=assessment.project_id,
            organisation_id=assessment.organisation_id,
            data={"round": assessment.pk, "items": sorted(item.key for item in chosen)}
            | _round_organisation(assessment),
        )
    return evidence


def peer_evidence_remove(*, evidence: PeerEvidence, actor: Any) -> None:
    """Stop sharing a piece of evidence: reviewers no longer see it."""
    with transaction.atomic():
        record_event(
            actor=actor,
            verb="peer_evidence.remove",
            target=evidence,
            project_id=evidence.round.project_id,
            organisation_id=evidence.round.organisation_id,
            data={"round": evidence.round_id, "title": evidence.title}
            | _round_organisation(evidence.round),
        )
        evidence.delete()


class Delivery:
    SENT = "sent"
    NOT_CONFIGURED = "not_configured"  # this hub sends no email; the link is copied by hand
    NO_ADDRESS = "no_address"
    FAILED = "failed"


def peer_review_email(*, peer_review: PeerReview, link: str) -> str:
    """Email the link when this hub sends email and an address was given; else say why not.

    Called after the invitation is saved, outside any transaction (a slow mail
    server must not hold the database); a failure is reported, not raised,
    because the link can still be copied from the page.
    """
    if not settings.COHUB_EMAIL_ENABLED:
        return Delivery.NOT_CONFIGURED
    if not peer_review.reviewer_email:
        return Delivery.NO_ADDRESS
    context = {
        "peer_review": peer_review,
        "round": peer_review.round,
        "project": peer_review.round.project,
        "inviter": peer_review.created_by,
        "link": link,
        "expires_at": timezone.localtime(peer_review.expires_at),
    }
    subject = " ".join(render_to_string("assess/email/peer_subject.txt", context).split())
    body = render_to_string("assess/email/peer_invitation.txt", context)
    try:
        send_mail(subject, body, None, [peer_review.reviewer_email])
    except (smtplib.SMTPException, OSError):
        logger.warning("The peer review email %s could not be sent", peer_review.pk, exc_info=True)
        return Delivery.FAILED
    return Delivery.SENT
