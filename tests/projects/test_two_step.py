"""Two-step sign-in (docs/adr/0025): setting it up, the code page, backup codes, turning it off.

These tests sign in with a plain ``Client`` (not the suite's ``VerifiedClient``)
so that the second step is really theirs to pass.
"""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cohub.apps.core.models import Event
from cohub.apps.projects.models import ProjectRole
from cohub.apps.projects.twofactor import services
from tests.auth import VerifiedClient
from tests.factories import PASSWORD, UserFactory, make_member

pytestmark = pytest.mark.django_db

CODE = reverse("projects:two_step_code")
SET_UP = reverse("projects:two_step_set_up")
OVERVIEW = reverse("projects:two_step")
BACKUP = reverse("projects:two_step_backup_codes")
TURN_OFF = reverse("projects:two_step_turn_off")
PROFILE = reverse("accounts:profile")


def app_code(device: TOTPDevice) -> str:
    """What the person's authenticator app shows now, worked out from the device's key."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


def with_app(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def with_codes(user) -> list[str]:
    return services.backup_codes_renew(user=user)


def signed_in(user) -> Client:
    """A session after the password only (the second step still to do)."""
    client = Client()
    client.force_login(user)
    return client


def verified(client: Client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


@pytest.fixture
def member(project):
    return make_member(project, ProjectRole.MEMBER)


# The gate, for people who turned it on.


def test_someone_with_two_step_on_is_sent_to_the_code_page_first(member):
    with_codes(member)
    client = signed_in(member)
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"] == f"{CODE}?next=%2Faccounts%2F"
    # Every other page too, and a POST is held without a destination.
    assert client.get(reverse("projects:list"))["Location"].startswith(CODE)
    assert client.post(reverse("accounts:password_change"))["Location"] == CODE
    # The set-up page cannot be used to skip the step (a new app after the password alone).
    assert client.get(SET_UP)["Location"].startswith(CODE)


def test_before_the_second_step_only_the_code_page_logging_out_and_static_files_open(member):
    with_codes(member)
    client = signed_in(member)
    assert client.get(CODE).status_code == 200
    assert client.get("/static/cohub/cohub.css").status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_htmx_requests_are_told_to_go_to_the_code_page_not_given_it(member):
    with_codes(member)
    response = signed_in(member).get(reverse("projects:list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(CODE)


def test_someone_without_two_step_who_need_not_use_it_goes_straight_in(member):
    assert signed_in(member).get(PROFILE).status_code == 200


def test_logging_in_with_the_password_then_a_backup_code_lands_where_they_were_going(member):
    codes = with_codes(member)
    client = Client()
    response = client.post(
        f"{reverse('accounts:login')}?next={PROFILE}",
        {"username": member.email, "password": PASSWORD, "next": PROFILE},
    )
    assert response["Location"] == PROFILE
    response = client.get(PROFILE)
    assert response["Location"] == f"{CODE}?next=%2Faccounts%2F"
    page = client.get(response["Location"]).content.decode()
    assert 'name="next" value="/accounts/"' in page
    response = client.post(CODE, {"code": codes[0], "next": PROFILE})
    assert response.status_code == 302 and response["Location"] == PROFILE
    assert client.get(PROFILE).status_code == 200


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example/steal", "javascript:alert(1)"]
)
def test_a_next_address_off_this_site_is_not_followed(member, unsafe):
    codes = with_codes(member)
    client = signed_in(member)
    page = client.get(CODE, {"next": unsafe}).content.decode()
    assert "evil" not in page and "javascript" not in page
    response = client.post(CODE, {"code": codes[0], "next": unsafe})
    assert response["Location"] == reverse("projects:list")


def test_the_session_key_changes_when_the_second_step_is_passed(member):
    codes = with_codes(member)
    client = signed_in(member)
    before = client.session.session_key
    client.post(CODE, {"code": codes[0]})
    assert client.session.session_key != before
    assert verified(client)


# Who must use it: the people who hold the keys (projects.sessions.holds_keys).


def _person(project, role):
    from tests.factories import make_org_admin

    if role == "org_admin":
        return make_org_admin(project.organisation)
    if role == "site_admin":
        return UserFactory(is_staff=True, is_superuser=True)
    return make_member(project, role)


@pytest.mark.parametrize(
    "role,must",
    [
        (ProjectRole.FACILITATOR, True),
        ("org_admin", True),
        ("site_admin", True),
        (ProjectRole.MEMBER, False),
        (ProjectRole.COMMUNITY_REPORTER, False),
        (ProjectRole.DECISION_MAKER, False),
    ],
)
def test_each_role_is_sent_to_set_up_if_it_must_and_has_no_device(project, role, must):
    user = _person(project, role)
    response = signed_in(user).get(reverse("projects:list"))
    if must:
        assert response.status_code == 302
        assert response["Location"] == f"{SET_UP}?next=%2Fprojects%2F"
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("role", [ProjectRole.FACILITATOR, "org_admin", "site_admin"])
def test_each_role_that_must_and_has_a_device_is_sent_to_the_code_page(project, role):
    user = _person(project, role)
    with_codes(user)
    client = signed_in(user)
    assert client.get(reverse("projects:list"))["Location"] == f"{CODE}?next=%2Fprojects%2F"
    # The set-up page is not a way round it.
    assert client.get(SET_UP)["Location"].startswith(CODE)


def test_a_facilitator_without_a_device_may_open_only_set_up_and_log_out(facilitator):
    client = signed_in(facilitator)
    assert client.get(SET_UP).status_code == 200
    # The code page has nothing to check yet, so it sends them to set up.
    assert client.get(CODE)["Location"].startswith(SET_UP)
    for name in ("projects:two_step", "projects:two_step_backup_codes", "accounts:profile"):
        assert client.get(reverse(name))["Location"].startswith(SET_UP), name
    assert client.post(reverse("accounts:logout"))["Location"] == reverse("accounts:login")


def test_a_facilitator_sets_up_and_carries_on_to_where_they_were_going(facilitator, project):
    client = Client()
    client.post(reverse("accounts:login"), {"username": facilitator.email, "password": PASSWORD})
    going = reverse("projects:detail", kwargs={"project_slug": project.slug})
    response = client.get(going)
    assert response["Location"] == f"{SET_UP}?next={going.replace('/', '%2F')}"
    page = client.get(response["Location"]).content.decode()
    assert "Your role lets you read every story" in page
    assert f'name="next" value="{going}"' in page
    device = TOTPDevice.objects.get(user=facilitator)
    response = client.post(SET_UP, {"code": app_code(device), "next": going})
    page = response.content.decode()
    assert "Your backup codes" in page
    assert f'href="{going}"' in page
    assert client.get(going).status_code == 200


def test_an_unsafe_next_after_set_up_is_not_offered(facilitator):
    client = signed_in(facilitator)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=facilitator)
    page = client.post(SET_UP, {"code": app_code(device), "next": "https://evil.example/"})
    assert "evil" not in page.content.decode()
    assert f'href="{reverse("projects:list")}"' in page.content.decode()


# The code page.


def test_a_wrong_code_is_refused_with_words_that_say_what_to_do(member):
    with_codes(member)
    client = signed_in(member)
    response = client.post(CODE, {"code": "notacode"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "That code is not right" in page
    assert "Each backup code works only once" in page
    assert "<title>Error: Type your code" in page
    assert not verified(client)
    assert client.get(PROFILE).status_code == 302


def test_an_empty_code_asks_for_one(member):
    with_codes(member)
    page = signed_in(member).post(CODE, {"code": "  "}).content.decode()
    assert "Type the 6-number code from your authenticator app" in page


def test_a_backup_code_works_once_only(member):
    codes = with_codes(member)
    first = signed_in(member)
    # Typed with capitals and a space, as people read them back.
    spaced = f"{codes[0][:4].upper()} {codes[0][4:]}"
    assert first.post(CODE, {"code": spaced}).status_code == 302
    assert verified(first)
    assert services.backup_codes_left(member) == 9
    again = signed_in(member)
    page = again.post(CODE, {"code": codes[0]}).content.decode()
    assert "That code is not right" in page
    assert not verified(again)


def test_a_code_from_the_app_lets_you_in(member):
    device = with_app(member)
    client = signed_in(member)
    assert "6 numbers it shows" in client.get(CODE).content.decode()
    assert client.post(CODE, {"code": app_code(device)}).status_code == 302
    assert verified(client)
    assert client.get(PROFILE).status_code == 200


def test_wrong_codes_are_slowed_by_django_otp_and_the_page_says_to_wait(member):
    device = with_app(member)
    client = signed_in(member)
    right = app_code(device)
    wrong = "000000" if right != "000000" else "111111"
    assert "That code is not right" in client.post(CODE, {"code": wrong}).content.decode()
    # Straight after a wrong code even the right one is refused: the device is paused.
    page = client.post(CODE, {"code": right}).content.decode()
    assert "Too many codes that were not right" in page
    assert "Wait 1 second" in page
    assert not verified(client)
    # Each wrong code doubles the pause (1, 2, 4... seconds).
    for failures in range(1, 5):
        TOTPDevice.objects.filter(pk=device.pk).update(
            throttling_failure_timestamp=timezone.now() - dt.timedelta(seconds=2**failures)
        )
        client.post(CODE, {"code": wrong})
    device.refresh_from_db()
    assert device.throttling_failure_count == 5
    page = client.post(CODE, {"code": right}).content.decode()
    assert "Wait 16 seconds" in page
    # Once the pause is over, the right code works, and the count starts again.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(seconds=20)
    )
    assert client.post(CODE, {"code": right}).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert verified(client)


def test_backup_codes_are_paused_too_after_a_wrong_one(member):
    codes = with_codes(member)
    client = signed_in(member)
    client.post(CODE, {"code": "wrongcod"})
    page = client.post(CODE, {"code": codes[0]}).content.decode()
    assert "Too many codes that were not right" in page
    # Nothing was used up by the refused try.
    assert services.backup_codes_left(member) == 10


def test_the_code_page_sends_a_verified_session_onwards(member):
    with_codes(member)
    client = VerifiedClient()
    client.force_login(member)
    assert client.get(CODE, {"next": PROFILE})["Location"] == PROFILE


# Setting up an authenticator app.


def test_setting_up_an_app_with_a_real_code_turns_two_step_on(member):
    client = signed_in(member)
    page = client.get(SET_UP).content.decode()
    device = TOTPDevice.objects.get(user=member)
    assert not device.confirmed
    # The QR code is drawn here as SVG, and the key is there to type in.
    assert '<svg viewBox="0 0' in page and 'class="qr-code__image"' in page
    assert services.secret_text(device) in page
    assert "otpauth://" not in page  # the link is only inside the QR code
    # Reloading keeps the same key (the app may already have it).
    client.get(SET_UP)
    assert TOTPDevice.objects.filter(user=member).count() == 1
    response = client.post(SET_UP, {"code": app_code(device)})
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert verified(client)
    page = response.content.decode()
    assert "Your backup codes" in page and "the only time they are shown" in page
    codes = list(StaticToken.objects.filter(device__user=member).values_list("token", flat=True))
    assert len(codes) == 10 and all(code in page for code in codes)
    assert Event.objects.filter(actor=member, verb=services.SET_UP).count() == 1
    # The next log-in asks for the app's code.
    again = signed_in(member)
    assert again.get(PROFILE)["Location"].startswith(CODE)


def test_a_wrong_first_code_leaves_the_app_unconfirmed(member):
    client = signed_in(member)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=member)
    wrong = "123456" if app_code(device) != "123456" else "654321"
    page = client.post(SET_UP, {"code": wrong}).content.decode()
    assert "That code is not right" in page
    assert "check the time on your phone" in page
    device.refresh_from_db()
    assert not device.confirmed
    assert not services.uses_two_step(member)
    # Letters are not a code from an app.
    page = client.post(SET_UP, {"code": "abcdef"}).content.decode()
    assert "The code is 6 numbers" in page


def test_a_new_phone_replaces_the_old_app_and_keeps_the_backup_codes(member):
    old = with_app(member)
    codes = with_codes(member)
    client = VerifiedClient()
    client.force_login(member)
    page = client.get(SET_UP).content.decode()
    assert "the old one stops working" in page
    new = TOTPDevice.objects.get(user=member, confirmed=False)
    response = client.post(SET_UP, {"code": app_code(new)})
    assert response.status_code == 302 and response["Location"] == OVERVIEW
    assert list(TOTPDevice.objects.filter(user=member)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert services.backup_codes_left(member) == len(codes)
    # Still signed in, now by the new app.
    assert client.get(PROFILE).status_code == 200


# Backup codes.


def test_a_new_set_of_backup_codes_replaces_the_old_one(member):
    old = with_codes(member)
    client = VerifiedClient()
    client.force_login(member)
    assert "You have <strong>10</strong> backup codes left" in client.get(BACKUP).content.decode()
    response = client.post(BACKUP)
    page = response.content.decode()
    new = list(StaticToken.objects.filter(device__user=member).values_list("token", flat=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert all(code in page for code in new)
    assert "Your old backup codes no longer work" in page
    assert Event.objects.filter(actor=member, verb=services.BACKUP_CODES_MADE).count() == 2
    # The session that made them stays signed in.
    assert client.get(PROFILE).status_code == 200
    # The old ones no longer work.
    refused = signed_in(member).post(CODE, {"code": old[0]})
    assert "That code is not right" in refused.content.decode()


def test_the_backup_codes_page_without_two_step_leads_to_setting_it_up(member):
    assert signed_in(member).get(BACKUP)["Location"] == SET_UP


# Turning it off.


def test_turning_it_off_needs_a_current_code(member):
    device = with_app(member)
    client = VerifiedClient()
    client.force_login(member)
    page = client.post(TURN_OFF, {"code": "999999"}).content.decode()
    assert "That code is not right" in page
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    response = client.post(TURN_OFF, {"code": app_code(device)})
    assert response["Location"] == OVERVIEW
    assert not services.uses_two_step(member)
    assert Event.objects.filter(actor=member, verb=services.TURNED_OFF).count() == 1
    # Next time, the password is enough.
    assert signed_in(member).get(PROFILE).status_code == 200


@pytest.mark.parametrize("role", [ProjectRole.FACILITATOR, "org_admin", "site_admin"])
def test_people_who_hold_the_keys_cannot_turn_it_off(project, role):
    user = _person(project, role)
    codes = with_codes(user)
    client = VerifiedClient()
    client.force_login(user)
    page = client.get(TURN_OFF).content.decode()
    assert "Two-step sign-in stays on for you" in page
    assert 'name="code"' not in page
    response = client.post(TURN_OFF, {"code": codes[0]})
    assert response.status_code == 200
    assert services.backup_codes_left(user) == 10
    assert services.uses_two_step(user)
    with pytest.raises(services.ServiceError, match="cannot be turned off"):
        services.two_step_turn_off(user=user, code=codes[1])
    assert "Turn two-step sign-in off" not in client.get(OVERVIEW).content.decode()


# The account page, and the pages' own safety.


def test_the_account_page_links_to_two_step_sign_in(member):
    client = VerifiedClient()
    client.force_login(member)
    assert f'href="{OVERVIEW}"' in client.get(PROFILE).content.decode()
    page = client.get(OVERVIEW).content.decode()
    assert "Two-step sign-in is on" in page  # the tests' own sign-in device counts


class _Inline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "style" or "style" in names or (tag == "script" and "src" not in names):
            self.found.append(tag)
        self.found.extend(name for name in names if name.startswith("on"))


@pytest.mark.parametrize("page_name", ["set_up", "code"])
def test_the_set_up_and_code_pages_carry_the_policy_and_no_inline_style(member, page_name):
    if page_name == "code":
        with_codes(member)
    response = signed_in(member).get(SET_UP if page_name == "set_up" else CODE)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "style-src 'self'" in policy and "unsafe" not in policy
    assert "no-store" in response["Cache-Control"]
    parser = _Inline()
    parser.feed(response.content.decode())
    assert parser.found == []


def test_cohub_reset_two_step_removes_the_devices_of_someone_who_lost_both(facilitator, capsys):
    from cohub import cli

    with_app(facilitator)
    with_codes(facilitator)
    assert cli.main(["reset-two-step", facilitator.email.upper()]) == 0
    assert "set it up again" in capsys.readouterr().out
    assert not services.uses_two_step(facilitator)
    assert Event.objects.filter(verb=services.RESET, target_id=str(facilitator.pk)).exists()
    # At the next login they are asked to set it up again.
    assert signed_in(facilitator).get(PROFILE)["Location"].startswith(SET_UP)
    assert cli.main(["reset-two-step", facilitator.email]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert cli.main(["reset-two-step", "nobody@example.org"]) == 2
