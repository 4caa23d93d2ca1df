"""Logging in and out, the account page, and the start page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
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


@pytest.mark.django_db
def test_password_change_gives_our_words_beside_the_new_password(client, person):
    client.force_login(person)
    html = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    ).content.decode()
    assert "Your password needs at least 12 characters." in html
    assert "This password is too short" not in html  # Django's own words
    assert 'href="#id_new_password1"' in html
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


# --- Forgot your password? --------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_offers_a_forgotten_password_link(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert f'<a href="{reverse("accounts:password_reset")}">Forgot your password?</a>' in html


@pytest.mark.django_db
def test_a_hub_that_sends_no_email_says_who_can_help_instead_of_promising_a_link(
    client, person, settings
):
    settings.COHUB_EMAIL_ENABLED = False
    html = client.get(reverse("accounts:password_reset")).content.decode()
    assert "This hub is not set up to send email" in html
    assert "<form" not in html.split('<main id="main"')[1]
    client.post(reverse("accounts:password_reset"), {"email": person.email})
    assert mail.outbox == []


@pytest.mark.django_db
def test_password_reset_by_email_sets_a_new_password_and_logs_in(client, person, settings):
    settings.COHUB_EMAIL_ENABLED = True
    response = client.post(reverse("accounts:password_reset"), {"email": "SAM@example.org"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert "Check your email" in client.get(response["Location"]).content.decode()
    (message,) = mail.outbox
    assert message.to == [person.email]
    assert message.subject == "Choose a new password for cohub"
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body)
    assert link is not None
    assert "works for 3 days" in message.body

    page = client.get(link.group(1), follow=True)
    assert "Choose a new password" in page.content.decode()
    set_url = page.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "password", "new_password2": "password"})
    assert "That password is used by many people" in weak.content.decode()
    done = client.post(
        set_url,
        {"new_password1": "a new kind phrase", "new_password2": "a new kind phrase"},
        follow=True,
    )
    assert "Your new password is saved" in done.content.decode()
    assert f'href="{reverse("projects:list")}">Carry on<' in done.content.decode()
    person.refresh_from_db()
    assert person.check_password("a new kind phrase")
    assert client.session["_auth_user_id"] == str(person.pk)
    # The link works once.
    client.logout()
    assert "This link does not work" in client.get(link.group(1), follow=True).content.decode()


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, settings):
    settings.COHUB_EMAIL_ENABLED = True
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


@pytest.mark.django_db
def test_password_reset_form_errors_are_ours(client, settings):
    settings.COHUB_EMAIL_ENABLED = True
    html = client.post(reverse("accounts:password_reset"), {"email": ""}).content.decode()
    assert "Enter the email address you log in with." in html
