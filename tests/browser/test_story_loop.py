"""The first loop as a person does it, in real headless Chromium:
log in, import a two-speaker WebVTT file, select words to make a key quote,
tag it with a theme, and find it under that theme on the findings page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cohub.apps.analysis.models import Highlight
from cohub.apps.projects.models import ProjectRole
from cohub.apps.stories.models import Story
from tests.browser_support import axe_violations, drag_select, log_in
from tests.factories import PASSWORD, ProjectFactory, make_member, make_storyteller

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZOOM_VTT = """WEBVTT

1
00:00:01.200 --> 00:00:05.900
<v Sam Reporter>What happened the first time you asked for help?</v>

2
00:00:06.100 --> 00:00:14.000
<v Robin>I rang the crisis line three times and waited eleven weeks for anyone to call me back.</v>

3
00:00:14.500 --> 00:00:19.000
<v Sam Reporter>What would have made a difference?</v>

4
00:00:19.500 --> 00:00:27.250
<v Robin>Someone who knew my name, and a number that a person actually answered.</v>
"""


def test_import_select_tag_and_find_it_in_the_findings(page):
    project = ProjectFactory(slug="crisis-support")
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    make_storyteller(project, pseudonym="Robin")

    log_in(page, facilitator.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your projects")

    # Import the video-call transcript through the upload form.
    page.goto(f"/p/{project.slug}/stories/import/")
    page.get_by_label("Whose story is it?").select_option(label="Robin")
    page.locator("#id_files").set_input_files(
        files=[{"name": "robin-call.vtt", "mimeType": "text/vtt", "buffer": ZOOM_VTT.encode()}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Import").click()
    story = Story.objects.get(project=project)
    segments = list(story.transcripts.get().segments.order_by("index"))
    assert [s.speaker.label for s in segments] == ["Sam Reporter", "Robin", "Sam Reporter", "Robin"]

    # Select Robin's first answer with the mouse, as a person would: press on its
    # first letter, release on its last, and read what the page says was chosen.
    page.goto(f"/p/{project.slug}/stories/{story.pk}/review-sheet/")
    drag_select(page, page.locator("#seg-1 .segment-text"))
    preview = page.locator("#selection-preview")
    expect(preview).to_be_visible()
    expect(preview.locator("blockquote")).to_have_text(f"“{segments[1].text}”")
    expect(page.locator("#selection-heading")).to_be_focused()

    page.locator("#quote_change_level_1").check()  # organisation
    with page.expect_navigation():
        page.locator("#highlight-submit").click()

    highlight = Highlight.objects.get(review_sheet__story=story)
    assert highlight.snippet == segments[1].text
    assert highlight.speaker.display_name == "Robin"
    assert (highlight.start_ms, highlight.end_ms) == (6100, 14000)
    assert highlight.change_level == "organisation"
    expect(page.locator(f"#quote-{highlight.pk}")).to_contain_text("eleven weeks")

    # Tag it with a new theme from the key quote's own form.
    page.locator(f"#tag{highlight.pk}_new_name").fill("Waiting too long")
    with page.expect_navigation():
        page.locator(f"#add-theme-{highlight.pk} button[type=submit]").click()
    expect(page.locator(f"#quote-{highlight.pk} .tags")).to_contain_text("Waiting too long")
    assert axe_violations(page) == []

    # The findings page shows the quote under that theme, with its counts.
    page.goto(f"/p/{project.slug}/findings/")
    theme_section = page.locator(
        "section", has=page.get_by_role("heading", name="Waiting too long")
    )
    expect(theme_section.locator("blockquote")).to_contain_text("waited eleven weeks")
    expect(theme_section).to_contain_text("Robin")
    assert axe_violations(page) == []
