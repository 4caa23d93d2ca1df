"""Writes for jobs: enqueue, run one attempt, retry, re-run, periodic runs, dead workers.

The row is the truth about a job; the django-tasks queue only carries its id.
Every write that finishes an attempt is conditional on the attempt number, so
a worker that was presumed dead and later wakes up cannot overwrite the
outcome of the attempt that replaced it. Each success adds a ``JobResult``
version with its provenance; the row's ``result`` is a copy of the latest.
"""

from __future__ import annotations

import json
import logging
import math
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import record_event
from cohub.apps.jobs import isolation, registry
from cohub.apps.jobs.isolation import JobChildFailed, JobTimeout
from cohub.apps.jobs.models import Job, JobResult, JobStatus
from cohub.apps.jobs.registry import Outcome, Provenance

logger = logging.getLogger(__name__)

ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)

# A running job is presumed abandoned (its worker died) once its attempt has
# been going for the kind's limits plus this margin.
STALE_GRACE = timedelta(seconds=registry.LEASE_GRACE_S)

ERROR_MAX_CHARS = 2000
MESSAGE_MAX_CHARS = 200

__all__ = [
    "JobTimeout",
    "describe_error",
    "clean_outcome",
    "job_enqueue",
    "job_requeue_abandoned",
    "job_rerun",
    "job_retry",
    "job_run",
    "jobs_queue_due_periodic",
]


def job_enqueue(
    *,
    kind: str,
    params: dict[str, Any] | None = None,
    project_id: int | None = None,
    created_by: Any = None,
    input_hash: str = "",
) -> Job:
    """Create a job and queue it to run once the surrounding transaction commits.

    With a non-empty ``input_hash``, a waiting or running job of the same kind
    for the same input (and project) is returned instead of a new one, so a
    double click or a second request does not run the work twice. That job may
    have been started by someone else.
    Raises ``registry.UnknownJobKind`` for a kind nobody registered.
    """
    job_kind = registry.get(kind)
    starter = created_by if getattr(created_by, "is_authenticated", False) else None
    with transaction.atomic():
        if input_hash:
            existing = _active_duplicate(kind=kind, input_hash=input_hash, project_id=project_id)
            if existing is not None:
                return existing
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=kind,
                    params=params or {},
                    input_hash=input_hash,
                    project_id=project_id,
                    created_by=starter,
                    max_attempts=job_kind.max_attempts,
                )
        except IntegrityError:
            # Another request created the same job between our check and insert.
            existing = _active_duplicate(kind=kind, input_hash=input_hash, project_id=project_id)
            if existing is None:
                raise
            return existing
        logger.info("Job %s created (kind=%s); queued when the transaction commits", job.pk, kind)
        _enqueue_on_commit(job.pk)
    return job


def job_run(job_id: int) -> Job | None:
    """Run one attempt of a job; this is what the worker's task calls.

    Picks the job only if it is queued, or running with an attempt that has
    outlived its time limit (its worker died); anything else (finished, or
    being run by a live worker) is left alone, so a task delivered twice is
    harmless. Returns the job as it stands afterwards, or ``None`` if it no
    longer exists.
    """
    job = _job_claim(job_id)
    if job is None:
        return Job.objects.filter(pk=job_id).first()
    attempt = job.attempts

    def progress(percent: int, message: str = "") -> None:
        percent = max(0, min(100, int(percent)))
        message = str(message)[:MESSAGE_MAX_CHARS]
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=attempt).update(
            progress=percent, progress_message=message
        )
        job.progress, job.progress_message = percent, message

    try:
        job_kind = registry.get(job.kind)
        if job_kind.isolated:
            outcome = isolation.run_in_child(job=job, job_kind=job_kind, progress=progress)
        else:
            with _time_limit(job_kind.timeout_s):
                outcome = clean_outcome(job_kind.handler(job, progress))
    except Exception as exc:
        return _job_record_failure(job, attempt, exc)
    return _job_record_success(job, attempt, outcome)


@transaction.atomic
def job_retry(*, job: Job, actor: Any) -> Job:
    """Start a failed job again from its first attempt.

    Returns the job that will run: this one, or an identical job someone else
    has started meanwhile. Raises ``ServiceError`` if the job has not failed.
    The caller checks ``jobs.retry_job``.
    """
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.status != JobStatus.FAILED:
        raise ServiceError("Only a job that failed can be tried again.")
    return _job_start_again(job=job, actor=actor, verb="job.retry")


