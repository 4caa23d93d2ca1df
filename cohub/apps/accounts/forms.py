"""Sign-in and password forms with plain-language labels and errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)

from cohub.apps.accounts import passwords
from cohub.apps.core.forms import PlainWordsMixin


class EmailAuthenticationForm(PlainWordsMixin, AuthenticationForm):
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


# The mixin sits before a Django form; type checkers are told so, Python is not.
_FormBase = forms.Form if TYPE_CHECKING else object


class PlainPasswordRulesMixin(_FormBase):  # type: ignore[misc,valid-type]
    """Django's password rules, in our words, and the error beside the password typed first.

    Django checks the "type it again" box and puts rule errors there; a
    person fixes the first box, so that is the one checked and where the
    error goes (a box that does not match gets its own error).
    """

    first_password_field = "new_password1"  # noqa: S105 (a field name)

    def validate_password_for_user(
        self,
        user: Any,
        password_field_name: str = "password2",  # noqa: S107 (a field name)
    ) -> None:
        password = self.cleaned_data.get(self.first_password_field)
        if password:
            for problem in passwords.password_problems(password, user):
                self.add_error(self.first_password_field, problem)


def _plain_new_password_fields(form: forms.Form, first: str, second: str) -> None:
    """Labels, one short hint and 'required' messages for a new password typed twice."""
    form.fields[first].label = "New password"
    form.fields[first].help_text = passwords.help_text()
    form.fields[first].error_messages["required"] = "Enter a new password."
    form.fields[second].label = "Type the new password again"
    form.fields[second].help_text = ""
    form.fields[second].error_messages["required"] = "Type the new password again."


class PlainPasswordChangeForm(PlainWordsMixin, PlainPasswordRulesMixin, PasswordChangeForm):
    """Django's password change form with plainer words and no autofocus."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right. Please try again.",
        "password_mismatch": passwords.PASSWORD_MISMATCH,
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Your current password"
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self.fields["old_password"].error_messages["required"] = "Enter your current password."
        _plain_new_password_fields(self, "new_password1", "new_password2")


class PlainPasswordResetForm(PlainWordsMixin, PasswordResetForm):
    """Ask for the address to send a reset link to. It never says whether an account exists."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the email address you log in with.",
            "invalid": "Enter your email address in the right form, like name@example.com.",
        },
    )


class PlainSetPasswordForm(PlainWordsMixin, PlainPasswordRulesMixin, SetPasswordForm):
    """Choose a new password from a reset link."""

    error_messages = {
        **SetPasswordForm.error_messages,
        "password_mismatch": passwords.PASSWORD_MISMATCH,
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain_new_password_fields(self, "new_password1", "new_password2")
