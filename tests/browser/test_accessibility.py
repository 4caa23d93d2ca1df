"""Every main page of the demo project, checked by axe-core in real Chromium,
on a desktop and on a phone-sized screen, as the people who would open them."""

from __future__ import annotations

import pytest

from cohub.apps.analysis.models import CodingEvent, Theme
from cohub.apps.stories.models import Story, Storyteller
from cohub.demo import DECISION_MAKER, DEMO_PASSWORD, FACILITATOR, demo_load
from tests.browser_support import axe_violations, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def facilitator_pages(slug: str) -> list[str]:
    story = Story.objects.filter(project__slug=slug).order_by("pk").first()
    storyteller = Storyteller.objects.filter(project__slug=slug).order_by("pk").first()
    theme = Theme.objects.filter(project__slug=slug).order_by("pk").first()
    assert story and storyteller and theme and CodingEvent.objects.exists()
    base = f"/p/{slug}"
    return [
        "/projects/",
        "/accounts/",
        f"{base}/",
        f"{base}/members/",
        f"{base}/edit/",
        f"{base}/storytellers/",
        f"{base}/storytellers/new/",
        f"{base}/storytellers/{storyteller.pk}/",
        f"{base}/storytellers/{storyteller.pk}/consent/",
        f"{base}/storytellers/{storyteller.pk}/withdraw/",
        f"{base}/stories/",
        f"{base}/stories/new/",
        f"{base}/stories/import/",
        f"{base}/stories/{story.pk}/review-sheet/",
        f"{base}/themes/",
        f"{base}/themes/{theme.pk}/",
        f"{base}/coding-log/",
        f"{base}/findings/",
    ]


@pytest.mark.parametrize("width", [1280, 360], ids=["desktop", "phone"])
def test_facilitator_pages_have_no_serious_violations(page, width):
    info = demo_load()
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, FACILITATOR, DEMO_PASSWORD)
    found = {}
    for url in facilitator_pages(info.project_slug):
        response = page.goto(url)
        assert response.status == 200, url
        violations = axe_violations(page)
        if violations:
            found[url] = violations
        # Nothing should make a phone screen scroll sideways (WCAG 1.4.10 reflow).
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{url} scrolls sideways by {overflow}px at {width}px"
    assert found == {}


def test_login_and_decision_maker_findings_have_no_serious_violations(page):
    info = demo_load()
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/accounts/login/")
    assert axe_violations(page) == []
    log_in(page, DECISION_MAKER, DEMO_PASSWORD)
    page.goto(f"/p/{info.project_slug}/findings/")
    assert axe_violations(page) == []
