"""The round report in Chromium: axe-core at a phone's width and a desk's, no sideways scroll,
and the page downloads as one HTML file (ADR 0035)."""

from __future__ import annotations

import pytest

from tests.assess.test_report import SMALL_GROUP_WORDS, make_answered_round
from tests.browser_support import axe_violations, log_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def round_answered():
    return make_answered_round()


@pytest.mark.parametrize("width", [360, 1280])
def test_the_round_report_passes_axe_and_reflows(page, client, round_answered, width):
    assessment, facilitator, _, _ = round_answered
    page.set_viewport_size({"width": width, "height": 800})
    log_in_as(page, client, facilitator)
    url = f"/p/{assessment.project.slug}/assessments/{assessment.pk}/report/"
    response = page.goto(url)
    assert response is not None and response.status == 200
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert SMALL_GROUP_WORDS not in page.content()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as one web page (HTML)").click()
    assert download.value.suggested_filename.endswith(".html")
