"""Signing in for tests, second step included (docs/adr/0025).

The two-step middleware stays on in every test: a test client's
``force_login`` would otherwise leave a facilitator at the code page. So the
suite's ``client`` (tests/conftest.py) is a ``VerifiedClient``, whose
``force_login`` also marks the session as past the second step, through
django-otp's own ``login()`` with a real, confirmed device of the person's.

Tests of the second step itself use a plain ``django.test.Client``.
"""

from __future__ import annotations

from typing import Any

import django_otp
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

# The device the tests sign in with: a set of backup codes with none left, so that a
# test of the real backup codes finds only its own (``services`` passes it over).
TEST_DEVICE_NAME = "tests: signed in"


def test_device(user: Any) -> StaticDevice:
    """A confirmed device of ``user``'s that the tests verify sessions with (made once)."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=TEST_DEVICE_NAME, defaults={"confirmed": True}
    )
    return device


def verify_session(client: Client, user: Any) -> None:
    """Mark the session ``client`` is logged in with as past the second step, for ``user``."""
    session = client.session
    assert str(session.get(SESSION_KEY)) == str(user.pk), "log the client in first"
    request = HttpRequest()
    request.session = session
    request.user = user
    django_otp.login(request, test_device(user))
    session.save()


def verified_login(client: Client, user: Any) -> None:
    """``force_login`` and the second step together, for any client."""
    Client.force_login(client, user)
    verify_session(client, user)


def backup_code(user: Any) -> str:
    """A fresh backup code of ``user``'s, for tests that type one (a login form, a browser)."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="Backup codes", defaults={"confirmed": True}
    )
    token = StaticToken.random_token()
    StaticToken.objects.create(device=device, token=token)
    return token


class VerifiedClient(Client):
    """A test client whose ``force_login`` also passes the second step."""

    def force_login(self, user: Any, backend: str | None = None) -> None:
        super().force_login(user, backend)
        verify_session(self, user)
