"""Each success is kept as a result version that says how it was made."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import Event
from cohub.apps.jobs.models import Job, JobResult, JobStatus
from cohub.apps.jobs.registry import file_digest
from cohub.apps.jobs.selectors import job_latest_result
from cohub.apps.jobs.services import job_enqueue, job_rerun

pytestmark = pytest.mark.django_db


def _reload(job: Job) -> Job:
    return Job.objects.get(pk=job.pk)


def test_a_result_records_what_produced_it(run_jobs):
    with run_jobs():
        job = job_enqueue(kind="test.with_provenance", input_hash="c0ffee")

    stored = JobResult.objects.get(job=job)
    assert stored.version == 1
    assert stored.attempt == 1
    assert stored.result == {"run": 1} == _reload(job).result
    assert stored.engine == "word-counter"
    assert stored.model_name == "whitespace-split"
    assert stored.model_version == "sha256:" + "ab" * 32
    assert stored.parameters == {"language": "en", "min_length": 2}
    assert stored.seed == 42
    assert stored.input_hash == "c0ffee"  # the job's, as the handler named none


def test_a_plain_dict_result_is_kept_too_with_nothing_to_explain(run_jobs):
    with run_jobs():
        job = job_enqueue(kind="test.succeeds", params={"text": "a b"})

    stored = job_latest_result(job)
    assert stored is not None
    assert stored.result == {"words": 2}
    assert (stored.engine, stored.model_name, stored.seed) == ("", "", None)


def test_running_a_job_again_keeps_the_earlier_result(run_jobs, owner):
    with run_jobs():
        job = job_enqueue(kind="test.with_provenance", created_by=owner)
    with run_jobs():
        job_rerun(job=_reload(job), actor=owner)

    job = _reload(job)
    assert job.status == JobStatus.SUCCEEDED
    versions = list(job.results.order_by("version").values_list("version", "result"))
    assert versions == [(1, {"run": 1}), (2, {"run": 2})]
    assert job.result == {"run": 2}
    assert job_latest_result(job).version == 2
    assert Event.objects.get(verb="job.rerun").actor == owner


def test_a_job_still_waiting_cannot_be_run_again(owner):
    job = Job.objects.create(kind="test.with_provenance")
    with pytest.raises(ServiceError):
        job_rerun(job=job, actor=owner)


def test_a_failed_attempt_adds_no_result(run_jobs):
    with run_jobs():
        job = job_enqueue(kind="test.always_fails")
    assert not JobResult.objects.filter(job=job).exists()


def test_a_replaced_attempt_adds_no_result(run_jobs):
    with run_jobs():
        job = job_enqueue(kind="test.superseded")
    assert not JobResult.objects.filter(job=job).exists()


def test_provenance_that_cannot_be_stored_fails_the_attempt(run_jobs):
    with run_jobs():
        job = job_enqueue(kind="test.bad_provenance")

    job = _reload(job)
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("TypeError:")
    assert not job.results.exists()


def test_a_model_file_or_folder_has_a_stable_digest(tmp_path):
    weights = tmp_path / "model"
    weights.mkdir()
    (weights / "model.bin").write_bytes(b"\x00\x01weights")
    (weights / "config.json").write_text('{"size": "small"}')

    digest = file_digest(weights)
    assert digest.startswith("sha256:") and len(digest) == 71
    assert file_digest(weights) == digest
    assert file_digest(weights / "model.bin") != digest
    (weights / "config.json").write_text('{"size": "large"}')
    assert file_digest(weights) != digest


def test_the_job_page_says_how_the_result_was_made(client, owner, run_jobs):
    with run_jobs():
        job = job_enqueue(kind="test.with_provenance", created_by=owner, input_hash="c0ffee")
    with run_jobs():
        job_rerun(job=_reload(job), actor=owner)
    client.force_login(owner)

    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()

    assert "How this result was made" in page
    assert "Made with" in page and "word-counter" in page
    assert "Model version" in page and "sha256:" + "ab" * 32 in page
    assert "language: en; min_length: 2" in page
    assert "Random seed" in page and "<code>42</code>" in page
    assert "Fingerprint of what it worked on" in page and "c0ffee" in page
    assert "This is version 2 of the result" in page
    assert "Earlier versions are kept." in page


def test_a_job_with_no_result_yet_shows_no_provenance(client, owner):
    job = Job.objects.create(kind="test.succeeds", created_by=owner, status=JobStatus.RUNNING)
    client.force_login(owner)

    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()

    assert "How this result was made" not in page
