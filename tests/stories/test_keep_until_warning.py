"""Facilitators are told before a keep-until date: on the project page, and by email once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cohub.apps.projects.models import ProjectRole
from cohub.apps.stories.models import KeepUntilNotice, Story
from cohub.apps.stories.retention import keep_until_notices_send, stories_ending_soon
from cohub.apps.stories.services import consent_record, stories_purge_expired
from tests.factories import ALL_SCOPES, make_member, make_story, make_storyteller

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _kept_until(project, pseudonym: str, days: int, stories: int = 1):
    teller = make_storyteller(
        project,
        pseudonym=pseudonym,
        consent={**ALL_SCOPES, "keep_until": TODAY + dt.timedelta(days=days)},
    )
    for number in range(stories):
        make_story(
            project,
            storyteller=teller,
            title=f"{pseudonym} {number}",
            text=f"Kit: Hello {pseudonym} {number}.",
        )
    return teller


@pytest.fixture
def facilitator(project):
    user = make_member(project, ProjectRole.FACILITATOR)
    user.email = "fac@example.org"
    user.save()
    return user


def test_only_storytellers_within_the_window_are_due(project, settings):
    settings.COHUB_KEEP_UNTIL_WARNING_DAYS = 14
    soon = _kept_until(project, "Kit", 5, stories=2)
    _kept_until(project, "Bo", 30)
    edge = _kept_until(project, "Cal", 14)
    due = stories_ending_soon(project)
    assert [(e.storyteller, e.stories) for e in due] == [(soon, 2), (edge, 1)]
    settings.COHUB_KEEP_UNTIL_WARNING_DAYS = 3
    assert stories_ending_soon(project) == []


def test_facilitators_are_emailed_once_per_story_and_date(project, facilitator, settings):
    settings.COHUB_EMAIL_ENABLED = True
    kit = _kept_until(project, "Kit", 5, stories=2)
    _kept_until(project, "Bo", 30)

    sent = keep_until_notices_send()
    assert (sent.stories, sent.emails, sent.failed) == (2, 1, 0)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["fac@example.org"]
    assert "2 stories reach their keep-until date soon" in email.subject
    assert project.name in email.body
    first = TODAY + dt.timedelta(days=5)
    assert f"{first.day} {first:%B %Y}" in email.body
    # The email leaves the hub, so it names nobody and no story.
    assert "Kit" not in email.body + email.subject
    assert "Kit 0" not in email.body

    # Every later run in the window says nothing more.
    assert keep_until_notices_send().stories == 0
    assert len(mail.outbox) == 1
    assert KeepUntilNotice.objects.filter(emailed=1).count() == 2

    # Consent renewed with a later date, which comes near in turn: a new window, told again.
    consent_record(
        storyteller=kit, actor=None, **{**ALL_SCOPES, "keep_until": TODAY + dt.timedelta(days=10)}
    )
    assert keep_until_notices_send().stories == 2
    assert len(mail.outbox) == 2


def test_without_email_the_notice_is_recorded_and_nothing_is_sent(project, facilitator):
    _kept_until(project, "Kit", 5)
    sent = keep_until_notices_send()
    assert (sent.stories, sent.emails) == (1, 0)
    assert mail.outbox == []


def test_a_mail_server_that_fails_is_tried_again_next_run(project, facilitator, settings):
    # A real refused connection (nothing listens on port 9), not a stand-in.
    settings.COHUB_EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    _kept_until(project, "Kit", 5)
    sent = keep_until_notices_send()
    assert (sent.emails, sent.failed) == (0, 1)
    assert not KeepUntilNotice.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert keep_until_notices_send().emails == 1


def test_the_project_page_tells_facilitators_and_not_others(client, project, facilitator):
    kit = _kept_until(project, "Kit", 1, stories=2)
    _kept_until(project, "Bo", 40)
    client.force_login(facilitator)
    html = client.get(reverse("projects:detail", kwargs={"project_slug": project.slug})).content
    page = html.decode()
    assert "Stories that will be removed soon" in page
    day = TODAY + dt.timedelta(days=1)
    assert f"2 stories are removed on {day.day} {day:%B %Y} (tomorrow)" in page
    detail = reverse(
        "stories:storyteller_detail",
        kwargs={"project_slug": project.slug, "storyteller_id": kit.pk},
    )
    assert f'<a href="{detail}">Kit</a>' in page
    assert "Bo" not in page

    member = make_member(project, ProjectRole.DECISION_MAKER)
    client.force_login(member)
    page = client.get(reverse("projects:detail", kwargs={"project_slug": project.slug}))
    assert "Stories that will be removed soon" not in page.content.decode()


def test_on_the_date_the_notice_ends_and_the_day_after_the_story_is_gone(project, facilitator):
    kit = _kept_until(project, "Kit", 0)
    assert [e.storyteller for e in stories_ending_soon(project)] == [kit]
    keep_until_notices_send()
    assert stories_purge_expired(today=TODAY + dt.timedelta(days=1)) == 1
    assert not Story.objects.filter(storyteller=kit).exists()
    assert not KeepUntilNotice.objects.exists()  # the notices went with the stories
    assert stories_ending_soon(project, today=TODAY + dt.timedelta(days=1)) == []
