"""The status page in a real browser: it follows the job without a reload."""

from __future__ import annotations

import pytest

from cohub.apps.jobs.models import Job, JobStatus
from tests.browser_support import log_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_page_follows_a_running_job_to_the_end(page, client, owner):
    from playwright.sync_api import expect

    log_in_as(page, client, owner)
    job = Job.objects.create(
        kind="test.succeeds", created_by=owner, status=JobStatus.RUNNING, attempts=1, progress=10
    )
    page.goto(f"/jobs/{job.pk}/")
    summary = page.locator('[role="status"][data-job-field="summary"]')
    expect(summary).to_have_text("Running.")

    Job.objects.filter(pk=job.pk).update(progress=70, progress_message="Nearly there")
    # The page asks every few seconds; wait for what a person would see, not a time.
    expect(page.locator('[data-job-field="progress_message"]')).to_have_text("Nearly there")
    expect(page.locator("#job-progress")).to_have_attribute("value", "70")
    expect(page.locator('[data-job-field="progress_text"]')).to_have_text("70%")

    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="ValueError: nope")
    expect(summary).to_have_text("This did not finish.")
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    expect(page.get_by_text("Finished.")).to_be_hidden()
