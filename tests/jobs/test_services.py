from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import Event
from cohub.apps.jobs import registry, services
from cohub.apps.jobs.models import Job, JobStatus
from cohub.apps.jobs.services import (
    STALE_GRACE,
    job_enqueue,
    job_requeue_abandoned,
    job_retry,
    job_run,
)
from tests.jobs.kinds import FAILING_JOB_IDS

pytestmark = pytest.mark.django_db


def _reload(job: Job) -> Job:
    return Job.objects.get(pk=job.pk)


def test_a_job_is_queued_only_when_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = job_enqueue(kind="test.succeeds", params={"text": "a b c"})
    assert len(callbacks) == 1
    assert _reload(job).status == JobStatus.QUEUED

    callbacks[0]()

    job = _reload(job)
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"words": 3}


def test_a_job_that_succeeds_stores_its_result(run_jobs, owner):
    with run_jobs():
        job = job_enqueue(kind="test.succeeds", params={"text": "one two"}, created_by=owner)

    job = _reload(job)
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"words": 2}
    assert job.attempts == 1
    assert job.progress == 100
    assert job.created_by == owner
    assert job.started_at is not None and job.finished_at is not None
    assert job.error == ""


def test_a_job_that_fails_twice_succeeds_on_the_third_attempt(run_jobs):
    with run_jobs():
        job = job_enqueue(kind="test.flaky")

    job = _reload(job)
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 3
    assert job.result == {"attempt": 3}
    assert job.error == ""


def test_a_job_that_always_fails_is_marked_failed_with_the_error(run_jobs, caplog):
    with caplog.at_level(logging.WARNING, logger="cohub.apps.jobs"), run_jobs():
        job = job_enqueue(kind="test.always_fails")

    job = _reload(job)
    assert job.status == JobStatus.FAILED
    assert job.attempts == job.max_attempts == 3
    assert job.error == "ValueError: the file is not a transcript"
    assert "Traceback" not in job.error
    assert job.finished_at is not None
    levels = [r.levelname for r in caplog.records if f"Job {job.pk} " in r.getMessage()]
    assert levels.count("WARNING") == 2  # two retries
    assert levels.count("ERROR") == 1  # the final failure, with its traceback in the log
    final = next(r for r in caplog.records if r.levelname == "ERROR")
    assert final.exc_info is not None


def test_progress_updates_are_stored_while_the_job_runs(run_jobs):
    with run_jobs():
        job = job_enqueue(kind="test.reports_progress")

    job = _reload(job)
    assert job.result == {"seen": [40, "Halfway through the recording"], "clamped": [100, 200]}


def test_an_attempt_that_runs_past_its_time_limit_fails(run_jobs):
    with run_jobs():
        job = job_enqueue(kind="test.slow")

    job = _reload(job)
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("JobTimeout: stopped after the 0.2 second time limit")


def test_a_handler_that_returns_something_other_than_a_dict_fails(run_jobs):
    with run_jobs():
        job = job_enqueue(kind="test.bad_result")

    job = _reload(job)
    assert job.status == JobStatus.FAILED
    assert job.error == "TypeError: A job handler must return a dict, not list."


def test_an_unknown_kind_is_refused_at_enqueue():
    with pytest.raises(registry.UnknownJobKind):
        job_enqueue(kind="test.nobody_registered_this")
    assert not Job.objects.exists()


def test_a_job_whose_kind_disappeared_fails_when_run(run_jobs):
    job = Job.objects.create(kind="test.gone", max_attempts=1)
    with run_jobs():
        job_run(job.pk)

    job = _reload(job)
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("UnknownJobKind:")


# Duplicate requests ------------------------------------------------------


