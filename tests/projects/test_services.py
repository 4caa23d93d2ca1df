"""Memberships and invitations: what is stored, and what is refused."""

from __future__ import annotations

import pytest

from cohub.apps.core.errors import ServiceError
from cohub.apps.projects import services
from cohub.apps.projects.models import Invitation, ProjectMembership, ProjectRole
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
def test_membership_remove_takes_away_one_role_only(project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    user = make_member(project, ProjectRole.MEMBER, ProjectRole.COMMUNITY_REPORTER)
    services.membership_remove(
        project=project, user=user, role=ProjectRole.MEMBER, actor=facilitator
    )
    assert _roles(project, user) == {"community_reporter"}


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
