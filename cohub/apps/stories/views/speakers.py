"""Who is speaking in a story: see each speaker's name and part, and change them.

Seeing the list needs only ``stories.view_story``; saving a change is its own
view with ``stories.change_speaker``, so the stronger permission guards the POST.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.core.errors import ConsentError, ServiceError
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project
from cohub.apps.stories import services
from cohub.apps.stories.forms.stories import SpeakerForm
from cohub.apps.stories.models import Speaker, Story
from cohub.apps.stories.selectors import speaker_get, story_get, story_speakers, story_withheld


def _speaker_form(speaker: Speaker, data: Any = None) -> SpeakerForm:
    return SpeakerForm(
        data,
        initial={"display_name": speaker.display_name, "part": speaker.part},
        auto_id=f"speaker{speaker.pk}_%s",
    )


def speakers_url(project: Project, story_id: int, anchor: str = "") -> str:
    url = reverse(
        "stories:speaker_list", kwargs={"project_slug": project.slug, "story_id": story_id}
    )
    return f"{url}#{anchor}" if anchor else url


def _render(
    request: AuthenticatedHttpRequest,
    project: Project,
    story: Story,
    *,
    bound: SpeakerForm | None = None,
    bound_pk: int | None = None,
) -> HttpResponse:
    rows = [
        (speaker, bound if speaker.pk == bound_pk and bound else _speaker_form(speaker))
        for speaker in story_speakers(story)
    ]
    return render(
        request,
        "stories/speaker_list.html",
        {
            "project": project,
            "story": story,
            "rows": rows,
            "has_errors": bound is not None,
            # Who speaks is not the words, but changing them is refused while these are withheld.
            "withheld": story_withheld(story),
        },
    )


@project_view("stories.view_story")
def speaker_list(
    request: AuthenticatedHttpRequest, project: Project, story_id: int
) -> HttpResponse:
    return _render(request, project, story_get(project, story_id))


@project_view("stories.change_speaker")
@require_POST
def speaker_edit(
    request: AuthenticatedHttpRequest, project: Project, story_id: int, speaker_id: int
) -> HttpResponse:
    """Save one speaker's name and part; on a problem the list comes back with the input kept."""
    story = story_get(project, story_id)
    speaker = speaker_get(story, speaker_id)
    form = _speaker_form(speaker, request.POST)
    if form.is_valid():
        try:
            speaker, changed = services.speaker_update(
                speaker=speaker,
                actor=request.user,
                display_name=form.cleaned_data["display_name"],
                part=form.cleaned_data["part"],
            )
        except ConsentError as error:
            # The page shows no forms while the words are withheld, so say it at the top.
            messages.error(request, f"Nothing was changed. {error}")
            return HttpResponseRedirect(speakers_url(project, story.pk))
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            if changed:
                messages.success(request, f"Saved. {speaker.display_name} shows everywhere now.")
            else:
                messages.info(request, "Nothing was changed.")
            return HttpResponseRedirect(speakers_url(project, story.pk, f"speaker-{speaker.pk}"))
    return _render(request, project, story, bound=form, bound_pk=speaker.pk)
