"""A storyteller checks their own words in real Chromium (issue 9's check, ADR 0032).

The facilitator makes a private link on the storyteller's page; the
storyteller opens it on a phone, in a browser of their own with no account,
approves one quote and asks for another to be changed; the facilitator then
sees both answers. axe-core checks the storyteller's pages at 360 px and
1280 px.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cohub.apps.analysis import services as analysis_services
from cohub.apps.projects.models import ProjectRole
from tests.browser_support import EXPECT_TIMEOUT_MS, axe_violations, log_in_as
from tests.factories import ProjectFactory, make_member, make_story, make_storyteller

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


TEXT = (
    "Sam: What happened when you asked for help?\n\n"
    "Robin: I rang the crisis line three times.\n\n"
    "Sam: And then?\n\n"
    "Robin: Nobody called me back for eleven weeks."
)


def _world():
    project = ProjectFactory(name="Crisis support in Northfield")
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    robin = make_storyteller(project, pseudonym="Robin")
    story = make_story(project, storyteller=robin, text=TEXT, title="Waiting for help")
    transcript = story.transcripts.get()
    theme = analysis_services.theme_create(project=project, name="Waiting", actor=facilitator)
    quotes = []
    for index in (1, 3):
        part = transcript.segments.get(index=index)
        quotes.append(
            analysis_services.highlight_create(
                story=story,
                transcript=transcript,
                char_start=part.char_start,
                char_end=part.char_end,
                actor=facilitator,
                themes=[theme.theme],
            ).highlight
        )
    return project, facilitator, robin, story, quotes


def test_a_storyteller_approves_one_quote_and_questions_another(page, client, browser):
    project, facilitator, robin, story, quotes = _world()
    log_in_as(page, client, facilitator)
    page.goto(f"/p/{project.slug}/storytellers/{robin.pk}/")
    page.get_by_role("link", name="Their private link").click()
    page.get_by_role("button", name="Make a new link").click()
    link = page.get_by_label("The link")
    expect(link).to_be_visible()
    url = link.input_value()
    assert "/my-story/open/" in url

    phone = browser.new_context(base_url=page.base_url, viewport={"width": 360, "height": 780})
    phone.set_default_timeout(EXPECT_TIMEOUT_MS)
    teller = phone.new_page()
    teller.goto(url)
    expect(teller.get_by_role("heading", name="Your story, Robin")).to_be_visible()
    assert "/my-story/open/" not in teller.url  # the secret is not left in the address bar

    first = teller.locator(f"#quote-{quotes[0].pk}")
    first.get_by_label("Yes, you may use these words").check()
    first.get_by_role("button", name="Send my answer").click()
    expect(teller.get_by_text("Thank you. We may use these words.")).to_be_visible()
    expect(teller.locator(f"#quote-{quotes[0].pk}")).to_contain_text(
        "you said we may use these words"
    )

    second = teller.locator(f"#quote-{quotes[1].pk}")
    second.get_by_label("Please change them").check()
    second.get_by_label("Anything you want to tell us? (optional)").fill("It was twelve weeks.")
    second.get_by_role("button", name="Send my answer").click()
    expect(teller.locator(f"#quote-{quotes[1].pk}")).to_contain_text(
        "you asked us to change these words"
    )
    expect(teller.locator(f"#quote-{quotes[1].pk}")).to_contain_text("It was twelve weeks.")

    # The link opens the storyteller's page, never the project's.
    teller.goto(f"/p/{project.slug}/")
    expect(teller.get_by_role("heading", name="Log in")).to_be_visible()
    phone.close()

    page.goto(f"/p/{project.slug}/findings/checks/")
    expect(page.get_by_test_id("check-total")).to_contain_text(
        "1 approved, 0 waiting, 1 questioned"
    )
    expect(page.get_by_test_id("check-row")).to_contain_text("asked for a change")
    page.goto(f"/p/{project.slug}/stories/{story.pk}/review-sheet/")
    states = page.get_by_test_id("check-state")
    expect(states.nth(0)).to_have_text("Approved")
    expect(states.nth(1)).to_contain_text("Asked for a change")
    expect(states.nth(1)).to_contain_text("It was twelve weeks.")


@pytest.mark.parametrize("width", [360, 1280], ids=["phone", "desktop"])
def test_the_storytellers_pages_pass_axe(page, width):
    from cohub.apps.stories.links import storyteller_link_create

    project, facilitator, robin, story, quotes = _world()
    new = storyteller_link_create(storyteller=robin, actor=facilitator)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"/my-story/open/{new.token}/")
    expect(page.get_by_role("heading", name="Your story, Robin")).to_be_visible()
    found = []
    for path in ("/my-story/", "/my-story/easy-read/", "/my-story/consent/", "/my-story/withdraw/"):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        found += [f"{path}: {violation}" for violation in axe_violations(page)]
        if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
            found.append(f"{path}: scrolls sideways at {width}px")
    response = page.goto("/my-story/open/not-a-link/")
    assert response is not None and response.status == 404
    found += [f"refused link: {violation}" for violation in axe_violations(page)]
    assert not found, "\n".join(found)
