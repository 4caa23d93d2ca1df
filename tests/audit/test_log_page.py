"""The project's audit log: facilitators and admins read, filter, page through and export it."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from cohub.apps.core import audit
from cohub.apps.core.models import Event, record_event
from cohub.apps.projects.models import ProjectRole
from tests.factories import (
    ALL_ROLES,
    assert_role_access,
    log_in_as_role,
    make_member,
    make_story,
    make_storyteller,
)

pytestmark = pytest.mark.django_db


def _url(project, name="log", **query):
    url = reverse(f"audit:{name}", args=[project.slug])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def _read(client, project, story):
    """Open the story's page, which writes a read entry."""
    response = client.get(reverse("analysis:review_sheet", args=[project.slug, story.pk]))
    assert response.status_code == 200


@pytest.fixture
def told(project, facilitator):
    teller = make_storyteller(project, pseudonym="Robin")
    return make_story(project, storyteller=teller, title="Robin's flood", text="Robin: Water came.")


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("name", ["log", "log_csv"])
def test_only_facilitators_and_admins_may_read_it(client, project, role, name):
    log_in_as_role(client, project, role)
    assert_role_access(client.get(_url(project, name)), role, {"facilitator", "org_admin"})


def test_it_shows_who_read_which_story_by_number_and_never_its_words(
    client, project, facilitator, told
):
    reporter = make_member(project, ProjectRole.COMMUNITY_REPORTER)
    client.force_login(reporter)
    _read(client, project, told)
    client.force_login(facilitator)
    body = client.get(_url(project)).content.decode()
    assert "Read story content on a page" in body
    assert f"Story {told.pk}" in body
    assert str(reporter) in body
    assert "Added a story" in body
    assert "Water came" not in body
    assert "Robin&#x27;s flood" not in body and "Robin's flood" not in body


def test_it_filters_by_person_action_kind_and_days(client, project, facilitator, told):
    reporter = make_member(project, ProjectRole.COMMUNITY_REPORTER)
    client.force_login(reporter)
    _read(client, project, told)
    record_event(actor=facilitator, verb="project.update", target=project, project_id=project.pk)
    client.force_login(facilitator)

    mine = client.get(_url(project, person=reporter.pk)).context["lines"]
    assert {line.entry.actor_id for line in mine} == {reporter.pk}
    reads = client.get(_url(project, action=audit.VIEWED)).context["lines"]
    assert reads and {line.entry.verb for line in reads} == {audit.VIEWED}
    stories = client.get(_url(project, kind="stories.story")).context["lines"]
    assert stories and {line.entry.target_type for line in stories} == {"stories.story"}
    today = timezone.localdate()
    assert client.get(_url(project, since=today, until=today)).context["lines"]
    tomorrow = today + dt.timedelta(days=1)
    assert client.get(_url(project, since=tomorrow)).context["lines"] == []
    yesterday = today - dt.timedelta(days=1)
    assert client.get(_url(project, until=yesterday)).context["lines"] == []


def test_days_the_wrong_way_round_are_named_and_nothing_is_lost(client, project, facilitator):
    record_event(actor=facilitator, verb="project.update", project_id=project.pk)
    client.force_login(facilitator)
    today = timezone.localdate()
    response = client.get(_url(project, since=today, until=today - dt.timedelta(days=3)))
    assert response.status_code == 200
    assert "&#x27;Until&#x27; is before &#x27;From&#x27;" in response.content.decode()
    # The log still shows, unfiltered, under the message.
    assert response.context["lines"]


def test_it_pages_fifty_lines_at_a_time_keeping_the_filter(client, project, facilitator):
    for n in range(55):
        record_event(actor=facilitator, verb="project.update", project_id=project.pk, data={"n": n})
    client.force_login(facilitator)
    first = client.get(_url(project, action="project.update"))
    assert len(first.context["lines"]) == 50
    assert "action=project.update&amp;page=2" in first.content.decode()
    second = client.get(_url(project, action="project.update", page=2))
    assert len(second.context["lines"]) == 5


def test_another_projects_lines_never_show(client, project, facilitator):
    record_event(actor=facilitator, verb="project.update", project_id=project.pk + 1000)
    client.force_login(facilitator)
    lines = client.get(_url(project)).context["lines"]
    assert all(line.entry.project_id == project.pk for line in lines)


def test_the_csv_is_every_line_as_filtered_safe_in_a_spreadsheet_and_is_itself_logged(
    client, project, facilitator, told
):
    record_event(
        actor=facilitator,
        verb="=HYPERLINK(1)",
        project_id=project.pk,
        data={"route": "@SUM(1)"},
    )
    client.force_login(facilitator)
    _read(client, project, told)
    response = client.get(_url(project, "log_csv", action=audit.VIEWED))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["entry", "when (UTC)", "who", "action"]
    assert [row[3] for row in rows[1:]] == [audit.VIEWED]
    assert rows[1][8] == str(told.pk)
    everything = client.get(_url(project, "log_csv")).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in everything and "'@SUM(1)" in everything
    assert Event.objects.filter(verb="audit.export", actor=facilitator).count() == 2
