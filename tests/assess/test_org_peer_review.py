"""Peer review of an organisation-wide round (ADR 0034, ADR 0028): the project round's
pages and services, reached from ``/o/<organisation>/``; the organisation invites, chooses
what reviewers read, and sees their answers beside its own."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cohub.apps.assess.models import PeerEvidence, PeerReview, PeerReviewState
from cohub.apps.assess.peer_services import (
    PeerLinkClosedError,
    peer_answer_save,
    peer_evidence_add,
    peer_link_open,
    peer_review_invite,
    peer_review_revoke,
    peer_review_submit,
)
from cohub.apps.assess.peer_views import PEER_KEY
from cohub.apps.assess.selectors import framework_version, item_choices, round_items
from cohub.apps.assess.services import (
    answer_save,
    frameworks_load,
    organisation_round_open,
    response_submit,
    round_open,
)
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import Event
from cohub.apps.projects.models import Participation, ProjectRole, TakingPart
from tests.factories import OrganisationFactory, ProjectFactory, make_member, make_org_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    frameworks_load()
    organisation = OrganisationFactory(name="Northside Council")
    housing = ProjectFactory(organisation=organisation, name="Housing repairs")
    parks = ProjectFactory(organisation=organisation)
    facilitator = make_member(housing, ProjectRole.FACILITATOR)
    assessment = organisation_round_open(
        organisation=organisation,
        title="Across the council",
        versions=[framework_version("embedding")],
        actor=facilitator,
    )
    return organisation, housing, parks, facilitator, assessment


def url(name, organisation, *args):
    return reverse(f"org_assess:{name}", args=[organisation.slug, *args])


def invite(assessment, actor, name="Asha Rao", organisation="Eastside Trust", email=""):
    return peer_review_invite(
        assessment=assessment, name=name, organisation=organisation, email=email, actor=actor
    )


def open_link(token):
    reviewer = Client()
    response = reviewer.get(reverse("peer:open", kwargs={"peer_token": token}))
    return reviewer, response


# --- Services ----------------------------------------------------------------------


def test_the_services_hold_their_checks_for_an_organisation_round(org):
    organisation, housing, _, facilitator, assessment = org
    with pytest.raises(ServiceError, match="this organisation's own") as refused:
        invite(assessment, facilitator, organisation=" northside COUNCIL ")
    assert refused.value.field == "organisation"
    review = invite(assessment, facilitator).peer_review
    with pytest.raises(ServiceError, match="already invited"):
        invite(assessment, facilitator)
    event = Event.objects.get(verb="peer_review.invite")
    # No project to file it under: the line names the organisation whose round it is.
    assert event.project_id is None
    assert event.data == {
        "round": assessment.pk,
        "organisation": "Eastside Trust",
        "round_organisation": organisation.pk,
    }
    peer_review_revoke(peer_review=review, actor=facilitator)
    with pytest.raises(PeerLinkClosedError, match="withdrawn by the organisation"):
        peer_link_open(peer_review=review)
    # Evidence is of this round's questions only, not of a project round's.
    project_round = round_open(
        project=housing, title="P", versions=[framework_version("principles")], actor=facilitator
    )
    with pytest.raises(ServiceError, match="this round only"):
        peer_evidence_add(
            assessment=assessment,
            title="Other",
            text="Words",
            items=[round_items(project_round)[0]],
            actor=facilitator,
        )
    evidence = peer_evidence_add(
        assessment=assessment, title="Panel", text="Residents sit on it.", actor=facilitator
    )
    assert Event.objects.get(verb="peer_evidence.add").data["round_organisation"] == (
        organisation.pk
    )
    assert evidence.round == assessment
    # A closed round takes no one new.
    assessment.opens_at = timezone.now() - dt.timedelta(days=2)
    assessment.closes_at = timezone.now() - dt.timedelta(minutes=1)
    assessment.save()
    with pytest.raises(ServiceError, match="closed"):
        invite(assessment, facilitator, name="Ben Ode")


def test_the_email_names_the_organisation_not_a_project(client, org, settings):
    organisation, housing, _, facilitator, assessment = org
    settings.COHUB_EMAIL_ENABLED = True
    client.force_login(facilitator)
    response = client.post(
        url("peer_invite", organisation, assessment.pk),
        {"name": "Asha Rao", "organisation": "Eastside Trust", "email": "asha@example.org"},
    )
    assert response.status_code == 200
    assert "It was also emailed to asha@example.org" in response.content.decode()
    (message,) = mail.outbox
    assert message.subject == "A peer review of Across the council (Northside Council)"
    assert "how well Northside Council, across all its projects, works" in message.body
    assert "what the organisation chose to share" in message.body
    assert "project" not in message.body.replace("its projects", "")
    assert housing.name not in message.body


# --- The facilitator's pages ---------------------------------------------------------


def test_only_whoever_may_open_its_rounds_manages_peer_review(client, org):
    organisation, housing, parks, facilitator, assessment = org
    review = invite(assessment, facilitator).peer_review
    evidence = peer_evidence_add(
        assessment=assessment, title="Panel", text="Residents sit on it.", actor=facilitator
    )
    gets = [
        url("peer_reviews", organisation, assessment.pk),
        url("peer_invite", organisation, assessment.pk),
        url("peer_evidence_add", organisation, assessment.pk),
    ]
    posts = [
        url("peer_resend", organisation, assessment.pk, review.pk),
        url("peer_revoke", organisation, assessment.pk, review.pk),
        url("peer_evidence_remove", organisation, assessment.pk, evidence.pk),
    ]
    # Someone who belongs to the organisation but does not run it: refused, in words.
    member = make_member(parks, ProjectRole.MEMBER, ProjectRole.DECISION_MAKER)
    client.force_login(member)
    refused = client.get(gets[0])
    assert refused.status_code == 403
    assert "invite peer reviewers to the organisation" in refused.content.decode()
    for page in gets:
        assert client.get(page).status_code == 403, page
    for page in posts:
        assert client.post(page).status_code == 403, page
    results = client.get(url("round_results", organisation, assessment.pk)).content.decode()
    assert gets[0] not in results
    # Someone outside it (even one who runs another organisation): not found.
    elsewhere = make_member(ProjectFactory(), ProjectRole.FACILITATOR)
    make_org_admin(OrganisationFactory(), user=elsewhere)
    client.force_login(elsewhere)
    for page in [*gets, *posts]:
        assert client.get(page).status_code == 404, page
        assert client.post(page).status_code == 404, page
    # Nothing changed.
    review.refresh_from_db()
    assert review.revoked_at is None and PeerEvidence.objects.filter(pk=evidence.pk).exists()
    # Its admin (in no project) and a facilitator of another of its projects may.
    for runner in (make_org_admin(organisation), make_member(parks, ProjectRole.FACILITATOR)):
        client.force_login(runner)
        for page in gets:
            assert client.get(page).status_code == 200, page
        results = client.get(url("round_results", organisation, assessment.pk)).content.decode()
        assert gets[0] in results
        listing = client.get(url("round_list", organisation)).content.decode()
        assert gets[0] in listing


def test_a_project_rounds_review_is_not_reached_through_the_organisation(client, org):
    organisation, housing, _, facilitator, assessment = org
    project_round = round_open(
        project=housing, title="P", versions=[framework_version("embedding")], actor=facilitator
    )
    theirs = invite(project_round, facilitator).peer_review
    evidence = peer_evidence_add(
        assessment=project_round, title="Ours", text="Project words.", actor=facilitator
    )
    client.force_login(make_org_admin(organisation))
    assert client.get(url("peer_reviews", organisation, project_round.pk)).status_code == 404
    # The organisation round's pages find only that round's invitations and evidence.
    assert (
        client.post(url("peer_revoke", organisation, assessment.pk, theirs.pk)).status_code == 404
    )
    assert (
        client.post(
            url("peer_evidence_remove", organisation, assessment.pk, evidence.pk)
        ).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.revoked_at is None and PeerEvidence.objects.filter(pk=evidence.pk).exists()


def test_the_organisation_invites_shares_evidence_resends_and_withdraws(client, org):
    organisation, housing, _, facilitator, assessment = org
    item = round_items(assessment)[0]
    client.force_login(facilitator)
    page = client.get(url("peer_reviews", organisation, assessment.pk)).content.decode()
    assert "Northside Council" in page and "No one has been invited yet" in page
    assert "Nothing else from the organisation is shown" in page
    added = client.post(
        url("peer_evidence_add", organisation, assessment.pk),
        {
            "title": "Who sits on the panel",
            "text": "Two residents agree the budget.",
            "items": [item.pk],
        },
    )
    assert added["Location"] == url("peer_reviews", organisation, assessment.pk)
    response = client.post(
        url("peer_invite", organisation, assessment.pk),
        {"name": "Asha Rao", "organisation": "Eastside Trust", "email": ""},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert url("peer_reviews", organisation, assessment.pk) in body  # back to its own list
    token = re.search(r'id="peer-link">([^<]+)<', body).group(1).rstrip("/").rsplit("/", 1)[1]
    review = PeerReview.objects.get(round=assessment)
    listing = client.get(url("peer_reviews", organisation, assessment.pk)).content.decode()
    assert "Asha Rao" in listing and "Who sits on the panel" in listing
    assert url("peer_revoke", organisation, assessment.pk, review.pk) in listing

    reviewer, opened = open_link(token)
    assert opened.status_code == 302 and reviewer.session[PEER_KEY]["id"] == review.pk
    # A new link ends the old one; the new one opens.
    again = client.post(url("peer_resend", organisation, assessment.pk, review.pk))
    assert again.status_code == 200 and "A new link for Asha Rao" in again.content.decode()
    assert reviewer.get(reverse("peer:start")).status_code == 410
    fresh = re.search(r'id="peer-link">([^<]+)<', again.content.decode()).group(1)
    fresh_token = fresh.rstrip("/").rsplit("/", 1)[1]
    reviewer, opened = open_link(fresh_token)
    assert opened.status_code == 302
    # Withdrawn: the link and the session it opened stop at once, and say who withdrew it.
    withdrawn = client.post(url("peer_revoke", organisation, assessment.pk, review.pk))
    assert withdrawn["Location"] == url("peer_reviews", organisation, assessment.pk)
    refused = reviewer.get(reverse("peer:answer", kwargs={"number": 1}))
    assert (
        refused.status_code == 410 and "withdrawn by the organisation" in refused.content.decode()
    )
    assert open_link(fresh_token)[1].status_code == 410
    # Evidence stops being shared.
    evidence = PeerEvidence.objects.get(round=assessment)
    client.post(url("peer_evidence_remove", organisation, assessment.pk, evidence.pk))
    assert not PeerEvidence.objects.filter(round=assessment).exists()
    verbs = set(Event.objects.filter(verb__startswith="peer_").values_list("verb", flat=True))
    assert {"peer_review.invite", "peer_review.resend", "peer_review.revoke"} <= verbs
    assert {"peer_evidence.add", "peer_evidence.remove"} <= verbs


# --- The reviewer's pages ------------------------------------------------------------


def test_the_reviewer_sees_only_the_rounds_questions_and_the_organisations_evidence(org):
    organisation, housing, _, facilitator, assessment = org
    items = round_items(assessment)
    peer_evidence_add(
        assessment=assessment,
        title="Who sits on the panel",
        text="Two residents agree the budget.",
        items=[items[0]],
        actor=facilitator,
    )
    # Another round of the same organisation (a project's) with its own evidence.
    project_round = round_open(
        project=housing,
        title="Housing only",
        versions=[framework_version("principles")],
        actor=facilitator,
    )
    peer_evidence_add(
        assessment=project_round, title="Repairs log", text="Fixed in a week.", actor=facilitator
    )
    invited = invite(assessment, facilitator)
    reviewer, _ = open_link(invited.token)
    start = reviewer.get(reverse("peer:start")).content.decode()
    assert "Peer review for Northside Council" in start
    assert "Who sits on the panel" in start and "Repairs log" not in start
    assert "What the organisation shares with you" in start
    assert "everyone in Northside Council answers" in start
    assert "Housing repairs" not in start and "the project" not in start
    first = reviewer.get(reverse("peer:answer", kwargs={"number": 1})).content.decode()
    assert items[0].title in first and "Two residents agree the budget." in first
    assert "What the organisation shares about this" in first
    assert "The organisation reads it under this question" in first
    assert round_items(project_round)[0].title not in first
    total = len(items)
    assert reviewer.get(reverse("peer:answer", kwargs={"number": total + 1})).status_code == 404
    # The hub's pages, the organisation's included, are closed to the reviewer's session.
    for page in (
        url("round_results", organisation, assessment.pk),
        url("peer_reviews", organisation, assessment.pk),
        url("round_answer", organisation, assessment.pk, 1),
    ):
        response = reviewer.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("accounts:login")), page
    saved = reviewer.post(
        reverse("peer:answer", kwargs={"number": 1}),
        {"answer": "disagree", "comment": "Not what I saw", "go": "next"},
    )
    assert saved["Location"] == reverse("peer:answer", kwargs={"number": 2})
    sent = reviewer.post(reverse("peer:check"), follow=True).content.decode()
    assert "the organisation sees it beside its own answers" in sent
    assert PeerReview.objects.get().state() == PeerReviewState.SENT


def test_an_expired_link_is_refused(org):
    organisation, _, _, facilitator, assessment = org
    invited = invite(assessment, facilitator)
    reviewer, _ = open_link(invited.token)
    PeerReview.objects.filter(pk=invited.peer_review.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    expired = reviewer.get(reverse("peer:start"))
    assert expired.status_code == 410 and "This link has run out" in expired.content.decode()
    assert PEER_KEY not in reviewer.session
    _, again = open_link(invited.token)
    assert again.status_code == 410 and "stopped working" in again.content.decode()


def test_peer_answers_stand_beside_the_self_assessment_on_the_organisations_results(client, org):
    organisation, housing, parks, facilitator, assessment = org
    item = round_items(assessment)[0]
    choices = item_choices(item)
    for project, taking_part, value in [(housing, TakingPart.LIVED_EXPERIENCE, choices[1])] * 3 + [
        (parks, TakingPart.PROFESSIONAL, choices[4])
    ] * 3:
        person = make_member(project, ProjectRole.MEMBER)
        Participation.objects.create(project=project, user=person, taking_part=taking_part)
        answer_save(assessment=assessment, respondent=person, item=item, value=value)
        response_submit(assessment=assessment, respondent=person)
    client.force_login(make_member(parks, ProjectRole.MEMBER))
    before = client.get(url("round_results", organisation, assessment.pk)).content.decode()
    assert "Peer review <span" not in before and "Peer comments" not in before
    review = invite(assessment, facilitator).peer_review
    peer_answer_save(peer_review=review, item=item, value=choices[2], comment="Halfway there")
    unsent = client.get(url("round_results", organisation, assessment.pk)).content.decode()
    assert "Halfway there" not in unsent
    peer_review_submit(peer_review=review)
    page = client.get(url("round_results", organisation, assessment.pk)).content.decode()
    assert "1 reviewer from outside the organisation" in page
    section = page.split(f'id="item-{item.pk}"', 1)[1].split("</section>", 1)[0]
    assert "Gap between groups: 3 steps" in section  # the members' gap, unmoved
    assert "Peer review <span" in section and f"3 ({choices[2]})" in section
    assert "chart__dot--peer" in section
    assert "Peer comments" in section and "Halfway there" in section
    comments = section.split("<h3>Comments</h3>", 1)[1].split("<h3>Peer comments</h3>", 1)[0]
    assert "Halfway there" not in comments
    # Withdrawn, it leaves the results.
    peer_review_revoke(peer_review=review, actor=facilitator)
    after = client.get(url("round_results", organisation, assessment.pk)).content.decode()
    assert "Halfway there" not in after
