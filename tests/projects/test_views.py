"""Project pages: who sees what, who may change what, and the invitation flow end to end."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cohub.apps.accounts.models import User
from cohub.apps.projects import services
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
def test_create_is_for_organisation_admins_and_facilitators(client, project, role):
    # The "outsider" facilitates a project of another organisation, so may start one there.
    _client_for(client, project, role)
    _expect(client.get(reverse("projects:create")), role, {"org_admin", "facilitator", "outsider"})


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
    assert ("Start a project" in html) == (role in {"org_admin", "facilitator", "outsider"})


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
    assert "Choose one of the organisations in the list" in response.content.decode()
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
def test_member_remove_only_for_people_in_this_project(client, project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    stranger = make_member(ProjectFactory(), ProjectRole.MEMBER)
    client.force_login(facilitator)
    url = _url("member_remove", project, user_id=stranger.pk)
    assert client.get(url, {"role": ProjectRole.MEMBER}).status_code == 404
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
    assert "this hub does not send email" in html
    assert "Invitations not yet accepted" in html

    # Logged out, with an account for the address: log in, and come back here.
    client.logout()
    accept_url = reverse("projects:invitation_accept", kwargs={"token": invitation.token})
    page = client.get(accept_url).content.decode()
    log_in_url = f"{reverse('accounts:login')}?next={accept_url.replace('/', '%2F')}"
    assert f'href="{log_in_url}"' in page
    assert "Log in to accept" in page
    assert "Make my account" not in page

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
    invitation = services.invitation_create(
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


# --- The invitation link, for each visitor --------------------------------------------


def _invitation(project, email="kit@example.org", roles=("member",)):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    return services.invitation_create(
        project=project, email=email, roles=list(roles), actor=facilitator
    )


def _link(invitation):
    return reverse("projects:invitation_accept", kwargs={"token": invitation.token})


JOIN = {
    "display_name": "Kit Lee",
    "new_password1": "tea garden tuesday",
    "new_password2": "tea garden tuesday",
}


@pytest.mark.django_db
def test_a_new_person_makes_their_account_on_the_invitation_page_and_lands_in_the_project(
    client, project
):
    invitation = _invitation(project, roles=("community_reporter",))
    page = client.get(_link(invitation)).content.decode()
    assert "Make your account" in page
    assert 'value="kit@example.org"' in page and "readonly" in page
    assert "Log in to accept" not in page

    response = client.post(_link(invitation), {**JOIN, "email": "someone.else@example.org"})

    assert response.status_code == 302
    assert response["Location"] == _url("detail", project)
    kit = User.objects.get(email="kit@example.org")  # the invitation's address, not the posted one
    assert kit.display_name == "Kit Lee"
    assert client.session["_auth_user_id"] == str(kit.pk)
    assert set(kit.project_memberships.values_list("role", flat=True)) == {"community_reporter"}
    welcome = client.get(response["Location"]).content.decode()
    assert f"Welcome to {project.name}, Kit Lee" in welcome
    # A second click of the same button lands in the same place.
    client.logout()
    again = client.post(_link(invitation), JOIN)
    assert again["Location"] == _url("detail", project)
    assert User.objects.filter(email="kit@example.org").count() == 1


@pytest.mark.django_db
def test_join_form_says_what_to_fix_in_our_words(client, project):
    invitation = _invitation(project)
    html = client.post(
        _link(invitation),
        {"display_name": "", "new_password1": "12345678", "new_password2": "1234567"},
    ).content.decode()
    assert "There is a problem" in html
    assert "Enter the name you would like other people to see." in html
    assert "Your password cannot be only numbers." in html
    assert "The two passwords are not the same." in html
    assert "This password is entirely numeric" not in html  # Django's own words
    html = client.post(
        _link(invitation), {**JOIN, "new_password1": "password", "new_password2": "password"}
    ).content.decode()
    assert "That password is used by many people" in html
    assert not invitation.project.memberships.filter(user__email="kit@example.org").exists()


@pytest.mark.django_db
def test_an_existing_account_logs_in_to_accept_and_comes_back(client, project):
    invitation = _invitation(project)
    kit = UserFactory(email="kit@example.org")
    page = client.get(_link(invitation)).content.decode()
    assert "You already have a cohub account with kit@example.org" in page
    assert "Make my account" not in page
    # A join form posted anyway (an old tab) makes no second account and takes no password.
    response = client.post(_link(invitation), JOIN)
    assert "Log in to accept" in response.content.decode()
    kit.refresh_from_db()
    assert not kit.check_password(JOIN["new_password1"])

    login = client.get(f"{reverse('accounts:login')}?next={_link(invitation)}")
    assert f'name="next" value="{_link(invitation)}"' in login.content.decode()
    response = client.post(
        reverse("accounts:login"),
        {
            "username": kit.email,
            "password": "correct horse battery staple",
            "next": _link(invitation),
        },
    )
    assert response["Location"] == _link(invitation)
    assert client.post(_link(invitation))["Location"] == _url("detail", project)


@pytest.mark.django_db
def test_the_wrong_person_is_told_before_any_button_and_can_log_out_and_continue(client, project):
    invitation = _invitation(project)
    client.force_login(UserFactory(email="sam@example.org"))
    page = client.get(_link(invitation)).content.decode()
    main = page[page.index('<main id="main"') :]
    notice = main.index(
        "This invitation is for kit@example.org; you are logged in as sam@example.org."
    )
    assert notice < main.index("<button")
    assert "Accept and join" not in page
    assert 'action="/accounts/logout/"' in main
    assert f'name="next" value="{_link(invitation)}"' in main

    response = client.post(reverse("accounts:logout"), {"next": _link(invitation)})
    assert response["Location"] == _link(invitation)
    assert "Make your account" in client.get(_link(invitation)).content.decode()


@pytest.mark.django_db
def test_an_expired_link_says_so_and_who_to_ask(client, project):
    invitation = _invitation(project)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(days=1)
    )
    for user in (None, UserFactory(email="kit@example.org")):
        if user:
            client.force_login(user)
        page = client.get(_link(invitation)).content.decode()
        assert "This invitation has expired" in page
        assert f"Please ask {invitation.invited_by}, who invited you, for a new one." in page
        assert "Make my account" not in page and "Accept and join" not in page
    response = client.post(_link(invitation))
    assert response.status_code == 400
    assert not ProjectMembership.objects.filter(project=project, user__email="kit@example.org")


@pytest.mark.django_db
def test_a_cancelled_link_says_so_and_makes_no_account(client, project):
    invitation = _invitation(project)
    services.invitation_cancel(invitation=invitation, actor=invitation.invited_by)
    page = client.get(_link(invitation)).content.decode()
    assert "This invitation was cancelled" in page
    assert f"Please ask {invitation.invited_by}, who invited you, for a new one." in page
    response = client.post(_link(invitation), JOIN)
    assert response.status_code == 400
    assert not User.objects.filter(email="kit@example.org").exists()


@pytest.mark.django_db
def test_a_used_link_says_so_to_anyone_else(client, project):
    invitation = _invitation(project)
    services.invitation_accept(invitation=invitation, user=UserFactory(email="kit@example.org"))
    page = client.get(_link(invitation)).content.decode()
    assert "This invitation has already been used" in page
    assert "Make my account" not in page


# --- Invitations on the members page: status, expiry, copy, cancel, email --------------


@pytest.mark.django_db
def test_members_page_shows_each_open_invitation_with_its_status_link_and_cancel(client, project):
    waiting = _invitation(project, email="kit@example.org")
    expired = _invitation(project, email="sam@example.org")
    Invitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - dt.timedelta(days=1)
    )
    facilitator = waiting.invited_by
    client.force_login(facilitator)
    html = client.get(_url("members", project)).content.decode()
    assert "Waiting: the link works until" in html
    assert "<strong>Expired</strong> on" in html
    assert f"http://testserver{_link(waiting)}" in html  # as text, for people without JavaScript
    assert f"http://testserver{_link(expired)}" not in html  # a dead link is not offered
    assert f'data-copy="invitation-link-{waiting.pk}" hidden' in html
    assert f'role="status" data-copy-status="invitation-link-{waiting.pk}"' in html
    for invitation in (waiting, expired):
        assert _url("invitation_cancel", project, invitation_id=invitation.pk) in html


@pytest.mark.django_db
def test_cancelling_asks_first_then_stops_the_link(client, project):
    invitation = _invitation(project)
    client.force_login(invitation.invited_by)
    url = _url("invitation_cancel", project, invitation_id=invitation.pk)
    page = client.get(url).content.decode()
    assert "Cancel the invitation for kit@example.org?" in page
    assert "Yes, cancel the invitation" in page
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None

    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == _url("members", project)
    html = response.content.decode()
    assert "The invitation for kit@example.org is cancelled." in html
    assert "There are no invitations waiting." in html
    invitation.refresh_from_db()
    assert invitation.cancelled_by == invitation.invited_by
    # Opening it again goes back to the list, saying it is no longer open.
    assert "is no longer open" in client.get(url, follow=True).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_facilitators_and_admins_can_cancel_an_invitation(client, project, role):
    invitation = _invitation(project)
    _client_for(client, project, role)
    response = client.post(_url("invitation_cancel", project, invitation_id=invitation.pk))
    invitation.refresh_from_db()
    assert (invitation.cancelled_at is not None) == (role in CAN_RUN)
    if role not in CAN_RUN:
        assert response.status_code in (302, 403)


@pytest.mark.django_db
def test_an_invitation_of_another_project_cannot_be_cancelled_from_this_one(client, project):
    other = _invitation(ProjectFactory())
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    response = client.post(_url("invitation_cancel", project, invitation_id=other.pk))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.cancelled_at is None


@pytest.mark.django_db
def test_inviting_emails_the_link_when_the_hub_sends_email(client, project, settings):
    settings.COHUB_EMAIL_ENABLED = True
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    html = client.get(_url("members", project)).content.decode()
    assert "Send the invitation" in html
    response = client.post(
        _url("member_invite", project),
        {"email": "kit@example.org", "roles": ["member"]},
        follow=True,
    )
    invitation = Invitation.objects.get(project=project)
    (message,) = mail.outbox
    assert message.to == ["kit@example.org"]
    assert f"http://testserver{_link(invitation)}" in message.body
    assert "We have emailed the invitation to kit@example.org." in response.content.decode()


@pytest.mark.django_db
def test_inviting_sends_nothing_when_the_hub_sends_no_email(client, project, settings):
    settings.COHUB_EMAIL_ENABLED = False
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    response = client.post(
        _url("member_invite", project),
        {"email": "kit@example.org", "roles": ["member"]},
        follow=True,
    )
    assert mail.outbox == []
    html = response.content.decode()
    assert "This hub does not send email, so copy the link below" in html
    assert 'id="new-invitation-link-' in html


# --- Facilitators start projects -----------------------------------------------------------


def _new_project_data(organisation, name="Second project"):
    return {"organisation": organisation.pk, "name": name, "purpose": "p", "opening_question": "q"}


@pytest.mark.django_db
def test_facilitator_starts_a_project_in_their_organisation_only(client, project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    client.force_login(facilitator)
    response = client.post(reverse("projects:create"), _new_project_data(project.organisation))
    started = Project.objects.get(name="Second project")
    assert response["Location"] == _url("detail", started)
    assert started.organisation == project.organisation
    assert ProjectMembership.objects.filter(
        project=started, user=facilitator, role=ProjectRole.FACILITATOR
    ).exists()
    elsewhere = OrganisationFactory()
    refused = client.post(reverse("projects:create"), _new_project_data(elsewhere, "Sneaky"))
    assert "Choose one of the organisations in the list" in refused.content.decode()
    assert not Project.objects.filter(name="Sneaky").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["community_reporter", "member", "decision_maker"])
def test_others_cannot_start_a_project_and_are_told_whom_to_ask(client, project, role):
    _client_for(client, project, role)
    response = client.get(reverse("projects:create"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "You cannot start a project yet" in html
    assert "Ask an admin of your organisation" in html
    assert "ask the person who runs your project" not in html


# --- The 403 page says who may, and whom to ask ------------------------------------------


@pytest.mark.django_db
def test_refusal_names_who_may_and_the_facilitators_to_ask(client, project, story):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    reporter = make_member(project, ProjectRole.COMMUNITY_REPORTER)
    client.force_login(reporter)
    url = reverse(
        "stories:story_delete", kwargs={"project_slug": project.slug, "story_id": story.pk}
    )
    response = client.get(url)
    assert response.status_code == 403
    html = response.content.decode()
    assert f"Only facilitators and organisation admins of &#x27;{project.name}&#x27; may " in html
    assert "may delete stories." in html
    assert f"ask {facilitator}, who facilitates the project" in html


@pytest.mark.django_db
def test_refusal_to_an_outsider_names_nobody_in_the_project(client, project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    client.force_login(user_for_role(project, "outsider"))
    response = client.get(_url("members", project))
    assert response.status_code == 403
    html = response.content.decode()
    assert "This project is only for the people taking part" in html
    assert str(facilitator) not in html


@pytest.mark.django_db
def test_refusal_with_no_facilitator_to_ask_points_to_the_organisation(client, project, story):
    client.force_login(make_member(project, ProjectRole.MEMBER))
    url = reverse(
        "stories:story_delete", kwargs={"project_slug": project.slug, "story_id": story.pk}
    )
    html = client.get(url).content.decode()
    assert f"ask an admin of {project.organisation.name}" in html
    assert "ask the person who runs" not in html


# --- Removing a role: never the last facilitator, and always asked first -------------------


@pytest.mark.django_db
def test_the_last_facilitator_is_offered_no_remove_button(client, project):
    facilitator = make_member(project, ProjectRole.FACILITATOR, ProjectRole.MEMBER)
    client.force_login(facilitator)
    html = client.get(_url("members", project)).content.decode()
    remove_url = _url("member_remove", project, user_id=facilitator.pk)
    assert f'{remove_url}?role=member"' in html
    assert f'{remove_url}?role=facilitator"' not in html
    assert "The only facilitator" in html

    make_member(project, ProjectRole.FACILITATOR)
    html = client.get(_url("members", project)).content.decode()
    assert f'{remove_url}?role=facilitator"' in html


@pytest.mark.django_db
def test_removing_a_role_asks_first_and_only_the_post_removes(client, project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    member = make_member(project, ProjectRole.MEMBER)
    client.force_login(facilitator)
    url = _url("member_remove", project, user_id=member.pk)
    page = client.get(url, {"role": ProjectRole.MEMBER})
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Remove the co-producer role from {member}?" in html
    assert "will no longer take part" in html
    assert 'method="post"' in html
    assert member.project_memberships.filter(role=ProjectRole.MEMBER).exists()
    client.post(url, {"role": ProjectRole.MEMBER})
    assert not member.project_memberships.exists()


@pytest.mark.django_db
def test_confirming_the_last_facilitators_removal_offers_no_button(client, project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    client.force_login(facilitator)
    page = client.get(
        _url("member_remove", project, user_id=facilitator.pk), {"role": ProjectRole.FACILITATOR}
    )
    html = page.content.decode()
    assert "is the only facilitator" in html
    assert "Yes, remove" not in html
