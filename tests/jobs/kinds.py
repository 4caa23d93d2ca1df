"""Job kinds the jobs tests run; registered on import."""

from __future__ import annotations

import os
import signal
import time

from cohub.apps.jobs.models import Job
from cohub.apps.jobs.registry import Outcome, Progress, Provenance, register

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


# Provenance and versions -------------------------------------------------


@register("test.with_provenance", max_attempts=1)
def with_provenance(job: Job, progress: Progress) -> Outcome:
    return Outcome(
        result={"run": job.results.count() + 1},
        provenance=Provenance(
            engine="word-counter",
            model_name="whitespace-split",
            model_version="sha256:" + "ab" * 32,
            parameters={"language": "en", "min_length": 2},
            seed=42,
        ),
    )


@register("test.bad_provenance", max_attempts=1)
def bad_provenance(job: Job, progress: Progress) -> Outcome:
    return Outcome(result={}, provenance=Provenance(parameters={"when": object()}))


# Isolated kinds: each attempt runs in a real child process ---------------


@register("test.isolated", isolated=True, memory_mb=1024, timeout_s=120, max_attempts=1)
def isolated_counts(job: Job, progress: Progress) -> Outcome:
    progress(30, f"Counting in process {os.getpid()}")
    words = job.params.get("text", "").split()
    return Outcome(
        result={"words": len(words), "pid": os.getpid()},
        provenance=Provenance(engine="word-counter", parameters={"split": "whitespace"}, seed=1),
    )


@register("test.isolated_reads_db", isolated=True, timeout_s=120, max_attempts=1)
def isolated_reads_db(job: Job, progress: Progress) -> dict:
    # The child's own connection sees what the worker committed: the claim.
    return {"status_seen": Job.objects.get(pk=job.pk).status}


@register("test.isolated_busy", isolated=True, timeout_s=1, max_attempts=2, retry_backoff_s=0)
def isolated_busy(job: Job, progress: Progress) -> dict:
    progress(10, f"Adding up in process {os.getpid()}")
    # One C call that never returns to the interpreter: no signal alarm can stop it.
    return {"total": sum(range(10**15))}


@register("test.isolated_grows", isolated=True, memory_mb=200, timeout_s=120, max_attempts=1)
def isolated_grows(job: Job, progress: Progress) -> dict:
    progress(10, f"Filling memory in process {os.getpid()}")
    held = []
    # 600 MB in small steps, touched as they come: three times the limit, yet
    # within the address-space backstop, so only the worker's watching stops it.
    for _ in range(150):
        held.append(b"x" * (4 * 1024 * 1024))
        time.sleep(0.005)
    return {"held_mb": 4 * len(held)}


@register(
    "test.isolated_one_huge_block", isolated=True, memory_mb=100, timeout_s=120, max_attempts=1
)
def isolated_one_huge_block(job: Job, progress: Progress) -> dict:
    # 3 GB of zeroed pages that are never touched: resident memory hardly moves,
    # so only the child's address-space cap (RLIMIT_AS) can refuse it.
    block = bytes(3 * 1024**3)
    return {"held_mb": len(block) // 1024**2}


@register("test.isolated_raises", isolated=True, timeout_s=120, max_attempts=2, retry_backoff_s=0)
def isolated_raises(job: Job, progress: Progress) -> dict:
    raise ValueError(f"the recording is silent (attempt {job.attempts})")


@register("test.isolated_killed", isolated=True, timeout_s=120, max_attempts=1)
def isolated_killed(job: Job, progress: Progress) -> dict:
    os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer would
    return {}
