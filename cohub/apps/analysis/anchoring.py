"""Key quotes follow their story's text to each new version, or wait for a person.

``transcript_revise`` (stories) calls ``highlights_follow`` through the
``stories.revisions`` registry: this app registers it at start-up, so stories
never imports analysis. The span arithmetic is pure code in
``cohub/pipeline/anchors.py``; this module only reads and writes the rows.

A quote whose words are found again (perhaps moved) keeps them; one whose
words were corrected a little follows the correction; one whose words are
gone stays on the version it was made on, flagged ``LOST`` with a reason,
until someone chooses its words again (``highlight_place``) or removes it.
Findings hold back the words of a flagged quote: they may have been taken
out on purpose (a redaction).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from cohub.apps.accounts.models import User
from cohub.apps.analysis.models import AnchorStatus, CodingAction, CodingEvent, Highlight
from cohub.apps.analysis.services import (
    _highlight_state,
    _hold_feed,
    _lock_highlight,
    _locked_storyteller,
    _log,
    _span_times,
    _trim_span,
)
from cohub.apps.core.errors import ServiceError
from cohub.apps.stories.consent import require_consent
from cohub.apps.stories.models import Transcript
from cohub.apps.stories.revisions import register_follower
from cohub.apps.stories.scopes import ConsentScope
from cohub.pipeline.anchors import Outcome, TextChange

LOST_NOTE = (
    "The words of this quote were changed or taken out in version {version} of the text. "
    "Choose its words again, or remove it."
)


def _move(highlight: Highlight, transcript: Transcript, start: int, end: int, status: str) -> None:
    spoken = _span_times(transcript, start, end)
    highlight.transcript = transcript
    highlight.char_start, highlight.char_end = start, end
    highlight.snippet = transcript.text[start:end]
    highlight.start_ms, highlight.end_ms = spoken["start_ms"], spoken["end_ms"]
    highlight.speaker = spoken["speaker"]
    highlight.anchor_status = status
    highlight.anchor_note = ""
    highlight.save()
    highlight.speakers.set(spoken["speakers"])


@register_follower
def highlights_follow(old: Transcript, new: Transcript) -> dict[str, int]:
    """Move every key quote of the story onto ``new``; returns how many were kept, updated, lost.

    Each quote is placed from the words of the version it sits on, so a quote
    lost in one version is found again when a later one (an undo) brings its
    words back. Each move is a coding event, so the change feed sees it.
    """
    counts = {"quotes_kept": 0, "quotes_updated": 0, "quotes_lost": 0}
    highlights = list(
        Highlight.objects.filter(review_sheet__story_id=new.story_id)
        .select_related("transcript", "review_sheet__story__project")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    changes: dict[int, TextChange] = {}
    for highlight in highlights:
        source = highlight.transcript
        if source.pk not in changes:
            changes[source.pk] = TextChange(source.text, new.text)
        placement = changes[source.pk].place(highlight.char_start, highlight.char_end)
        before = _highlight_state(highlight)
        if placement.start is None or placement.end is None:
            counts["quotes_lost"] += 1
            highlight.anchor_status = AnchorStatus.LOST
            highlight.anchor_note = LOST_NOTE.format(version=new.version)
            highlight.save(update_fields=["anchor_status", "anchor_note", "updated_at"])
        else:
            updated = placement.outcome == Outcome.UPDATED
            counts["quotes_updated" if updated else "quotes_kept"] += 1
            status = AnchorStatus.UPDATED if updated else AnchorStatus.PLACED
            _move(highlight, new, placement.start, placement.end, status)
        _log(
            project=highlight.review_sheet.story.project,
            actor=None,
            action=CodingAction.HIGHLIGHT_REANCHOR,
            highlight=highlight,
            payload={
                "before": before,
                "after": _highlight_state(highlight),
                "outcome": placement.outcome.value,
                "version": new.version,
            },
        )
    return counts


@dataclass(frozen=True)
class PlaceResult:
    """A quote given its words again on the newest text, and the event that says so."""

    highlight: Highlight
    event: CodingEvent


@transaction.atomic
def highlight_place(
    *, highlight: Highlight, transcript: Transcript, char_start: int, char_end: int, actor: User
) -> PlaceResult:
    """Choose a quote's words again on the story's newest text: how a person fixes a lost quote.

    Its themes, level of change and note stay; only the words and where they
    are change. The coding event is not undoable on its own (undo the change
    of text instead).
    """
    story = highlight.review_sheet.story
    if transcript.story_id != story.pk:
        raise ServiceError("That text belongs to a different story.")
    _hold_feed(story.project_id)
    storyteller = _locked_storyteller(story)
    require_consent(storyteller, ConsentScope.TRANSCRIBE)
    _lock_highlight(highlight)
    newest = Transcript.objects.filter(story=story).order_by("-version").first()
    if newest is None or newest.pk != transcript.pk:
        raise ServiceError("The text has changed again since. Choose the words on the newest text.")
    if not (0 <= char_start < char_end <= len(transcript.text)):
        raise ServiceError("The selected text is outside the story. Choose the words again.")
    char_start, char_end = _trim_span(transcript.text, char_start, char_end)
    if char_start == char_end:
        raise ServiceError("The selection has no words in it.")
    highlight = Highlight.objects.select_related("review_sheet__story__project").get(
        pk=highlight.pk
    )
    before = _highlight_state(highlight)
    _move(highlight, transcript, char_start, char_end, AnchorStatus.PLACED)
    event = _log(
        project=story.project,
        actor=actor,
        action=CodingAction.HIGHLIGHT_REANCHOR,
        highlight=highlight,
        payload={"before": before, "after": _highlight_state(highlight), "outcome": "chosen"},
    )
    return PlaceResult(highlight=highlight, event=event)
