"""The findings report in real Chromium: axe-core on each version, at 360 px and 1280 px.

The page walk in test_accessibility.py opens the report too; this checks
every version of it (full, overview, easy read, one tailored), that none
scrolls sideways on a phone (the chart shrinks, tables scroll in their own
region), and that a theme's count leads to its quotes.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cohub.apps.projects.models import ProjectRole
from cohub.apps.reports.services import report_version_create
from tests.browser_support import axe_violations, log_in_as
from tests.factories import ProjectFactory, make_member
from tests.reports.conftest import build_coded_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [360, 1280])
def test_every_version_of_the_report_passes_axe_and_reflows(page, client, width):
    coded = build_coded_project(ProjectFactory(name="Waiting for help"))
    project = coded.project
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    trust = project.themes.get(name="Trust")
    version = report_version_create(
        project=project,
        actor=facilitator,
        title="For the adult social care team",
        for_you="Trust is what people spoke of.",
        themes=[trust],
    )
    page.set_viewport_size({"width": width, "height": 800})
    log_in_as(page, client, facilitator)
    urls = [
        f"/p/{project.slug}/report/",
        f"/p/{project.slug}/report/?kind=overview",
        f"/p/{project.slug}/report/?kind=easy-read",
        f"/p/{project.slug}/report/versions/{version.pk}/",
        f"/p/{project.slug}/report/versions/{version.pk}/?kind=easy-read",
        f"/p/{project.slug}/report/versions/",
    ]
    found = []
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        found += [f"{url}: {violation}" for violation in axe_violations(page)]
        if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
            found.append(f"{url}: scrolls sideways at {width}px")
    assert not found, "\n".join(found)


def test_a_themes_count_leads_to_its_quotes(page, client):
    coded = build_coded_project(ProjectFactory(name="Waiting for help"))
    project = coded.project
    log_in_as(page, client, make_member(project, ProjectRole.DECISION_MAKER))
    page.goto(f"/p/{project.slug}/report/")
    waiting = project.themes.get(name="Waiting")
    chart = page.get_by_role("img", name="Quotes for each theme, by level of change")
    expect(chart).to_be_visible()
    page.get_by_role("link", name="3 quotes").click()
    page.wait_for_function(f"() => location.hash === '#theme-{waiting.pk}-quotes'")
    expect(page.locator(f"#theme-{waiting.pk}-quote-{coded.highlights['h1'].pk}")).to_contain_text(
        "I waited eleven weeks."
    )
