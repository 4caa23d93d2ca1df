"""Isolated kinds run in a real child process that the worker stops at its limits.

These start real processes (a fresh interpreter that sets up Django), so each
test takes a second or two.
"""

from __future__ import annotations

import os
import re

import pytest

from cohub.apps.jobs.models import Job, JobStatus
from cohub.apps.jobs.services import job_enqueue

pytestmark = pytest.mark.django_db


def _reload(job: Job) -> Job:
    return Job.objects.get(pk=job.pk)


def _child_pid(job: Job) -> int:
    """The child reports its process id in its progress message."""
    match = re.search(r"process (\d+)", job.progress_message)
    assert match, job.progress_message
    return int(match.group(1))


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_an_isolated_job_runs_in_a_child_and_stores_its_progress_and_result(run_jobs):
    with run_jobs():
        job = job_enqueue(kind="test.isolated", params={"text": "said in another process"})

    job = _reload(job)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["words"] == 4
    assert job.result["pid"] != os.getpid()
    # The child's progress reached the row, through the worker.
    assert job.progress_message == f"Counting in process {job.result['pid']}"
    stored = job.results.get()
    assert (stored.version, stored.engine, stored.seed) == (1, "word-counter", 1)
    assert stored.parameters == {"split": "whitespace"}
    assert _gone(job.result["pid"])


def test_a_native_call_that_never_returns_is_killed_at_the_time_limit_and_retried(run_jobs):
    with run_jobs():
        job = job_enqueue(kind="test.isolated_busy")

    job = _reload(job)
    assert job.status == JobStatus.FAILED
    assert job.attempts == 2  # the kind's retry policy still applies
    assert job.error == "JobTimeout: stopped after the 1 second time limit."
    assert job.progress_message.startswith("Adding up")  # it really was in the loop
    assert _gone(_child_pid(job))


def test_a_job_that_grows_past_its_memory_limit_is_stopped(run_jobs):
    with run_jobs():
        job = job_enqueue(kind="test.isolated_grows")

    job = _reload(job)
    assert job.status == JobStatus.FAILED
    assert job.error == "JobMemoryLimit: used more than 200 MB of memory."
    assert job.result == {}
    assert _gone(_child_pid(job))


def test_one_allocation_far_past_the_memory_limit_fails_the_same_way(run_jobs):
    with run_jobs():
        job = job_enqueue(kind="test.isolated_one_huge_block")

    job = _reload(job)
    assert job.status == JobStatus.FAILED
    assert job.error == "JobMemoryLimit: used more than 100 MB of memory."


def test_an_exception_in_the_child_fails_the_attempt_with_its_message(run_jobs):
    with run_jobs():
        job = job_enqueue(kind="test.isolated_raises")

    job = _reload(job)
    assert job.status == JobStatus.FAILED
    assert job.attempts == 2
    assert job.error == "ValueError: the recording is silent (attempt 2)"


def test_a_child_that_dies_suddenly_is_a_failed_attempt(run_jobs):
    with run_jobs():
        job = job_enqueue(kind="test.isolated_killed")

    job = _reload(job)
    assert job.status == JobStatus.FAILED
    assert job.error == (
        "JobCrashed: the process running it was stopped by SIGKILL "
        "(the system may have run out of memory)."
    )


@pytest.mark.django_db(transaction=True)
def test_the_child_opens_its_own_connection_to_the_same_database(run_jobs):
    with run_jobs():
        job = job_enqueue(kind="test.isolated_reads_db")

    job = _reload(job)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result == {"status_seen": "running"}
