from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from cohub.apps.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def running_job(owner):
    return Job.objects.create(
        kind="test.succeeds",
        created_by=owner,
        status=JobStatus.RUNNING,
        attempts=1,
        progress=40,
        progress_message="Reading the second file",
    )


@pytest.fixture
def failed_job(owner):
    return Job.objects.create(
        kind="test.fails_when_told",
        created_by=owner,
        status=JobStatus.FAILED,
        attempts=1,
        max_attempts=1,
        error="RuntimeError: told to fail",
    )


def test_the_owner_sees_progress_and_a_polite_live_region(client, owner, running_job):
    client.force_login(owner)

    response = client.get(reverse("jobs:detail", args=[running_job.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Counting the words" in html  # the kind's label, not its code name
    assert '<progress id="job-progress" max="100" value="40">40%</progress>' in html
    assert '<label class="label" for="job-progress">Progress</label>' in html
    assert "Reading the second file" in html
    assert 'role="status" aria-live="polite" data-job-field="summary">Running.</p>' in html
    assert reverse("jobs:status", args=[running_job.pk]) in html
    assert "jobs/job_status.js" in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_failed_job_explains_itself_and_offers_to_try_again(client, owner, failed_job):
    client.force_login(owner)

    html = client.get(reverse("jobs:detail", args=[failed_job.pk])).content.decode()

    assert 'data-job-field="summary">This did not finish.</p>' in html
    assert "Something went wrong. We tried once." in html
    assert "RuntimeError: told to fail" in html
    assert 'data-job-section="retry">' in html  # shown, not hidden
    assert ">Try again</button>" in html
    assert "jobs/job_status.js" not in html  # nothing left to poll for


def test_the_status_json_matches_the_page(client, owner, running_job):
    client.force_login(owner)

    response = client.get(reverse("jobs:status", args=[running_job.pk]))

    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "running"
    assert data["status_label"] == "Running"
    assert data["progress"] == 40
    assert data["progress_message"] == "Reading the second file"
    assert data["summary"] == "Running."
    assert data["finished"] is False
    assert data["can_retry"] is False
    assert data["error"] == ""


def test_the_status_json_of_a_failed_job(client, owner, failed_job):
    client.force_login(owner)

    data = client.get(reverse("jobs:status", args=[failed_job.pk])).json()

    assert data["finished"] is True
    assert data["can_retry"] is True
    assert data["error"] == "RuntimeError: told to fail"
    assert data["error_plain"] == "Something went wrong. We tried once."


def test_a_timeout_is_explained_in_plain_words(client, owner, failed_job):
    failed_job.error = "JobTimeout: stopped after the 60 second time limit."
    failed_job.attempts = 3
    failed_job.save()
    client.force_login(owner)

    data = client.get(reverse("jobs:status", args=[failed_job.pk])).json()

    assert data["error_plain"] == "It took longer than the time allowed. We tried 3 times."


@pytest.mark.parametrize("name", ["jobs:detail", "jobs:status"])
def test_someone_elses_job_is_not_found(client, outsider, running_job, name):
    client.force_login(outsider)

    response = client.get(reverse(name, args=[running_job.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("name", ["jobs:detail", "jobs:status"])
def test_a_superuser_may_look_at_any_job(client, superuser, running_job, name):
    client.force_login(superuser)

    assert client.get(reverse(name, args=[running_job.pk])).status_code == 200


@pytest.mark.parametrize("name", ["jobs:detail", "jobs:status", "jobs:retry"])
@override_settings(LOGIN_URL="/accounts/login/")
def test_anonymous_visitors_are_sent_to_log_in(client, running_job, name):
    url = reverse(name, args=[running_job.pk])

    response = client.get(url) if name != "jobs:retry" else client.post(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_a_missing_job_is_not_found(client, owner):
    client.force_login(owner)
    assert client.get(reverse("jobs:detail", args=[424242])).status_code == 404


def test_trying_again_runs_the_job_and_returns_to_its_page(client, owner, failed_job, run_jobs):
    client.force_login(owner)

    with run_jobs():
        response = client.post(reverse("jobs:retry", args=[failed_job.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[failed_job.pk])
    failed_job.refresh_from_db()
    assert failed_job.status == JobStatus.SUCCEEDED
    assert failed_job.attempts == 1


def test_trying_again_a_job_that_did_not_fail_says_so(client, owner, running_job):
    client.force_login(owner)

    response = client.post(reverse("jobs:retry", args=[running_job.pk]), follow=True)

    assert "Only a job that failed can be tried again." in response.content.decode()
    running_job.refresh_from_db()
    assert running_job.status == JobStatus.RUNNING


def test_someone_else_cannot_try_again(client, outsider, failed_job):
    client.force_login(outsider)

    response = client.post(reverse("jobs:retry", args=[failed_job.pk]))

    assert response.status_code == 404
    failed_job.refresh_from_db()
    assert failed_job.status == JobStatus.FAILED


def test_trying_again_needs_a_post(client, owner, failed_job):
    client.force_login(owner)

    assert client.get(reverse("jobs:retry", args=[failed_job.pk])).status_code == 405


@pytest.mark.parametrize(
    ("error", "plain"),
    [
        ("JobMemoryLimit: used more than 512 MB of memory.", "It needed more memory than"),
        ("JobCrashed: the process running it was stopped by SIGSEGV.", "stopped suddenly"),
    ],
)
def test_limits_of_isolated_jobs_are_explained_in_plain_words(
    client, owner, failed_job, error, plain
):
    failed_job.error = error
    failed_job.save()
    client.force_login(owner)

    data = client.get(reverse("jobs:status", args=[failed_job.pk])).json()

    assert data["error_plain"].startswith(plain) or plain in data["error_plain"]
    assert data["error"] == error
