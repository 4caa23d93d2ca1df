"""Nobody can edit or delete the audit trail through the application (issue 7 item 5)."""

from __future__ import annotations

import pytest
from django.apps import apps

from cohub.apps.core.models import AuditTrailError, Event, record_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    return record_event(actor=UserFactory(), verb="story.create", project_id=1, data={"n": 1})


def test_a_written_line_cannot_be_changed(entry):
    entry.verb = "story.delete"
    with pytest.raises(AuditTrailError):
        entry.save()
    with pytest.raises(AuditTrailError):
        Event.objects.filter(pk=entry.pk).update(verb="story.delete")
    assert Event.objects.get(pk=entry.pk).verb == "story.create"


def test_a_written_line_cannot_be_deleted(entry):
    with pytest.raises(AuditTrailError):
        entry.delete()
    with pytest.raises(AuditTrailError):
        Event.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AuditTrailError):
        Event.objects.all().delete()
    assert Event.objects.filter(pk=entry.pk).exists()


def test_removing_a_person_keeps_their_lines_without_their_name(entry):
    entry.actor.delete()
    kept = Event.objects.get(pk=entry.pk)
    assert kept.actor is None
    assert kept.verb == "story.create"


def test_no_admin_site_offers_to_change_or_delete_lines():
    if not apps.is_installed("django.contrib.admin"):
        return  # no admin site at all: nothing to offer it
    from django.contrib import admin

    model_admin = admin.site._registry.get(Event)
    if model_admin is not None:
        assert not model_admin.has_change_permission(None)
        assert not model_admin.has_delete_permission(None)
