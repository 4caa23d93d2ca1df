"""Forms of the de-identification pages; each is a PlainForm (our words for every error)."""

from __future__ import annotations

from django import forms

from cohub.apps.core.forms import PlainForm
from cohub.apps.redaction.models import KIND_CHOICES, FindingStatus
from cohub.apps.redaction.services import MAX_REPLACEMENT

DECISIONS = [
    ("accept", "Replace"),
    ("reject", "Keep"),
    ("change", "Replace with other words"),
]


class DecideForm(PlainForm):
    """One suggestion: replace it, keep it, or replace it with other words."""

    finding = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.HiddenInput)
    seen_status = forms.ChoiceField(choices=FindingStatus.choices, widget=forms.HiddenInput)
    seen_replacement = forms.CharField(
        widget=forms.HiddenInput, max_length=MAX_REPLACEMENT, strip=False
    )
    replacement = forms.CharField(
        label="Put in its place", max_length=MAX_REPLACEMENT, required=False
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("decision") == "change" and not (data.get("replacement") or "").strip():
            self.add_error(
                "replacement", "Write what should go in place of these words, or keep them."
            )
        return data


class DecideKindForm(PlainForm):
    kind = forms.ChoiceField(choices=KIND_CHOICES, widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=DECISIONS[:2], widget=forms.HiddenInput)


class UndoForm(PlainForm):
    decision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RunForm(PlainForm):
    run = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ListsForm(PlainForm):
    deny = forms.CharField(
        label="Always treat as personal",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=(
            "One a line: local services, nicknames, small places. Start a line with its kind "
            "if you like, such as 'person: Shaz' or 'place: Lincoln Green'; without one it is "
            "treated as an organisation."
        ),
    )
    allow = forms.CharField(
        label="Never treat as personal",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One a line: public figures, your own organisation, places everyone knows.",
    )
