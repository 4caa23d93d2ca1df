"""Peer review (ADR 0034): the link kept as a hash, its states, answers, figures kept apart."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cohub.apps.assess.models import PeerReview, PeerReviewState
from cohub.apps.assess.peer_selectors import (
    peer_results,
    peer_review_by_token,
    round_evidence,
)
from cohub.apps.assess.peer_services import (
    PeerLinkClosedError,
    peer_answer_save,
    peer_evidence_add,
    peer_evidence_remove,
    peer_link_open,
    peer_review_invite,
    peer_review_resend,
    peer_review_revoke,
    peer_review_submit,
)
from cohub.apps.assess.selectors import framework_version, round_results
from cohub.apps.assess.services import answer_save, frameworks_load, response_submit, round_open
from cohub.apps.core import private_links
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import Event
from cohub.apps.projects.models import Participation, ProjectRole, TakingPart
from tests.factories import ProjectFactory, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def peer_round():
    frameworks_load()
    project = ProjectFactory()
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    version = framework_version("embedding")
    assessment = round_open(project=project, title="Spring", versions=[version], actor=facilitator)
    return project, facilitator, version, assessment


def invite(assessment, facilitator, name="Asha Rao", organisation="Northside Trust"):
    return peer_review_invite(
        assessment=assessment,
        name=name,
        organisation=organisation,
        email="Asha@Example.org",
        actor=facilitator,
    )


def test_the_token_is_stored_only_as_its_hash(peer_round):
    project, facilitator, version, assessment = peer_round
    invited = invite(assessment, facilitator)
    review = PeerReview.objects.get()
    assert review.token_hash == private_links.digest(invited.token)
    assert invited.token not in str(PeerReview.objects.values().get())
    assert peer_review_by_token(invited.token) == review
    assert peer_review_by_token(invited.token + "x") is None
    assert review.reviewer_email == "asha@example.org"
    assert review.state() == PeerReviewState.WAITING
    assert review.expires_at - timezone.now() > dt.timedelta(days=20)
    event = Event.objects.get(verb="peer_review.invite")
    assert event.data == {"round": assessment.pk, "organisation": "Northside Trust"}
    assert event.actor == facilitator


def test_inviting_the_same_person_twice_is_refused(peer_round):
    project, facilitator, version, assessment = peer_round
    invite(assessment, facilitator)
    with pytest.raises(ServiceError, match="already invited"):
        invite(assessment, facilitator, name=" asha rao ", organisation="NORTHSIDE trust")
    assert PeerReview.objects.count() == 1


def test_a_reviewer_must_come_from_another_organisation(peer_round):
    project, facilitator, version, assessment = peer_round
    with pytest.raises(ServiceError, match="another organisation") as refused:
        invite(assessment, facilitator, organisation=project.organisation.name.upper())
    assert refused.value.field == "organisation"
    with pytest.raises(ServiceError, match="name"):
        invite(assessment, facilitator, name="  ")


def test_sending_again_replaces_the_token_and_keeps_the_answers(peer_round):
    project, facilitator, version, assessment = peer_round
    first = invite(assessment, facilitator)
    review = first.peer_review
    peer_answer_save(peer_review=review, item=version.items.get(key="culture"), value="agree")
    PeerReview.objects.filter(pk=review.pk).update(expires_at=timezone.now())
    review.refresh_from_db()
    assert review.state() == PeerReviewState.EXPIRED
    second = peer_review_resend(peer_review=review, actor=facilitator)
    assert second.token != first.token
    assert peer_review_by_token(first.token) is None
    assert peer_review_by_token(second.token) == review
    review.refresh_from_db()
    assert review.state() == PeerReviewState.STARTED
    assert review.answers.count() == 1
    assert Event.objects.filter(verb="peer_review.resend").count() == 1


def test_an_expired_invitation_can_be_made_again(peer_round):
    project, facilitator, version, assessment = peer_round
    review = invite(assessment, facilitator).peer_review
    PeerReview.objects.filter(pk=review.pk).update(expires_at=timezone.now())
    invite(assessment, facilitator)
    assert PeerReview.objects.count() == 2


def test_a_revoked_or_expired_link_does_not_open_and_says_why(peer_round):
    project, facilitator, version, assessment = peer_round
    review = invite(assessment, facilitator).peer_review
    peer_link_open(peer_review=review)
    assert Event.objects.filter(verb="peer_review.open", actor=None).count() == 1
    review.refresh_from_db()
    assert review.first_opened_at is not None

    PeerReview.objects.filter(pk=review.pk).update(expires_at=timezone.now())
    review.refresh_from_db()
    with pytest.raises(PeerLinkClosedError, match="stopped working") as expired:
        peer_link_open(peer_review=review)
    assert expired.value.state == "expired"

    peer_review_revoke(peer_review=review, actor=facilitator)
    peer_review_revoke(peer_review=review, actor=facilitator)
    assert Event.objects.filter(verb="peer_review.revoke").count() == 1
    with pytest.raises(PeerLinkClosedError, match="withdrawn") as revoked:
        peer_link_open(peer_review=review)
    assert revoked.value.state == "revoked"
    with pytest.raises(PeerLinkClosedError):
        peer_answer_save(peer_review=review, item=version.items.get(key="culture"), value="agree")
    with pytest.raises(ServiceError, match="revoked"):
        peer_review_resend(peer_review=review, actor=facilitator)


def test_answers_are_kept_then_locked_once_sent(peer_round):
    project, facilitator, version, assessment = peer_round
    review = invite(assessment, facilitator).peer_review
    culture = version.items.get(key="culture")
    with pytest.raises(ServiceError, match="at least one"):
        peer_review_submit(peer_review=review)
    peer_answer_save(peer_review=review, item=culture, value="Agree", comment=" Seen it ")
    peer_answer_save(peer_review=review, item=culture, value="disagree", comment="Seen it")
    assert review.answers.get().value == "disagree"
    with pytest.raises(ServiceError, match="one of the answers"):
        peer_answer_save(peer_review=review, item=culture, value="maybe")
    other = framework_version("principles").items.first()
    with pytest.raises(ServiceError, match="not part of this round"):
        peer_answer_save(peer_review=review, item=other, value="agree")
    peer_review_submit(peer_review=review)
    peer_review_submit(peer_review=review)
    assert Event.objects.filter(verb="peer_review.submit").count() == 1
    review.refresh_from_db()
    assert review.state() == PeerReviewState.SENT
    with pytest.raises(ServiceError, match="already sent"):
        peer_answer_save(peer_review=review, item=culture, value="agree")


def _members_answer(project, assessment, item, values_by_group):
    for taking_part, values in values_by_group.items():
        for value in values:
            person = make_member(project, ProjectRole.MEMBER)
            Participation.objects.create(project=project, user=person, taking_part=taking_part)
            answer_save(assessment=assessment, respondent=person, item=item, value=value)
            response_submit(assessment=assessment, respondent=person)


def test_peer_figures_stand_beside_and_never_move_the_members_figures(peer_round):
    project, facilitator, version, assessment = peer_round
    culture = version.items.get(key="culture")
    _members_answer(
        project,
        assessment,
        culture,
        {
            TakingPart.LIVED_EXPERIENCE: ["disagree", "disagree", "agree"],
            TakingPart.PROFESSIONAL: ["agree", "agree", "strongly agree"],
        },
    )
    before = {item.pk: result for item, result in round_results(assessment)}
    for name, value in [("A", "strongly disagree"), ("B", "disagree"), ("C", "don't know")]:
        review = invite(assessment, facilitator, name=name).peer_review
        peer_answer_save(peer_review=review, item=culture, value=value, comment=f"From {name}")
        if name != "C":
            peer_review_submit(peer_review=review)
    after = {item.pk: result for item, result in round_results(assessment)}
    assert after == before
    figures = peer_results(assessment)
    # Only the two sent reviews: strongly disagree (1) and disagree (2).
    assert figures[culture.pk].n == 2
    assert figures[culture.pk].median == 1.5
    assert figures[culture.pk].comments == ["From A", "From B"]

    revoked = PeerReview.objects.get(reviewer_name="A")
    peer_review_revoke(peer_review=revoked, actor=facilitator)
    figures = peer_results(assessment)
    assert (figures[culture.pk].n, figures[culture.pk].median) == (1, 2.0)


def test_dont_know_counts_but_has_no_median(peer_round):
    project, facilitator, version, assessment = peer_round
    culture = version.items.get(key="culture")
    review = invite(assessment, facilitator).peer_review
    peer_answer_save(peer_review=review, item=culture, value="Don\u2019t know")
    peer_review_submit(peer_review=review)
    figure = peer_results(assessment)[culture.pk]
    assert (figure.n, figure.median, figure.shown) == (1, None, True)


def test_evidence_is_shared_once_and_only_for_this_rounds_questions(peer_round):
    project, facilitator, version, assessment = peer_round
    culture = version.items.get(key="culture")
    first = peer_evidence_add(
        assessment=assessment,
        title="Who chairs the board",
        text="Since May a person with lived experience co-chairs.",
        items=[culture],
        actor=facilitator,
    )
    again = peer_evidence_add(
        assessment=assessment,
        title="Who chairs the board",
        text="Since May a person with lived experience co-chairs.",
        items=[culture],
        actor=facilitator,
    )
    assert again == first
    assert [e.pk for e in round_evidence(assessment)] == [first.pk]
    with pytest.raises(ServiceError, match="this round only"):
        peer_evidence_add(
            assessment=assessment,
            title="Other",
            text="Words",
            items=[framework_version("principles").items.first()],
            actor=facilitator,
        )
    with pytest.raises(ServiceError, match="title"):
        peer_evidence_add(assessment=assessment, title=" ", text="Words", actor=facilitator)
    peer_evidence_remove(evidence=first, actor=facilitator)
    assert round_evidence(assessment) == []
    verbs = Event.objects.filter(verb__startswith="peer_evidence").values_list("verb", flat=True)
    assert sorted(verbs) == ["peer_evidence.add", "peer_evidence.remove"]


def test_a_closed_round_takes_no_reviewer(peer_round):
    project, facilitator, version, assessment = peer_round
    review = invite(assessment, facilitator).peer_review
    assessment.closes_at = timezone.now() - dt.timedelta(minutes=1)
    assessment.opens_at = timezone.now() - dt.timedelta(days=1)
    assessment.save()
    review.refresh_from_db()
    with pytest.raises(ServiceError, match="closed"):
        invite(assessment, facilitator, name="Someone else")
    with pytest.raises(PeerLinkClosedError, match="closed"):
        peer_answer_save(peer_review=review, item=version.items.get(key="culture"), value="agree")
