"""New versions of a story's words: quotes follow them, lost ones are flagged, undo brings back."""

from __future__ import annotations

import datetime as dt

import pytest

from cohub.apps.analysis.anchoring import highlight_place
from cohub.apps.analysis.models import AnchorStatus, CodingAction, CodingEvent, Highlight
from cohub.apps.analysis.services import highlight_create
from cohub.apps.core.errors import ConsentError, ServiceError
from cohub.apps.core.models import Event
from cohub.apps.reports.findings import NEEDS_CHECK, project_findings
from cohub.apps.reports.services import findings_export_csv
from cohub.apps.stories.models import StoryEdit, Transcript
from cohub.apps.stories.services import (
    consent_record,
    consent_withdraw,
    story_edit_undo,
    story_update,
    transcript_revise,
    transcript_revise_part,
)
from tests.factories import import_vtt_story, make_story, make_storyteller

pytestmark = pytest.mark.django_db

TEXT = "Sam: How did it start?\n\nRobin: I waited eleven weeks. Nobody rang me back."


def _quote(story, words):
    transcript = story.transcripts.order_by("-version").first()
    start = transcript.text.index(words)
    return highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len(words),
        actor=None,
    ).highlight


def _fresh(highlight):
    return Highlight.objects.select_related("transcript").get(pk=highlight.pk)


def test_a_correction_above_a_quote_keeps_its_words(project):
    story = make_story(project, text=TEXT)
    quote = _quote(story, "Nobody rang me back.")
    revision = transcript_revise(
        story=story,
        actor=None,
        reason="Typo",
        text=TEXT.replace("How did it start?", "How did it all start, then?"),
    )
    assert revision.transcript.version == 2
    assert revision.followed == {"quotes_kept": 1, "quotes_updated": 0, "quotes_lost": 0}
    quote = _fresh(quote)
    assert quote.transcript == revision.transcript
    assert quote.snippet == "Nobody rang me back."
    assert revision.transcript.text[quote.char_start : quote.char_end] == "Nobody rang me back."
    assert quote.anchor_status == AnchorStatus.PLACED
    assert quote.speaker.label == "Robin"


def test_a_small_correction_inside_a_quote_updates_its_words(project):
    story = make_story(project, text=TEXT)
    quote = _quote(story, "I waited eleven weeks.")
    transcript_revise(
        story=story, actor=None, reason="", text=TEXT.replace("eleven weeks", "twelve weeks")
    )
    quote = _fresh(quote)
    assert quote.snippet == "I waited twelve weeks."
    assert quote.anchor_status == AnchorStatus.UPDATED


def test_a_quote_whose_words_are_gone_is_flagged_held_back_and_fixable(project):
    story = make_story(project, text=TEXT)
    quote = _quote(story, "Nobody rang me back.")
    revision = transcript_revise(
        story=story, actor=None, reason="Cut", text=TEXT.replace(" Nobody rang me back.", "")
    )
    assert revision.followed["quotes_lost"] == 1
    quote = _fresh(quote)
    assert quote.needs_attention
    assert "version 2" in quote.anchor_note
    assert quote.transcript.version == 1  # it stays on the words it was made on
    (shown,) = project_findings(project).untagged.quotes
    assert shown.text is None and shown.needs_check
    assert "Nobody rang me back" not in findings_export_csv(project=project, actor=None)
    assert NEEDS_CHECK in findings_export_csv(project=project, actor=None)

    newest = revision.transcript
    start = newest.text.index("I waited")
    fixed = highlight_place(
        highlight=quote, transcript=newest, char_start=start, char_end=start + 8, actor=None
    ).highlight
    assert (fixed.snippet, fixed.anchor_status, fixed.transcript) == (
        "I waited",
        AnchorStatus.PLACED,
        newest,
    )
    assert not fixed.needs_attention


def test_every_move_is_a_coding_event_for_the_feed(project):
    story = make_story(project, text=TEXT)
    quote = _quote(story, "Nobody rang me back.")
    transcript_revise(story=story, actor=None, reason="", text=TEXT.replace("Sam:", "Sam B:"))
    event = CodingEvent.objects.get(action=CodingAction.HIGHLIGHT_REANCHOR)
    assert event.highlight_id == quote.pk
    assert event.payload["outcome"] == "kept"


