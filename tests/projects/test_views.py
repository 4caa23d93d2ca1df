"""Project pages: who sees what, who may change what, and the invitation flow end to end."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohub.apps.projects.models import Invitation, Project, ProjectMembership, ProjectRole
from tests.factories import (
    ALL_ROLES,
    OrganisationFactory,
    ProjectFactory,
    UserFactory,
    assert_role_access,
    make_member,
    make_org_admin,
    make_story,
    user_for_role,
)

CAN_SEE = {"facilitator", "community_reporter", "member", "decision_maker", "org_admin"}
CAN_RUN = {"facilitator", "org_admin"}


def _client_for(client, project, role):
    user = user_for_role(project, role)
    if user is not None:
        client.force_login(user)
    return user


def _expect(response, role, allowed):
    assert_role_access(response, role, allowed, ok=(200,))


def _url(name, project, **kwargs):
    return reverse(f"projects:{name}", kwargs={"project_slug": project.slug, **kwargs})


# --- Permissions, every role ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_detail_is_for_people_in_the_project(client, project, role):
    _client_for(client, project, role)
    _expect(client.get(_url("detail", project)), role, CAN_SEE)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_edit_is_for_facilitators_and_admins(client, project, role):
    _client_for(client, project, role)
    _expect(client.get(_url("edit", project)), role, CAN_RUN)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_edit_post_is_refused_to_others(client, project, role):
    _client_for(client, project, role)
    response = client.post(
        _url("edit", project),
        {"name": "Renamed", "purpose": "p", "opening_question": "q", "topics": ""},
    )
    project.refresh_from_db()
    if role in CAN_RUN:
        assert response.status_code == 302
        assert project.name == "Renamed"
    else:
        assert response.status_code in (302, 403)
        assert project.name != "Renamed"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_members_page_is_for_people_in_the_project(client, project, role):
    _client_for(client, project, role)
    response = client.get(_url("members", project))
    _expect(response, role, CAN_SEE)
    if response.status_code == 200:
        has_invite_form = "Invite someone" in response.content.decode()
        assert has_invite_form == (role in CAN_RUN)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_facilitators_and_admins_can_invite(client, project, role):
    _client_for(client, project, role)
    response = client.post(
        _url("member_invite", project), {"email": "new@example.org", "roles": ["member"]}
    )
    invited = Invitation.objects.filter(project=project, email="new@example.org").exists()
    assert invited == (role in CAN_RUN)
    if role == "anonymous":
        assert response.status_code == 302
    elif role not in CAN_RUN:
        assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_facilitators_and_admins_can_remove_roles(client, project, role):
    member = make_member(project, ProjectRole.MEMBER)
    _client_for(client, project, role)
    response = client.post(
        _url("member_remove", project, user_id=member.pk), {"role": ProjectRole.MEMBER}
    )
    still_there = ProjectMembership.objects.filter(
        project=project, user=member, role=ProjectRole.MEMBER
    ).exists()
    assert still_there == (role not in CAN_RUN)
    if role in CAN_RUN:
        assert response.status_code == 302
        assert response["Location"] == _url("members", project)
    elif role != "anonymous":
        assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_create_is_for_organisation_admins(client, project, role):
    _client_for(client, project, role)
    _expect(client.get(reverse("projects:create")), role, {"org_admin"})


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_list_needs_login_and_shows_only_own_projects(client, project, role):
    elsewhere = ProjectFactory()
    user = _client_for(client, project, role)
    response = client.get(reverse("projects:list"))
    if user is None:
        assert response.status_code == 302
        return
    html = response.content.decode()
    assert response.status_code == 200
    assert (f'href="{_url("detail", project)}"' in html) == (role in CAN_SEE)
    assert f'href="{_url("detail", elsewhere)}"' not in html
    assert ("Start a project" in html) == (role == "org_admin")


# --- What the pages show and store --------------------------------------------------------


@pytest.mark.django_db
def test_list_shows_purpose_and_roles(client, project):
    user = make_member(project, ProjectRole.FACILITATOR, ProjectRole.MEMBER)
    client.force_login(user)
    html = client.get(reverse("projects:list")).content.decode()
    assert project.purpose in html
    assert "Facilitator" in html and "Co-producer" in html


@pytest.mark.django_db
def test_admin_creates_a_project_and_becomes_its_facilitator(client):
    organisation = OrganisationFactory()
    admin = make_org_admin(organisation)
    client.force_login(admin)
    page = client.get(reverse("projects:create"))
    assert page.status_code == 200
    assert "Opening question" in page.content.decode()
    response = client.post(
        reverse("projects:create"),
        {
            "organisation": organisation.pk,
            "name": "Crisis support",
            "purpose": "Make crisis support kinder.",
            "opening_question": "Tell me about a time you needed help fast.",
            "offer_and_control": "We pay for your time.",
            "sectors": ["services", "policy"],
            "topics": "housing,  money , , mental health",
        },
    )
    project = Project.objects.get(name="Crisis support")
    assert response.status_code == 302
    assert response["Location"] == _url("detail", project)
    assert project.organisation == organisation
    assert project.sectors == ["services", "policy"]
    assert project.topics == ["housing", "money", "mental health"]
    assert ProjectMembership.objects.filter(
        project=project, user=admin, role=ProjectRole.FACILITATOR
    ).exists()


@pytest.mark.django_db
def test_admin_cannot_create_a_project_in_another_organisation(client):
    admin = make_org_admin(OrganisationFactory())
    other = OrganisationFactory()
    client.force_login(admin)
    response = client.post(
        reverse("projects:create"),
        {"organisation": other.pk, "name": "Sneaky", "purpose": "p", "opening_question": "q"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Project.objects.filter(name="Sneaky").exists()


@pytest.mark.django_db
def test_create_shows_errors_and_keeps_input(client):
    admin = make_org_admin(OrganisationFactory())
    client.force_login(admin)
    response = client.post(
        reverse("projects:create"), {"name": "Half done", "purpose": "", "opening_question": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Say in a few words why this project exists." in html
    assert 'value="Half done"' in html


@pytest.mark.django_db
def test_detail_shows_overview_counts_and_links_for_role(client, project):
    make_story(project)
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    client.force_login(facilitator)
    html = client.get(_url("detail", project)).content.decode()
    assert project.opening_question in html
    assert project.purpose in html
    assert project.offer_and_control in html
    assert "Services" in html
    assert "health and social care" in html
    assert "<dt>Storytellers</dt><dd>1</dd>" in html
    assert "<dt>Stories</dt><dd>1</dd>" in html
    assert "Add a storyteller" in html
    assert "Edit the project" in html
    assert 'aria-label="Project sections"' in html

    decision_maker = make_member(project, ProjectRole.DECISION_MAKER)
    client.force_login(decision_maker)
    html = client.get(_url("detail", project)).content.decode()
    assert "Add a storyteller" not in html
    assert "Edit the project" not in html
    assert "See what we have found" in html


@pytest.mark.django_db
def test_edit_is_prefilled_and_saves(client, project):
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    page = client.get(_url("edit", project)).content.decode()
    assert project.opening_question in page
    assert 'value="health and social care"' in page
    response = client.post(
        _url("edit", project),
        {
            "name": project.name,
            "purpose": "A new purpose.",
            "opening_question": "A new question?",
            "sectors": ["research"],
            "topics": "care, work",
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.purpose == "A new purpose."
    assert project.sectors == ["research"]
    assert project.topics == ["care", "work"]


@pytest.mark.django_db
def test_members_page_lists_members_with_role_labels(client, project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    reporter = make_member(project, ProjectRole.COMMUNITY_REPORTER, ProjectRole.MEMBER)
    client.force_login(facilitator)
    html = client.get(_url("members", project)).content.decode()
    assert str(reporter) in html
    assert "Community reporter, Co-producer" in html
    assert "Remove co-producer" in html


@pytest.mark.django_db
def test_removing_the_last_facilitator_is_refused_with_a_message(client, project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    client.force_login(facilitator)
    response = client.post(
        _url("member_remove", project, user_id=facilitator.pk),
        {"role": ProjectRole.FACILITATOR},
        follow=True,
    )
    assert "A project needs at least one facilitator" in response.content.decode()
    assert ProjectMembership.objects.filter(
        project=project, user=facilitator, role=ProjectRole.FACILITATOR
    ).exists()


@pytest.mark.django_db
def test_removing_a_role_twice_says_it_was_already_gone(client, project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    member = make_member(project, ProjectRole.MEMBER, ProjectRole.COMMUNITY_REPORTER)
    client.force_login(facilitator)
    url = _url("member_remove", project, user_id=member.pk)
    first = client.post(url, {"role": ProjectRole.MEMBER}, follow=True).content.decode()
    assert f"{member} is no longer a co-producer here." in first
    # The same button, pressed again from a page opened before the first removal.
    again = client.post(url, {"role": ProjectRole.MEMBER}, follow=True).content.decode()
    assert f"{member} is not a co-producer in this project, so nothing was removed." in again
    last = client.post(url, {"role": ProjectRole.COMMUNITY_REPORTER}, follow=True)
    assert (
        f"{member} is no longer a community reporter here and no longer takes part in the project."
        in last.content.decode()
    )
    assert not member.project_memberships.exists()


@pytest.mark.django_db
def test_member_remove_only_accepts_post_and_people_in_this_project(client, project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    stranger = make_member(ProjectFactory(), ProjectRole.MEMBER)
    client.force_login(facilitator)
    assert client.get(_url("member_remove", project, user_id=facilitator.pk)).status_code == 405
    response = client.post(
        _url("member_remove", project, user_id=stranger.pk), {"role": ProjectRole.MEMBER}
    )
    assert response.status_code == 404
    assert stranger.project_memberships.exists()


@pytest.mark.django_db
def test_invitation_flow_end_to_end(client, project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    invitee = UserFactory(email="kit@example.org")
    client.force_login(facilitator)

    response = client.post(
        _url("member_invite", project),
        {"email": "Kit@Example.org", "roles": ["community_reporter", "member"]},
        follow=True,
    )
    invitation = Invitation.objects.get(project=project)
    link = "http://testserver" + reverse(
        "projects:invitation_accept", kwargs={"token": invitation.token}
    )
    html = response.content.decode()
    assert invitation.email == "kit@example.org"
    assert invitation.roles == ["community_reporter", "member"]
    assert link in html
    assert "cohub does not send emails yet" in html
    assert "Invitations not yet accepted" in html

    client.logout()
    accept_url = reverse("projects:invitation_accept", kwargs={"token": invitation.token})
    response = client.get(accept_url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" in response["Location"]

    client.force_login(invitee)
    page = client.get(accept_url).content.decode()
    assert project.name in page
    assert "Community reporter, Co-producer" in page
    response = client.post(accept_url)
    assert response.status_code == 302
    assert response["Location"] == _url("detail", project)
    roles = set(
        ProjectMembership.objects.filter(project=project, user=invitee).values_list(
            "role", flat=True
        )
    )
    assert roles == {"community_reporter", "member"}
    invitation.refresh_from_db()
    assert invitation.accepted_by == invitee
    assert client.get(_url("detail", project)).status_code == 200

    client.force_login(facilitator)
    html = client.get(_url("members", project)).content.decode()
    assert "There are no invitations waiting." in html


@pytest.mark.django_db
def test_invitation_for_someone_else_is_refused_plainly(client, project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    from cohub.apps.projects.services import invitation_create

    invitation = invitation_create(
        project=project, email="kit@example.org", roles=["member"], actor=facilitator
    )
    wrong = UserFactory(email="not-kit@example.org")
    client.force_login(wrong)
    url = reverse("projects:invitation_accept", kwargs={"token": invitation.token})
    page = client.get(url).content.decode()
    assert "you are logged in as not-kit@example.org" in page
    response = client.post(url)
    assert response.status_code == 400
    assert "sent to a different email address" in response.content.decode()
    assert not ProjectMembership.objects.filter(project=project, user=wrong).exists()


@pytest.mark.django_db
def test_unknown_invitation_token_is_404(client):
    client.force_login(UserFactory())
    url = reverse("projects:invitation_accept", kwargs={"token": "no-such-token"})
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.django_db
def test_removing_your_own_last_role_takes_you_back_to_your_projects(client, project):
    leaving = make_member(project, ProjectRole.FACILITATOR)
    make_member(project, ProjectRole.FACILITATOR)
    client.force_login(leaving)
    response = client.post(
        _url("member_remove", project, user_id=leaving.pk), {"role": ProjectRole.FACILITATOR}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:list")
    assert not leaving.project_memberships.exists()
