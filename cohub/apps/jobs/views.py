"""The job status page, its JSON twin for polling, and "Try again".

A job someone may not see answers 404, never 403, on every view here, so the
pages do not reveal which job numbers exist (``object_view`` does this). Who
may see a job is decided on the job: its starter, or, for a job that belongs
to a project, that project's rules (``jobs/rules.py``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cohub.apps.core.errors import ServiceError
from cohub.apps.core.permissions import object_view
from cohub.apps.jobs import registry
from cohub.apps.jobs.models import Job, JobResult, JobStatus
from cohub.apps.jobs.selectors import job_latest_result
from cohub.apps.jobs.services import job_retry

FINISHED = {JobStatus.SUCCEEDED, JobStatus.FAILED}


def job_get(pk: int) -> Job:
    return get_object_or_404(Job, pk=pk)


def job_summary(job: Job) -> str:
    """One sentence on where the job stands, for the page and screen readers."""
    if job.status == JobStatus.QUEUED:
        if job.attempts:
            return (
                f"Attempt {job.attempts} of {job.max_attempts} did not work. Waiting to try again."
            )
        return "Waiting to start."
    if job.status == JobStatus.RUNNING:
        attempt = f" (attempt {job.attempts} of {job.max_attempts})" if job.attempts > 1 else ""
        return f"Running{attempt}."
    if job.status == JobStatus.SUCCEEDED:
        return "Done."
    return "This did not finish."


def failure_in_plain_words(job: Job) -> str:
    kind_name = job.error.split(":", 1)[0]
    tries = "once" if job.attempts == 1 else f"{job.attempts} times"
    if kind_name == "JobTimeout":
        return f"It took longer than the time allowed. We tried {tries}."
    if kind_name == "JobMemoryLimit":
        return f"It needed more memory than it is allowed. We tried {tries}."
    if kind_name == "JobCrashed":
        return f"The program running it stopped suddenly. We tried {tries}."
    if kind_name == "WorkerStopped":
        return f"The program running it stopped part-way through. We tried {tries}."
    if kind_name == "UnknownJobKind":
        return "This server does not know how to run this kind of job."
    return f"Something went wrong. We tried {tries}."


def provenance_in_plain_words(record: JobResult) -> list[tuple[str, str]]:
    """How a result was made, as (question, answer) pairs; only what was recorded."""
    lines: list[tuple[str, str]] = []
    if record.engine:
        lines.append(("Made with", record.engine))
    if record.model_name:
        lines.append(("Model", record.model_name))
    if record.model_version:
        lines.append(("Model version", record.model_version))
    if record.parameters:
        settings = "; ".join(f"{key}: {value}" for key, value in sorted(record.parameters.items()))
        lines.append(("Settings", settings))
    if record.seed is not None:
        lines.append(("Random seed (the same seed gives the same result)", str(record.seed)))
    if record.input_hash:
        lines.append(("Fingerprint of what it worked on", record.input_hash))
    return lines


def _result_url(job: Job) -> str:
    """A handler may return ``{"url": "/site/path"}`` to link to what it made."""
    url = job.result.get("url", "") if isinstance(job.result, dict) else ""
    if isinstance(url, str) and url.startswith("/") and not url.startswith("//"):
        return url
    return ""


def _status_payload(request: HttpRequest, job: Job) -> dict[str, Any]:
    failed = job.status == JobStatus.FAILED
    return {
        "id": job.pk,
        "kind": job.kind,
        "kind_label": registry.label_for(job.kind),
        "status": job.status,
        "status_label": job.get_status_display(),
        "finished": job.status in FINISHED,
        "progress": job.progress,
        "progress_message": job.progress_message,
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "summary": job_summary(job),
        "error_plain": failure_in_plain_words(job) if failed else "",
        "error": job.error if failed else "",
        "can_retry": failed and request.user.has_perm("jobs.retry_job", job),
        "result_url": _result_url(job) if job.status == JobStatus.SUCCEEDED else "",
    }


@object_view("jobs.view_job", load=("job_id", job_get))
@require_GET
@never_cache
def job_detail(request: HttpRequest, job: Job) -> HttpResponse:
    latest = job_latest_result(job)
    return render(
        request,
        "jobs/job_detail.html",
        {
            "job": job,
            "status": _status_payload(request, job),
            "latest_result": latest,
            "provenance": provenance_in_plain_words(latest) if latest is not None else [],
        },
    )


@object_view("jobs.view_job", load=("job_id", job_get))
@require_GET
@never_cache
def job_status(request: HttpRequest, job: Job) -> JsonResponse:
    return JsonResponse(_status_payload(request, job))


@object_view("jobs.retry_job", load=("job_id", job_get))
@require_POST
def job_retry_view(request: HttpRequest, job: Job) -> HttpResponse:
    try:
        job = job_retry(job=job, actor=request.user)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Trying again.")
    return redirect("jobs:detail", job_id=job.pk)
