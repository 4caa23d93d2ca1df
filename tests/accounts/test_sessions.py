"""Sessions: short for the people who hold the keys, cookies kept from scripts, old ones cleared."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohub.apps.accounts.jobs import CLEAR_SESSIONS, clear_sessions
from cohub.apps.jobs import registry
from cohub.apps.projects import sessions
from cohub.apps.projects.models import ProjectRole
from cohub.apps.projects.sessions import holds_keys
from tests.auth import backup_code
from tests.factories import PASSWORD, make_member, make_org_admin


def _log_in(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    if holds_keys(user):  # they must pass two-step sign-in too (docs/adr/0025)
        passed = client.post(reverse("projects:two_step_code"), {"code": backup_code(user)})
        assert passed.status_code == 302
    return response


@pytest.mark.django_db
@override_settings(COHUB_FACILITATOR_IDLE_SECONDS=20 * 60)
def test_a_facilitators_session_ends_after_twenty_idle_minutes(client, project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    _log_in(client, facilitator)
    assert client.get(reverse("projects:list")).status_code == 200
    assert client.session.get_expiry_age() == 20 * 60
    # Twenty-one minutes with nothing done.
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(minutes=1))
    response = client.get(reverse("projects:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def _idle_for(client, minutes: int) -> None:
    """As if the last thing was done ``minutes`` ago (of the default 30)."""
    session = client.session
    session[sessions._REFRESHED] = int(time.time()) - minutes * 60
    session.save()
    Session.objects.update(expire_date=timezone.now() + dt.timedelta(minutes=30 - minutes))


@pytest.mark.django_db
def test_each_request_starts_the_idle_time_again(client, project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    _log_in(client, facilitator)
    _idle_for(client, 28)
    assert client.get(reverse("projects:list")).status_code == 200
    left = Session.objects.get().expire_date - timezone.now()
    assert left > dt.timedelta(minutes=29)


@pytest.mark.django_db
def test_requests_within_a_minute_do_not_write_the_session_again(client, project):
    """A board polls every two seconds: each poll saving the session was a write each time."""
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    _log_in(client, facilitator)
    _idle_for(client, 0)
    expires = Session.objects.get().expire_date
    for _ in range(3):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("projects:list")).status_code == 200
        writes = [q["sql"] for q in captured.captured_queries if "UPDATE" in q["sql"]]
        assert not [sql for sql in writes if "django_session" in sql], writes
    assert Session.objects.get().expire_date == expires
    # A minute on, the next request starts the idle time again.
    _idle_for(client, 1)
    client.get(reverse("projects:list"))
    assert Session.objects.get().expire_date - timezone.now() > dt.timedelta(minutes=29)


@pytest.mark.django_db
def test_an_organisation_admin_gets_the_short_session_too(client, project):
    admin = make_org_admin(project.organisation)
    _log_in(client, admin)
    client.get(reverse("projects:list"))
    assert client.session.get_expiry_age() == 30 * 60


@pytest.mark.django_db
def test_a_co_producer_keeps_the_working_day_session(client, project):
    member = make_member(project, ProjectRole.MEMBER)
    _log_in(client, member)
    client.get(reverse("projects:list"))
    assert client.session.get_expiry_age() == 12 * 60 * 60


@pytest.mark.django_db
def test_the_session_cookie_is_kept_from_scripts_and_other_sites(client, project):
    response = _log_in(client, make_member(project, ProjectRole.MEMBER))
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_production_sends_cookies_only_over_https():
    from config.settings import base

    assert base.SESSION_COOKIE_HTTPONLY
    source = (base.BASE_DIR / "config" / "settings" / "production.py").read_text()
    assert "SESSION_COOKIE_SECURE = True" in source
    assert "CSRF_COOKIE_SECURE = True" in source


@pytest.mark.django_db
def test_ended_sessions_are_cleared_every_hour_and_live_ones_kept(client, project):
    kind = registry.get(CLEAR_SESSIONS)
    assert kind.every == dt.timedelta(hours=1)
    _log_in(client, make_member(project, ProjectRole.MEMBER))
    live = Session.objects.get()
    from django.contrib.sessions.backends.db import SessionStore

    ended = SessionStore()
    ended["messages"] = "Sam's story was removed."
    ended.set_expiry(1)
    ended.create()
    Session.objects.filter(pk=ended.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=5)
    )
    assert clear_sessions(None, lambda *a, **k: None) == {"sessions_removed": 1}
    assert list(Session.objects.values_list("pk", flat=True)) == [live.pk]
