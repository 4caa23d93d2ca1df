"""Making a key quote and tagging it with the keyboard alone: no mouse, Tab and Enter."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cohub.apps.analysis.models import Highlight
from cohub.apps.analysis.services import theme_create
from cohub.apps.projects.models import ProjectRole
from tests.browser_support import log_in_as
from tests.factories import ProjectFactory, make_member, make_story, make_storyteller

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "Sam: What helped in the end?\n\n"
    "Robin: A peer worker who rang every Friday. She never once made me repeat my story.\n\n"
    "Sam: And what didn't?"
)


def tab_to(page, selector: str, limit: int = 150) -> None:
    """Press Tab until ``selector`` has focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def test_make_and_tag_a_key_quote_with_the_keyboard_only(page, client):
    project = ProjectFactory()
    member = make_member(project, ProjectRole.MEMBER)
    story = make_story(project, storyteller=make_storyteller(project), text=TEXT)
    theme_create(project=project, name="Peer support", actor=member)

    log_in_as(page, client, member)
    page.goto(f"/p/{project.slug}/stories/{story.pk}/review-sheet/")

    tab_to(page, "#seg-1 .segment__quote-link")
    page.keyboard.press("Enter")
    tab_to(page, "#quote_exact_words")
    page.keyboard.type("never once made me repeat my story")
    tab_to(page, "#quote_themes_0")
    page.keyboard.press("Space")
    tab_to(page, "#highlight-submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    highlight = Highlight.objects.get(review_sheet__story=story)
    assert highlight.snippet == "never once made me repeat my story"
    assert highlight.speaker.display_name == "Robin"
    assert [link.theme.name for link in highlight.theme_links.all()] == ["Peer support"]
    expect(page.locator(f"#quote-{highlight.pk}")).to_contain_text("Peer support")


def test_undo_and_redo_a_key_quote_with_the_keyboard_only(page, client):
    """The Redo button after an undo is a real button: Tab reaches it and Enter presses it."""
    from cohub.apps.analysis.services import highlight_create

    project = ProjectFactory()
    member = make_member(project, ProjectRole.MEMBER)
    story = make_story(project, storyteller=make_storyteller(project), text=TEXT)
    transcript = story.transcripts.get()
    words = "never once made me repeat my story"
    start = transcript.text.index(words)
    made = highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len(words),
        actor=member,
    ).highlight

    log_in_as(page, client, member)
    page.goto(f"/p/{project.slug}/coding-log/")
    tab_to(page, "#log-caption ~ tbody button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".undo-panel")).to_contain_text(f"Undone: Made a key quote: “{words}”")
    expect(page.locator("tbody")).to_contain_text(
        f"Removed the key quote “{words}” (quote {made.pk})"
    )
    tab_to(page, "#redo-button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".undo-panel")).to_contain_text("Redone: Made a key quote")

    page.goto(f"/p/{project.slug}/stories/{story.pk}/review-sheet/#quote-{made.pk}")
    expect(page.locator(f"#quote-{made.pk}")).to_contain_text(words)
