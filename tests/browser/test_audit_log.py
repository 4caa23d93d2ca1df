"""The audit log and the subject access page in Chromium: by keyboard, on a phone, with axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cohub.apps.core.models import record_event
from cohub.apps.projects.models import ProjectRole
from tests.browser.test_keyboard import tab_to
from tests.browser_support import axe_violations, log_in_as
from tests.factories import ProjectFactory, make_member, make_story, make_storyteller

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_filter_the_log_by_person_with_the_keyboard_on_a_phone(page, client):
    project = ProjectFactory()
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    reporter = make_member(project, ProjectRole.COMMUNITY_REPORTER)
    robin = make_storyteller(project, pseudonym="Robin", actor=facilitator)
    make_story(project, storyteller=robin, actor=reporter, title="Robin's flood")
    for n in range(3):
        record_event(actor=facilitator, verb="project.update", project_id=project.pk, data={"n": n})

    page.set_viewport_size({"width": 360, "height": 800})
    log_in_as(page, client, facilitator)
    page.goto(f"/p/{project.slug}/audit-log/")
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    assert axe_violations(page) == []
    assert (
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        <= 1
    )

    tab_to(page, "#id_person")
    page.keyboard.press("ArrowDown")  # from "Anyone" to the first person named in the log
    chosen = page.locator("#id_person option:checked").inner_text()
    tab_to(page, "form.log-filter button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    rows = page.locator("tbody tr")
    expect(rows.first).to_be_visible()
    whos = page.locator("tbody td[data-label=Who]").all_inner_texts()
    assert whos and set(whos) == {chosen}
    expect(page.get_by_role("link", name="Show every line")).to_be_visible()
    assert axe_violations(page) == []


@pytest.mark.parametrize("width", [360, 1280], ids=["phone", "desktop"])
def test_the_subject_access_page_reads_well_and_its_button_is_reachable(page, client, width):
    project = ProjectFactory()
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    robin = make_storyteller(project, pseudonym="Robin", actor=facilitator)
    make_story(project, storyteller=robin, actor=facilitator)
    page.set_viewport_size({"width": width, "height": 800})
    log_in_as(page, client, facilitator)
    page.goto(f"/p/{project.slug}/storytellers/{robin.pk}/")
    link = page.get_by_role("link", name="What we hold about them")
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", name="What we hold about Robin")).to_be_visible()
    assert axe_violations(page) == []
    assert (
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        <= 1
    )
    tab_to(page, "main form button[type=submit]")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".zip")
