"""The shared template helpers in cohub.apps.core.templatetags.cohub, and form.html."""

from __future__ import annotations

import pytest
from django import forms
from django.template import Context, Template
from django.template.loader import render_to_string

from cohub.apps.core.templatetags.cohub import active_if, labels, ms_to_clock
from cohub.apps.projects.models import ProjectRole
from tests.factories import ProjectFactory, make_member


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("not a number", ""),
        (0, "0:00"),
        (999, "0:00"),
        (2_000, "0:02"),
        (123_000, "2:03"),
        (599_999, "9:59"),
        (3_600_000, "1:00:00"),
        (3_723_000, "1:02:03"),
        (36_000_000, "10:00:00"),
        ("62000", "1:02"),
        (-5_000, "0:00"),
    ],
)
def test_ms_to_clock(value, expected):
    assert ms_to_clock(value) == expected


def test_labels_maps_values_and_keeps_unknown_ones():
    mapping = {"research": "Research", "services": "Services"}
    assert labels(["services", "research", "other"], mapping) == ["Services", "Research", "other"]


@pytest.mark.parametrize("values", [None, [], ()])
def test_labels_of_nothing_is_empty(values):
    assert labels(values, {"a": "A"}) == []


def test_labels_treats_one_string_as_one_value():
    assert labels("services", {"services": "Services"}) == ["Services"]


def test_active_if():
    assert active_if("stories", "stories") == 'aria-current="page"'
    assert active_if("themes", "stories") == ""
    assert active_if(None, "stories") == ""
    assert active_if("", "") == ""


def test_filters_and_tag_in_a_template():
    template = Template(
        "{% load cohub %}{{ t|ms_to_clock }}|{{ v|labels:m|join:', ' }}|"
        '<a {% active_if active "themes" %}>'
    )
    html = template.render(
        Context(
            {"t": 62_000, "v": ["a", "b"], "m": {"a": "Apple", "b": "Bean"}, "active": "themes"}
        )
    )
    assert html == '1:02|Apple, Bean|<a aria-current="page">'


# --- includes/form.html -------------------------------------------------------


class ExampleForm(forms.Form):
    name = forms.CharField(label="Your name", help_text="As you like to be called.")
    note = forms.CharField(label="Anything else", required=False)
    colours = forms.MultipleChoiceField(
        label="Colours",
        choices=[("red", "Red"), ("blue", "Blue")],
        widget=forms.CheckboxSelectMultiple,
    )
    agree = forms.BooleanField(label="I agree")

    def clean(self):
        raise forms.ValidationError("Something about the whole form.")


def render_form(form: forms.Form) -> str:
    return render_to_string("includes/form.html", {"form": form})


def test_form_without_errors_has_labels_help_and_required_in_words():
    html = render_form(ExampleForm())
    assert "There is a problem" not in html
    assert (
        '<label class="label" for="id_name">Your name <span class="required">(required)</span>'
        in html
    )
    assert '<label class="label" for="id_note">Anything else</label>' in html
    assert 'id="id_name_helptext"' in html
    assert 'aria-describedby="id_name_helptext"' in html
    assert "<fieldset" in html
    assert '<legend class="fieldset__legend">Colours' in html
    assert '<label for="id_agree">I agree' in html


def test_form_with_errors_has_summary_linking_to_fields_and_marks_fields_invalid():
    html = render_form(ExampleForm(data={}))
    assert 'role="alert"' in html
    assert "There is a problem" in html
    assert "Something about the whole form." in html
    assert 'href="#id_name"' in html
    assert 'href="#id_colours_0"' in html  # the first checkbox of the group
    assert 'href="#id_agree"' in html
    assert 'id="id_name_error"' in html
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert 'aria-invalid="true"' in html
    # The checkbox group is described as a whole, on its fieldset.
    assert '<fieldset class="fieldset" aria-describedby="id_colours_error">' in html
    # The optional field has no error and is not marked invalid.
    assert 'id="id_note_error"' not in html


# --- includes/project_nav.html ------------------------------------------------


@pytest.mark.django_db
def test_project_nav_marks_only_the_current_section():
    project = ProjectFactory(slug="after-a-crisis", name="After a crisis")
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    html = render_to_string(
        "includes/project_nav.html", {"project": project, "active": "stories", "user": facilitator}
    )
    assert '<nav class="project-nav" aria-label="Project sections">' in html
    assert html.count('aria-current="page"') == 1
    assert 'aria-current="page">Stories</a>' in html
    for label in ("Overview", "Storytellers", "Stories", "Themes", "Findings", "Members"):
        assert f">{label}</a>" in html


@pytest.mark.django_db
def test_project_nav_offers_only_the_sections_a_role_may_open():
    """A decision-maker may read the findings but not the stories: no dead-end links."""
    project = ProjectFactory()
    decision_maker = make_member(project, ProjectRole.DECISION_MAKER)
    html = render_to_string(
        "includes/project_nav.html",
        {"project": project, "active": "findings", "user": decision_maker},
    )
    for label in ("Overview", "Findings", "Members"):
        assert f">{label}</a>" in html
    for label in ("Storytellers", "Stories", "Themes"):
        assert f">{label}</a>" not in html
