"""Job kinds of the reports app: the clip playlist's download (ffmpeg), the report's PDF."""

from __future__ import annotations

from django.urls import reverse

from cohub.apps.jobs.models import Job
from cohub.apps.jobs.registry import Progress, register
from cohub.apps.projects.models import Project
from cohub.apps.reports.playlist import playlist_build_zip, project_playlist

PLAYLIST_ZIP = "reports.playlist_zip"


# ffmpeg runs as a child process with its own time and memory limits (pipeline.media),
# so the job itself is plain Python and runs in the worker. One try: a failure is
# asked for again by pressing the button, with the clips as consent allows then.
@register(PLAYLIST_ZIP, label="Making the clip playlist download", timeout_s=1800, max_attempts=1)
def playlist_zip(job: Job, progress: Progress) -> dict:
    """Cut every clip the playlist may hold now (consent read afresh) and zip them."""
    if job.project_id is None:
        raise ValueError("A playlist download must belong to a project.")
    project = Project.objects.get(pk=job.project_id)
    playlist = project_playlist(project)
    if not playlist.entries:
        raise ValueError("There are no clips that may be played, so there is nothing to download.")
    playlist_build_zip(playlist, job_id=job.pk, progress=progress)
    progress(100, f"The download is ready: {len(playlist.entries)} clips.")
    return {
        "clips": len(playlist.entries),
        "left_out": playlist.left_out_count,
        "digest": playlist.digest,
        "lines": [f"{playlist.left_out_count} clips were left out."]
        if playlist.left_out_count
        else [],
        "url": reverse("reports:playlist_zip", args=[project.slug, job.pk]),
    }


REPORT_PDF = "reports.report_pdf"


# WeasyPrint is plain Python on Pango, with no network (render.py), so the job runs in the
# worker. One try: a failure is asked for again with the button, with consent as it is then.
@register(REPORT_PDF, label="Drawing the findings report as a PDF", timeout_s=900, max_attempts=1)
def report_pdf(job: Job, progress: Progress) -> dict:
    """Draw the report's PDF as consent allows now and keep it for its download."""
    from cohub.apps.reports.models import ReportVersion
    from cohub.apps.reports.report import Kind
    from cohub.apps.reports.services import report_pdf_make

    if job.project_id is None:
        raise ValueError("A report PDF must belong to a project.")
    project = Project.objects.get(pk=job.project_id)
    version_id = job.params.get("version")
    version = (
        ReportVersion.objects.get(pk=version_id, project=project)
        if version_id is not None
        else None
    )
    made = report_pdf_make(
        project=project,
        actor=job.created_by,
        job_id=job.pk,
        kind=Kind.parse(job.params.get("kind")),
        version=version,
        base_url=str(job.params.get("base_url", "")),
        progress=progress,
    )
    return {**made, "url": reverse("reports:report_pdf_file", args=[project.slug, job.pk])}
