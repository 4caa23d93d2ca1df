"""Recorded stories: add a recording, ask for its transcript, follow the transcription.

The story page itself belongs to analysis (``stories.derived.story_page_url``);
it shows ``stories/_recording_progress.html`` and polls ``recording_status``
here, which answers only people who may read the story.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.core.errors import ServiceError
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project
from cohub.apps.stories.derived import story_page_url
from cohub.apps.stories.forms.stories import RecordingForm
from cohub.apps.stories.models import Story
from cohub.apps.stories.recordings import (
    recording_limits,
    recording_transcribe,
    story_add_recording,
    upload_local_path,
)
from cohub.apps.stories.selectors import recording_progress, story_get, storytellers_for
from cohub.apps.stories.transcription import speakers_default
from cohub.pipeline.media import (
    TOOLS_MISSING_MESSAGE,
    MediaError,
    describe_duration,
    describe_size,
    missing_tools,
)


@project_view("stories.add_story")
def recording_add(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Upload a recording; it is checked, kept and (with consent) queued for transcription."""
    storytellers = storytellers_for(project).filter(withdrawn_at__isnull=True)
    tools_missing = bool(missing_tools())
    form = RecordingForm(request.POST or None, request.FILES or None, storytellers=storytellers)
    if request.method == "POST" and not tools_missing and form.is_valid():
        data = form.cleaned_data
        upload = data["recording"]
        try:
            with upload_local_path(upload) as path:
                added = story_add_recording(
                    project=project,
                    storyteller=data["storyteller"],
                    actor=request.user,
                    path=path,
                    filename=upload.name or "",
                    title=data["title"],
                    recorded_on=data["recorded_on"],
                    speakers=speakers_default(),
                )
        except (MediaError, ServiceError) as error:
            form.add_error("recording", str(error))
        else:
            if added.waiting_for_consent:
                messages.success(
                    request,
                    f"The recording '{added.story.title}' has been kept. It will be written "
                    f"out once {added.story.storyteller.pseudonym} agrees to transcription.",
                )
            else:
                messages.success(
                    request,
                    f"The recording '{added.story.title}' has been added and is being written "
                    "out. This page shows how far it has got.",
                )
            return HttpResponseRedirect(
                story_page_url(project_slug=project.slug, story_id=added.story.pk)
            )
    limits = recording_limits()
    return render(
        request,
        "stories/recording_add.html",
        {
            "project": project,
            "form": form,
            "has_storytellers": storytellers.exists(),
            "tools_missing": TOOLS_MISSING_MESSAGE if tools_missing else "",
            "max_size": describe_size(limits.max_bytes),
            "max_length": describe_duration(limits.max_seconds),
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
