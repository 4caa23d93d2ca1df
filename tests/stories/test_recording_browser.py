"""A recorded story's page follows its transcription in a real browser, without a reload."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohub.apps.jobs.models import Job, JobStatus
from cohub.apps.projects.models import ProjectRole
from cohub.apps.stories.models import Recording
from cohub.apps.stories.recordings import story_add_recording, transcript_write_recognised
from cohub.pipeline.formats import SegmentData
from tests import media_support as media
from tests.browser_support import log_in_as
from tests.factories import ProjectFactory, make_member, make_storyteller

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_story_page_shows_progress_and_then_says_the_transcript_is_ready(
    page, client, settings, tmp_path
):
    from playwright.sync_api import expect

    # Queued and left for a worker; this test plays the worker's part on the rows.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    project = ProjectFactory()
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    added = story_add_recording(
        project=project,
        storyteller=make_storyteller(project),
        actor=facilitator,
        path=media.speech(tmp_path, "kitchen.m4a"),
        filename="kitchen.m4a",
    )
    log_in_as(page, client, facilitator)
    page.goto(reverse("analysis:review_sheet", args=[project.slug, added.story.pk]))
    expect(page.locator('[data-recording-field="message"]')).to_have_text("Waiting for its turn.")

    Job.objects.filter(pk=added.job.pk).update(
        status=JobStatus.RUNNING,
        progress=40,
        progress_message="Writing down what was said: about 2 minutes left",
    )
    # The page asks every few seconds; wait for what a person would see, not a time.
    expect(page.locator('[data-recording-field="message"]')).to_have_text(
        "Writing down what was said: about 2 minutes left"
    )
    expect(page.locator("#recording-percent")).to_have_attribute("value", "40")
    expect(page.locator('[role="status"][data-recording-field="summary"]')).to_have_text(
        "Being written out now."
    )

    transcript_write_recognised(
        recording=Recording.objects.get(pk=added.recording.pk),
        key="browser-test",
        segments=[SegmentData(text="After the flood I lost my flat.", start_ms=0, end_ms=2500)],
        reason="Speech-to-text",
    )
    Job.objects.filter(pk=added.job.pk).update(status=JobStatus.SUCCEEDED, progress=100)
    expect(page.get_by_role("link", name="Show the transcript")).to_be_visible()
    page.get_by_role("link", name="Show the transcript").click()
    expect(
        page.locator("#transcript").get_by_text("After the flood I lost my flat.")
    ).to_be_visible()
