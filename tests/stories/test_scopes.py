"""One enumeration of consent scopes: the model, the checks, the forms and the CLI agree."""

from __future__ import annotations

import argparse

import pytest
from django.db import models

from cohub.apps.core.errors import ServiceError
from cohub.apps.stories import services
from cohub.apps.stories.consent import consent_allows, require_consent
from cohub.apps.stories.forms.storytellers import ConsentForm, StorytellerCreateForm
from cohub.apps.stories.models import ConsentRecord
from cohub.apps.stories.scopes import ConsentScope
from cohub.cli import _consent_scopes, main
from tests.factories import make_storyteller

# The one boolean on ConsentRecord that is not something a storyteller agrees to.
NOT_A_SCOPE = {"withdrawn"}


def test_every_scope_has_a_consent_field_and_every_consent_boolean_is_a_scope():
    booleans = {
        field.name
        for field in ConsentRecord._meta.concrete_fields
        if isinstance(field, models.BooleanField)
    }
    assert booleans - NOT_A_SCOPE == set(ConsentScope.values)


def test_consent_fields_are_labelled_by_their_scope():
    for scope in ConsentScope:
        assert ConsentRecord._meta.get_field(scope.value).verbose_name == scope.label


def test_every_scope_is_worded_everywhere_a_person_reads_it():
    for scope in ConsentScope:
        wording = scope.wording
        assert wording.agreement and wording.short and wording.question and wording.explanation
        assert scope.agreement(them="Kit") == scope.agreement().replace("them", "Kit")


@pytest.mark.django_db
def test_granted_scopes_follow_the_enumeration(project):
    record = ConsentRecord(**{scope.value: True for scope in ConsentScope})
    assert record.granted_scopes() == list(ConsentScope)
    record.record = False
    assert ConsentScope.RECORD not in record.granted_scopes()


@pytest.mark.django_db
def test_checks_take_the_enum_or_its_value_and_refuse_anything_else(project):
    storyteller = make_storyteller(project)
    assert consent_allows(storyteller, ConsentScope.QUOTE_BY_NAME)
    assert consent_allows(storyteller, "quote_by_name")
    with pytest.raises(ValueError, match="Unknown consent scope 'quote_by_nmae'"):
        consent_allows(storyteller, "quote_by_nmae")
    with pytest.raises(ValueError, match="Unknown consent scope"):
        require_consent(storyteller, ConsentScope.RECORD, "sing")


@pytest.mark.django_db
def test_consent_record_refuses_an_unknown_scope_and_stores_nothing(project):
    storyteller = make_storyteller(project)
    with pytest.raises(ServiceError, match="Unknown consent scopes: sing"):
        services.consent_record(storyteller=storyteller, actor=None, record=True, sing=True)
    assert storyteller.consent_records.count() == 1


@pytest.mark.django_db
def test_consent_record_stores_each_scope_it_is_given(project):
    storyteller = make_storyteller(project, consent={})
    for scope in ConsentScope:
        consent = {scope.value: True}
        if scope == ConsentScope.QUOTE_BY_NAME:
            consent[ConsentScope.QUOTE_ANONYMOUSLY.value] = True
        record = services.consent_record(storyteller=storyteller, actor=None, **consent)
        assert scope in record.granted_scopes()


def test_consent_forms_have_one_checkbox_per_scope_worded_by_the_scope():
    for form in (ConsentForm(), StorytellerCreateForm()):
        for scope in ConsentScope:
            field = form.fields[scope.value]
            assert field.label == scope.question
            assert field.help_text == scope.explanation
    assert list(ConsentForm().fields) == [*ConsentScope.values, "keep_until", "note"]


def test_cli_reads_scopes_by_their_values_and_lists_them_all_in_its_help(capsys):
    assert _consent_scopes("record, quote_by_name,record") == (
        ConsentScope.RECORD,
        ConsentScope.QUOTE_BY_NAME,
    )
    with pytest.raises(argparse.ArgumentTypeError, match="choose from record, transcribe"):
        _consent_scopes("record,sing")
    with pytest.raises(SystemExit):
        main(["import-transcript", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    for scope in ConsentScope:
        assert scope.value in help_text
