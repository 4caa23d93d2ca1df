"""A story's review sheet: where its key quotes, themes, levels of change and ideas are made.

The transcript is shown part by part with existing key quotes marked, beside
the notes; a form makes new key quotes either from a mouse selection
(review.js fills in character offsets) or, with a keyboard or without
JavaScript, from "part N to part M" plus optional exact words.

It lives in analysis, which owns review sheets and key quotes: this page
reads stories through their selectors, and stories knows nothing of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.views.decorators.http import require_POST

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.analysis import services
from cohub.apps.analysis.clips import clip_refusal
from cohub.apps.analysis.forms import (
    HighlightCreateForm,
    HighlightNewThemeForm,
    HighlightTagForm,
    ReviewSheetForm,
)
from cohub.apps.analysis.models import ChangeLevel, Highlight, Theme
from cohub.apps.analysis.quote_checks import check_counts, check_states
from cohub.apps.analysis.selectors import review_sheet_of, story_quotes, themes_for
from cohub.apps.analysis.views.common import offer_undo, pending_undo, review_sheet_url
from cohub.apps.core.errors import ServiceError
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project, Sector
from cohub.apps.redaction.audio import cover_kind, story_audio_covers
from cohub.apps.stories.consent import ConsentNow, Withheld, consent_now
from cohub.apps.stories.models import Segment, Story, Transcript
from cohub.apps.stories.playback import play_source
from cohub.apps.stories.scopes import ConsentScope
from cohub.apps.stories.selectors import (
    recording_progress,
    story_get,
    story_part_count,
    story_recording,
    story_transcript,
    story_withheld,
    transcript_segments,
)
from cohub.pipeline.clips import content_type
from cohub.pipeline.spans import merge_spans


def mark_highlights(text: str, offset: int, spans: Iterable[tuple[int, int]]) -> SafeString:
    """HTML for one part's text with key quotes wrapped in ``<mark class="highlight">``.

    ``text`` starts at ``offset`` in the transcript and ``spans`` are transcript
    offsets. Every piece of text is escaped here; only our own ``<mark>`` tags are
    markup, so a transcript can never inject HTML. Overlapping quotes are merged,
    which keeps the text nodes (and so the offsets review.js counts) intact.
    """
    end_of_text = offset + len(text)
    merged = merge_spans(
        (max(start, offset), min(end, end_of_text))
        for start, end in spans
        if start < end_of_text and end > offset
    )
    pieces: list[str] = []
    position = offset
    for start, end in merged:
        pieces.append(escape(text[position - offset : start - offset]))
        pieces.append(
            format_html('<mark class="highlight">{}</mark>', text[start - offset : end - offset])
        )
        position = end
    pieces.append(escape(text[position - offset :]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece escaped above


@dataclass
class SegmentRow:
    segment: Segment
    html: SafeString


def _consent_summary(consent: ConsentNow) -> list[tuple[str, bool]]:
    """ "Quote Kit by name: yes" for every scope, worded as the consent forms and refusals."""
    return [
        (capfirst(scope.agreement(them=consent.pseudonym)), consent.allows(scope))
        for scope in ConsentScope
    ]


# Parts shown on one page of a story. A long transcript (up to 20,000 parts) is shown
# a page at a time so the page stays quick to send and to render; a story this short
# or shorter fits on one page and lists its parts in the quote form as well.
PARTS_PER_PAGE = 200


def highlight_create_form(
    story: Story,
    transcript: Transcript,
    part_count: int,
    themes: Sequence[Theme],
    data: Any = None,
    initial: dict[str, Any] | None = None,
) -> HighlightCreateForm:
    """The quote form; it lists the parts by name only when they all fit on one page."""
    listed = list(transcript_segments(transcript)) if part_count <= PARTS_PER_PAGE else None
    form = HighlightCreateForm(
        data,
        transcripts=story.transcripts.all(),
        segments=listed,
        part_count=part_count,
        themes=themes,
        initial={"transcript_id": transcript.pk, **(initial or {})},
        auto_id="quote_%s",
    )
    form.setup_attribution(
        pseudonym=story.storyteller.pseudonym, may_name=consent_now(story.storyteller).may_name
    )
    return form


def _segment_param(request: HttpRequest, name: str, part_count: int) -> int | None:
    try:
        index = int(request.GET.get(name, ""))
    except ValueError:
        return None
    return index if 0 <= index < part_count else None


def _parts_page(request: HttpRequest, paginator: Paginator) -> Page:
    """The page asked for, else the one holding the part a "Quote this part" link chose."""
    number: Any = request.GET.get("page")
    if number is None:
        chosen = _segment_param(request, "from", paginator.count)
        number = chosen // PARTS_PER_PAGE + 1 if chosen is not None else 1
    return paginator.get_page(number)


def _render_story(
    request: HttpRequest,
    project: Project,
    story: Story,
    *,
    quote_form: HighlightCreateForm | None = None,
    sheet_form: ReviewSheetForm | None = None,
    status: int = 200,
    jump_error: str = "",
) -> HttpResponse:
    consent = consent_now(story.storyteller)
    words = story_transcript(story)
    # Withheld words leave nothing to show, quote or write about: the page says why instead.
    withheld = words if isinstance(words, Withheld) else None
    transcript = words if isinstance(words, Transcript) else None
    paginator = Paginator(
        transcript_segments(transcript) if transcript else Segment.objects.none(), PARTS_PER_PAGE
    )
    parts_page = _parts_page(request, paginator)
    segments = list(parts_page.object_list)
    shown_quotes = story_quotes(story)
    highlights = [quote.highlight for quote in shown_quotes]
    shown_id = transcript.pk if transcript else None
    spans = [(h.char_start, h.char_end) for h in highlights if h.transcript_id == shown_id]
    rows = [SegmentRow(s, mark_highlights(s.text, s.char_start, spans)) for s in segments]
    # Loaded once for the quote form and every quote's tagging form.
    themes = list(themes_for(project))
    if quote_form is None and transcript is not None:
        first = _segment_param(request, "from", paginator.count)
        last = _segment_param(request, "to", paginator.count)
        quote_form = highlight_create_form(
            story,
            transcript,
            paginator.count,
            themes,
            initial={"segment_from": first, "segment_to": last if last is not None else first},
        )
    # The ideas and summary were written from the words, so they are withheld with them.
    review_sheet = review_sheet_of(story) if withheld is None else None
    if sheet_form is None and withheld is None:
        sheet_form = _sheet_form(review_sheet, auto_id="sheet_%s")
    player = _player(project, story, request.user)
    checks = check_states(highlights)
    quotes = [
        {
            "shown": quote,
            "highlight": quote.highlight,
            "themes": [link.theme for link in quote.highlight.theme_links.all()],
            "tag_form": HighlightTagForm(themes=themes, auto_id=f"tag{quote.highlight.pk}_%s"),
            "new_theme_form": HighlightNewThemeForm(auto_id=f"tag{quote.highlight.pk}_%s"),
            "clip": _clip(quote.highlight, player, consent),
            "check": checks[quote.highlight.pk],
        }
        for quote in shown_quotes
    ]
    undo = pending_undo(request, project)
    # An undo about a quote still on the page sits in that quote's card, where the
    # redirect to #quote-N lands, rather than at the top, out of sight.
    undo_highlight_id = undo["event"].highlight_id if undo else None
    if undo_highlight_id not in {h.pk for h in highlights}:
        undo_highlight_id = None
    context = {
        "project": project,
        "story": story,
        "review_sheet": review_sheet,
        "storyteller": story.storyteller,
        "transcript": transcript,
        "recording": recording_progress(story),
        "player": player,
        "rows": rows,
        "quotes": quotes,
        "check_counts": check_counts(checks.values()),
        "to_check": [h for h in highlights if h.needs_attention] if withheld is None else [],
        "quote_form": quote_form,
        "sheet_form": sheet_form,
        "withheld": withheld,
        "consent": _consent_summary(consent),
        "keep_until": consent.record.keep_until if consent.record else None,
        "undo": undo,
        "undo_highlight_id": undo_highlight_id,
        "sector_labels": dict(Sector.choices),
        "change_labels": dict(ChangeLevel.choices),
        "story_path": review_sheet_url(project, story.pk),
        "can_manage_themes": request.user.has_perm("analysis.manage_themes", project),
        "has_themes": bool(themes),
        "parts_page": parts_page,
        "jump_error": jump_error,
    }
    return render(request, "analysis/review_sheet.html", context, status=status)


@dataclass(frozen=True)
class Player:
    """The story's recording on its page: where to fetch it, or why it cannot be heard."""

    media_url: str = ""
    content_type: str = ""
    duration_ms: int = 0
    withheld: Withheld | None = None
    # Words were replaced in a shareable version: what this person hears covers them,
    # or (for those who may hear the original) they are told that others' does.
    covered: bool = False
    preparing: bool = False
    original: bool = False
    cover: str = "tone"