def test_undo_of_a_text_edit_brings_back_the_words_and_the_lost_quote(project):
    story = make_story(project, text=TEXT)
    quote = _quote(story, "Nobody rang me back.")
    revision = transcript_revise(
        story=story, actor=None, reason="", text=TEXT.replace(" Nobody rang me back.", "")
    )
    assert _fresh(quote).needs_attention
    story_edit_undo(edit=revision.edit, actor=None)
    newest = Transcript.objects.filter(story=story).order_by("-version").first()
    assert newest.version == 3
    assert newest.text == Transcript.objects.get(story=story, version=1).text
    quote = _fresh(quote)
    assert (quote.transcript, quote.anchor_status) == (newest, AnchorStatus.PLACED)
    assert StoryEdit.objects.get(pk=revision.edit.pk).undone_at is not None
    with pytest.raises(ServiceError, match="already been undone"):
        story_edit_undo(edit=StoryEdit.objects.get(pk=revision.edit.pk), actor=None)


def test_editing_one_part_keeps_its_times_and_the_other_parts(project, storyteller):
    story = import_vtt_story(project, storyteller)
    robin = story.speakers.get(label="Robin")
    revision = transcript_revise_part(
        story=story,
        actor=None,
        index=1,
        text="I lost my job, and then my home.",
        speaker=robin,
        reason="Misheard",
    )
    segments = list(revision.transcript.segments.order_by("index"))
    assert [s.text for s in segments][1] == "I lost my job, and then my home."
    assert [(s.start_ms, s.speaker.label) for s in segments] == [
        (1000, "Sam"),
        (5000, "Robin"),
        (9500, "Robin"),
    ]
    assert revision.transcript.reason == "Misheard"


def test_a_whole_text_edit_keeps_the_times_of_parts_it_only_corrects(project, storyteller):
    story = import_vtt_story(project, storyteller)
    text = (
        "Sam: How did it start?\n\nRobin: I lost my job, and then my home.\n\n"
        "Robin: The council helped in the end."
    )
    revision = transcript_revise(story=story, actor=None, reason="", text=text)
    times = [(s.start_ms, s.end_ms) for s in revision.transcript.segments.order_by("index")]
    assert times == [(1000, 4500), (5000, 9000), (9500, 12000)]


def test_an_edit_that_changes_nothing_adds_no_version(project):
    story = make_story(project, text=TEXT)
    revision = transcript_revise(story=story, actor=None, reason="", text=TEXT)
    assert not revision.changed
    assert story.transcripts.count() == 1


def test_a_stale_edit_is_refused(project):
    story = make_story(project, text=TEXT)
    transcript_revise(story=story, actor=None, reason="", text=TEXT + " Really.")
    with pytest.raises(ServiceError, match="while you were editing"):
        transcript_revise(story=story, actor=None, reason="", text=TEXT, based_on_version=1)


def test_editing_needs_consent_to_transcription(project):
    teller = make_storyteller(project)
    story = make_story(project, storyteller=teller, text=TEXT)
    consent_record(storyteller=teller, actor=None, record=True)
    with pytest.raises(ConsentError):
        transcript_revise(story=story, actor=None, reason="", text=TEXT + " More.")
    with pytest.raises(ConsentError):
        story_update(story=story, actor=None, title="New title")


def test_details_change_and_undo_with_an_event_that_holds_no_title(project):
    story = make_story(project, text=TEXT, title="The long wait")
    change = story_update(
        story=story, actor=None, title="  Waiting  for help ", recorded_on=dt.date(2026, 3, 1)
    )
    story.refresh_from_db()
    assert (story.title, story.recorded_on) == ("Waiting for help", dt.date(2026, 3, 1))
    event = Event.objects.get(verb="story.update")
    assert event.data["fields"] == ["recorded_on", "title"]
    assert "Waiting" not in str(event.data)
    story_edit_undo(edit=change.edit, actor=None)
    story.refresh_from_db()
    assert (story.title, story.recorded_on) == ("The long wait", None)


def test_withdrawal_removes_every_version_and_every_edit(project):
    teller = make_storyteller(project)
    story = make_story(project, storyteller=teller, text=TEXT)
    transcript_revise(story=story, actor=None, reason="Named a street", text=TEXT + " Yes.")
    story_update(story=story, actor=None, title="Another title")
    consent_withdraw(storyteller=teller, actor=None)
    assert not Transcript.objects.filter(story_id=story.pk).exists()
    assert not StoryEdit.objects.filter(story_id=story.pk).exists()
