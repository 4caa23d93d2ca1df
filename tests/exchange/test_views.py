"""The downloads on the findings page, tried by every role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import ALL_ROLES, assert_role_access, log_in_as_role

pytestmark = pytest.mark.django_db

RUNS_PROJECT = {"facilitator", "org_admin"}
EXPORTS_FINDINGS = {"facilitator", "community_reporter", "member", "org_admin"}
READS_FINDINGS = EXPORTS_FINDINGS | {"decision_maker"}

DOWNLOADS = {
    "exchange:project_qdpx": (RUNS_PROJECT, "application/zip"),
    "exchange:project_qdc": (RUNS_PROJECT, "application/xml"),
    "exchange:quotes_xlsx": (
        EXPORTS_FINDINGS,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "exchange:codes_csv": (EXPORTS_FINDINGS, "text/csv; charset=utf-8"),
}


@pytest.mark.parametrize("name", sorted(DOWNLOADS))
@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_download_by_role(client, coded, role, name):
    allowed, content_type = DOWNLOADS[name]
    log_in_as_role(client, coded.project, role)
    response = client.get(reverse(name, kwargs={"project_slug": coded.project.slug}))
    assert_role_access(response, role, allowed, ok=(200,))
    if response.status_code == 200:
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"].startswith("attachment; filename=")
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("role", sorted(READS_FINDINGS))
def test_the_findings_page_links_to_the_downloads_each_role_may_have(client, coded, role):
    log_in_as_role(client, coded.project, role)
    page = client.get(
        reverse("reports:findings", kwargs={"project_slug": coded.project.slug})
    ).content.decode()
    for name, (allowed, _) in DOWNLOADS.items():
        url = reverse(name, kwargs={"project_slug": coded.project.slug})
        assert (f'href="{url}"' in page) is (role in allowed), name
