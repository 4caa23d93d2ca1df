"""Sign-in and password forms with plain-language labels and errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm


class EmailAuthenticationForm(AuthenticationForm):
    """Log in with an email address. Errors say what to do, not what went wrong."""

    username = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter your email address in the right form, like name@example.com.",
        },
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password."},
    )

    error_messages = {
        "invalid_login": (
            "The email address or password is not right. Check them and try again. "
            "Passwords must match capital and small letters exactly."
        ),
        "inactive": (
            "This account has been switched off. Please ask the person who runs your "
            "project for help."
        ),
    }


class PlainPasswordChangeForm(PasswordChangeForm):
    """Django's password change form with plainer words and no autofocus."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right. Please try again.",
        "password_mismatch": "The two new passwords are not the same. Please type them again.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Your current password"
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password2"].label = "Type the new password again"
        self.fields["new_password2"].help_text = ""
        required = {
            "old_password": "Enter your current password.",
            "new_password1": "Enter a new password.",
            "new_password2": "Type the new password again.",
        }
        for name, message in required.items():
            self.fields[name].error_messages["required"] = message
