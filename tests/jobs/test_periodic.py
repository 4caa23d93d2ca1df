"""Periodic kinds are declared once and queued once per period by any worker."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from cohub.apps.accounts.jobs import CLEAR_SESSIONS
from cohub.apps.jobs import registry
from cohub.apps.jobs.jobs import PRUNE_PERIODIC
from cohub.apps.jobs.models import Job, JobResult, JobStatus
from cohub.apps.jobs.periodic import PeriodicScheduler
from cohub.apps.jobs.services import (
    jobs_prune_periodic,
    jobs_queue_due_periodic,
    period_start_for,
)
from cohub.apps.stories.jobs import (
    DELETE_FILES,
    EXPIRE_UPLOADS,
    PURGE_EXPIRED,
    VACUUM,
    WARN_KEEP_UNTIL,
)

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 2, 12, 30, tzinfo=UTC)


def test_the_periodic_kinds_are_declared_with_their_periods():
    assert {kind.kind: kind.every for kind in registry.periodic_kinds()} == {
        PURGE_EXPIRED: timedelta(hours=6),
        EXPIRE_UPLOADS: timedelta(hours=1),
        DELETE_FILES: timedelta(hours=1),
        VACUUM: timedelta(hours=24),
        WARN_KEEP_UNTIL: timedelta(hours=6),
        CLEAR_SESSIONS: timedelta(hours=1),
        PRUNE_PERIODIC: timedelta(hours=24),
    }


def test_periods_are_counted_from_the_same_moment_on_every_machine():
    six_hours = timedelta(hours=6)
    assert period_start_for(NOON, six_hours) == datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert period_start_for(NOON + timedelta(hours=5), six_hours) == NOON.replace(hour=12, minute=0)
    assert period_start_for(NOON + timedelta(hours=6), six_hours).hour == 18


def test_a_due_run_is_queued_and_runs(run_jobs):
    with run_jobs():
        queued = jobs_queue_due_periodic(now=NOON)

    job = Job.objects.get(kind=PURGE_EXPIRED)
    uploads = Job.objects.get(kind=EXPIRE_UPLOADS)
    files = Job.objects.get(kind=DELETE_FILES)
    vacuum = Job.objects.get(kind=VACUUM)
    warn = Job.objects.get(kind=WARN_KEEP_UNTIL)
    sessions = Job.objects.get(kind=CLEAR_SESSIONS)
    prune = Job.objects.get(kind=PRUNE_PERIODIC)
    assert sorted(j.pk for j in queued) == sorted(
        [job.pk, uploads.pk, files.pk, vacuum.pk, warn.pk, sessions.pk, prune.pk]
    )
    assert warn.result == {"stories": 0, "emails": 0, "failed": 0}
    assert (files.status, files.result) == (JobStatus.SUCCEEDED, {"left": 0})
    assert vacuum.result == {"vacuumed": 0, "note": "nothing was removed since the last run"}
    assert job.scheduled_for == datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"stories_removed": 0}
    assert uploads.scheduled_for == datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert (uploads.status, uploads.result) == (JobStatus.SUCCEEDED, {"removed": 0})
    assert (sessions.status, sessions.result) == (JobStatus.SUCCEEDED, {"sessions_removed": 0})
    assert (prune.status, prune.result) == (JobStatus.SUCCEEDED, {"rows_removed": 0})


def test_asking_again_in_the_same_period_queues_nothing_even_after_it_ran(run_jobs):
    with run_jobs():
        jobs_queue_due_periodic(now=NOON)
        assert jobs_queue_due_periodic(now=NOON + timedelta(hours=1)) == []
    assert Job.objects.filter(kind=PURGE_EXPIRED).count() == 1

    with run_jobs():
        jobs_queue_due_periodic(now=NOON + timedelta(hours=6))
    assert Job.objects.filter(kind=PURGE_EXPIRED).count() == 2


def test_a_run_still_waiting_from_an_earlier_period_is_not_joined_by_another(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):  # the queue is not worked
        jobs_queue_due_periodic(now=NOON)
        assert jobs_queue_due_periodic(now=NOON + timedelta(hours=6)) == []
    assert Job.objects.filter(kind=PURGE_EXPIRED).count() == 1


def test_the_database_refuses_a_second_run_for_one_period():
    period = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    Job.objects.create(kind=PURGE_EXPIRED, scheduled_for=period, status=JobStatus.SUCCEEDED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(kind=PURGE_EXPIRED, scheduled_for=period)


def test_a_worker_that_loses_the_race_queues_nothing(monkeypatch):
    from django.db.models import QuerySet

    for kind in registry.periodic_kinds():
        Job.objects.create(
            kind=kind.kind,
            scheduled_for=period_start_for(NOON, kind.every),
            status=JobStatus.SUCCEEDED,
        )
    # Both of this worker's checks miss the winner's row; only the constraint stands.
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)

    assert jobs_queue_due_periodic(now=NOON) == []
    assert Job.objects.filter(kind=PURGE_EXPIRED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_thread_queues_due_runs_while_the_worker_is_idle():
    scheduler = PeriodicScheduler(check_every_s=0.01)
    scheduler.start()
    try:
        for _ in range(3000):  # ends as soon as the row is there
            if Job.objects.filter(kind=PURGE_EXPIRED).exists():
                break
            time.sleep(0.01)
    finally:
        scheduler.stop()
    assert Job.objects.filter(kind=PURGE_EXPIRED).count() == 1


def _finished_run(kind: str, *, days_ago: float, status: str = JobStatus.SUCCEEDED) -> Job:
    when = NOON - timedelta(days=days_ago)
    job = Job.objects.create(
        kind=kind,
        scheduled_for=period_start_for(when, timedelta(hours=1)),
        status=status,
        finished_at=when,
    )
    JobResult.objects.create(job=job, version=1, attempt=1, result={"removed": 0})
    return job


def test_old_housekeeping_rows_go_but_each_kinds_newest_and_asked_for_work_stay():
    old = [_finished_run(EXPIRE_UPLOADS, days_ago=d) for d in (40, 35, 31)]
    old_failed = _finished_run(EXPIRE_UPLOADS, days_ago=45, status=JobStatus.FAILED)
    recent = _finished_run(EXPIRE_UPLOADS, days_ago=29)
    only_run = _finished_run(VACUUM, days_ago=90)  # the newest of its kind, however old
    stuck = Job.objects.create(  # still running: never removed
        kind=PURGE_EXPIRED,
        scheduled_for=NOON - timedelta(days=60),
        status=JobStatus.RUNNING,
        finished_at=None,
    )
    asked_for = Job.objects.create(  # work a person asked for: its provenance stays
        kind="test.succeeds", status=JobStatus.SUCCEEDED, finished_at=NOON - timedelta(days=400)
    )

    removed = jobs_prune_periodic(now=NOON, keep_days=30)

    assert removed == 4
    left = set(Job.objects.values_list("pk", flat=True))
    assert left == {recent.pk, only_run.pk, stuck.pk, asked_for.pk}
    assert not left & {job.pk for job in [*old, old_failed]}
    assert not JobResult.objects.filter(job_id__in=[job.pk for job in old]).exists()
    assert jobs_prune_periodic(now=NOON, keep_days=30) == 0  # nothing left to do


def test_the_keep_days_setting_decides_what_is_old(settings):
    settings.COHUB_PERIODIC_JOB_KEEP_DAYS = 10
    first = _finished_run(EXPIRE_UPLOADS, days_ago=12)
    _finished_run(EXPIRE_UPLOADS, days_ago=8)

    assert jobs_prune_periodic(now=NOON) == 1
    assert not Job.objects.filter(pk=first.pk).exists()