def _player(project: Project, story: Story, user: Any) -> Player | None:
    recording = story_recording(story)
    if recording is None:
        return None
    if isinstance(recording, Withheld):
        return Player(withheld=recording)
    media_url = reverse("stories:recording_media", args=[project.slug, story.pk])
    # The same hook the media route asks, so the page and the sound agree.
    instead = play_source(story, recording, user, project)
    if instead is not None:
        return Player(
            # Until the covered copy is made there is nothing to play from a part's time.
            media_url=media_url if instead.ready else "",
            content_type=instead.content_type,
            duration_ms=recording.duration_ms,
            covered=True,
            preparing=not instead.ready,
            cover=cover_kind(),
        )
    return Player(
        media_url=media_url,
        content_type=content_type(recording.container, has_video=recording.has_video),
        duration_ms=recording.duration_ms,
        original=bool(story_audio_covers(story)),
    )


def _clip(highlight: Highlight, player: Player | None, consent: ConsentNow) -> dict[str, Any]:
    """A quote's clip for its card: its span, and why it may not be downloaded, if not."""
    if player is None or player.withheld is not None or highlight.start_ms is None:
        return {}
    rule = clip_refusal(highlight, consent)
    return {
        "start_ms": highlight.clip_start_ms,
        "end_ms": min(highlight.clip_end_ms or 0, player.duration_ms or 10**12),
        "nudged": bool(highlight.clip_start_nudge_ms or highlight.clip_end_nudge_ms),
        "refusal": rule.reason if rule is not None else "",
    }