def test_a_second_request_for_the_same_input_gets_the_waiting_job(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = job_enqueue(kind="test.succeeds", input_hash="abc", project_id=7)
        second = job_enqueue(kind="test.succeeds", input_hash="abc", project_id=7)
        other_project = job_enqueue(kind="test.succeeds", input_hash="abc", project_id=8)
        no_project = job_enqueue(kind="test.succeeds", input_hash="abc")
        no_project_again = job_enqueue(kind="test.succeeds", input_hash="abc")
        other_kind = job_enqueue(kind="test.flaky", input_hash="abc", project_id=7)
        unhashed = job_enqueue(kind="test.succeeds", project_id=7)
        unhashed_again = job_enqueue(kind="test.succeeds", project_id=7)

    assert second.pk == first.pk
    assert no_project_again.pk == no_project.pk
    distinct = {first.pk, other_project.pk, no_project.pk, other_kind.pk, unhashed.pk}
    assert len(distinct) == 5
    assert unhashed_again.pk != unhashed.pk
    assert len(callbacks) == 6  # one enqueue per job created, none for the repeats


def test_a_running_job_also_counts_as_a_duplicate(run_jobs):
    running = Job.objects.create(
        kind="test.succeeds", input_hash="h", status=JobStatus.RUNNING, started_at=timezone.now()
    )
    assert job_enqueue(kind="test.succeeds", input_hash="h").pk == running.pk


def test_a_finished_job_does_not_block_a_new_request(run_jobs):
    with run_jobs():
        first = job_enqueue(kind="test.succeeds", input_hash="h")
    with run_jobs():
        second = job_enqueue(kind="test.succeeds", input_hash="h")
    assert second.pk != first.pk
    assert _reload(second).status == JobStatus.SUCCEEDED


def test_the_database_refuses_two_active_jobs_for_one_input():
    Job.objects.create(kind="test.succeeds", input_hash="h", project_id=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(kind="test.succeeds", input_hash="h", project_id=None)


def test_a_request_that_loses_the_race_gets_the_winners_job(monkeypatch):
    winner = Job.objects.create(kind="test.succeeds", input_hash="h", project_id=3)
    real_lookup = services._active_duplicate
    calls = []

    def lookup_that_misses_once(**kwargs):
        calls.append(kwargs)
        return None if len(calls) == 1 else real_lookup(**kwargs)

    monkeypatch.setattr(services, "_active_duplicate", lookup_that_misses_once)

    assert job_enqueue(kind="test.succeeds", input_hash="h", project_id=3).pk == winner.pk
    assert Job.objects.count() == 1


# Retry by a person -------------------------------------------------------


def test_a_failed_job_can_be_tried_again(run_jobs, owner):
    with run_jobs():
        job = job_enqueue(kind="test.fails_when_told", created_by=owner)
        FAILING_JOB_IDS.add(job.pk)
    try:
        job = _reload(job)
        assert job.status == JobStatus.FAILED
    finally:
        FAILING_JOB_IDS.discard(job.pk)

    with run_jobs():
        retried = job_retry(job=job, actor=owner)

    assert retried.pk == job.pk
    job = _reload(job)
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 1
    assert job.error == ""
    event = Event.objects.get(verb="job.retry")
    assert event.actor == owner
    assert event.target_id == str(job.pk)


def test_only_a_failed_job_can_be_tried_again(run_jobs, owner):
    with run_jobs():
        job = job_enqueue(kind="test.succeeds")
    with pytest.raises(ServiceError):
        job_retry(job=job, actor=owner)


def test_trying_again_joins_an_identical_job_already_waiting(owner):
    failed = Job.objects.create(kind="test.succeeds", input_hash="h", status=JobStatus.FAILED)
    waiting = Job.objects.create(kind="test.succeeds", input_hash="h")

    assert job_retry(job=failed, actor=owner).pk == waiting.pk
    assert _reload(failed).status == JobStatus.FAILED


# Workers that die ---------------------------------------------------------


def _abandoned_running_job(*, attempts: int, max_attempts: int = 3, **fields) -> Job:
    long_ago = timezone.now() - timedelta(seconds=registry.DEFAULT_TIMEOUT_S) - STALE_GRACE * 2
    return Job.objects.create(
        kind="test.succeeds",
        params={"text": "resumed after a crash"},
        status=JobStatus.RUNNING,
        attempts=attempts,
        max_attempts=max_attempts,
        started_at=long_ago,
        progress=60,
        **fields,
    )


def test_a_job_left_running_by_a_killed_worker_is_resumed(run_jobs):
    job = _abandoned_running_job(attempts=1)

    with run_jobs():
        job_run(job.pk)

    job = _reload(job)
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 2
    assert job.result == {"words": 4}


def test_a_job_running_on_a_live_worker_is_not_run_twice(run_jobs):
    job = Job.objects.create(
        kind="test.succeeds", status=JobStatus.RUNNING, attempts=1, started_at=timezone.now()
    )

    with run_jobs():
        returned = job_run(job.pk)

    assert returned is not None and returned.status == JobStatus.RUNNING
    assert _reload(job).attempts == 1


def test_a_finished_job_is_not_run_again(run_jobs):
    with run_jobs():
        job = job_enqueue(kind="test.succeeds")
    with run_jobs():
        job_run(job.pk)
    assert _reload(job).attempts == 1


def test_running_a_job_that_no_longer_exists_does_nothing():
    assert job_run(999_999) is None


def test_a_killed_worker_on_the_last_attempt_leaves_the_job_failed(run_jobs):
    job = _abandoned_running_job(attempts=3)

    with run_jobs():
        job_run(job.pk)

    job = _reload(job)
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("WorkerStopped:")
    assert job.attempts == 3


def test_abandoned_jobs_are_queued_again_and_then_complete(run_jobs):
    abandoned = _abandoned_running_job(attempts=1)
    out_of_attempts = _abandoned_running_job(attempts=3, input_hash="other")
    live = Job.objects.create(
        kind="test.succeeds", status=JobStatus.RUNNING, attempts=1, started_at=timezone.now()
    )

    with run_jobs():
        changed = job_requeue_abandoned()

    assert {job.pk for job in changed} == {abandoned.pk, out_of_attempts.pk}
    assert _reload(abandoned).status == JobStatus.SUCCEEDED
    assert _reload(abandoned).attempts == 2
    assert _reload(out_of_attempts).status == JobStatus.FAILED
    assert _reload(live).status == JobStatus.RUNNING


def test_all_running_treats_even_recent_attempts_as_abandoned(run_jobs):
    recent = Job.objects.create(
        kind="test.succeeds", status=JobStatus.RUNNING, attempts=1, started_at=timezone.now()
    )

    with run_jobs():
        job_requeue_abandoned(all_running=True)

    assert _reload(recent).status == JobStatus.SUCCEEDED


def test_an_attempt_that_was_replaced_cannot_overwrite_the_job(run_jobs):
    with run_jobs():
        job = job_enqueue(kind="test.superseded")

    job = _reload(job)
    assert job.status == JobStatus.RUNNING  # the newer attempt owns the row now
    assert job.result == {}
