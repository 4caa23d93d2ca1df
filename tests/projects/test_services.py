"""Memberships and invitations: what is stored, and what is refused."""

from __future__ import annotations

import datetime as dt
import smtplib
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, connections, transaction
from django.utils import timezone

from cohub.apps.accounts.models import User
from cohub.apps.accounts.services import AccountExistsError
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import Event
from cohub.apps.projects import services
from cohub.apps.projects.models import (
    Invitation,
    InvitationStatus,
    Project,
    ProjectMembership,
    ProjectRole,
)
from cohub.apps.projects.selectors import project_members
from tests.factories import UserFactory, make_member


def _roles(project, user) -> set[str]:
    return set(
        ProjectMembership.objects.filter(project=project, user=user).values_list("role", flat=True)
    )


# --- membership_add / membership_remove ----------------------------------------------------


@pytest.mark.django_db
def test_membership_add_gives_each_role_once(project):
    user = UserFactory()
    added = services.membership_add(
        project=project, user=user, roles=["member", "community_reporter"], actor=None
    )
    assert {m.role for m in added} == {"member", "community_reporter"}
    again = services.membership_add(project=project, user=user, roles=["member"], actor=None)
    assert again == []
    assert _roles(project, user) == {"member", "community_reporter"}
    assert ProjectMembership.objects.filter(project=project, user=user).count() == 2


@pytest.mark.django_db
def test_membership_add_refuses_unknown_role(project):
    user = UserFactory()
    with pytest.raises(ServiceError):
        services.membership_add(project=project, user=user, roles=["overlord"], actor=None)
    assert _roles(project, user) == set()


@pytest.mark.django_db
def test_membership_add_is_seen_by_permissions_at_once(project):
    user = UserFactory()
    assert not user.has_perm("projects.view_project", project)
    services.membership_add(project=project, user=user, roles=["member"], actor=None)
    assert user.has_perm("projects.view_project", project)


