"""The shared form helpers in cohub.apps.core.forms."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cohub.apps.analysis.models import Theme
from cohub.apps.core.forms import first_error, offer_loaded, optional_date_field


class PickForm(forms.Form):
    theme = forms.ModelChoiceField(queryset=Theme.objects.none(), empty_label="Choose a theme")
    when = optional_date_field("When (optional)")


@pytest.mark.django_db
def test_offer_loaded_renders_without_queries_and_accepts_only_what_it_offered(project):
    offered = Theme.objects.create(project=project, name="Waiting")
    hidden = Theme.objects.create(project=project, name="Not offered")
    form = PickForm()
    offer_loaded(form.fields["theme"], [offered])
    with CaptureQueriesContext(connection) as captured:
        html = str(form["theme"])
    assert len(captured) == 0
    assert "Choose a theme" in html and "Waiting" in html and "Not offered" not in html

    chosen = PickForm(data={"theme": offered.pk})
    offer_loaded(chosen.fields["theme"], [offered])
    assert chosen.is_valid(), chosen.errors
    assert chosen.cleaned_data["theme"] == offered

    refused = PickForm(data={"theme": hidden.pk})
    offer_loaded(refused.fields["theme"], [offered])
    assert not refused.is_valid()


def test_optional_date_field_shows_iso_dates_and_our_wording():
    form = PickForm(initial={"when": datetime.date(2026, 3, 1)})
    assert 'type="date"' in str(form["when"])
    assert 'value="2026-03-01"' in str(form["when"])
    bad = PickForm(data={"when": "soon"})
    bad.fields["theme"].required = False
    assert not bad.is_valid()
    assert first_error(bad) == "Enter a real date, for example 2026-12-31, or leave it empty."
