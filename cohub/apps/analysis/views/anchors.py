"""Fixing a key quote whose words could not be found in a new version of the story's text.

The person sees the old words and chooses the words again on the newest text,
by part numbers and exact words as on the review sheet (the same form, with
only its span fields), or removes the quote there.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.analysis.anchoring import highlight_place as place_quote
from cohub.apps.analysis.forms import HighlightCreateForm
from cohub.apps.analysis.selectors import quote_get
from cohub.apps.analysis.views.common import review_sheet_url
from cohub.apps.core.errors import ServiceError
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project
from cohub.apps.stories.consent import Withheld
from cohub.apps.stories.selectors import story_transcript, transcript_segments

_SPAN_FIELDS = {
    "transcript_id",
    "char_start",
    "char_end",
    "segment_from",
    "segment_to",
    "exact_words",
}


def _place_form(
    story: Any, transcript: Any, segments: Any, data: Any = None
) -> HighlightCreateForm:
    form = HighlightCreateForm(
        data,
        transcripts=story.transcripts.filter(pk=transcript.pk),
        segments=segments,
        themes=[],
        initial={"transcript_id": transcript.pk},
        auto_id="place_%s",
    )
    for name in list(form.fields):
        if name not in _SPAN_FIELDS:
            del form.fields[name]
    return form


@project_view("analysis.code_story")
def highlight_place(
    request: AuthenticatedHttpRequest, project: Project, highlight_id: int
) -> HttpResponse:
    shown = quote_get(project, highlight_id)
    highlight = shown.highlight
    story = highlight.review_sheet.story
    transcript = story_transcript(story)
    if isinstance(transcript, Withheld):
        if request.method == "POST":
            messages.error(request, f"The words were not chosen again. {transcript.refusal}")
        return render(
            request,
            "analysis/highlight_place.html",
            {"project": project, "story": story, "highlight": highlight, "shown": shown},
        )
    if transcript is None:
        raise Http404("This story has no text.")
    segments = list(transcript_segments(transcript))
    form = _place_form(story, transcript, segments, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            place_quote(
                highlight=highlight,
                transcript=transcript,
                char_start=form.cleaned_data["char_start"],
                char_end=form.cleaned_data["char_end"],
                actor=request.user,
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The key quote has its words again.")
            return HttpResponseRedirect(
                review_sheet_url(project, story.pk, f"quote-{highlight.pk}")
            )
    return render(
        request,
        "analysis/highlight_place.html",
        {"project": project, "story": story, "highlight": highlight, "shown": shown, "form": form},
    )
