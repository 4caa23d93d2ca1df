"""An organisation's own audit log (``/o/<organisation>/audit-log/``): the lines that belong
to no project of it, for those who run its rounds, and nobody else's lines."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from cohub.apps.assess.selectors import framework_version
from cohub.apps.assess.services import (
    framework_create,
    frameworks_load,
    organisation_round_open,
    round_open,
)
from cohub.apps.core.models import Event
from cohub.apps.projects.models import ProjectRole
from tests.factories import OrganisationFactory, ProjectFactory, make_member, make_org_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    frameworks_load()
    organisation = OrganisationFactory(name="Northside Council")
    housing = ProjectFactory(organisation=organisation)
    facilitator = make_member(housing, ProjectRole.FACILITATOR)
    whole = organisation_round_open(
        organisation=organisation,
        title="Across the council",
        versions=[framework_version("embedding")],
        actor=facilitator,
    )
    framework_create(organisation=organisation, title="How we pay people", actor=facilitator)
    # A project's own round: on the project's log, not the organisation's.
    round_open(
        project=housing, title="Housing spring", versions=[framework_version("ladder")], actor=None
    )
    other = OrganisationFactory()
    organisation_round_open(
        organisation=other,
        title="Elsewhere",
        versions=[framework_version("embedding")],
        actor=make_org_admin(other),
    )
    return organisation, housing, facilitator, whole


def log_of(organisation, csv=False):
    return reverse("org_audit:log_csv" if csv else "org_audit:log", args=[organisation.slug])


def test_the_organisations_own_lines_and_no_ones_else(client, org):
    organisation, housing, facilitator, whole = org
    client.force_login(make_org_admin(organisation))
    page = client.get(log_of(organisation)).content.decode()
    assert "Opened an assessment round" in page and f"Assessment round {whole.pk}" in page
    assert "Made one of the organisation&#x27;s own frameworks" in page
    assert page.count("Opened an assessment round") == 2  # one line, one filter choice
    ours = Event.objects.filter(organisation_id=organisation.pk, project_id__isnull=True)
    assert ours.count() == 2
    project_round = Event.objects.get(verb="assessment.open", project_id=housing.pk)
    assert f"entry-{project_round.pk}" not in page
    elsewhere = Event.objects.exclude(organisation_id=organisation.pk).filter(
        verb="assessment.open", project_id__isnull=True
    )
    assert elsewhere.exists() and all(f"entry-{e.pk}" not in page for e in elsewhere)


def test_the_filter_and_the_spreadsheet_hold_the_same_lines(client, org):
    organisation, _, facilitator, whole = org
    client.force_login(facilitator)
    page = client.get(log_of(organisation), {"action": "assessment.open"}).content.decode()
    assert "Lines that match: 1" in page
    response = client.get(log_of(organisation, csv=True), {"action": "assessment.open"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert f'filename="{organisation.slug}-audit-log-' in response["Content-Disposition"]
    assert [row[3] for row in rows[1:]] == ["assessment.open"]
    exported = Event.objects.get(verb="audit.export", organisation_id=organisation.pk)
    assert exported.project_id is None and exported.actor == facilitator
    again = client.get(log_of(organisation)).content.decode()
    assert "Exported the audit log" in again


def test_only_those_who_run_its_rounds_read_it(client, org):
    organisation, housing, *_ = org
    client.force_login(make_member(housing, ProjectRole.MEMBER))
    assert client.get(log_of(organisation)).status_code == 403
    assert client.get(log_of(organisation, csv=True)).status_code == 403
    overview = client.get(reverse("projects:organisation", args=[organisation.slug]))
    assert log_of(organisation) not in overview.content.decode()
    client.force_login(make_member(ProjectFactory(), ProjectRole.FACILITATOR))
    assert client.get(log_of(organisation)).status_code == 404
    assert not Event.objects.filter(verb="audit.export").exists()


def test_the_organisations_page_leads_to_it(client, org):
    organisation, _, facilitator, _ = org
    client.force_login(facilitator)
    overview = client.get(reverse("projects:organisation", args=[organisation.slug]))
    assert log_of(organisation) in overview.content.decode()
