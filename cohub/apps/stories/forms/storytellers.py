"""Forms for storytellers and their consent.

These forms only collect input; the services decide what consent may say (for
example, quoting by name needs consent to be quoted at all) and their refusals
are shown with the form.
"""

from __future__ import annotations

from typing import Any

from django import forms

from cohub.apps.core import dates
from cohub.apps.core.forms import PlainForm, optional_date_field
from cohub.apps.projects.forms import join_topics, split_topics, topics_field
from cohub.apps.projects.models import Sector
from cohub.apps.stories.models import ConsentRecord, Storyteller, StorytellerRole
from cohub.apps.stories.personal import PROFILE_FIELDS
from cohub.apps.stories.scopes import ConsentScope

CONSENT_FIELD_NAMES = (*ConsentScope.values, "keep_until", "note")


def _optional_text(label: str, max_length: int, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=f"{label} (optional)", max_length=max_length, required=False, **kwargs
    )


class StorytellerForm(PlainForm):
    """Who the storyteller is, mostly in their own words; everything but a pseudonym is optional."""

    pseudonym = forms.CharField(
        label="Pseudonym",
        max_length=120,
        help_text="The name we use for them when we quote them without their name. "
        "It can be made up.",
        error_messages={"required": "Give the storyteller a name or pseudonym to be known by."},
    )
    real_name = _optional_text(
        "Real name",
        200,
        help_text="Only shown where they agree to be quoted by name.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    self_description = forms.CharField(
        label="How they describe themselves (in their own words)",
        help_text="Optional. Write it the way they said it: who they are, what matters to them.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    age_range = _optional_text("Age range", 40, help_text="For example: 25 to 34.")
    gender = _optional_text("Gender", 80, help_text="In their words.")
    ethnicity = _optional_text("Ethnicity", 120, help_text="In their words.")
    location = _optional_text("Where they live", 120, help_text="For example: a town or area.")
    sectors = forms.MultipleChoiceField(
        label="Sectors (optional)",
        help_text="Which kinds of change their story speaks to.",
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    roles = forms.MultipleChoiceField(
        label="Roles they held in the story (optional)",
        choices=StorytellerRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    topics = topics_field()

    def clean_topics(self) -> list[str]:
        return split_topics(self.cleaned_data.get("topics", ""))

    def profile_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PROFILE_FIELDS}

    @classmethod
    def initial_for(cls, storyteller: Storyteller) -> dict[str, Any]:
        initial = {name: getattr(storyteller, name) for name in PROFILE_FIELDS}
        initial["topics"] = join_topics(storyteller.topics)
        return initial


def _scope_field(scope: ConsentScope) -> forms.BooleanField:
    return forms.BooleanField(label=scope.question, help_text=scope.explanation, required=False)


class ConsentForm(PlainForm):
    """What the storyteller agreed to: one plain-worded checkbox per ``ConsentScope``.

    The checkboxes are made from the scopes, named by their values, so a new
    scope appears here without another list to keep in step.
    """

    keep_until = optional_date_field(
        "Keep their story until (optional)",
        help_text="After this date we stop using their story. "
        "Leave empty if they did not ask for an end date.",
        not_before_today=dates.KEEP_UNTIL,
    )
    note = forms.CharField(
        label="How was consent given? (optional)",
        help_text="For example: “Signed the paper form after we read it aloud together.”",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope_fields = {scope.value: _scope_field(scope) for scope in ConsentScope}
        self.fields = {**scope_fields, **self.fields}  # the scopes come first
        self.order_fields(self.field_order)

    def consent_data(self) -> dict[str, Any]:
        """Scopes and keep-until, as ``consent_record`` and ``storyteller_create`` take them."""
        data: dict[str, Any] = {scope: self.cleaned_data[scope] for scope in ConsentScope.values}
        data["keep_until"] = self.cleaned_data["keep_until"]
        return data

    @classmethod
    def initial_for_record(cls, record: ConsentRecord | None) -> dict[str, Any]:
        if record is None or record.withdrawn:
            return {}
        initial: dict[str, Any] = {scope.value: record.granted(scope) for scope in ConsentScope}
        initial["keep_until"] = record.keep_until
        return initial


class StorytellerCreateForm(StorytellerForm, ConsentForm):
    """A new storyteller and what they agreed to, on one page and in one form."""

    field_order = [*PROFILE_FIELDS, *CONSENT_FIELD_NAMES]

    def profile_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in PROFILE_FIELDS]

    def consent_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in CONSENT_FIELD_NAMES]


class WithdrawConsentForm(PlainForm):
    confirm = forms.BooleanField(
        label="I understand that this removes their stories for good and cannot be undone",
        error_messages={
            "required": "Tick the box to confirm you understand this cannot be undone."
        },
    )
    note = forms.CharField(
        label="How did they tell you? (optional)",
        help_text="For example: “Phoned the project on 3 March and asked us to remove everything.”",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
