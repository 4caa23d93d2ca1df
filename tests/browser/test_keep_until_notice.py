"""The keep-until notice on the project page, in real Chromium: 360 px and 1280 px, by keyboard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cohub.apps.projects.models import ProjectRole
from tests.browser.test_keyboard import tab_to
from tests.browser_support import axe_violations, log_in_as
from tests.factories import ALL_SCOPES, ProjectFactory, make_member, make_story, make_storyteller

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [360, 1280])
def test_a_facilitator_sees_whose_stories_go_soon_and_reaches_them_by_keyboard(page, client, width):
    project = ProjectFactory(name="Winter support")
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    until = timezone.localdate() + dt.timedelta(days=3)
    kit = make_storyteller(project, pseudonym="Kit", consent={**ALL_SCOPES, "keep_until": until})
    make_story(project, storyteller=kit, text="Kit: I lost my flat in the winter.")

    page.set_viewport_size({"width": width, "height": 800})
    log_in_as(page, client, facilitator)
    page.goto(f"/p/{project.slug}/")

    notice = page.get_by_role("region", name="Stories that will be removed soon")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(f"1 story is removed on {until.day} {until:%B %Y} (in 3 days)")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    tab_to(page, f'a[href="/p/{project.slug}/storytellers/{kit.pk}/"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kit")
