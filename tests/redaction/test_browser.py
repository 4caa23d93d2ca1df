"""Going through a story's suggestions in real Chromium: by keyboard, at 360 px and 1280 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cohub.apps.redaction.models import FindingStatus
from tests.browser_support import axe_violations, log_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def review_path(story):
    return f"/p/{story.project.slug}/stories/{story.pk}/personal-details/"


def test_decide_every_suggestion_by_keyboard_and_share(page, client, checked, story, facilitator):
    log_in_as(page, client, facilitator)
    page.goto(review_path(story))
    first = checked.findings.order_by("index").first()
    # "Go to the first one waiting" focuses the first suggestion.
    page.get_by_role("link", name="Go to the first one waiting").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#finding-{first.pk}")).to_be_focused()
    for _ in range(checked.findings.count()):
        focused = page.evaluate("document.activeElement.id")
        text = page.locator(f"#{focused} mark").inner_text()
        with page.expect_navigation():
            page.keyboard.press("k" if text == "Leeds" else "r")
        # The page comes back with the next suggestion (or this one, at the end) focused.
        page.wait_for_function(
            "() => document.activeElement && document.activeElement.hasAttribute('data-suggestion')"
        )
    statuses = {f.text: f.status for f in checked.findings.all()}
    assert statuses.pop("Leeds") == FindingStatus.REJECTED
    assert set(statuses.values()) == {FindingStatus.ACCEPTED}
    # U undoes the last decision.
    with page.expect_navigation():
        page.keyboard.press("u")
    expect(page.get_by_text("Undone:")).to_be_visible()
    waiting = checked.findings.get(status=FindingStatus.SUGGESTED)
    page.locator(f"#finding-{waiting.pk}").focus()
    page.keyboard.press("e")
    field = page.locator(f"#replacement-{waiting.pk}")
    expect(field).to_be_focused()
    field.fill("[NUMBER]")
    with page.expect_navigation():
        field.press("Enter")
    page.get_by_role("button", name="Make the shareable version").click()
    expect(page.get_by_text("Version 2 is the shareable version")).to_be_visible()
    assert "[NUMBER]" in story.transcripts.order_by("-version").first().text


def test_the_review_page_is_accessible_and_fits(page, client, checked, story, facilitator):
    log_in_as(page, client, facilitator)
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        for path in (review_path(story), f"/p/{story.project.slug}/personal-details/"):
            page.goto(path)
            expect(page.locator("h1")).to_be_visible()
            assert axe_violations(page) == [], (width, path)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (width, path)