@transaction.atomic
def job_rerun(*, job: Job, actor: Any) -> Job:
    """Run a finished job again, keeping its earlier results as older versions.

    For a new model or changed code: the next success becomes the latest
    ``JobResult`` version and the earlier ones stay. Returns the job that will
    run (this one, or an identical job already waiting). Raises
    ``ServiceError`` while the job is still waiting or running. The caller
    checks permission.
    """
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.status not in (JobStatus.SUCCEEDED, JobStatus.FAILED):
        raise ServiceError("This job has not finished yet.")
    return _job_start_again(job=job, actor=actor, verb="job.rerun")


def _job_start_again(*, job: Job, actor: Any, verb: str) -> Job:
    """Queue a finished job from its first attempt; the caller holds the row lock."""
    if job.input_hash:
        existing = _active_duplicate(
            kind=job.kind, input_hash=job.input_hash, project_id=job.project_id
        )
        if existing is not None:
            return existing
    job_kind = registry.find(job.kind)
    job.status = JobStatus.QUEUED
    job.attempts = 0
    if job_kind is not None:
        job.max_attempts = job_kind.max_attempts
    job.progress = 0
    job.progress_message = ""
    job.started_at = None
    job.finished_at = None
    job.save(
        update_fields=[
            "status",
            "attempts",
            "max_attempts",
            "progress",
            "progress_message",
            "started_at",
            "finished_at",
        ]
    )
    record_event(
        actor=actor,
        verb=verb,
        target=job,
        project_id=job.project_id,
        data={"kind": job.kind, "previous_error": job.error[:200]},
    )
    _enqueue_on_commit(job.pk)
    logger.info("Job %s queued again by a person (%s)", job.pk, verb)
    return job


def jobs_queue_due_periodic(*, now: datetime | None = None) -> list[Job]:
    """Queue this period's run of each periodic kind that has none yet; return those queued.

    Every worker calls this at start and then about once a minute (see the
    ``db_worker`` command in this app), so any number of workers may ask at
    once: the ``jobs_one_run_per_period`` constraint lets exactly one run per
    kind and period in. A period whose run is still waiting or running from
    an earlier period is skipped rather than piling up. Periods missed while
    no worker ran are not caught up: the next run covers them.
    """
    now = now or timezone.now()
    queued: list[Job] = []
    for job_kind in registry.periodic_kinds():
        assert job_kind.every is not None  # noqa: S101 (periodic_kinds only returns these)
        period_start = period_start_for(now, job_kind.every)
        if Job.objects.filter(kind=job_kind.kind, scheduled_for=period_start).exists():
            continue
        if Job.objects.filter(kind=job_kind.kind, status__in=ACTIVE_STATUSES).exists():
            continue
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=job_kind.kind,
                    scheduled_for=period_start,
                    max_attempts=job_kind.max_attempts,
                )
                _enqueue_on_commit(job.pk)
        except IntegrityError:
            continue  # another worker queued this period's run first
        logger.info(
            "Job %s (kind=%s) queued for the period from %s", job.pk, job.kind, period_start
        )
        queued.append(job)
    return queued


def jobs_prune_periodic(*, now: datetime | None = None, keep_days: int | None = None) -> int:
    """Delete the rows of finished periodic runs older than ``keep_days``; return how many.

    Periodic housekeeping leaves some eighty rows a day that nobody reads
    after a while, and a table that only grows slows every jobs page. Only
    runs with a ``scheduled_for`` (periodic ones) that have finished go: work
    people asked for (a transcription, a report) keeps its row and its
    results, because those explain where a transcript or a file came from.
    The newest run of each kind stays whatever its age, so the jobs page can
    still say when it last ran and how it ended.
    """
    now = now or timezone.now()
    keep_days = keep_days if keep_days is not None else settings.COHUB_PERIODIC_JOB_KEEP_DAYS
    finished = Job.objects.filter(
        scheduled_for__isnull=False, status__in=(JobStatus.SUCCEEDED, JobStatus.FAILED)
    )
    newest = finished.values("kind").annotate(newest=Max("id")).values("newest")
    old = finished.filter(finished_at__lt=now - timedelta(days=keep_days)).exclude(id__in=newest)
    with transaction.atomic():
        _, per_model = old.delete()
    removed = per_model.get(Job._meta.label, 0)
    if removed:
        logger.info("Removed %s rows of finished periodic runs (over %s days)", removed, keep_days)
    return removed


def period_start_for(moment: datetime, every: timedelta) -> datetime:
    """The start of the period ``moment`` falls in; periods are counted from 1970 in UTC."""
    length = every.total_seconds()
    start = math.floor(moment.timestamp() / length) * length
    return datetime.fromtimestamp(start, tz=UTC)


