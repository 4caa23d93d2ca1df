"""How login throttling (django-axes) tells one person's tries from another's."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def username_from_request(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The address typed, as the hub stores it (lower case, no spaces around it).

    Without this, ``Sam@Example.org`` and ``sam@example.org`` would be counted as
    two people, and twice as many guesses would get through.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    value = (credentials or {}).get(field) or request.POST.get(field, "")
    return str(value).strip().lower()


def lockout_minutes() -> int:
    """How long a lockout lasts, in whole minutes, for the page that says so."""
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def unlock(email: str) -> int:
    """End every lockout of ``email`` now; returns how many records were cleared."""
    from axes.utils import reset

    return reset(username=email.strip().lower())


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The page shown instead of the login form while the tries are paused (status 429)."""
    return render(
        request,
        "accounts/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "lockout_minutes": lockout_minutes()},
        status=429,
    )
