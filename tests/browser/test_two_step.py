"""Two-step sign-in in real headless Chromium (docs/adr/0025): set up with an app, then log in.

A facilitator logs in with their password, is sent to set up an authenticator
app, types the code it shows (worked out here from the device's key, as the
app does), keeps the backup codes, and lands where they were going. Next
time they log in, a wrong code is refused in words and a backup code lets
them in. The set-up, code and backup code pages are checked with axe-core at
phone and desktop widths, and none may scroll sideways.
"""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from cohub.apps.projects.models import ProjectRole
from cohub.apps.projects.twofactor import services
from tests.browser_support import axe_violations
from tests.factories import PASSWORD, ProjectFactory, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [360, 1280]


def assert_accessible(page, where: str) -> None:
    assert axe_violations(page) == [], where
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{where} scrolls sideways by {overflow}px"


def type_password(page, email: str, going: str) -> None:
    page.goto(f"/accounts/login/?next={going}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize("width", WIDTHS, ids=["phone", "desktop"])
def test_a_facilitator_sets_up_an_app_then_logs_in_with_a_code(page, width):
    page.set_viewport_size({"width": width, "height": 800})
    project = ProjectFactory(name="Crisis support in Northfield")
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    going = f"/p/{project.slug}/members/"

    type_password(page, facilitator.email, going)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    # The QR code is drawn on the page; the key is there to type in.
    expect(page.locator(".qr-code svg")).to_be_visible()
    device = TOTPDevice.objects.get(user=facilitator)
    expect(page.locator("#two-step-key")).to_have_text(services.secret_text(device))
    assert_accessible(page, "set up")

    page.get_by_label("Code from your app").fill("12345")
    with page.expect_navigation():
        page.get_by_role("button", name="Check the code and turn on").click()
    expect(page.locator(".error-summary")).to_contain_text("The code is 6 numbers")
    assert_accessible(page, "set up, with an error")

    code = f"{totp(device.bin_key):06d}"
    page.get_by_label("Code from your app").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Check the code and turn on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your backup codes")
    codes = page.locator(".backup-codes code").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page, "backup codes")
    with page.expect_navigation():
        page.get_by_role("link", name="I have kept them: carry on").click()
    assert page.url.endswith(going)

    # Next time: the password, then a code.
    page.context.clear_cookies()
    type_password(page, facilitator.email, going)
    expect(page.get_by_role("heading", level=1)).to_have_text("Type your code")
    assert_accessible(page, "code page")
    page.get_by_label("Code").fill("wrongcod")
    with page.expect_navigation():
        page.get_by_role("button", name="Go on").click()
    expect(page.locator(".error-summary")).to_contain_text("That code is not right")
    assert_accessible(page, "code page, with an error")
    # django-otp pauses the backup codes for a second after a wrong one; a person is slower.
    StaticDevice.objects.filter(user=facilitator).update(throttling_failure_timestamp=None)
    page.get_by_label("Code").fill(codes[0])
    with page.expect_navigation():
        page.get_by_role("button", name="Go on").click()
    assert page.url.endswith(going)
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")
