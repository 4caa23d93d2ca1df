"""How the review page reads a selection that no mouse made.

On a phone, a finger drags the selection handles and no mouse or touch event
reaches the page; with a keyboard, Shift and the arrow keys grow it. The page
must follow the selection itself, fill in the form without moving focus or
scrolling (the person is still adjusting it), and save exactly those words.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cohub.apps.analysis.models import Highlight
from cohub.apps.projects.models import ProjectRole
from tests.browser_support import log_in_as
from tests.factories import ProjectFactory, make_member, make_story, make_storyteller

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "Sam: What happened the first time you asked for help?\n\n"
    "Robin: I rang the crisis line three times and waited eleven weeks for a call back."
)


def test_a_selection_moved_by_its_handles_fills_in_the_form_without_jumping(page, client):
    project = ProjectFactory()
    member = make_member(project, ProjectRole.MEMBER)
    story = make_story(project, storyteller=make_storyteller(project), text=TEXT)
    log_in_as(page, client, member)
    page.goto(f"/p/{project.slug}/stories/{story.pk}/review-sheet/")
    preview = page.locator("#selection-preview")
    expect(preview).to_be_hidden()

    # What the handles do: the selection changes, and nothing else happens.
    before = page.locator("#seg-1 .segment-text").evaluate(
        """el => {
            const text = el.firstChild, at = text.data.indexOf("eleven weeks");
            getSelection().setBaseAndExtent(text, at, text, at + "eleven".length);
            return scrollY;
        }"""
    )
    expect(preview.locator("blockquote")).to_have_text("“eleven”")
    page.locator("#seg-1 .segment-text").evaluate(
        """el => {
            const selection = getSelection(), text = el.firstChild;
            selection.setBaseAndExtent(
                text, selection.anchorOffset, text, selection.anchorOffset + "eleven weeks".length
            );
        }"""
    )
    expect(preview.locator("blockquote")).to_have_text("“eleven weeks”")
    assert page.evaluate("document.activeElement === document.body")
    assert page.evaluate("scrollY") == before

    with page.expect_navigation():
        page.locator("#highlight-submit").click()
    highlight = Highlight.objects.get(review_sheet__story=story)
    assert highlight.snippet == "eleven weeks"
    assert highlight.speaker.display_name == "Robin"
