"""The findings page and the CSV download, tried by every role."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cohub.apps.core.models import Event
from tests.factories import ALL_ROLES, user_for_role

pytestmark = pytest.mark.django_db

SKY_WITHHELD = "Withheld: Sky has not agreed that we quote them without their name."

CAN_READ = {"facilitator", "community_reporter", "member", "decision_maker", "org_admin"}
# Whoever decides what the findings say (everyone who codes) may take them away.
CAN_EXPORT = {"facilitator", "community_reporter", "member", "org_admin"}
SEES_STORIES = CAN_READ - {"decision_maker"}


def _get(client, project, role, name="reports:findings", **params):
    user = user_for_role(project, role)
    if user is not None:
        client.force_login(user)
    url = reverse(name, kwargs={"project_slug": project.slug})
    return client.get(url, params)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_findings_page_by_role(client, coded, role):
    response = _get(client, coded.project, role)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif role in CAN_READ:
        assert response.status_code == 200
        assert "Waiting" in response.content.decode()
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", sorted(CAN_READ))
def test_story_links_only_for_those_who_may_read_stories(client, coded, role):
    page = _get(client, coded.project, role).content.decode()
    story_url = reverse(
        "analysis:review_sheet",
        kwargs={"project_slug": coded.project.slug, "story_id": coded.stories["A"].pk},
    )
    assert ("Robin&#x27;s story" in page) or ("Robin's story" in page)
    assert (f'href="{story_url}"' in page) is (role in SEES_STORIES)


@pytest.mark.parametrize("role", sorted(CAN_READ))
def test_download_link_only_for_those_who_may_export(client, coded, role):
    page = _get(client, coded.project, role).content.decode()
    csv_url = reverse("reports:findings_csv", kwargs={"project_slug": coded.project.slug})
    assert (f'href="{csv_url}"' in page) is (role in CAN_EXPORT)


def test_page_shows_summary_counts_tables_and_consent(client, coded):
    page = _get(client, coded.project, "facilitator").content.decode()
    summary = " ".join(re.search(r'id="findings-summary">(.*?)</p>', page, re.S)[1].split())
    assert summary == "5 quotes from 3 stories across 2 themes."
    assert "<caption" in page and 'scope="row"' in page and 'scope="col"' in page
    assert "By level of change" in page and "By sector" in page
    assert SKY_WITHHELD in page
    assert "The letter came after I had moved house." not in page
    assert "Robin Real" in page
    assert "Ana Real" not in page
    assert "Not yet themed" in page
    assert "The app asked me to rate my mood" in page
    assert 'aria-hidden="true"' in page


def test_page_order_follows_quote_count(client, coded):
    page = _get(client, coded.project, "member").content.decode()
    assert page.index(">Waiting</h2>") < page.index(">Trust</h2>") < page.index(">Unused</h2>")


def test_filter_by_change_level_narrows_quotes_and_counts(client, coded):
    page = _get(client, coded.project, "facilitator", level="organisation").content.decode()
    summary = " ".join(re.search(r'id="findings-summary">(.*?)</p>', page, re.S)[1].split())
    assert summary == "1 quote from 1 story across 2 themes, matching your filter."
    assert "I waited eleven weeks." not in page
    assert "=Nobody rang me back, not once." in page


def test_filter_by_sector(client, coded):
    page = _get(client, coded.project, "facilitator", sector="research").content.decode()
    summary = " ".join(re.search(r'id="findings-summary">(.*?)</p>', page, re.S)[1].split())
    assert summary == "1 quote from 1 story across 1 theme, matching your filter."
    assert SKY_WITHHELD in page
    assert "Not yet themed" not in page


def test_filter_not_set_and_unknown_values(client, coded):
    page = _get(client, coded.project, "facilitator", level="not_set").content.decode()
    assert "My neighbour, who had been through it." in page
    assert "I waited eleven weeks." not in page
    page = _get(client, coded.project, "facilitator", level="nonsense", sector="x").content.decode()
    assert "5 quotes" in page


def test_empty_project_says_so(client, project):
    page = _get(client, project, "facilitator").content.decode()
    assert "There are no findings yet." in page


@pytest.mark.parametrize("role", ALL_ROLES)
def test_csv_download_by_role(client, coded, role):
    response = _get(client, coded.project, role, name="reports:findings_csv")
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        assert not Event.objects.filter(verb="findings.export").exists()
    elif role in CAN_EXPORT:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert not Event.objects.filter(verb="findings.export").exists()


def test_csv_download_is_an_attachment_and_audited(client, coded):
    user = user_for_role(coded.project, "member")
    client.force_login(user)
    response = client.get(
        reverse("reports:findings_csv", kwargs={"project_slug": coded.project.slug})
    )
    today = timezone.localdate()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{coded.project.slug}-findings-{today:%Y-%m-%d}.csv"'
    )
    body = response.content.decode("utf-8")
    assert body.startswith('\ufeff"Quote id","Quote","Themes","Who spoke",')
    assert SKY_WITHHELD in body
    assert "'=Nobody rang me back" in body
    event = Event.objects.get(verb="findings.export")
    assert event.actor == user
    assert event.project_id == coded.project.pk


def test_csv_download_refuses_post(client, coded):
    client.force_login(user_for_role(coded.project, "facilitator"))
    url = reverse("reports:findings_csv", kwargs={"project_slug": coded.project.slug})
    assert client.post(url).status_code == 405
