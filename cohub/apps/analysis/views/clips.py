"""A key quote on a recorded story as a clip: nudge its edges, download it.

Playing a quote on the story's page plays the recording itself
(``stories:recording_media``) from the clip's start to its end; these views
change where it starts and ends, and cut it out as a file to take away,
only when ``analysis.clips.CLIP_RULES`` allow.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.views.decorators.http import require_POST, require_safe

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.analysis import services
from cohub.apps.analysis.clips import clip_file, clip_filename, clip_require
from cohub.apps.analysis.selectors import highlight_get
from cohub.apps.analysis.services import CLIP_NUDGE_STEP_MS, ClipEdge
from cohub.apps.analysis.views.common import offer_undo, review_sheet_url, safe_next
from cohub.apps.core.errors import ConsentError, ServiceError
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project
from cohub.apps.stories.consent import Withheld, consent_now
from cohub.apps.stories.selectors import story_recording
from cohub.pipeline.clips import ClipError

# What each button says it did, for the Undo message.
_NUDGED = {
    ("start", -1): "The clip now starts a little earlier.",
    ("start", 1): "The clip now starts a little later.",
    ("end", -1): "The clip now ends a little earlier.",
    ("end", 1): "The clip now ends a little later.",
}


@project_view("analysis.code_story")
@require_POST
def clip_nudge(
    request: AuthenticatedHttpRequest, project: Project, highlight_id: int
) -> HttpResponse:
    """Move the start or end of a quote's clip by a quarter of a second; its words stay."""
    highlight = highlight_get(project, highlight_id)
    story = highlight.review_sheet.story
    back = safe_next(request, review_sheet_url(project, story.pk, f"quote-{highlight.pk}"))
    edge, _, way = request.POST.get("move", "").partition("-")
    if edge not in {e.value for e in ClipEdge} or way not in ("earlier", "later"):
        messages.error(request, "Choose whether to move the start or the end, earlier or later.")
        return HttpResponseRedirect(back)
    direction = 1 if way == "later" else -1
    recording = story_recording(story)
    if recording is None:
        messages.error(request, "This story has no recording, so the quote has no clip.")
        return HttpResponseRedirect(back)
    if isinstance(recording, Withheld):
        messages.error(request, f"The clip was not changed. {recording.refusal}")
        return HttpResponseRedirect(back)
    try:
        result = services.highlight_clip_nudge(
            highlight=highlight,
            actor=request.user,
            edge=edge,
            step_ms=direction * CLIP_NUDGE_STEP_MS,
            recording_ms=recording.duration_ms,
        )
    except ServiceError as error:
        messages.error(request, f"The clip was not changed. {error}")
        return HttpResponseRedirect(back)
    if result.changed:
        offer_undo(request, project=project, event=result.event, text=_NUDGED[edge, direction])
    else:
        messages.info(request, "The clip cannot move further that way.")
    return HttpResponseRedirect(back)


@project_view("stories.view_story")
@require_safe
def clip_download(
    request: AuthenticatedHttpRequest, project: Project, highlight_id: int
) -> HttpResponse:
    """The quote's clip cut from the recording as an Ogg Opus file, when the clip rules allow."""
    highlight = highlight_get(project, highlight_id)
    story = highlight.review_sheet.story
    recording = story_recording(story)
    if recording is None:
        return _refused("This quote's story has no recording, so it has no clip.", status=404)
    if isinstance(recording, Withheld):
        return _refused(f"The clip cannot be downloaded. {recording.refusal}")
    try:
        clip_require(highlight, consent_now(story.storyteller))
    except ConsentError as error:
        return _refused(f"The clip cannot be downloaded. {error}")
    except ServiceError as error:
        return _refused(str(error))
    try:
        with clip_file(highlight, recording) as path:
            handle = path.open("rb")  # stays readable after its folder is removed
    except (ClipError, ServiceError) as error:
        return _refused(f"The clip could not be cut: {error}", status=500)
    response = FileResponse(
        handle, as_attachment=True, filename=clip_filename(highlight), content_type="audio/ogg"
    )
    response["Cache-Control"] = "no-store"
    return response  # type: ignore[return-value]  # a streamed file; project_view passes it on


def _refused(message: str, *, status: int = 403) -> HttpResponse:
    response = HttpResponseForbidden(message, content_type="text/plain; charset=utf-8")
    response.status_code = status
    response["Cache-Control"] = "no-store"
    return response  # type: ignore[return-value]  # a streamed file; project_view passes it on
