"""Joining, as the people involved do it, in real headless Chromium.

A facilitator invites someone by email address and copies the link with one
button; the person, who has no account, opens it, chooses a name and a
password, and lands in the project. An expired or cancelled link says so and
who to ask. Every page on the way is checked with axe-core at 360 px and
1280 px.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from cohub.apps.accounts.models import User
from cohub.apps.projects import services
from cohub.apps.projects.models import Invitation, ProjectRole
from tests.browser_support import axe_violations, log_in_as
from tests.factories import ProjectFactory, UserFactory, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [360, 1280]


def assert_accessible(page, where: str) -> None:
    assert axe_violations(page) == [], where
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{where} scrolls sideways by {overflow}px"


@pytest.mark.parametrize("width", WIDTHS, ids=["phone", "desktop"])
def test_invited_by_email_with_no_account_sets_a_password_and_lands_in_the_project(
    page, client, width
):
    page.set_viewport_size({"width": width, "height": 800})
    project = ProjectFactory(name="Crisis support in Northfield")
    facilitator = make_member(
        project, ProjectRole.FACILITATOR, user=UserFactory(display_name="Sam")
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.base_url)

    # The facilitator invites Kit by email address and copies the link.
    log_in_as(page, client, facilitator)
    page.goto(f"/p/{project.slug}/members/")
    page.get_by_label("Their email address").fill("kit@example.org")
    page.get_by_label("Co-producer").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Make an invitation link").click()
    invitation = Invitation.objects.get(project=project)
    link = f"{page.base_url}/invitations/{invitation.token}/"
    panel = page.locator("#new-invitation")
    expect(panel.locator("code")).to_have_text(link)
    panel.get_by_role("button", name="Copy link for kit@example.org").click()
    expect(panel.get_by_role("status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert_accessible(page, "members page with a new invitation")

    # Kit, with no account, opens the link in a browser of their own.
    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Crisis support in Northfield")
    expect(page.get_by_label("Your email address")).to_have_value("kit@example.org")
    assert_accessible(page, "invitation page, new person")

    # A mistake first: the error summary takes focus and says what to do.
    page.get_by_label("Your name").fill("Kit")
    page.get_by_label("Choose a password").fill("tea garden tuesday")
    page.get_by_label("Type the password again").fill("tea garden wednesday")
    with page.expect_navigation():
        page.get_by_role("button", name="Make my account and join").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("The two passwords are not the same.")
    assert_accessible(page, "invitation page with errors")

    page.get_by_label("Choose a password").fill("tea garden tuesday")
    page.get_by_label("Type the password again").fill("tea garden tuesday")
    with page.expect_navigation():
        page.get_by_role("button", name="Make my account and join").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Crisis support in Northfield")
    expect(page.locator(".messages[role=status]")).to_contain_text(
        "Welcome to Crisis support in Northfield, Kit"
    )
    kit = User.objects.get(email="kit@example.org")
    assert kit.check_password("tea garden tuesday")
    assert list(kit.project_memberships.values_list("role", flat=True)) == [ProjectRole.MEMBER]


@pytest.mark.parametrize("width", WIDTHS, ids=["phone", "desktop"])
def test_an_expired_or_cancelled_link_says_so_and_who_to_ask(page, client, width):
    page.set_viewport_size({"width": width, "height": 800})
    project = ProjectFactory(name="Crisis support in Northfield")
    facilitator = make_member(
        project, ProjectRole.FACILITATOR, user=UserFactory(display_name="Sam")
    )
    expired = services.invitation_create(
        project=project, email="kit@example.org", roles=["member"], actor=facilitator
    )
    Invitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - dt.timedelta(days=1)
    )
    cancelled = services.invitation_create(
        project=project, email="robin@example.org", roles=["member"], actor=facilitator
    )

    # The facilitator sees both on the members page, and cancels Robin's after a question.
    log_in_as(page, client, facilitator)
    page.goto(f"/p/{project.slug}/members/")
    invitations = page.get_by_role("region", name="Open invitations")
    expect(invitations).to_contain_text("Expired on")
    expect(invitations).to_contain_text("Waiting: the link works until")
    assert_accessible(page, "members page with open invitations")
    with page.expect_navigation():
        invitations.get_by_role("link", name="Cancel the invitation for robin@example.org").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Cancel the invitation for robin@example.org?"
    )
    assert_accessible(page, "cancel confirmation")
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, cancel the invitation").click()
    expect(page.locator(".messages[role=status]")).to_contain_text(
        "is cancelled. Its link no longer works."
    )

    page.context.clear_cookies()
    page.goto(f"/invitations/{expired.token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This invitation has expired")
    expect(page.locator("main")).to_contain_text("Please ask Sam, who invited you, for a new one.")
    expect(page.get_by_role("button", name="Make my account and join")).to_have_count(0)
    assert_accessible(page, "expired invitation")

    page.goto(f"/invitations/{cancelled.token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This invitation was cancelled")
    expect(page.locator("main")).to_contain_text("Please ask Sam, who invited you, for a new one.")
    assert_accessible(page, "cancelled invitation")


def test_the_wrong_person_is_told_and_can_log_out_and_continue(page, client):
    project = ProjectFactory(name="Crisis support in Northfield")
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    invitation = services.invitation_create(
        project=project, email="kit@example.org", roles=["member"], actor=facilitator
    )
    log_in_as(page, client, UserFactory(email="sam@example.org"))
    page.goto(f"/invitations/{invitation.token}/")
    expect(page.locator("main .panel")).to_contain_text(
        "This invitation is for kit@example.org; you are logged in as sam@example.org."
    )
    assert_accessible(page, "invitation page, wrong person")
    with page.expect_navigation():
        page.get_by_role("button", name="Log out and continue").click()
    expect(page.get_by_role("heading", name="Make your account")).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS, ids=["phone", "desktop"])
def test_forgotten_password_by_email(page, settings, width):
    settings.COHUB_EMAIL_ENABLED = True
    kit = UserFactory(email="kit@example.org")
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/accounts/login/")
    with page.expect_navigation():
        page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgot your password?")
    assert_accessible(page, "password reset")
    page.get_by_label("Email address").fill("kit@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page, "password reset sent")

    # The live server runs in this process, so its email is in the test outbox.
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", message.body)
    assert link is not None
    page.goto(link.group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert_accessible(page, "choose a new password")
    page.get_by_label(re.compile(r"^New password")).fill("a new kind phrase")
    page.get_by_label("Type the new password again").fill("a new kind phrase")
    with page.expect_navigation():
        page.get_by_role("button", name="Save my new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your new password is saved")
    assert_accessible(page, "password saved")
    kit.refresh_from_db()
    assert kit.check_password("a new kind phrase")

    page.goto(link.group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
