"""Job kinds of the reports app: the clip playlist's download, cut with ffmpeg."""

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
