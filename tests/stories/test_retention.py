"""Stories are kept only until the date the storyteller agreed to."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cohub.apps.analysis.models import CodingEvent, Highlight
from cohub.apps.analysis.services import highlight_create
from cohub.apps.core.models import Event
from cohub.apps.jobs.models import Job, JobStatus
from cohub.apps.stories.models import Segment, Story, Transcript
from cohub.apps.stories.services import consent_withdraw, stories_purge_expired
from tests.factories import ALL_SCOPES, make_story, make_storyteller

pytestmark = pytest.mark.django_db


def _story_kept_until(project, keep_until: dt.date, pseudonym: str) -> Story:
    teller = make_storyteller(
        project, pseudonym=pseudonym, consent={**ALL_SCOPES, "keep_until": keep_until}
    )
    story = make_story(project, storyteller=teller, title=pseudonym, text=f"{pseudonym}: hello.")
    highlight_create(
        story=story,
        transcript=story.transcripts.get(),
        char_start=0,
        char_end=5,
        actor=None,
    )
    return story


def test_expired_stories_and_all_they_made_are_removed(project):
    today = timezone.localdate()
    expiring = _story_kept_until(project, today + dt.timedelta(days=3), "Ash")
    lasting = _story_kept_until(project, today + dt.timedelta(days=30), "Bo")

    assert stories_purge_expired(today=today) == 0
    removed = stories_purge_expired(today=today + dt.timedelta(days=4))

    assert removed == 1
    assert list(Story.objects.values_list("pk", flat=True)) == [lasting.pk]
    assert not Transcript.objects.filter(story_id=expiring.pk).exists()
    assert not Segment.objects.filter(transcript__story_id=expiring.pk).exists()
    assert not Highlight.objects.filter(review_sheet__story_id=expiring.pk).exists()
    assert not CodingEvent.objects.filter(story_id=expiring.pk).exists()
    event = Event.objects.get(verb="consent.expired")
    assert event.data["stories_removed"] == 1
    # Running it again finds nothing more to do.
    assert stories_purge_expired(today=today + dt.timedelta(days=4)) == 0


def test_a_newer_consent_with_a_later_date_keeps_the_story(project):
    from cohub.apps.stories.services import consent_record

    today = timezone.localdate()
    story = _story_kept_until(project, today + dt.timedelta(days=1), "Cal")
    consent_record(storyteller=story.storyteller, actor=None, **{**ALL_SCOPES, "keep_until": None})
    assert stories_purge_expired(today=today + dt.timedelta(days=10)) == 0
    assert Story.objects.filter(pk=story.pk).exists()


def test_the_worker_queues_the_purge_as_one_job(project, django_capture_on_commit_callbacks):
    from cohub.apps.jobs.services import jobs_queue_due_periodic

    _story_kept_until(project, timezone.localdate() + dt.timedelta(days=1), "Dee")
    with django_capture_on_commit_callbacks(execute=True):
        jobs_queue_due_periodic()
        jobs_queue_due_periodic()  # a second worker, or a second round, before it ran
    job = Job.objects.get(kind="stories.purge_expired")
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"stories_removed": 0}  # nothing has expired yet


def test_withdrawal_clears_the_notes_on_earlier_consent(project):
    teller = make_storyteller(project, pseudonym="Eli")
    first = teller.consent_records.get()
    first.note = "Agreed at the drop-in on Leigh Street with her sister present."
    first.save()
    consent_withdraw(storyteller=teller, actor=None, note="Asked by phone")
    notes = dict(teller.consent_records.values_list("version", "note"))
    assert notes == {1: "", 2: "Asked by phone"}
