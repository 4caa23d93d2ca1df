"""Writes for jobs: enqueue, run one attempt, retry, recover from dead workers.

The row is the truth about a job; the django-tasks queue only carries its id.
Every write that finishes an attempt is conditional on the attempt number, so
a worker that was presumed dead and later wakes up cannot overwrite the
outcome of the attempt that replaced it.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import record_event
from cohub.apps.jobs import registry
from cohub.apps.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)

ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)

# A running job is presumed abandoned (its worker died) once its attempt has
# been going for the kind's timeout plus this margin.
STALE_GRACE = timedelta(minutes=2)

ERROR_MAX_CHARS = 2000
MESSAGE_MAX_CHARS = 200


class JobTimeout(Exception):  # the name is shown on the job page, so no "Error" suffix
    """An attempt ran past its kind's ``timeout_s``."""


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
        with _time_limit(job_kind.timeout_s):
            result = job_kind.handler(job, progress)
        result = _clean_result(result)
    except Exception as exc:
        return _job_record_failure(job, attempt, exc)
    return _job_record_success(job, attempt, result)


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
        verb="job.retry",
        target=job,
        project_id=job.project_id,
        data={"kind": job.kind, "previous_error": job.error[:200]},
    )
    _enqueue_on_commit(job.pk)
    logger.info("Job %s queued again by a person after failing", job.pk)
    return job


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
    timeout_s = found.timeout_s if found is not None else registry.DEFAULT_TIMEOUT_S
    return job.started_at + timedelta(seconds=timeout_s) + STALE_GRACE < now


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


def _job_record_success(job: Job, attempt: int, result: dict[str, Any]) -> Job:
    now = timezone.now()
    updated = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=attempt).update(
        status=JobStatus.SUCCEEDED,
        result=result,
        progress=100,
        error="",
        finished_at=now,
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
    error = _describe_error(exc)
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


def _describe_error(exc: Exception) -> str:
    """The exception's type and message, without the traceback (it may quote user data)."""
    message = str(exc).strip()
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return text[:ERROR_MAX_CHARS]


def _clean_result(result: Any) -> dict[str, Any]:
    if result is None:
        return {}
    if not isinstance(result, dict):
        raise TypeError(f"A job handler must return a dict, not {type(result).__name__}.")
    json.dumps(result)  # fail inside the attempt, not while saving the outcome
    return result


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise ``JobTimeout`` in the handler after ``seconds``.

    Enforced with SIGALRM, so only on the main thread of a Unix process (the
    ``db_worker``). Elsewhere the limit still bounds how long a running job
    may look alive to ``job_requeue_abandoned``.
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
