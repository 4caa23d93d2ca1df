"""``project_view`` with ``load=``: the record is found inside the project, then checked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohub.apps.projects.models import ProjectRole
from tests.factories import ProjectFactory, make_member, make_storyteller

pytestmark = pytest.mark.django_db


def _detail(project, storyteller_id):
    return reverse(
        "stories:storyteller_detail",
        kwargs={"project_slug": project.slug, "storyteller_id": storyteller_id},
    )


def test_a_record_from_another_project_is_not_found(client):
    project, other = ProjectFactory(), ProjectFactory()
    elsewhere = make_storyteller(other)
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    assert client.get(_detail(project, elsewhere.pk)).status_code == 404
    assert client.get(_detail(other, elsewhere.pk)).status_code == 403


def test_people_outside_the_project_cannot_tell_which_ids_exist(client):
    """Refused people get 403 for a missing id too, not a 404 that says 'no such record'."""
    project = ProjectFactory()
    real = make_storyteller(project)
    client.force_login(make_member(project, ProjectRole.DECISION_MAKER))  # may not see storytellers
    assert client.get(_detail(project, real.pk)).status_code == 403
    assert client.get(_detail(project, real.pk + 1000)).status_code == 403


def test_the_view_gets_the_record_itself(client):
    project = ProjectFactory()
    storyteller = make_storyteller(project, pseudonym="Ash")
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    response = client.get(_detail(project, storyteller.pk))
    assert response.status_code == 200
    assert response.context["storyteller"] == storyteller