def _sheet_form(review_sheet: Any, data: Any = None, **kwargs: Any) -> ReviewSheetForm:
    initial = {"ideas": review_sheet.ideas, "summary": review_sheet.summary} if review_sheet else {}
    return ReviewSheetForm(data, initial=initial, **kwargs)


@project_view("stories.view_story")
def review_sheet(
    request: AuthenticatedHttpRequest, project: Project, story_id: int
) -> HttpResponse:
    """The story a page of parts at a time; ``?part=N`` jumps to the page holding part N."""
    story = story_get(project, story_id)
    if "part" in request.GET:
        part_count = story_part_count(story)
        try:
            number = int(request.GET["part"])
        except ValueError:
            number = 0
        if not 1 <= number <= part_count:
            shown = request.GET["part"].strip()[:20] or "(nothing)"
            return _render_story(
                request,
                project,
                story,
                jump_error=(
                    f"There is no part {shown} in this story. Type a number from 1 to "
                    f"{part_count:,}."
                ),
            )
        page = (number - 1) // PARTS_PER_PAGE + 1
        return HttpResponseRedirect(
            f"{review_sheet_url(project, story.pk)}?page={page}#seg-{number - 1}"
        )
    return _render_story(request, project, story)


@project_view("analysis.code_story")
@require_POST
def highlight_create(
    request: AuthenticatedHttpRequest, project: Project, story_id: int
) -> HttpResponse:
    """Make a key quote; on any problem the story page comes back with the input kept."""
    story = story_get(project, story_id)
    transcript = story_transcript(story)
    if isinstance(transcript, Withheld):
        # The page no longer offers the form; the service would refuse in the same words.
        messages.error(request, f"The key quote was not saved. {transcript.refusal}")
        return HttpResponseRedirect(review_sheet_url(project, story.pk))
    if transcript is None:  # every stored story has one; nothing to quote from otherwise
        raise Http404("This story has no transcript.")
    themes = list(themes_for(project))
    form = highlight_create_form(
        story, transcript, transcript.segments.count(), themes, data=request.POST
    )
    if not form.is_valid():
        return _render_story(request, project, story, quote_form=form)
    data = form.cleaned_data
    new_theme = " ".join((data.get("new_theme") or "").split())
    if new_theme and not request.user.has_perm("analysis.manage_themes", project):
        form.add_error("new_theme", "You cannot add new themes in this project.")
        return _render_story(request, project, story, quote_form=form)
    try:
        result = services.highlight_create(
            story=story,
            transcript=data["transcript_id"],
            char_start=data["char_start"],
            char_end=data["char_end"],
            actor=request.user,
            themes=data["themes"],
            new_theme=new_theme,
            **form.highlight_fields(),
        )
    except ServiceError as error:
        form.add_error(None, str(error))
        return _render_story(request, project, story, quote_form=form)
    if result.created:
        offer_undo(
            request, project=project, event=result.event, text="The key quote has been saved."
        )
    else:
        messages.info(request, "You had already saved these words as a key quote.")
    anchor = f"quote-{result.highlight.pk}"
    return HttpResponseRedirect(review_sheet_url(project, story.pk, anchor))


@project_view("analysis.change_review_sheet")
def review_sheet_notes(
    request: AuthenticatedHttpRequest, project: Project, story_id: int
) -> HttpResponse:
    """The ideas and summary on their own page (the review sheet posts here too)."""
    story = story_get(project, story_id)
    withheld = story_withheld(story)
    if withheld is not None:
        if request.method == "POST":
            messages.error(request, f"The review sheet was not saved. {withheld.refusal}")
        return render(
            request,
            "analysis/review_sheet_notes.html",
            {"project": project, "story": story, "withheld": withheld},
        )
    form = _sheet_form(review_sheet_of(story), request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_sheet_update(
                story=story,
                actor=request.user,
                ideas=form.cleaned_data["ideas"],
                summary=form.cleaned_data["summary"],
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The review sheet has been saved.")
            return HttpResponseRedirect(review_sheet_url(project, story.pk, "review-sheet-heading"))
    return render(
        request,
        "analysis/review_sheet_notes.html",
        {"project": project, "story": story, "form": form},
    )