def job_requeue_abandoned(*, now: datetime | None = None, all_running: bool = False) -> list[Job]:
    """Queue again the running jobs whose worker died; fail those out of attempts.

    A job counts as abandoned once its attempt has run longer than its kind's
    time limit plus a margin. ``all_running=True`` treats every running job as
    abandoned: only say so when no worker is running (a single-machine
    install, at worker start). Returns the jobs changed.
    """
    now = now or timezone.now()
    changed: list[Job] = []
    for job_id in Job.objects.filter(status=JobStatus.RUNNING).values_list("pk", flat=True):
        with transaction.atomic():
            job = Job.objects.select_for_update().filter(pk=job_id).first()
            if job is None or job.status != JobStatus.RUNNING:
                continue
            if not (all_running or _attempt_abandoned(job, now)):
                continue
            if job.attempts >= job.max_attempts:
                _mark_failed_after_dead_worker(job, now)
            else:
                job.status = JobStatus.QUEUED
                job.progress_message = "Waiting to start again after the worker stopped."
                job.save(update_fields=["status", "progress_message"])
                _enqueue_on_commit(job.pk)
                logger.warning(
                    "Job %s (kind=%s) was abandoned by a stopped worker on attempt %s of %s; "
                    "queued again",
                    job.pk,
                    job.kind,
                    job.attempts,
                    job.max_attempts,
                )
            changed.append(job)
    return changed


# Internals ---------------------------------------------------------------


def _active_duplicate(*, kind: str, input_hash: str, project_id: int | None) -> Job | None:
    project = Q(project_id__isnull=True) if project_id is None else Q(project_id=project_id)
    return (
        Job.objects.filter(project, kind=kind, input_hash=input_hash, status__in=ACTIVE_STATUSES)
        .order_by("created_at", "pk")
        .first()
    )


def _enqueue_on_commit(job_id: int, *, delay_s: float = 0) -> None:
    transaction.on_commit(lambda: _enqueue_now(job_id, delay_s=delay_s))


def _enqueue_now(job_id: int, *, delay_s: float = 0) -> None:
    from cohub.apps.jobs.tasks import run_job

    task = run_job
    if delay_s > 0 and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + timedelta(seconds=delay_s))
    task.enqueue(job_id)


def _attempt_abandoned(job: Job, now: datetime) -> bool:
    if job.started_at is None:
        return True
    found = registry.find(job.kind)
    lease_s = (
        found.lease_s
        if found is not None
        else registry.DEFAULT_TIMEOUT_S + STALE_GRACE.total_seconds()
    )
    return job.started_at + timedelta(seconds=lease_s) < now


