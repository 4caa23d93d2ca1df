"""A refused request writes one log line, saying who, where and which rule, and no traceback."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cohub.apps.projects.forbidden import permission_denied
from cohub.apps.projects.models import ProjectRole
from tests.factories import UserFactory, make_member


def _records_for(caplog: pytest.LogCaptureFixture, path: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if path in record.getMessage()]


@pytest.mark.django_db
def test_a_refused_member_is_logged_once_by_id_path_and_rule(client, project, caplog):
    member = make_member(project, ProjectRole.DECISION_MAKER)
    client.force_login(member)
    url = reverse("projects:member_invite", kwargs={"project_slug": project.slug})
    with caplog.at_level(logging.INFO):
        response = client.post(url, {"email": "new@example.org", "roles": ["member"]})
    assert response.status_code == 403
    records = _records_for(caplog, url)
    assert len(records) == 1, [r.getMessage() for r in caplog.records]
    (record,) = records
    assert record.levelno == logging.WARNING
    assert record.exc_info is None and record.exc_text is None
    message = record.getMessage()
    assert f"POST {url} for user {member.pk}" in message
    assert f"projects.manage_members on project {project.slug}" in message
    # No one's name or email goes into the log.
    assert member.email not in message and "\n" not in message


@pytest.mark.django_db
def test_a_refusal_on_a_record_names_the_record(client, project, story, caplog):
    member = make_member(project, ProjectRole.MEMBER)
    client.force_login(member)
    url = reverse(
        "stories:story_delete", kwargs={"project_slug": project.slug, "story_id": story.pk}
    )
    with caplog.at_level(logging.INFO):
        assert client.post(url).status_code == 403
    (record,) = _records_for(caplog, url)
    assert f"on project {project.slug} (Story {story.pk})" in record.getMessage()


@pytest.mark.django_db
def test_someone_outside_the_project_is_logged_without_a_traceback(client, project, caplog):
    client.force_login(UserFactory())
    url = reverse("projects:detail", kwargs={"project_slug": project.slug})
    with caplog.at_level(logging.INFO):
        assert client.get(url).status_code == 403
    (record,) = _records_for(caplog, url)
    assert record.exc_info is None
    assert "projects.view_project" in record.getMessage()


@pytest.mark.django_db
def test_a_crafted_path_cannot_forge_a_second_log_line(rf, caplog):
    request = rf.get("/somewhere%0AWARNING forged line")
    request.user = AnonymousUser()
    with caplog.at_level(logging.INFO, logger="cohub.refusals"):
        response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    (record,) = caplog.records
    assert "\n" not in record.getMessage()
    assert "/somewhere\\x0aWARNING forged line for a visitor" in record.getMessage()
