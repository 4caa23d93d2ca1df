"""Forms for theme suggestions: asking for a run, and renaming a suggestion."""

from __future__ import annotations

from django import forms

from cohub.apps.analysis.models import SuggestionStart
from cohub.apps.core.forms import PlainForm


class SuggestionRunForm(PlainForm):
    """What a group asks the suggester for."""

    themes = forms.IntegerField(
        label="How many themes? (optional)",
        required=False,
        min_value=2,
        max_value=40,
        help_text="Leave it empty and the hub chooses, between 5 and 40.",
        error_messages={
            key: "Type a number of themes from 2 to 40, or leave 'How many themes?' empty."
            for key in ("invalid", "min_value", "max_value")
        },
    )
    start_from = forms.ChoiceField(
        label="Start from",
        choices=SuggestionStart.choices,
        required=False,
        initial=SuggestionStart.NOTHING,
        widget=forms.RadioSelect,
        help_text="Starting from your own themes also suggests which quotes fit each of them.",
    )


class SuggestionRenameForm(PlainForm):
    name = forms.CharField(label="New name", max_length=120)