@pytest.mark.django_db
def test_membership_remove_takes_away_one_role_only_and_says_what_it_did(project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    user = make_member(project, ProjectRole.MEMBER, ProjectRole.COMMUNITY_REPORTER)
    removal = services.membership_remove(
        project=project, user=user, role=ProjectRole.MEMBER, actor=facilitator
    )
    assert _roles(project, user) == {"community_reporter"}
    assert (removal.user, removal.role) == (user, ProjectRole.MEMBER)
    assert removal.roles_left == ("community_reporter",)
    assert not removal.left_the_project
    assert removal.event == Event.objects.get(verb="membership.remove")
    assert removal.event.data == {"role": "member"}
    assert removal.event.actor == facilitator


@pytest.mark.django_db
def test_membership_remove_of_the_last_role_says_they_left(project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    user = make_member(project, ProjectRole.MEMBER)
    removal = services.membership_remove(
        project=project, user=user, role=ProjectRole.MEMBER, actor=facilitator
    )
    assert removal.left_the_project
    assert not user.has_perm("projects.view_project", project)


@pytest.mark.django_db
def test_membership_remove_refuses_a_role_they_do_not_hold(project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    user = make_member(project, ProjectRole.MEMBER)
    with pytest.raises(ServiceError, match="is not a community reporter in this project"):
        services.membership_remove(
            project=project, user=user, role=ProjectRole.COMMUNITY_REPORTER, actor=facilitator
        )
    assert not Event.objects.filter(verb="membership.remove").exists()


@pytest.mark.django_db
def test_membership_remove_refuses_to_remove_the_last_facilitator(project):
    facilitator = make_member(project, ProjectRole.FACILITATOR, ProjectRole.MEMBER)
    with pytest.raises(ServiceError, match="at least one facilitator"):
        services.membership_remove(
            project=project, user=facilitator, role=ProjectRole.FACILITATOR, actor=facilitator
        )
    assert ProjectRole.FACILITATOR in _roles(project, facilitator)


@pytest.mark.django_db
def test_membership_remove_allows_a_facilitator_to_go_when_another_stays(project):
    first = make_member(project, ProjectRole.FACILITATOR)
    second = make_member(project, ProjectRole.FACILITATOR)
    services.membership_remove(
        project=project, user=first, role=ProjectRole.FACILITATOR, actor=second
    )
    assert _roles(project, first) == set()
    assert _roles(project, second) == {"facilitator"}


def _as_loaded_by_a_page(project, *users):
    """Fresh copies of the project and people, as a members page loads them, then kept."""
    page_project = Project.objects.get(pk=project.pk)
    people = [get_user_model().objects.get(pk=user.pk) for user in users]
    facilitators = [
        member["user"]
        for member in project_members(page_project)
        if ProjectRole.FACILITATOR in member["roles"]
    ]
    return page_project, people, facilitators


@pytest.mark.django_db
def test_two_removals_prepared_from_stale_pages_leave_one_facilitator(project):
    first = make_member(project, ProjectRole.FACILITATOR)
    second = make_member(project, ProjectRole.FACILITATOR)
    # Each facilitator opens the members page while the other is still there, so
    # both pages offer to remove the other one.
    page_1, (first_seen, second_seen_1), shown_1 = _as_loaded_by_a_page(project, first, second)
    page_2, (second_seen, first_seen_2), shown_2 = _as_loaded_by_a_page(project, second, first)
    assert len(shown_1) == len(shown_2) == 2

    services.membership_remove(
        project=page_1, user=first_seen, role=ProjectRole.FACILITATOR, actor=second_seen_1
    )
    with pytest.raises(ServiceError) as refused:
        services.membership_remove(
            project=page_2, user=second_seen, role=ProjectRole.FACILITATOR, actor=first_seen_2
        )
    assert str(refused.value) == (
        f"{second} is the only facilitator left. A project needs at least one "
        "facilitator, so invite or choose another one first."
    )
    assert list(
        ProjectMembership.objects.filter(project=project, role=ProjectRole.FACILITATOR).values_list(
            "user", flat=True
        )
    ) == [second.pk]
    assert Event.objects.filter(verb="membership.remove").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real connections")
@pytest.mark.django_db(transaction=True)
def test_a_removal_waits_for_one_in_flight_then_counts_again(project):
    """Two facilitators removed at the same moment, on two connections: one must stay.

    The first removal is left uncommitted while the second runs on its own
    connection. The second must wait for the first (the project row is locked)
    and then count again; without the lock it would still see the first
    facilitator, and both would go.
    """
    first = make_member(project, ProjectRole.FACILITATOR)
    second = make_member(project, ProjectRole.FACILITATOR)
    outcome: dict[str, object] = {}
    started = threading.Event()

    def remove_second() -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                outcome["pid"] = cursor.fetchone()[0]
            started.set()
            outcome["result"] = services.membership_remove(
                project=project, user=second, role=ProjectRole.FACILITATOR, actor=first
            )
        except Exception as exc:  # noqa: BLE001  (handed to the test thread below)
            outcome["error"] = exc
        finally:
            started.set()
            connections["default"].close()

    with transaction.atomic():
        services.membership_remove(
            project=project, user=first, role=ProjectRole.FACILITATOR, actor=second
        )
        other = threading.Thread(target=remove_second)
        other.start()
        started.wait()
        # Hold the first removal open until the second is waiting for a lock (or,
        # if it takes none, has already finished).
        while other.is_alive() and not _waiting_for_a_lock(outcome.get("pid")):
            other.join(0.01)
    other.join()

    assert "result" not in outcome
    assert isinstance(outcome.get("error"), ServiceError)
    assert "only facilitator left" in str(outcome["error"])
    assert _roles(project, second) == {"facilitator"}
    assert _roles(project, first) == set()


def _waiting_for_a_lock(pid: object) -> bool:
    if pid is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted", [pid])
        return cursor.fetchone() is not None


# --- invitation_create / invitation_accept ------------------------------------------------


@pytest.mark.django_db
def test_invitation_create_stores_email_in_lower_case_with_roles(project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    invitation = services.invitation_create(
        project=project, email=" Kit@Example.ORG ", roles=["member", "member"], actor=facilitator
    )
    assert invitation.email == "kit@example.org"
    assert invitation.roles == ["member"]
    assert invitation.invited_by == facilitator
    assert len(invitation.token) >= 24


@pytest.mark.django_db
def test_invitation_create_refuses_no_roles_and_unknown_roles(project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    with pytest.raises(ServiceError, match="at least one role"):
        services.invitation_create(
            project=project, email="kit@example.org", roles=[], actor=facilitator
        )
    with pytest.raises(ServiceError):
        services.invitation_create(
            project=project, email="kit@example.org", roles=["boss"], actor=facilitator
        )
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_inviting_the_same_address_again_updates_the_open_invitation(project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    first = services.invitation_create(
        project=project, email="kit@example.org", roles=["member"], actor=facilitator
    )
    second = services.invitation_create(
        project=project, email="KIT@example.org", roles=["decision_maker"], actor=facilitator
    )
    assert first.pk == second.pk
    assert Invitation.objects.get().roles == ["decision_maker"]


@pytest.mark.django_db
def test_invitation_accept_adds_the_roles(project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    invitation = services.invitation_create(
        project=project,
        email="kit@example.org",
        roles=["member", "decision_maker"],
        actor=facilitator,
    )
    kit = UserFactory(email="kit@example.org")
    added = services.invitation_accept(invitation=invitation, user=kit)
    assert {m.role for m in added} == {"member", "decision_maker"}
    assert _roles(project, kit) == {"member", "decision_maker"}
    invitation.refresh_from_db()
    assert invitation.accepted_by == kit
    assert invitation.accepted_at is not None


@pytest.mark.django_db
def test_invitation_accept_refuses_a_different_email(project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    invitation = services.invitation_create(
        project=project, email="kit@example.org", roles=["member"], actor=facilitator
    )
    someone_else = UserFactory(email="alex@example.org")
    with pytest.raises(ServiceError, match="different email address"):
        services.invitation_accept(invitation=invitation, user=someone_else)
    assert _roles(project, someone_else) == set()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.django_db
def test_accepting_twice_changes_nothing_and_nobody_else_can_use_it(project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    invitation = services.invitation_create(
        project=project, email="kit@example.org", roles=["member"], actor=facilitator
    )
    kit = UserFactory(email="kit@example.org")
    services.invitation_accept(invitation=invitation, user=kit)
    first_accepted_at = Invitation.objects.get().accepted_at

    assert services.invitation_accept(invitation=invitation, user=kit) == []
    assert ProjectMembership.objects.filter(project=project, user=kit).count() == 1
    assert Invitation.objects.get().accepted_at == first_accepted_at

    other = UserFactory()
    with pytest.raises(ServiceError, match="already been used"):
        services.invitation_accept(invitation=invitation, user=other)
    assert _roles(project, other) == set()


# --- expiry, cancelling, joining with a new account, emailing the link ------------------


def _invite(project, email="kit@example.org", roles=("member",)):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    return services.invitation_create(
        project=project, email=email, roles=list(roles), actor=facilitator
    )


def _expire(invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    invitation.refresh_from_db()


@pytest.mark.django_db
def test_an_invitation_works_for_the_days_the_setting_says(project, settings):
    settings.COHUB_INVITATION_DAYS = 3
    before = timezone.now()
    invitation = _invite(project)
    assert (
        before + dt.timedelta(days=3)
        <= invitation.expires_at
        <= timezone.now() + dt.timedelta(days=3)
    )
    assert invitation.status() == InvitationStatus.WAITING
    assert invitation.status(now=invitation.expires_at) == InvitationStatus.EXPIRED


@pytest.mark.django_db
def test_inviting_again_renews_an_expired_link_and_keeps_it(project):
    invitation = _invite(project)
    _expire(invitation)
    again = _invite(project, roles=("decision_maker",))
    assert again.pk == invitation.pk and again.token == invitation.token
    assert again.status() == InvitationStatus.WAITING
    assert again.roles == ["decision_maker"]


@pytest.mark.django_db
def test_a_cancelled_invitation_is_never_revived_inviting_again_makes_a_new_link(project):
    invitation = _invite(project)
    assert services.invitation_cancel(invitation=invitation, actor=invitation.invited_by) is True
    again = _invite(project)
    assert again.pk != invitation.pk and again.token != invitation.token
    invitation.refresh_from_db()
    assert invitation.status() == InvitationStatus.CANCELLED


@pytest.mark.django_db
def test_cancelling_twice_says_so_and_a_used_invitation_cannot_be_cancelled(project):
    invitation = _invite(project)
    actor = invitation.invited_by
    assert services.invitation_cancel(invitation=invitation, actor=actor) is True
    assert services.invitation_cancel(invitation=invitation, actor=actor) is False
    invitation.refresh_from_db()
    assert invitation.cancelled_by == actor

    used = _invite(project, email="sam@example.org")
    services.invitation_accept(invitation=used, user=UserFactory(email="sam@example.org"))
    with pytest.raises(ServiceError, match="has already joined"):
        services.invitation_cancel(invitation=used, actor=actor)
    used.refresh_from_db()
    assert used.cancelled_at is None


@pytest.mark.django_db
def test_expired_and_cancelled_invitations_cannot_be_accepted_and_say_who_to_ask(project):
    kit = UserFactory(email="kit@example.org")
    expired = _invite(project)
    _expire(expired)
    with pytest.raises(ServiceError, match=f"too old.*Please ask {expired.invited_by}, who"):
        services.invitation_accept(invitation=expired, user=kit)

    cancelled = _invite(project, email="kit@example.org")
    services.invitation_cancel(invitation=cancelled, actor=cancelled.invited_by)
    with pytest.raises(ServiceError, match="was cancelled"):
        services.invitation_accept(invitation=cancelled, user=kit)
    assert _roles(project, kit) == set()


@pytest.mark.django_db
def test_a_new_person_joins_with_their_name_and_password_in_one_step(project):
    invitation = _invite(project, email="Kit@Example.org", roles=("member", "decision_maker"))
    joined = services.invitation_accept_new_account(
        invitation=invitation, display_name="  Kit   Lee ", password="tea garden tuesday"
    )
    assert joined.created
    user = User.objects.get(email="kit@example.org")
    assert joined.user == user
    assert user.display_name == "Kit Lee"
    assert user.check_password("tea garden tuesday")
    assert _roles(project, user) == {"member", "decision_maker"}
    invitation.refresh_from_db()
    assert invitation.accepted_by == user


@pytest.mark.django_db
def test_joining_twice_with_the_same_password_is_the_same_join(project):
    invitation = _invite(project)
    first = services.invitation_accept_new_account(
        invitation=invitation, display_name="Kit", password="tea garden tuesday"
    )
    second = services.invitation_accept_new_account(
        invitation=invitation, display_name="Kit", password="tea garden tuesday"
    )
    assert (second.user, second.created) == (first.user, False)
    assert User.objects.filter(email="kit@example.org").count() == 1
    # Someone else with the link cannot get in with another password.
    with pytest.raises(ServiceError, match="already been used"):
        services.invitation_accept_new_account(
            invitation=invitation, display_name="Not Kit", password="some other phrase"
        )


@pytest.mark.django_db
def test_joining_is_refused_when_the_address_got_an_account_meanwhile(project):
    invitation = _invite(project)
    existing = UserFactory(email="KIT@example.org".lower())
    with pytest.raises(AccountExistsError, match="Log in with it"):
        services.invitation_accept_new_account(
            invitation=invitation, display_name="Kit", password="tea garden tuesday"
        )
    existing.refresh_from_db()
    assert not existing.check_password("tea garden tuesday")
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.django_db
def test_a_weak_password_is_refused_in_plain_words_and_nothing_is_made(project):
    invitation = _invite(project)
    with pytest.raises(ServiceError, match="at least 12 characters"):
        services.invitation_accept_new_account(
            invitation=invitation, display_name="Kit", password="1234"
        )
    assert not User.objects.filter(email="kit@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.django_db
def test_joining_an_expired_invitation_makes_no_account(project):
    invitation = _invite(project)
    _expire(invitation)
    with pytest.raises(ServiceError, match="too old"):
        services.invitation_accept_new_account(
            invitation=invitation, display_name="Kit", password="tea garden tuesday"
        )
    assert not User.objects.filter(email="kit@example.org").exists()


LINK = "https://cohub.example.org/invitations/abc/"


@pytest.mark.django_db
def test_a_hub_that_sends_no_email_sends_no_invitation(project, settings):
    settings.COHUB_EMAIL_ENABLED = False
    invitation = _invite(project)
    assert (
        services.invitation_send(invitation=invitation, link=LINK)
        is services.Delivery.NOT_CONFIGURED
    )
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_invitation_email_carries_the_link_roles_and_date(project, settings):
    settings.COHUB_EMAIL_ENABLED = True
    settings.DEFAULT_FROM_EMAIL = "cohub <hub@example.org>"
    invitation = _invite(project, roles=("community_reporter",))
    assert services.invitation_send(invitation=invitation, link=LINK) is services.Delivery.SENT
    (message,) = mail.outbox
    assert message.to == ["kit@example.org"]
    assert message.from_email == "cohub <hub@example.org>"
    assert project.name in message.subject
    assert LINK in message.body
    assert "Community reporter" in message.body
    assert f"{invitation.invited_by} has invited you" in message.body
    assert f"{timezone.localtime(invitation.expires_at):%B %Y}" in message.body


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses everything, as a misconfigured one does."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPAuthenticationError(535, b"authentication failed")


@pytest.mark.django_db
def test_a_mail_server_that_refuses_is_reported_not_raised(project, settings):
    settings.COHUB_EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "tests.projects.test_services.RefusingBackend"
    invitation = _invite(project)
    assert services.invitation_send(invitation=invitation, link=LINK) is services.Delivery.FAILED
    assert Invitation.objects.filter(pk=invitation.pk).exists()
