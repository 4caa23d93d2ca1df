"""Job kinds of the assessments app: the round report's PDF (ADR 0035)."""

from __future__ import annotations

from django.urls import reverse

from cohub.apps.jobs.models import Job
from cohub.apps.jobs.registry import Progress, register

ROUND_REPORT_PDF = "assess.round_report_pdf"


# WeasyPrint is plain Python on Pango with nothing fetched (core/pdf.py), so the job runs
# in the worker. One try: a failure is asked for again with the button, with the answers then.
@register(
    ROUND_REPORT_PDF, label="Drawing the round report as a PDF", timeout_s=900, max_attempts=1
)
def round_report_pdf(job: Job, progress: Progress) -> dict:
    """Draw the round report's PDF from the answers sent by now, and keep it for its download."""
    from cohub.apps.assess.models import AssessmentRound
    from cohub.apps.assess.services import round_report_pdf_make

    if job.project_id is None:
        raise ValueError("A round report PDF must belong to a project.")
    assessment = AssessmentRound.objects.select_related("project", "organisation").get(
        pk=job.params["round"], project_id=job.project_id
    )
    if assessment.project is None:
        raise ValueError("A round report PDF is made for a project's round.")
    made = round_report_pdf_make(
        assessment=assessment, actor=job.created_by, job_id=job.pk, progress=progress
    )
    return {
        **made,
        "url": reverse(
            "assess:round_report_pdf_file",
            args=[assessment.project.slug, assessment.pk, job.pk],
        ),
    }
