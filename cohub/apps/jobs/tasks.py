"""The one django-task behind every job: it carries a job id, nothing else."""

from __future__ import annotations

from django_tasks import task

from cohub.apps.jobs.services import job_run


@task()
def run_job(job_id: int) -> dict:
    """Run one attempt of job ``job_id``; the outcome is recorded on the Job row."""
    job = job_run(job_id)
    return {"job_id": job_id, "status": job.status if job is not None else "missing"}
