"""Changing a story in the browser: its title and date, and its words, each with undo.

Every change goes through a stories service that writes an audit event and a
``StoryEdit`` row; the story's edit page then offers to undo the newest
change in one click. Changing the words writes a new transcript version, and
key quotes follow it (``stories.revisions``).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.core.errors import ServiceError
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project
from cohub.apps.stories import services
from cohub.apps.stories.consent import Withheld
from cohub.apps.stories.forms.stories import (
    StoryDetailsForm,
    StoryPartEditForm,
    StoryTextEditForm,
)
from cohub.apps.stories.models import Story, StoryEdit, Transcript
from cohub.apps.stories.selectors import (
    story_get,
    story_speakers,
    story_transcript,
    transcript_segments,
)


def story_edit_url(project: Project, story_id: int) -> str:
    return reverse(
        "stories:story_edit", kwargs={"project_slug": project.slug, "story_id": story_id}
    )


def _said(revision: services.Revision) -> str:
    lost = revision.followed.get("quotes_lost", 0)
    text = f"The words are saved as version {revision.transcript.version}."
    if lost:
        text += (
            f" {lost} key quote{'s' if lost != 1 else ''} could not be found in the new words."
            " Check them on the review sheet."
        )
    return text


def _whole_text(transcript: Transcript) -> str:
    """The words as ``Name: words`` lines, as they would be typed."""
    lines = []
    for segment in transcript_segments(transcript):
        name = f"{segment.speaker.display_name}: " if segment.speaker else ""
        lines.append(f"{name}{segment.text}")
    return "\n\n".join(lines)


def _newest_transcript(story: Story) -> Transcript | Withheld:
    transcript = story_transcript(story)
    if transcript is None:
        raise Http404("This story has no text.")
    return transcript


def _withheld(
    request: AuthenticatedHttpRequest, project: Project, story: Story, withheld: Withheld
) -> HttpResponse:
    """The page in place of an editing page while consent keeps the words hidden.

    The services refuse the change in the same words; a POST is told so here,
    before any form could show the words it was about.
    """
    if request.method == "POST":
        messages.error(request, f"Nothing was changed. {withheld.refusal}")
    return render(
        request,
        "stories/story_withheld.html",
        {"project": project, "story": story, "withheld": withheld},
    )


@project_view("stories.change_story")
def story_edit(request: AuthenticatedHttpRequest, project: Project, story_id: int) -> HttpResponse:
    """The title and date, links to change the words, and Undo for the newest change."""
    story = story_get(project, story_id)
    transcript = _newest_transcript(story)
    if isinstance(transcript, Withheld):
        return _withheld(request, project, story, transcript)
    initial = {"title": story.title, "recorded_on": story.recorded_on}
    form = StoryDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.story_update(
                story=story,
                actor=request.user,
                title=form.cleaned_data["title"],
                recorded_on=form.cleaned_data["recorded_on"],
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            if change.edit is None:
                messages.info(request, "Nothing was changed.")
            else:
                messages.success(request, "The title and date are saved.")
            return HttpResponseRedirect(story_edit_url(project, story.pk))
    newest_edit = StoryEdit.objects.filter(story=story).order_by("-created_at", "-id").first()
    return render(
        request,
        "stories/story_edit.html",
        {
            "project": project,
            "story": story,
            "form": form,
            "transcript": transcript,
            "segments": list(transcript_segments(transcript)),
            "versions": Transcript.objects.filter(story=story).order_by("-version"),
            "undo": newest_edit if newest_edit and newest_edit.undone_at is None else None,
        },
    )


@project_view("stories.change_story")
def story_text_edit(
    request: AuthenticatedHttpRequest, project: Project, story_id: int
) -> HttpResponse:
    """All the words at once, with ``Name: words`` lines."""
    story = story_get(project, story_id)
    transcript = _newest_transcript(story)
    if isinstance(transcript, Withheld):
        return _withheld(request, project, story, transcript)
    initial = {"text": _whole_text(transcript), "based_on": transcript.version}
    form = StoryTextEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            revision = services.transcript_revise(
                story=story,
                actor=request.user,
                text=form.cleaned_data["text"],
                reason=form.cleaned_data["reason"],
                based_on_version=form.cleaned_data["based_on"],
            )
        except ServiceError as error:
            form.add_error(None, str(error))  # the person's words stay in the box
        else:
            if revision.changed:
                messages.success(request, _said(revision))
            else:
                messages.info(request, "The words are the same as before, so nothing was changed.")
            return HttpResponseRedirect(story_edit_url(project, story.pk))
    return render(
        request,
        "stories/story_text_edit.html",
        {"project": project, "story": story, "form": form, "transcript": transcript},
    )


@project_view("stories.change_story")
def story_part_edit(
    request: AuthenticatedHttpRequest, project: Project, story_id: int, index: int
) -> HttpResponse:
    """One part: its words and who says them."""
    story = story_get(project, story_id)
    transcript = _newest_transcript(story)
    if isinstance(transcript, Withheld):
        return _withheld(request, project, story, transcript)
    segment = get_object_or_404(transcript.segments.select_related("speaker"), index=index)
    initial = {"text": segment.text, "speaker": segment.speaker, "based_on": transcript.version}
    form = StoryPartEditForm(request.POST or None, initial=initial, speakers=story_speakers(story))
    if request.method == "POST" and form.is_valid():
        try:
            revision = services.transcript_revise_part(
                story=story,
                actor=request.user,
                index=index,
                text=form.cleaned_data["text"],
                speaker=form.cleaned_data["speaker"],
                reason=form.cleaned_data["reason"],
                based_on_version=form.cleaned_data["based_on"],
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            if revision.changed:
                messages.success(request, _said(revision))
            else:
                messages.info(request, "The part is the same as before, so nothing was changed.")
            return HttpResponseRedirect(story_edit_url(project, story.pk))
    return render(
        request,
        "stories/story_part_edit.html",
        {"project": project, "story": story, "form": form, "segment": segment},
    )


@project_view("stories.change_story")
@require_POST
def story_edit_undo(
    request: AuthenticatedHttpRequest, project: Project, story_id: int, edit_id: int
) -> HttpResponse:
    story = story_get(project, story_id)
    edit = get_object_or_404(StoryEdit, story=story, pk=edit_id)
    try:
        services.story_edit_undo(edit=edit, actor=request.user)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Undone. The story is as it was before that change.")
    return HttpResponseRedirect(story_edit_url(project, story.pk))
