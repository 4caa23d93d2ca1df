"""The demo's report: its pages open, its saved version is there once, and its PDF draws."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohub.apps.accounts.models import User
from cohub.apps.reports.models import ReportVersion
from cohub.apps.reports.render import report_pdf
from cohub.apps.reports.report import Kind, build_report
from cohub.demo.loader import demo_load
from tests.auth import VerifiedClient as Client

pytestmark = pytest.mark.django_db


def test_the_demo_report_and_its_version_for_one_audience():
    info = demo_load()
    demo_load()  # a second run adds no second version
    (version,) = ReportVersion.objects.filter(project__slug=info.project_slug)
    assert version.title == "For the adult social care team"
    assert version.sectors == ["services"]
    client = Client()
    client.force_login(User.objects.get(email=info.email))
    for url in (
        reverse("reports:report", args=[info.project_slug]),
        reverse("reports:report", args=[info.project_slug]) + "?kind=easy-read",
        reverse("reports:report_version", args=[info.project_slug, version.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Quotes for each theme, by level of change" in response.content.decode() or (
            "easy-read" in url
        )
    report = build_report(version.project, kind=Kind.OVERVIEW)
    assert report.quote_count > 0 and report.shown_count > 0
    assert report_pdf(report).startswith(b"%PDF")