def _job_claim(job_id: int) -> Job | None:
    """Mark the job running for a new attempt, or return None if it is not ours to run."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            logger.warning("Job %s was asked to run but no longer exists", job_id)
            return None
        now = timezone.now()
        if job.status == JobStatus.RUNNING and _attempt_abandoned(job, now):
            if job.attempts >= job.max_attempts:
                _mark_failed_after_dead_worker(job, now)
                return None
            logger.warning(
                "Job %s: attempt %s was abandoned by a stopped worker; resuming",
                job.pk,
                job.attempts,
            )
        elif job.status != JobStatus.QUEUED:
            logger.info("Job %s is %s; not running it again", job.pk, job.status)
            return None
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.started_at = now
        job.finished_at = None
        job.progress = 0
        job.progress_message = ""
        job.save(
            update_fields=[
                "status",
                "attempts",
                "started_at",
                "finished_at",
                "progress",
                "progress_message",
            ]
        )
    logger.info(
        "Job %s (kind=%s) attempt %s of %s started",
        job.pk,
        job.kind,
        job.attempts,
        job.max_attempts,
    )
    return job


def _job_record_success(job: Job, attempt: int, outcome: Outcome) -> Job:
    now = timezone.now()
    result = dict(outcome.result)
    provenance = outcome.provenance
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=attempt).update(
            status=JobStatus.SUCCEEDED,
            result=result,
            progress=100,
            error="",
            finished_at=now,
        )
        if updated:
            latest = job.results.aggregate(latest=Max("version"))["latest"] or 0
            JobResult.objects.create(
                job=job,
                version=latest + 1,
                attempt=attempt,
                result=result,
                engine=provenance.engine,
                model_name=provenance.model_name,
                model_version=provenance.model_version,
                parameters=dict(provenance.parameters),
                seed=provenance.seed,
                input_hash=provenance.input_hash or job.input_hash,
            )
    if not updated:
        logger.warning(
            "Job %s attempt %s finished, but another attempt had replaced it; result dropped",
            job.pk,
            attempt,
        )
    else:
        logger.info("Job %s (kind=%s) succeeded on attempt %s", job.pk, job.kind, attempt)
    job.refresh_from_db()
    return job


def _job_record_failure(job: Job, attempt: int, exc: Exception) -> Job:
    now = timezone.now()
    error = describe_error(exc)
    will_retry = attempt < job.max_attempts
    fields: dict[str, Any] = {"error": error}
    if will_retry:
        fields.update(
            status=JobStatus.QUEUED,
            progress_message=f"Attempt {attempt} of {job.max_attempts} failed; trying again.",
        )
    else:
        fields.update(status=JobStatus.FAILED, finished_at=now)
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=attempt).update(
            **fields
        )
        if updated and will_retry:
            found = registry.find(job.kind)
            backoff = found.retry_backoff_s if found is not None else 0
            _enqueue_on_commit(job.pk, delay_s=backoff * 2 ** (attempt - 1))
    if not updated:
        logger.warning(
            "Job %s attempt %s failed, but another attempt had replaced it",
            job.pk,
            attempt,
            exc_info=exc,
        )
    elif will_retry:
        logger.warning(
            "Job %s (kind=%s) attempt %s of %s failed; will retry",
            job.pk,
            job.kind,
            attempt,
            job.max_attempts,
            exc_info=exc,
        )
    else:
        logger.error(
            "Job %s (kind=%s) failed after %s attempts",
            job.pk,
            job.kind,
            attempt,
            exc_info=exc,
        )
    job.refresh_from_db()
    return job


def _mark_failed_after_dead_worker(job: Job, now: datetime) -> None:
    job.status = JobStatus.FAILED
    job.error = (
        f"WorkerStopped: the worker stopped during attempt {job.attempts} of "
        f"{job.max_attempts} and no attempts are left."
    )
    job.finished_at = now
    job.save(update_fields=["status", "error", "finished_at"])
    logger.error("Job %s (kind=%s) failed: %s", job.pk, job.kind, job.error)


def describe_error(exc: BaseException) -> str:
    """The exception's type and message, without the traceback (it may quote user data)."""
    message = str(exc).strip()
    if isinstance(exc, JobChildFailed):
        text = message  # already described in the child
    else:
        text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return text[:ERROR_MAX_CHARS]


_PROVENANCE_LIMITS = {"engine": 100, "model_name": 200, "model_version": 200, "input_hash": 64}


def clean_outcome(value: Outcome | Mapping[str, Any] | None) -> Outcome:
    """Check a handler's answer inside the attempt, so a bad one fails the attempt.

    Saving the outcome must not be where it breaks: by then the work is done
    and the failure would be recorded against nothing.
    """
    if value is None:
        value = Outcome(result={})
    elif isinstance(value, dict):
        value = Outcome(result=value)
    elif not isinstance(value, Outcome):
        raise TypeError(f"A job handler must return a dict, not {type(value).__name__}.")
    if not isinstance(value.result, Mapping):
        raise TypeError(
            f"A job handler's result must be a dict, not {type(value.result).__name__}."
        )
    provenance = value.provenance
    if not isinstance(provenance, Provenance):
        raise TypeError("A job's provenance must be a Provenance.")
    for name, limit in _PROVENANCE_LIMITS.items():
        if len(getattr(provenance, name)) > limit:
            raise ValueError(f"Provenance {name} must be at most {limit} characters.")
    if provenance.seed is not None and not isinstance(provenance.seed, int):
        raise TypeError("A job's seed must be a whole number.")
    result = dict(value.result)
    parameters = dict(provenance.parameters)
    json.dumps(result)  # fail inside the attempt, not while saving the outcome
    json.dumps(parameters)
    return Outcome(result=result, provenance=replace(provenance, parameters=parameters))


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise ``JobTimeout`` in an in-process handler after ``seconds``.

    Enforced with SIGALRM, so only on the main thread of a Unix process (the
    ``db_worker``), and only between Python bytecodes: enough for database
    and text work, which is what in-process kinds do. Native code (model
    inference) is not interrupted by it; such kinds are ``isolated`` and
    stopped by killing their child process instead. Elsewhere the limit
    still bounds how long a running job may look alive to
    ``job_requeue_abandoned``.
    """
    if not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise JobTimeout(f"stopped after the {seconds:g} second time limit.")

    previous_handler = signal.signal(signal.SIGALRM, on_alarm)
    outer_delay, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler or signal.SIG_DFL)
        if outer_delay:
            # A job run inside another job's handler: give the outer limit back.
            remaining = outer_delay - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(remaining, 0.001))
