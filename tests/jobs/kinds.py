"""Job kinds the jobs tests run; registered on import."""

from __future__ import annotations

import time

from cohub.apps.jobs.models import Job
from cohub.apps.jobs.registry import Progress, register

# Jobs whose handler should fail, by id; tests add and remove ids.
FAILING_JOB_IDS: set[int] = set()


@register("test.succeeds", label="Counting the words")
def succeeds(job: Job, progress: Progress) -> dict:
    return {"words": len(job.params.get("text", "").split())}


@register("test.flaky", max_attempts=3, retry_backoff_s=0)
def fails_twice(job: Job, progress: Progress) -> dict:
    if job.attempts < 3:
        raise ConnectionError(f"the service did not answer (attempt {job.attempts})")
    return {"attempt": job.attempts}


@register("test.always_fails", max_attempts=3, retry_backoff_s=0)
def always_fails(job: Job, progress: Progress) -> dict:
    raise ValueError("the file is not a transcript")


@register("test.fails_when_told", max_attempts=1)
def fails_when_told(job: Job, progress: Progress) -> dict:
    if job.pk in FAILING_JOB_IDS:
        raise RuntimeError("told to fail")
    return {"ok": True}


@register("test.reports_progress")
def reports_progress(job: Job, progress: Progress) -> dict:
    progress(40, "Halfway through the recording")
    stored = Job.objects.values("progress", "progress_message").get(pk=job.pk)
    progress(250, "x" * 500)  # clamped to 100 and cut to the field's length
    clamped = Job.objects.values("progress", "progress_message").get(pk=job.pk)
    return {
        "seen": [stored["progress"], stored["progress_message"]],
        "clamped": [clamped["progress"], len(clamped["progress_message"])],
    }


@register("test.slow", max_attempts=1, timeout_s=0.2)
def slow(job: Job, progress: Progress) -> dict:
    time.sleep(5)
    return {}


@register("test.bad_result", max_attempts=1)
def bad_result(job: Job, progress: Progress) -> dict:
    return ["not", "a", "dict"]  # type: ignore[return-value]


@register("test.deferred_retry", max_attempts=2, retry_backoff_s=60)
def fails_then_waits(job: Job, progress: Progress) -> dict:
    if job.attempts < 2:
        raise ConnectionError("try later")
    return {"attempt": job.attempts}


@register("test.superseded")
def superseded(job: Job, progress: Progress) -> dict:
    # Another worker takes the job over while this attempt is still going.
    Job.objects.filter(pk=job.pk).update(attempts=job.attempts + 1)
    return {"from": "the old attempt"}
