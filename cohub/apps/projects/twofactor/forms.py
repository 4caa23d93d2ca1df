"""The one box each two-step page asks for: a code."""

from __future__ import annotations

from django import forms

from cohub.apps.core.forms import PlainForm


class CodeForm(PlainForm):
    """A code from the authenticator app, or a backup code (the code page, turning off)."""

    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="The 6 numbers your authenticator app shows for cohub, or a backup code.",
        error_messages={
            "required": (
                "Type the 6-number code from your authenticator app, or one of your backup codes."
            ),
            "max_length": "That is longer than any code. Type the 6 numbers, or one backup code.",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )


class AppCodeForm(PlainForm):
    """The first code an authenticator app shows, which proves it was set up right."""

    code = forms.CharField(
        label="Code from your app",
        max_length=20,
        help_text="6 numbers. They change every 30 seconds; type the ones showing now.",
        error_messages={
            "required": "Type the 6-number code your authenticator app shows.",
            "max_length": "The code is 6 numbers. Type the ones your app shows now.",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )
