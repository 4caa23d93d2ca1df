"""One declared list of a storyteller's personal fields, and withdrawal empties all of them."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models

from cohub.apps.core.errors import ServiceError
from cohub.apps.stories import services
from cohub.apps.stories.forms.storytellers import StorytellerCreateForm, StorytellerForm
from cohub.apps.stories.models import Storyteller
from cohub.apps.stories.personal import (
    KEPT_FIELDS,
    PERSONAL_FIELDS,
    PROFILE_FIELDS,
    empty_value,
    withdrawn_pseudonym,
)
from tests.factories import UserFactory, make_storyteller


def test_every_storyteller_field_is_either_personal_or_kept_on_purpose():
    fields = [field.name for field in Storyteller._meta.concrete_fields]
    undecided = set(fields) - set(PERSONAL_FIELDS) - set(KEPT_FIELDS)
    assert not undecided, f"Add {sorted(undecided)} to PERSONAL_FIELDS or KEPT_FIELDS"
    assert not set(PERSONAL_FIELDS) & set(KEPT_FIELDS)
    assert set(PERSONAL_FIELDS) | set(KEPT_FIELDS) == set(fields)  # no stale names either
    assert len(PERSONAL_FIELDS) == len(set(PERSONAL_FIELDS))
    assert all(reason.strip() for reason in KEPT_FIELDS.values())


def test_profile_fields_are_personal_and_are_what_the_profile_forms_edit():
    assert set(PROFILE_FIELDS) <= set(PERSONAL_FIELDS)
    assert list(StorytellerForm().fields) == list(PROFILE_FIELDS)
    assert [bound.name for bound in StorytellerCreateForm().profile_fields()] == list(
        PROFILE_FIELDS
    )


@pytest.mark.django_db
def test_services_refuse_fields_that_are_not_profile_fields(project):
    storyteller = make_storyteller(project)
    with pytest.raises(ServiceError, match="Unknown storyteller fields: withdrawn_at"):
        services.storyteller_update(storyteller=storyteller, actor=None, withdrawn_at=None)


def _personal_value(name: str) -> Any:
    """Something a person might have told us, for any kind of personal field."""
    field = Storyteller._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        return UserFactory()
    if isinstance(field, models.JSONField):
        return ["something personal"]
    if isinstance(field, models.CharField | models.TextField):
        return "Something personal"
    pytest.fail(f"Give the withdrawal test a value for Storyteller.{name}")


@pytest.mark.django_db
def test_withdrawal_empties_every_personal_field_and_keeps_the_rest(project, facilitator):
    storyteller = make_storyteller(project, actor=facilitator)
    Storyteller.objects.filter(pk=storyteller.pk).update(
        **{name: _personal_value(name) for name in PERSONAL_FIELDS}
    )
    storyteller.refresh_from_db()
    for name in PERSONAL_FIELDS:
        assert getattr(storyteller, name), f"{name} should start filled in"
    kept = {name: getattr(storyteller, name) for name in KEPT_FIELDS}

    services.consent_withdraw(storyteller=storyteller, actor=facilitator)

    storyteller.refresh_from_db()
    for name in PERSONAL_FIELDS:
        expected = withdrawn_pseudonym(storyteller) if name == "pseudonym" else empty_value(name)
        assert getattr(storyteller, name) == expected, name
    assert "personal" not in storyteller.pseudonym
    for name, value in kept.items():
        if name not in {"withdrawn_at", "updated_at"}:
            assert getattr(storyteller, name) == value, name
    assert storyteller.withdrawn_at is not None


def test_each_kind_of_personal_field_has_its_own_empty_value():
    assert empty_value("real_name") == ""
    assert empty_value("self_description") == ""
    assert empty_value("sectors") == []
    assert empty_value("user") is None
