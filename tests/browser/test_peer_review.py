"""Peer review in Chromium (ADR 0034): the facilitator invites, the reviewer answers through the
link alone on a phone by keyboard, and the facilitator sees the peer figure beside the groups';
axe-core on the reviewer's pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cohub.apps.assess.models import PeerReview
from cohub.apps.assess.selectors import framework_version, round_items
from cohub.apps.assess.services import (
    answer_save,
    frameworks_load,
    organisation_round_open,
    response_submit,
    round_open,
)
from cohub.apps.projects.models import Participation, ProjectRole, TakingPart
from tests.browser.test_keyboard import tab_to
from tests.browser_support import axe_violations, log_in_as
from tests.factories import OrganisationFactory, ProjectFactory, make_member, make_org_admin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _checked(page) -> None:
    assert axe_violations(page) == []
    assert page.evaluate(SIDEWAYS) <= 1


def test_a_peer_reviewer_answers_by_link_and_shows_beside_the_self_assessment(
    page, client, settings
):
    settings.COHUB_ASSESS_MIN_GROUP = 1
    frameworks_load()
    project = ProjectFactory()
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    assessment = round_open(
        project=project,
        title="Spring check-in",
        versions=[framework_version("ladder")],
        actor=facilitator,
    )
    member = make_member(project, ProjectRole.MEMBER)
    Participation.objects.create(
        project=project, user=member, taking_part=TakingPart.LIVED_EXPERIENCE
    )
    for item in round_items(assessment):
        answer_save(assessment=assessment, respondent=member, item=item, value="consulting")
    response_submit(assessment=assessment, respondent=member)

    log_in_as(page, client, facilitator)
    page.goto(f"/p/{project.slug}/assessments/{assessment.pk}/results/")
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("link", name="Peer review", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("link", name="Invite a reviewer").click()
    page.get_by_label("Reviewer's name").fill("Asha Rao")
    page.get_by_label("Their organisation").fill("Northside Trust")
    with page.expect_navigation():
        page.get_by_role("button", name="Make the link").click()
    expect(page.get_by_role("heading", name="Asha Rao is invited")).to_be_visible()
    link = page.locator("#peer-link").inner_text().strip()
    assert "/peer/" in link
    _checked(page)

    # The reviewer: no account, a phone, the link alone.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(link)
    expect(page.get_by_role("heading", name="Spring check-in")).to_be_visible()
    expect(page.get_by_text("Hello Asha Rao.")).to_be_visible()
    expect(page.get_by_role("link", name="Log in")).to_have_count(0)
    _checked(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Start the review").click()
    expect(page.get_by_role("heading", name="Question 1 of 2")).to_be_visible()
    _checked(page)
    # By keyboard: Tab to the rungs, arrow keys along them, Enter on the button.
    tab_to(page, "input[type=radio][name=answer]")
    page.keyboard.press("Space")
    while not page.get_by_label("Engaging", exact=True).is_checked():
        page.keyboard.press("ArrowDown")
    page.get_by_label("Why? (optional)").fill("Good listening, decisions elsewhere")
    tab_to(page, "button[value=next]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Question 2 of 2")).to_be_visible()
    tab_to(page, "input[type=radio][name=answer]")
    page.keyboard.press("Space")
    while not page.get_by_label("Consulting", exact=True).is_checked():
        page.keyboard.press("ArrowDown")
    tab_to(page, "button[value=next]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    _checked(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Send my review").click()
    expect(page.get_by_role("heading", name="Your review is sent")).to_be_visible()
    _checked(page)
    assert PeerReview.objects.get().submitted_at is not None
    # The reviewer's session opens no hub page.
    page.goto(f"/p/{project.slug}/assessments/{assessment.pk}/results/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    # The facilitator sees the peer figure beside the self-assessment.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in_as(page, client, facilitator)
    page.goto(f"/p/{project.slug}/assessments/{assessment.pk}/peer-review/")
    expect(page.get_by_role("row", name="Asha Rao")).to_contain_text("Sent")
    page.goto(f"/p/{project.slug}/assessments/{assessment.pk}/results/")
    first = page.locator("section.assess-item").first
    table = first.get_by_role("table").first
    expect(table).to_contain_text("Lived experience")
    expect(table.get_by_role("row", name="Peer review")).to_be_visible()
    expect(first.get_by_role("heading", name="Peer comments")).to_be_visible()
    expect(first.locator(".chart__marker--peer")).to_have_count(1)
    _checked(page)


def test_an_organisation_invites_a_reviewer_to_its_own_round(page, client, settings):
    settings.COHUB_ASSESS_MIN_GROUP = 1
    frameworks_load()
    organisation = OrganisationFactory(name="Northside Council")
    project = ProjectFactory(organisation=organisation)
    admin = make_org_admin(organisation)
    assessment = organisation_round_open(
        organisation=organisation,
        title="Across the council",
        versions=[framework_version("ladder")],
        actor=admin,
    )
    member = make_member(project, ProjectRole.MEMBER)
    for item in round_items(assessment):
        answer_save(assessment=assessment, respondent=member, item=item, value="consulting")
    response_submit(assessment=assessment, respondent=member)
    results = f"/o/{organisation.slug}/assessments/{assessment.pk}/results/"

    log_in_as(page, client, admin)
    page.goto(results)
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("link", name="Peer review", exact=True).click()
    _checked(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Invite a reviewer").click()
    page.get_by_label("Reviewer's name").fill("Asha Rao")
    page.get_by_label("Their organisation").fill("Eastside Trust")
    with page.expect_navigation():
        page.get_by_role("button", name="Make the link").click()
    expect(page.get_by_role("heading", name="Asha Rao is invited")).to_be_visible()
    link = page.locator("#peer-link").inner_text().strip()
    _checked(page)

    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_text("Peer review for Northside Council")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Start the review").click()
    page.get_by_label("Engaging", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save and go to the next question").click()
    page.goto("/peer/review/check/")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my review").click()
    expect(page.get_by_role("heading", name="Your review is sent")).to_be_visible()

    page.context.clear_cookies()
    log_in_as(page, client, admin)
    page.goto(results)
    first = page.locator("section.assess-item").first
    expect(first.get_by_role("table").first.get_by_role("row", name="Peer review")).to_be_visible()
    _checked(page)
