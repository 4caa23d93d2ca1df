"""Peer review pages: the facilitator invites, the reviewer answers by their link only."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cohub.apps.assess.models import PeerReview, PeerReviewState
from cohub.apps.assess.peer_services import (
    peer_answer_save,
    peer_evidence_add,
    peer_review_invite,
    peer_review_resend,
    peer_review_revoke,
    peer_review_submit,
)
from cohub.apps.assess.peer_views import PEER_KEY
from cohub.apps.assess.selectors import framework_version, round_items
from cohub.apps.assess.services import answer_save, frameworks_load, response_submit, round_open
from cohub.apps.core.models import Event
from cohub.apps.core.private_links import GUESS_LIMIT
from cohub.apps.projects.models import Participation, ProjectRole, TakingPart
from tests.factories import (
    ALL_ROLES,
    ProjectFactory,
    assert_role_access,
    log_in_as_role,
    make_member,
)

pytestmark = pytest.mark.django_db

RUN_ROLES = {"facilitator", "org_admin"}


@pytest.fixture
def setup():
    frameworks_load()
    project = ProjectFactory()
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    version = framework_version("embedding")
    assessment = round_open(project=project, title="Spring", versions=[version], actor=facilitator)
    return project, facilitator, assessment


def url(name, assessment, **kwargs):
    return reverse(
        name,
        kwargs={"project_slug": assessment.project.slug, "round_id": assessment.pk, **kwargs},
    )


def invite(assessment, facilitator, name="Asha Rao"):
    return peer_review_invite(
        assessment=assessment, name=name, organisation="Northside Trust", actor=facilitator
    )


def open_link(token):
    reviewer = Client()
    response = reviewer.get(reverse("peer:open", kwargs={"peer_token": token}))
    return reviewer, response


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_whoever_runs_the_project_manages_peer_review(client, setup, role):
    project, facilitator, assessment = setup
    review = invite(assessment, facilitator).peer_review
    log_in_as_role(client, project, role)
    assert_role_access(
        client.get(url("assess:peer_reviews", assessment)), role, RUN_ROLES, ok=(200,)
    )
    assert_role_access(
        client.get(url("assess:peer_invite", assessment)), role, RUN_ROLES, ok=(200,)
    )
    response = client.post(url("assess:peer_revoke", assessment, peer_review_id=review.pk))
    assert_role_access(response, role, RUN_ROLES, ok=(302,))
    review.refresh_from_db()
    assert review.revoked == (role in RUN_ROLES)


def test_inviting_shows_the_link_once_and_keeps_only_its_hash(client, setup):
    project, facilitator, assessment = setup
    client.force_login(facilitator)
    response = client.post(
        url("assess:peer_invite", assessment),
        {"name": "Asha Rao", "organisation": "Northside Trust", "email": ""},
    )
    assert response.status_code == 200
    link = re.search(r'id="peer-link">([^<]+)<', response.content.decode()).group(1)
    token = link.rstrip("/").rsplit("/", 1)[1]
    review = PeerReview.objects.get()
    assert token not in str(PeerReview.objects.values().get())
    listing = client.get(url("assess:peer_reviews", assessment)).content.decode()
    assert "Asha Rao" in listing and "Waiting" in listing
    assert token not in listing
    # A second click makes no second invitation, and says why.
    again = client.post(
        url("assess:peer_invite", assessment),
        {"name": "Asha Rao", "organisation": "Northside Trust"},
    )
    assert again.status_code == 400
    assert "already invited" in again.content.decode()
    assert PeerReview.objects.count() == 1
    reviewer, opened = open_link(token)
    assert opened.status_code == 302
    assert reviewer.session[PEER_KEY]["id"] == review.pk


def test_the_reviewer_answers_one_question_a_screen_and_sends(setup):
    project, facilitator, assessment = setup
    items = round_items(assessment)
    peer_evidence_add(
        assessment=assessment,
        title="Who chairs the board",
        text="A member with lived experience co-chairs.",
        items=[items[0]],
        actor=facilitator,
    )
    invited = invite(assessment, facilitator)
    reviewer, response = open_link(invited.token)
    assert response["Location"] == reverse("peer:start")
    assert response["Referrer-Policy"] == "no-referrer"
    start = reviewer.get(reverse("peer:start"))
    assert start["Referrer-Policy"] == "same-origin"  # no-referrer would null the forms' Origin
    page = start.content.decode()
    assert "Hello Asha Rao" in page and "Who chairs the board" in page
    assert "Log in" not in page and reverse("projects:list") not in page
    first = reviewer.get(reverse("peer:answer", kwargs={"number": 1})).content.decode()
    assert items[0].title in first and "A member with lived experience co-chairs." in first
    saved = reviewer.post(
        reverse("peer:answer", kwargs={"number": 1}),
        {"answer": "disagree", "comment": "Not what I saw", "go": "next"},
    )
    assert saved["Location"] == reverse("peer:answer", kwargs={"number": 2})
    refused = reviewer.post(reverse("peer:answer", kwargs={"number": 2}), {"go": "next"})
    assert refused.status_code == 400
    # Easy read is kept for the session, as for members.
    reviewer.get(reverse("peer:answer", kwargs={"number": 2}) + "?words=easy")
    easy = reviewer.get(reverse("peer:answer", kwargs={"number": 2})).content.decode()
    assert items[1].easy_read in easy
    # Stop, and carry on later by the same link: the answer is there.
    later, _ = open_link(invited.token)
    assert "1 of 4 answered" in later.get(reverse("peer:start")).content.decode()
    assert reviewer.post(reverse("peer:check")).status_code == 302
    review = PeerReview.objects.get()
    assert review.state() == PeerReviewState.SENT
    assert "Your review is sent" in reviewer.get(reverse("peer:check")).content.decode()
    assert Event.objects.filter(verb="peer_review.open").count() == 2
    assert Event.objects.filter(verb="peer_review.submit").count() == 1


def test_the_reviewers_session_opens_nothing_else(client, setup):
    project, facilitator, assessment = setup
    other = round_open(
        project=project,
        title="Other round",
        versions=[framework_version("principles")],
        actor=facilitator,
    )
    invited = invite(assessment, facilitator)
    invite(other, facilitator)
    reviewer, _ = open_link(invited.token)
    hub_pages = [
        reverse("projects:detail", kwargs={"project_slug": project.slug}),
        url("assess:round_results", assessment),
        url("assess:round_answer", other, number=1),
        url("assess:peer_reviews", assessment),
        reverse("projects:list"),
    ]
    for page in hub_pages:
        response = reviewer.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("accounts:login")), page
    # The reviewer's questions are their round's only: one past the last is not found.
    total = len(round_items(assessment))
    assert reviewer.get(reverse("peer:answer", kwargs={"number": total + 1})).status_code == 404
    page = reviewer.get(reverse("peer:answer", kwargs={"number": 1})).content.decode()
    assert round_items(other)[0].title not in page
    # A changed session id opens no one else's invitation.
    session = reviewer.session
    session[PEER_KEY] = {
        "id": PeerReview.objects.exclude(pk=invited.peer_review.pk).get().pk,
        "hash": session[PEER_KEY]["hash"],
    }
    session.save()
    assert reviewer.get(reverse("peer:start")).status_code == 410


def test_no_session_an_expired_and_a_revoked_link_get_kind_pages(setup):
    project, facilitator, assessment = setup
    assert Client().get(reverse("peer:start")).status_code == 200
    assert "Open your review link" in Client().get(reverse("peer:check")).content.decode()
    invited = invite(assessment, facilitator)
    reviewer, _ = open_link(invited.token)
    PeerReview.objects.filter(pk=invited.peer_review.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    expired = reviewer.get(reverse("peer:start"))
    assert expired.status_code == 410
    assert "This link has run out" in expired.content.decode()
    _, again = open_link(invited.token)
    assert again.status_code == 410 and "stopped working" in again.content.decode()

    second = invite(assessment, facilitator, name="Ben Ode")
    reviewer, _ = open_link(second.token)
    peer_review_revoke(peer_review=second.peer_review, actor=facilitator)
    revoked = reviewer.get(reverse("peer:answer", kwargs={"number": 1}))
    assert revoked.status_code == 410 and "withdrawn" in revoked.content.decode()
    assert PEER_KEY not in reviewer.session
    _, again = open_link(second.token)
    assert again.status_code == 410


def test_a_new_link_ends_pages_opened_with_the_old(setup):
    project, facilitator, assessment = setup
    invited = invite(assessment, facilitator)
    reviewer, _ = open_link(invited.token)
    fresh = peer_review_resend(peer_review=invited.peer_review, actor=facilitator)
    replaced = reviewer.get(reverse("peer:start"))
    assert replaced.status_code == 410 and "replaced" in replaced.content.decode()
    assert open_link(invited.token)[1].status_code == 404
    assert open_link(fresh.token)[1].status_code == 302


def test_guessing_links_is_paused(setup):
    project, facilitator, assessment = setup
    invited = invite(assessment, facilitator)
    guesser = Client()
    for number in range(GUESS_LIMIT):
        wrong = guesser.get(reverse("peer:open", kwargs={"peer_token": f"guess-{number}"}))
        assert wrong.status_code == 404
    paused = guesser.get(reverse("peer:open", kwargs={"peer_token": invited.token}))
    assert paused.status_code == 429
    assert "Please wait a while" in paused.content.decode()
    assert Event.objects.filter(verb="peer_review.open").count() == 0


def test_someone_signed_in_is_asked_to_log_out_first(client, setup):
    project, facilitator, assessment = setup
    invited = invite(assessment, facilitator)
    client.force_login(facilitator)
    response = client.get(reverse("peer:open", kwargs={"peer_token": invited.token}))
    assert response.status_code == 200
    assert "Log out to open a peer review" in response.content.decode()
    assert PEER_KEY not in client.session
    assert PeerReview.objects.get().first_opened_at is None


def _members(project, assessment, item, values):
    for taking_part, value in values:
        person = make_member(project, ProjectRole.MEMBER)
        Participation.objects.create(project=project, user=person, taking_part=taking_part)
        answer_save(assessment=assessment, respondent=person, item=item, value=value)
        response_submit(assessment=assessment, respondent=person)


def test_results_show_the_peer_figure_beside_the_groups(client, setup):
    project, facilitator, assessment = setup
    item = round_items(assessment)[0]
    lived, job = TakingPart.LIVED_EXPERIENCE, TakingPart.PROFESSIONAL
    _members(
        project,
        assessment,
        item,
        [(lived, "disagree")] * 3 + [(job, "strongly agree")] * 3,
    )
    client.force_login(facilitator)
    before = client.get(url("assess:round_results", assessment)).content.decode()
    assert "Peer review</th>" not in before and "Peer comments" not in before
    review = invite(assessment, facilitator).peer_review
    peer_answer_save(
        peer_review=review, item=item, value="neither agree nor disagree", comment="Halfway there"
    )
    after = client.get(url("assess:round_results", assessment)).content.decode()
    assert "Halfway there" not in after  # not sent yet: not shown
    peer_review_submit(peer_review=review)
    page = client.get(url("assess:round_results", assessment)).content.decode()
    section = page.split(f'id="item-{item.pk}"', 1)[1].split("</section>", 1)[0]
    assert "Gap between groups: 3 steps" in section  # the members' gap, unmoved
    assert "Peer review <span" in section and "3 (neither agree nor disagree)" in section
    assert "chart__dot--peer" in section
    assert "Peer comments" in section and "Halfway there" in section
    comments = section.split("<h3>Comments</h3>", 1)[1].split("<h3>Peer comments</h3>", 1)[0]
    assert "Halfway there" not in comments
