"""Recorded stories: add a recording, ask for its transcript, follow the transcription.

The story page itself belongs to analysis (``stories.derived.story_page_url``);
it shows ``stories/_recording_progress.html`` and polls ``recording_status``
here, which answers only people who may read the story.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.core.errors import ServiceError
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project
from cohub.apps.stories.consent import Withheld
from cohub.apps.stories.derived import story_page_url
from cohub.apps.stories.forms.stories import RecorderForm, RecordingForm
from cohub.apps.stories.models import Story
from cohub.apps.stories.playback import play_source, ranged_response
from cohub.apps.stories.recordings import (
    RecordingAdded,
    recording_file_exists,
    recording_limits,
    recording_transcribe,
    story_add_recording,
    upload_local_path,
)
from cohub.apps.stories.resumable import recording_add_uploaded, resumable_script
from cohub.apps.stories.scopes import ConsentScope
from cohub.apps.stories.selectors import (
    consents_for,
    recording_progress,
    story_get,
    story_recording,
    storytellers_for,
    upload_for,
)
from cohub.apps.stories.transcription import speakers_default
from cohub.pipeline.clips import content_type
from cohub.pipeline.media import (
    TOOLS_MISSING_MESSAGE,
    MediaError,
    describe_duration,
    describe_size,
    missing_tools,
)

COVERED_NOT_READY = (
    "The recording is being made ready with the replaced words covered. "
    "It will play here in a few minutes: reload the page then."
)


def _added_message(added: RecordingAdded) -> str:
    if added.waiting_for_consent:
        return (
            f"The recording '{added.story.title}' has been kept. It will be written "
            f"out once {added.story.storyteller.pseudonym} agrees to transcription."
        )
    return (
        f"The recording '{added.story.title}' has been added and is being written "
        "out. This page shows how far it has got."
    )


def _add(
    request: AuthenticatedHttpRequest, project: Project, form: RecordingForm | RecorderForm
) -> RecordingAdded | None:
    """Add the form's recording: the file it carried, or the one sent before in pieces.

    A refusal is put on the form, beside the recording, and None returned.
    """
    data = form.cleaned_data
    token = data.get("upload") or ""
    try:
        if token:
            upload = upload_for(project, request.user, token)
            if upload is None:
                raise ServiceError(
                    "The recording you sent is no longer here (it is removed a day after it "
                    "was sent, or when it is cancelled). Send it again."
                )
            return recording_add_uploaded(
                upload=upload,
                storyteller=data["storyteller"],
                actor=request.user,
                title=data["title"],
                recorded_on=data.get("recorded_on"),
                speakers=speakers_default(),
            )
        upload_file = data["recording"]
        with upload_local_path(upload_file) as path:
            return story_add_recording(
                project=project,
                storyteller=data["storyteller"],
                actor=request.user,
                path=path,
                filename=upload_file.name or "",
                title=data["title"],
                recorded_on=data["recorded_on"],
                speakers=speakers_default(),
            )
    except (MediaError, ServiceError) as error:
        form.add_error("recording" if "recording" in form.fields else None, str(error))
        if token and upload_for(project, request.user, token) is None:
            # The upload went with the refusal: the form must not point at it any more.
            data = request.POST.copy()
            data["upload"] = ""
            form.data = data
        return None


def _received(project: Project, request: AuthenticatedHttpRequest, form: Any) -> Any:
    """The finished upload a form re-shown after a mistake already carries, if any."""
    token = form["upload"].value() if "upload" in form.fields else ""
    return upload_for(project, request.user, token) if token else None


def _capture_context(project: Project) -> dict[str, Any]:
    limits = recording_limits()
    return {
        "project": project,
        "max_size": describe_size(limits.max_bytes),
        "max_length": describe_duration(limits.max_seconds),
        "max_seconds": limits.max_seconds,
        "tus_script": resumable_script(),
        "chunk_size": settings.COHUB_UPLOAD_CHUNK_BYTES,
        "upload_endpoint": reverse("stories:upload_create", kwargs={"project_slug": project.slug}),
    }


@project_view("stories.add_story")
def recording_add(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Upload a recording; it is checked, kept and (with consent) queued for transcription.

    With JavaScript the page sends the file in pieces first (tus) and posts only
    the details with the upload's token; without it, the file comes with the form.
    """
    storytellers = storytellers_for(project).filter(withdrawn_at__isnull=True)
    tools_missing = bool(missing_tools())
    form = RecordingForm(request.POST or None, request.FILES or None, storytellers=storytellers)
    if request.method == "POST" and not tools_missing and form.is_valid():
        added = _add(request, project, form)
        if added is not None:
            messages.success(request, _added_message(added))
            return HttpResponseRedirect(
                story_page_url(project_slug=project.slug, story_id=added.story.pk)
            )
    return render(
        request,
        "stories/recording_add.html",
        {
            **_capture_context(project),
            "form": form,
            "received": _received(project, request, form),
            "has_storytellers": storytellers.exists(),
            "tools_missing": TOOLS_MISSING_MESSAGE if tools_missing else "",
        },
    )


