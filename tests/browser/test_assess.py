"""An assessment round in Chromium: three members of different groups answer, the facilitator
sees the widest gap first and makes it an action; axe-core on the answer and results pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cohub.apps.assess.models import AssessmentAction
from cohub.apps.assess.services import frameworks_load
from cohub.apps.projects.models import Participation, ProjectRole, TakingPart
from tests.browser.test_keyboard import tab_to
from tests.browser_support import axe_violations, log_in_as
from tests.factories import ProjectFactory, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _person(project, role, taking_part):
    user = make_member(project, role)
    Participation.objects.create(project=project, user=user, taking_part=taking_part)
    return user


def _answer(page, client, project, user, first, second, *, check_page=False):
    """Answer both ladder questions (the first by keyboard), then send."""
    page.context.clear_cookies()
    log_in_as(page, client, user)
    page.goto(f"/p/{project.slug}/assessments/")
    with page.expect_navigation():
        page.get_by_role("link", name="Start answering").click()
    expect(page.get_by_role("heading", name="Question 1 of 2")).to_be_visible()
    group = page.get_by_role("group", name="Choose the rung that best describes how this")
    expect(group).to_be_visible()
    if check_page:
        assert axe_violations(page) == []
        assert page.evaluate(SIDEWAYS) <= 1
    # By keyboard: Tab to the first rung, arrow keys along the rungs, Enter on the button.
    tab_to(page, "input[type=radio][name=answer]")
    page.keyboard.press("Space")
    while not page.get_by_label(first, exact=True).is_checked():
        page.keyboard.press("ArrowDown")
    page.get_by_label("Why? (optional)").fill(f"Because of {first}")
    tab_to(page, "button[value=next]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Question 2 of 2")).to_be_visible()
    page.get_by_label(second, exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save and check your answers").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("They are locked now").first).to_be_visible()


def test_three_groups_answer_and_the_facilitator_acts_on_the_widest_gap(page, client, settings):
    settings.COHUB_ASSESS_MIN_GROUP = 1  # one person a group, so three people make a gap
    frameworks_load()
    project = ProjectFactory()
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    lived = _person(project, ProjectRole.MEMBER, TakingPart.LIVED_EXPERIENCE)
    practitioner = _person(project, ProjectRole.COMMUNITY_REPORTER, TakingPart.PROFESSIONAL)
    decider = _person(project, ProjectRole.DECISION_MAKER, TakingPart.PROFESSIONAL)

    log_in_as(page, client, facilitator)
    page.goto(f"/p/{project.slug}/")
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("link", name="Assessments").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Open a new round").click()
    page.get_by_label("Name of the round").fill("Spring check-in")
    page.get_by_label("Ladder of participation (2 questions)").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Open the round").click()
    expect(page.get_by_text("is open for answers")).to_be_visible()

    page.set_viewport_size({"width": 360, "height": 800})
    _answer(page, client, project, lived, "Consulting", "Informing", check_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    _answer(page, client, project, practitioner, "Co-producing", "Co-producing")
    _answer(page, client, project, decider, "Co-designing", "Co-designing")

    page.context.clear_cookies()
    log_in_as(page, client, facilitator)
    page.goto(f"/p/{project.slug}/assessments/")
    with page.expect_navigation():
        page.get_by_role("link", name="See the results").click()
    first = page.locator("section.assess-item").first
    # Where decisions are made: informing (3) against co-producing (7) is the widest gap.
    expect(first.get_by_role("heading", level=2)).to_have_text("Where decisions are made")
    expect(first.get_by_text("Gap between groups: 4 steps")).to_be_visible()
    expect(first.get_by_role("img", name="Where each group places the project")).to_be_visible()
    expect(first.get_by_role("table").first).to_contain_text("3 (informing)")
    expect(first.get_by_text("Because of Informing")).to_have_count(0)  # comments are item 1's
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate(SIDEWAYS) <= 1
    assert axe_violations(page) == []

    with page.expect_navigation():
        first.get_by_role("link", name="Make this an action").click()
    page.get_by_label("What will be done").fill("Bring people with lived experience to budgets")
    page.get_by_label("Who owns it (optional)").select_option(label=str(facilitator))
    with page.expect_navigation():
        page.get_by_role("button", name="Add to the action list").click()
    expect(page.get_by_role("heading", name="Action list")).to_be_visible()
    expect(page.locator("tbody th").first).to_have_text(
        "Bring people with lived experience to budgets"
    )
    page.get_by_label("Status", exact=False).first.select_option(label="Under way")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the status").first.click()
    expect(page.get_by_text("is now: Under way")).to_be_visible()
    assert AssessmentAction.objects.get().status == "doing"
    assert axe_violations(page) == []


def test_a_round_for_the_whole_organisation_on_a_phone_by_keyboard(page, client, settings):
    """Two projects of one organisation: a member of both answers once, by keyboard, on a
    phone; the results across the organisation show the gap; no serious axe findings."""
    settings.COHUB_ASSESS_MIN_GROUP = 1
    frameworks_load()
    from cohub.apps.assess.models import AssessmentResponse
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory(name="Northside Council")
    housing = ProjectFactory(organisation=organisation)
    parks = ProjectFactory(organisation=organisation)
    facilitator = make_member(housing, ProjectRole.FACILITATOR)
    both = _person(housing, ProjectRole.DECISION_MAKER, TakingPart.PROFESSIONAL)
    make_member(parks, ProjectRole.MEMBER, user=both)
    Participation.objects.create(project=parks, user=both, taking_part=TakingPart.LIVED_EXPERIENCE)
    staff = _person(parks, ProjectRole.MEMBER, TakingPart.PROFESSIONAL)

    log_in_as(page, client, facilitator)
    page.goto(f"/p/{housing.slug}/assessments/")
    with page.expect_navigation():
        page.get_by_role("link", name="Rounds for all of Northside Council").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Open a new round").click()
    expect(
        page.get_by_role("heading", name="Open an assessment round for all of Northside Council")
    ).to_be_visible()
    page.get_by_label("Name of the round").fill("Across the council")
    page.get_by_label("Ladder of participation (2 questions)").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Open the round").click()
    expect(page.get_by_text("is open for answers")).to_be_visible()
    organisation_list = page.url

    page.set_viewport_size({"width": 360, "height": 800})
    for person, first, second in (
        (both, "Consulting", "Informing"),
        (staff, "Co-producing", "Co-producing"),
    ):
        page.context.clear_cookies()
        log_in_as(page, client, person)
        page.goto(organisation_list)
        with page.expect_navigation():
            page.get_by_role("link", name="Start answering").click()
        expect(page.get_by_role("heading", name="Question 1 of 2")).to_be_visible()
        assert axe_violations(page) == []
        assert page.evaluate(SIDEWAYS) <= 1
        tab_to(page, "input[type=radio][name=answer]")
        page.keyboard.press("Space")
        while not page.get_by_label(first, exact=True).is_checked():
            page.keyboard.press("ArrowDown")
        tab_to(page, "button[value=next]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.get_by_label(second, exact=True).check()
        with page.expect_navigation():
            page.get_by_role("button", name="Save and check your answers").click()
        assert axe_violations(page) == []
        with page.expect_navigation():
            page.get_by_role("button", name="Send my answers").click()
        expect(page.get_by_text("They are locked now").first).to_be_visible()

    assert AssessmentResponse.objects.get(respondent=both).group == "lived_experience"
    page.context.clear_cookies()
    log_in_as(page, client, facilitator)
    page.goto(organisation_list)
    with page.expect_navigation():
        page.get_by_role("link", name="See the results").click()
    first = page.locator("section.assess-item").first
    expect(first.get_by_role("heading", level=2)).to_have_text("Where decisions are made")
    expect(first.get_by_text("Gap between groups: 4 steps")).to_be_visible()
    expect(
        first.get_by_role("img", name="Where each group places the organisation")
    ).to_be_visible()
    assert page.evaluate(SIDEWAYS) <= 1
    assert axe_violations(page) == []
