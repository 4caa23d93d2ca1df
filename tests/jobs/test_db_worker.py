"""The real queue: jobs go through django-tasks-db and its ``db_worker``.

Runs with committed rows (``transactional_db``), as the worker only sees what
has been committed, just like a separate worker process would.
"""

from __future__ import annotations

import signal

import pytest
from django.core.management import call_command, get_commands
from django.test import override_settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cohub.apps.jobs.models import Job, JobStatus
from cohub.apps.jobs.services import job_enqueue
from cohub.apps.stories.jobs import PURGE_EXPIRED

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def database_queue():
    with override_settings(TASKS=DATABASE_QUEUE):
        yield


@pytest.fixture(autouse=True)
def restore_signal_handlers():
    """db_worker installs its own SIGINT/SIGTERM handlers; put pytest's back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


def test_a_job_waits_in_the_database_queue_until_the_worker_runs_it():
    job = job_enqueue(kind="test.succeeds", params={"text": "through the real queue"})

    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.READY
    assert task.task_path == "cohub.apps.jobs.tasks.run_job"
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}}
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"words": 4}
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.return_value == {"job_id": job.pk, "status": "succeeded"}


def test_retries_go_back_through_the_queue():
    job = job_enqueue(kind="test.flaky")

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 3
    runs = DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL)
    assert [task.args_kwargs["args"] for task in runs].count([job.pk]) == 3


def test_a_retry_waits_for_its_backoff():
    job = job_enqueue(kind="test.deferred_retry")

    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    assert job.attempts == 1
    assert "ConnectionError: try later" in job.error
    waiting = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert waiting.run_after > job.started_at


def test_the_plain_db_worker_command_is_the_one_that_queues_periodic_jobs():
    # `python manage.py db_worker`, `cohub worker` and `cohub serve` all run it.
    assert get_commands()["db_worker"] == "cohub.apps.jobs"


def test_the_plain_db_worker_queues_and_runs_the_purge_once_per_period():
    run_worker()

    purge = Job.objects.get(kind=PURGE_EXPIRED)
    assert purge.status == JobStatus.SUCCEEDED
    assert purge.scheduled_for is not None
    assert purge.result == {"stories_removed": 0}

    run_worker()  # a second worker, or a restart, in the same period

    assert Job.objects.filter(kind=PURGE_EXPIRED).count() == 1