@project_view("stories.add_story")
def recording_record(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Record a story in the browser, send it in pieces, then save it with its details.

    Only for storytellers who agreed that we record their story: the page says
    plainly why not for the others, and the upload and the service refuse too.
    """
    storytellers = storytellers_for(project).filter(withdrawn_at__isnull=True)
    tools_missing = bool(missing_tools())
    initial = {}
    chosen = request.GET.get("storyteller", "")
    if chosen.isdigit() and storytellers.filter(pk=int(chosen)).exists():
        initial["storyteller"] = int(chosen)
    form = RecorderForm(request.POST or None, storytellers=storytellers, initial=initial)
    if request.method == "POST" and not tools_missing and form.is_valid():
        added = _add(request, project, form)
        if added is not None:
            messages.success(request, _added_message(added))
            return HttpResponseRedirect(
                story_page_url(project_slug=project.slug, story_id=added.story.pk)
            )
    consents = consents_for(project)
    refusals = {
        str(storyteller.pk): withheld.refusal
        for storyteller in storytellers
        if (withheld := consents[storyteller.pk].withheld(ConsentScope.RECORD)) is not None
    }
    return render(
        request,
        "stories/recording_record.html",
        {
            **_capture_context(project),
            "form": form,
            "received": _received(project, request, form),
            "has_storytellers": storytellers.exists(),
            "record_refusals": refusals,
            "tools_missing": TOOLS_MISSING_MESSAGE if tools_missing else "",
        },
    )


@project_view("stories.view_story", load=("story_id", story_get))
def recording_status(
    request: AuthenticatedHttpRequest, project: Project, story: Story
) -> JsonResponse:
    """How far the story's transcription has got, for the story page's script."""
    progress = recording_progress(story)
    if progress is None:
        return JsonResponse({"state": "none", "finished": True}, status=404)
    return JsonResponse(progress.as_json())


@project_view("stories.view_story", load=("story_id", story_get))
@require_safe
def recording_media(
    request: AuthenticatedHttpRequest, project: Project, story: Story
) -> HttpResponse:
    """The story's recording to play, a range of bytes at a time so seeking works.

    Checked like the story's page, and against consent to record on every
    request (each seek is one). Served as the probe says it is, never cached.
    Once words were replaced in a shareable version, only those who may hear
    the original do; everyone else hears a copy with those words covered
    (sound only: pictures may show faces), made by a job (ADR 0027).
    """
    recording = story_recording(story)
    if recording is None:
        raise Http404("This story has no recording.")
    if isinstance(recording, Withheld):
        return HttpResponseForbidden(
            f"The recording cannot be played. {recording.refusal}",
            content_type="text/plain; charset=utf-8",
            headers={"Cache-Control": "no-store"},
        )
    if not recording_file_exists(recording):
        raise Http404("The recording's file is missing from storage.")
    name = recording.file.name
    kind = content_type(recording.container, has_video=recording.has_video)
    instead = play_source(story, recording, request.user, project)
    if instead is not None:
        if not instead.ready:
            return HttpResponse(
                COVERED_NOT_READY,
                status=503,
                content_type="text/plain; charset=utf-8",
                headers={"Retry-After": "30"},
            )
        name, kind = instead.name, instead.content_type
    return ranged_response(
        request,
        open_file=lambda: default_storage.open(name, "rb"),
        size=default_storage.size(name),
        content_type=kind,
    )


@project_view("stories.change_story", load=("story_id", story_get))
@require_POST
def recording_transcribe_view(
    request: AuthenticatedHttpRequest, project: Project, story: Story
) -> HttpResponse:
    """Ask for the recording to be written out (after consent arrived, or a failure)."""
    try:
        recording_transcribe(story=story, actor=request.user, speakers=speakers_default())
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The recording is being written out.")
    return HttpResponseRedirect(story_page_url(project_slug=project.slug, story_id=story.pk))
