"""config/env.py: what each environment variable turns into, and plain errors for bad values."""

from __future__ import annotations

import pytest

from config import env


def test_invitations_work_for_14_days_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv("COHUB_INVITATION_DAYS", raising=False)
    assert env.invitation_days() == 14
    monkeypatch.setenv("COHUB_INVITATION_DAYS", "30")
    assert env.invitation_days() == 30


@pytest.mark.parametrize("value", ["two weeks", "0", "-3"])
def test_a_bad_invitation_days_value_is_named(monkeypatch, value):
    monkeypatch.setenv("COHUB_INVITATION_DAYS", value)
    with pytest.raises(ValueError, match="COHUB_INVITATION_DAYS"):
        env.invitation_days()


EMAIL_VARIABLES = [
    "COHUB_EMAIL_HOST",
    "COHUB_EMAIL_PORT",
    "COHUB_EMAIL_USER",
    "COHUB_EMAIL_PASSWORD",
    "COHUB_EMAIL_TLS",
    "COHUB_EMAIL_SSL",
    "COHUB_EMAIL_FROM",
    "COHUB_EMAIL_CONSOLE",
]


@pytest.fixture
def no_email_settings(monkeypatch):
    for name in EMAIL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_without_a_mail_server_email_goes_to_the_console_and_is_not_sent(no_email_settings):
    config = env.email_config()
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert config["COHUB_EMAIL_ENABLED"] is False


def test_the_console_can_count_as_sending_for_trying_things_out(no_email_settings):
    no_email_settings.setenv("COHUB_EMAIL_CONSOLE", "1")
    config = env.email_config()
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert config["COHUB_EMAIL_ENABLED"] is True


def test_a_mail_server_sends_with_starttls_by_default(no_email_settings):
    no_email_settings.setenv("COHUB_EMAIL_HOST", "smtp.example.org")
    no_email_settings.setenv("COHUB_EMAIL_USER", "hub")
    no_email_settings.setenv("COHUB_EMAIL_PASSWORD", "secret")
    no_email_settings.setenv("COHUB_EMAIL_FROM", "Northfield cohub <cohub@example.org>")
    config = env.email_config()
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert config["COHUB_EMAIL_ENABLED"] is True
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"]) == ("smtp.example.org", 587)
    assert (config["EMAIL_HOST_USER"], config["EMAIL_HOST_PASSWORD"]) == ("hub", "secret")
    assert (config["EMAIL_USE_TLS"], config["EMAIL_USE_SSL"]) == (True, False)
    assert config["DEFAULT_FROM_EMAIL"] == "Northfield cohub <cohub@example.org>"


def test_implicit_tls_uses_port_465_and_not_starttls(no_email_settings):
    no_email_settings.setenv("COHUB_EMAIL_HOST", "smtp.example.org")
    no_email_settings.setenv("COHUB_EMAIL_SSL", "yes")
    config = env.email_config()
    assert (config["EMAIL_PORT"], config["EMAIL_USE_SSL"], config["EMAIL_USE_TLS"]) == (
        465,
        True,
        False,
    )
