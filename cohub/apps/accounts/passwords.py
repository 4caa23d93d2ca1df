"""Django's password rules (``AUTH_PASSWORD_VALIDATORS``), told in our own words.

Django's validators decide; only the words change. Their messages ("This
password is too common.") say what is wrong with the person's choice; ours
say what to do next. A validator we have no words for keeps its own message,
so a new rule in the settings is never silently dropped.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError


def minimum_length() -> int:
    """The shortest password the settings allow (8 when no length rule is set)."""
    for validator in password_validation.get_default_password_validators():
        if isinstance(validator, MinimumLengthValidator):
            return validator.min_length
    return 8


def help_text() -> str:
    """One sentence to show beside a new-password field, instead of Django's list."""
    return (
        f"Use at least {minimum_length()} characters. A few words you will remember, "
        "with spaces between them, make a good password."
    )


def _plain(error: ValidationError) -> str:
    params: dict[str, Any] = error.params or {}
    match error.code:
        case "password_too_short":
            return (
                f"Your password needs at least {params.get('min_length', minimum_length())} "
                "characters. Try a few words together."
            )
        case "password_too_common":
            return "That password is used by many people, so it is easy to guess. Choose another."
        case "password_entirely_numeric":
            return "Your password cannot be only numbers. Add some letters or words."
        case "password_too_similar":
            return "Your password is too like your email address. Choose something different."
    return " ".join(error.messages)


def password_problems(password: str, user: Any = None) -> list[str]:
    """What is wrong with ``password`` for ``user`` (saved or not), in plain words; [] if fine."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        return [_plain(problem) for problem in error.error_list]
    return []


PASSWORD_MISMATCH = "The two passwords are not the same. Please type them again."  # noqa: S105
