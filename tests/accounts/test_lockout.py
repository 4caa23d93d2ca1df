"""Login throttling: too many wrong passwords pause logging in, kindly, for a while.

django-axes counts the tries in the database; these tests go through the real
login form, so the count, the lockout page and the unlock are the ones people meet.
"""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from cohub import cli
from tests.factories import PASSWORD, UserFactory

LOGIN = "accounts:login"


def _try(client, email: str, password: str):
    return client.post(reverse(LOGIN), {"username": email, "password": password})


@pytest.fixture
def person(db):
    return UserFactory(email="sam@example.org")


@pytest.mark.django_db
def test_five_wrong_passwords_pause_logging_in_even_with_the_right_one(client, person):
    for _ in range(4):
        wrong = _try(client, "sam@example.org", "not the password at all")
        assert wrong.status_code == 200
        assert "The email address or password is not right." in wrong.content.decode()
    # The fifth wrong try is the last: from then on even the right password waits.
    assert _try(client, "sam@example.org", "still not the password").status_code == 429
    paused = _try(client, "sam@example.org", PASSWORD)
    assert paused.status_code == 429
    page = paused.content.decode()
    assert "Please wait before trying again" in page
    assert "This is not your fault" in page
    assert "15 minutes" in page
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_capitals_and_spaces_in_the_address_do_not_buy_more_tries(client, person):
    for typed in ("Sam@Example.org", " sam@example.org", "SAM@EXAMPLE.ORG", "sam@example.org"):
        _try(client, typed, "wrong wrong wrong")
    assert _try(client, "sAm@example.org", "wrong wrong wrong").status_code == 429


@pytest.mark.django_db
def test_a_right_password_before_the_limit_clears_the_count(client, person):
    for _ in range(4):
        _try(client, "sam@example.org", "wrong wrong wrong")
    assert _try(client, "sam@example.org", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        assert _try(client, "sam@example.org", "wrong wrong wrong").status_code == 200


@pytest.mark.django_db
def test_the_pause_ends_by_itself_when_its_time_is_up(client, person):
    for _ in range(5):
        _try(client, "sam@example.org", "wrong wrong wrong")
    assert _try(client, "sam@example.org", PASSWORD).status_code == 429
    # Sixteen minutes go by.
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16))
    assert _try(client, "sam@example.org", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_cohub_unlock_lets_them_in_at_once(client, person, capsys):
    for _ in range(5):
        _try(client, "sam@example.org", "wrong wrong wrong")
    assert _try(client, "sam@example.org", PASSWORD).status_code == 429
    assert cli.main(["unlock", "Sam@Example.org"]) == 0
    assert "sam@example.org can log in again now." in capsys.readouterr().out
    assert _try(client, "sam@example.org", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_unlocking_someone_not_locked_out_says_so(person, capsys):
    assert cli.main(["unlock", "sam@example.org"]) == 0
    assert "was not locked out" in capsys.readouterr().out


@pytest.mark.django_db
def test_someone_elses_wrong_tries_do_not_lock_out_another_address(client, person):
    UserFactory(email="kit@example.org")
    for _ in range(6):
        _try(client, "sam@example.org", "wrong wrong wrong")
    assert _try(client, "kit@example.org", PASSWORD).status_code == 302
