"""Job kinds of the assessments app: the round report's PDF (ADR 0035), of a project's
round or of a whole organisation's."""

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

    round_id = job.params["round"]
    rounds = AssessmentRound.objects.select_related("project", "organisation")
    if job.project_id is not None:
        assessment = rounds.get(pk=round_id, project_id=job.project_id)
        assert assessment.project is not None
        url = reverse(
            "assess:round_report_pdf_file",
            args=[assessment.project.slug, assessment.pk, job.pk],
        )
    else:
        # A round of a whole organisation (ADR 0028): the job belongs to no project and
        # names the organisation, which must be the round's own; its file is under /o/.
        organisation_id = job.params.get("organisation")
        if organisation_id is None:
            raise ValueError("A round report PDF belongs to a project or names its organisation.")
        assessment = rounds.get(pk=round_id, organisation_id=organisation_id, project=None)
        url = reverse(
            "org_assess:round_report_pdf_file",
            args=[assessment.organisation.slug, assessment.pk, job.pk],
        )
    made = round_report_pdf_make(
        assessment=assessment, actor=job.created_by, job_id=job.pk, progress=progress
    )
    return {**made, "url": url}
