"""An organisation's own page (``/o/<organisation>/``): its projects the viewer may open,
and its assessments, for everyone who belongs to it and no one else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohub.apps.assess.selectors import framework_version, item_choices, round_items
from cohub.apps.assess.services import (
    answer_save,
    frameworks_load,
    organisation_round_open,
    response_submit,
)
from cohub.apps.projects.models import ProjectRole
from tests.factories import OrganisationFactory, ProjectFactory, make_member, make_org_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    frameworks_load()
    organisation = OrganisationFactory(name="Northside Council")
    housing = ProjectFactory(organisation=organisation, name="Housing voices")
    parks = ProjectFactory(organisation=organisation, name="Parks for all")
    facilitator = make_member(housing, ProjectRole.FACILITATOR)
    assessment = organisation_round_open(
        organisation=organisation,
        title="Across the council",
        versions=[framework_version("embedding")],
        actor=facilitator,
    )
    return organisation, housing, parks, facilitator, assessment


def page_of(organisation):
    return reverse("projects:organisation", args=[organisation.slug])


def test_a_member_sees_their_own_projects_only_and_where_they_are_in_its_rounds(client, org):
    organisation, housing, parks, _, assessment = org
    person = make_member(parks, ProjectRole.MEMBER)
    client.force_login(person)
    page = client.get(page_of(organisation)).content.decode()
    assert "Northside Council" in page and "Parks for all" in page
    assert "Housing voices" not in page  # belonging to one project reveals no other's name
    start = reverse("org_assess:round_answer_start", args=[organisation.slug, assessment.pk])
    assert start in page and "you have answered 0 of 4" in page
    assert reverse("org_assess:action_list", args=[organisation.slug]) in page
    assert reverse("org_assess:framework_list", args=[organisation.slug]) not in page

    for item in round_items(assessment):
        answer_save(
            assessment=assessment, respondent=person, item=item, value=item_choices(item)[0]
        )
    response_submit(assessment=assessment, respondent=person)
    page = client.get(page_of(organisation)).content.decode()
    assert start not in page
    assert reverse("org_assess:round_results", args=[organisation.slug, assessment.pk]) in page
    assert "1 sent so far" in page


def test_an_admin_of_the_organisation_sees_every_project_and_its_own_frameworks(client, org):
    organisation, *_ = org
    client.force_login(make_org_admin(organisation))
    page = client.get(page_of(organisation)).content.decode()
    assert "Housing voices" in page and "Parks for all" in page
    assert reverse("org_assess:framework_list", args=[organisation.slug]) in page
    assert "Admin of Northside Council" in page


def test_someone_from_elsewhere_is_told_not_found_and_a_stranger_must_log_in(client, org):
    organisation, *_ = org
    elsewhere = make_member(ProjectFactory(), ProjectRole.FACILITATOR)
    client.force_login(elsewhere)
    assert client.get(page_of(organisation)).status_code == 404
    assert client.get(reverse("projects:organisation", args=["no-such-org"])).status_code == 404
    client.logout()
    response = client.get(page_of(organisation))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_project_overview_and_the_organisation_pages_lead_to_it(client, org):
    organisation, housing, _, facilitator, _ = org
    client.force_login(facilitator)
    overview = client.get(reverse("projects:detail", args=[housing.slug])).content.decode()
    assert page_of(organisation) in overview
    rounds = client.get(reverse("org_assess:round_list", args=[organisation.slug]))
    assert page_of(organisation) in rounds.content.decode()
