"""Logging in and out, the account page, and the start page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohub.apps.accounts.models import Organisation, OrganisationMembership, User
from cohub.apps.projects.models import Project, ProjectMembership

PASSWORD = "a long and kind passphrase"


@pytest.fixture
def person(db) -> User:
    return User.objects.create_user(
        email="sam@example.org", password=PASSWORD, display_name="Sam Jones"
    )


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_login_page_has_labelled_email_and_password_fields(client):
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label class="label" for="id_username">Email address' in html
    assert 'type="email"' in html
    assert '<label class="label" for="id_password">Password' in html
    assert "autofocus" not in html


@pytest.mark.django_db
def test_login_with_right_password_logs_in(client, person):
    response = client.post(
        reverse("accounts:login"), {"username": "Sam@Example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:list")
    assert client.session["_auth_user_id"] == str(person.pk)


@pytest.mark.django_db
def test_login_follows_next(client, person):
    response = client.post(
        reverse("accounts:login"),
        {"username": person.email, "password": PASSWORD, "next": reverse("accounts:profile")},
    )
    assert response["Location"] == reverse("accounts:profile")


@pytest.mark.django_db
def test_login_with_wrong_password_shows_plain_error_and_does_not_log_in(client, person):
    response = client.post(
        reverse("accounts:login"), {"username": person.email, "password": "not it"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "The email address or password is not right." in html
    assert "<title>Error: Log in — cohub</title>" in html
    assert not is_logged_in(client)


@pytest.mark.django_db
def test_login_with_empty_fields_says_what_to_enter(client):
    html = client.post(reverse("accounts:login"), {"username": "", "password": ""}).content.decode()
    assert "Enter your email address." in html
    assert "Enter your password." in html
    assert 'href="#id_username"' in html
    assert not is_logged_in(client)


@pytest.mark.django_db
def test_logout_needs_post(client, person):
    client.force_login(person)
    response = client.get(reverse("accounts:logout"))
    assert response.status_code == 405
    assert is_logged_in(client)


@pytest.mark.django_db
def test_logout_by_post_logs_out_and_says_so(client, person):
    client.force_login(person)
    response = client.post(reverse("accounts:logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:login")
    assert not is_logged_in(client)
    assert "You have logged out." in response.content.decode()


@pytest.mark.django_db
def test_profile_needs_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('accounts:login')}?next={reverse('accounts:profile')}"
    )


@pytest.mark.django_db
def test_profile_shows_email_name_and_roles(client, person):
    organisation = Organisation.objects.create(name="Northfield Council", slug="northfield")
    OrganisationMembership.objects.create(organisation=organisation, user=person, role="admin")
    project = Project.objects.create(
        organisation=organisation,
        name="After a crisis",
        slug="after-a-crisis",
        purpose="Learn what helps.",
        opening_question="Tell me about a time you needed help.",
    )
    ProjectMembership.objects.create(project=project, user=person, role="facilitator")
    ProjectMembership.objects.create(project=project, user=person, role="community_reporter")
    client.force_login(person)

    html = client.get(reverse("accounts:profile")).content.decode()

    assert "sam@example.org" in html
    assert "Sam Jones" in html
    assert "Northfield Council</strong>: Organisation admin" in html
    # Projects and the roles held in them are on the projects page, which owns them.
    projects = client.get(reverse("projects:list")).content.decode()
    assert "After a crisis" in projects
    assert "Community reporter, Facilitator" in projects
    assert reverse("projects:detail", kwargs={"project_slug": "after-a-crisis"}) in projects
    # The site header offers the way out as a POST form.
    assert f'method="post" action="{reverse("accounts:logout")}"' in html


@pytest.mark.django_db
def test_password_change(client, person):
    client.force_login(person)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another gentle passphrase",
            "new_password2": "another gentle passphrase",
        },
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    person.refresh_from_db()
    assert person.check_password("another gentle passphrase")


@pytest.mark.django_db
def test_home_welcomes_visitors_with_a_login_link(client):
    response = client.get(reverse("projects:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Welcome to cohub" in html
    assert f'href="{reverse("accounts:login")}"' in html


@pytest.mark.django_db
def test_home_sends_logged_in_people_to_their_projects(client, person):
    client.force_login(person)
    response = client.get(reverse("projects:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:list")


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We cannot find that page" in response.content.decode()
