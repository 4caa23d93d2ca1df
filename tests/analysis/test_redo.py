"""Undo then redo: a quote or theme comes back under its old id, with what it had, once."""

from __future__ import annotations

import pytest

from cohub.apps.analysis import services
from cohub.apps.analysis.models import (
    AnchorStatus,
    CodingAction,
    CodingEvent,
    Highlight,
    HighlightTheme,
    Theme,
)
from cohub.apps.core.errors import ConsentError, ServiceError
from cohub.apps.projects.models import ProjectRole
from cohub.apps.reports.findings import project_findings
from cohub.apps.stories.models import Speaker, SpeakerPart
from cohub.apps.stories.services import (
    consent_record,
    consent_withdraw,
    speaker_update,
    transcript_revise,
)
from tests.factories import GATHER_ONLY, make_member, make_story

TEXT = "Sam: How did it start?\n\nRobin: I lost my job and then my flat."


@pytest.fixture
def actor(project):
    return make_member(project, ProjectRole.COMMUNITY_REPORTER)


@pytest.fixture
def other(project):
    return make_member(project, ProjectRole.FACILITATOR)


@pytest.fixture
def story(project):
    return make_story(project, text=TEXT)


@pytest.fixture
def transcript(story):
    return story.transcripts.get()


def _made(story, words="lost my job", actor=None, **kwargs):
    transcript = story.transcripts.order_by("-version").first()
    start = transcript.text.index(words)
    return services.highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len(words),
        actor=actor,
        **kwargs,
    )


def _theme_ids(highlight_id):
    return set(
        HighlightTheme.objects.filter(highlight_id=highlight_id).values_list("theme_id", flat=True)
    )


def _undo_then_redo(event, actor):
    services.coding_event_undo(event=event, actor=actor)
    return services.coding_event_redo(event=event, actor=actor)


def test_redo_of_an_undone_quote_gives_it_back_its_id_themes_and_speaker(
    project, story, actor, other
):
    housing = services.theme_create(project=project, name="Housing", actor=actor).theme
    made = _made(story, actor=actor, themes=[housing], note="Key", change_level="individual")
    quote = made.highlight
    money = services.theme_create(project=project, name="Money", actor=actor).theme
    services.highlight_tag(highlight=quote, theme=money, actor=actor)

    services.coding_event_undo(event=made.event, actor=other)
    assert not Highlight.objects.filter(pk=quote.pk).exists()
    redone = services.coding_event_redo(event=made.event, actor=other)

    back = Highlight.objects.get()
    assert back.pk == quote.pk
    assert back.snippet == "lost my job"
    assert (back.note, back.change_level) == ("Key", "individual")
    assert back.created_by == actor  # who made it, not who redid it
    assert back.speaker.display_name == "Robin"
    assert {s.display_name for s in back.speakers.all()} == {"Robin"}
    # The themes it had when it was removed, including one added after it was made.
    assert _theme_ids(back.pk) == {housing.pk, money.pk}
    assert redone.redone.pk == made.event.pk
    assert redone.redone.undone_at is None
    assert [e.action for e in redone.events] == [CodingAction.HIGHLIGHT_CREATE]
    assert redone.events[0].highlight_id == quote.pk
    assert redone.events[0].redo_of_id == made.event.pk


def test_undo_and_redo_go_round_more_than_once_on_the_same_id(project, story, actor):
    made = _made(story, actor=actor)
    for _ in range(3):
        _undo_then_redo(made.event, actor)
        assert list(Highlight.objects.values_list("pk", flat=True)) == [made.highlight.pk]
    services.coding_event_undo(event=made.event, actor=actor)
    assert not Highlight.objects.exists()


def test_a_later_change_to_the_quote_still_undoes_after_a_redo(project, story, actor):
    """Links in the log (and elsewhere) use the id, so they keep working after the round trip."""
    made = _made(story, actor=actor)
    housing = services.theme_create(project=project, name="Housing", actor=actor).theme
    tagged = services.highlight_tag(highlight=made.highlight, theme=housing, actor=actor)
    _undo_then_redo(made.event, actor)
    services.coding_event_undo(event=tagged.event, actor=actor)
    assert _theme_ids(made.highlight.pk) == set()


def test_a_second_redo_is_refused_and_puts_nothing_back_twice(project, story, actor):
    made = _made(story, actor=actor)
    _undo_then_redo(made.event, actor)
    events = CodingEvent.objects.count()
    with pytest.raises(ServiceError, match="nothing to redo"):
        services.coding_event_redo(event=made.event, actor=actor)
    assert Highlight.objects.count() == 1
    assert HighlightTheme.objects.count() == 0
    assert CodingEvent.objects.count() == events


def test_redo_needs_an_undo_first(project, story, actor):
    made = _made(story, actor=actor)
    with pytest.raises(ServiceError, match="nothing to redo"):
        services.coding_event_redo(event=made.event, actor=actor)


def test_the_events_an_undo_wrote_are_undone_only_through_the_change_they_undid(
    project, story, actor
):
    made = _made(story, actor=actor)
    undone = services.coding_event_undo(event=made.event, actor=actor)
    assert undone.events[0].undo_of_id == made.event.pk
    with pytest.raises(ServiceError, match="Use Undo or Redo on that change"):
        services.coding_event_undo(event=undone.events[0], actor=actor)
    assert not Highlight.objects.exists()


def test_undoing_a_removal_brings_the_quote_back_under_its_id(project, story, actor):
    housing = services.theme_create(project=project, name="Housing", actor=actor).theme
    quote = _made(story, actor=actor, themes=[housing], attribution="named").highlight
    pk = quote.pk
    removed = services.highlight_delete(highlight=quote, actor=actor)
    services.coding_event_undo(event=removed.event, actor=actor)
    back = Highlight.objects.get()
    assert (back.pk, back.attribution) == (pk, "named")
    assert _theme_ids(back.pk) == {housing.pk}
    # And redo removes it again.
    services.coding_event_redo(event=removed.event, actor=actor)
    assert not Highlight.objects.exists()


def test_an_interviewers_quote_comes_back_credited_to_the_interviewer(project, story, actor):
    sam = Speaker.objects.get(story=story, label="Sam")
    speaker_update(speaker=sam, actor=None, display_name="Sam", part=SpeakerPart.INTERVIEWER)
    made = _made(story, "How did it start?", actor=actor)
    _undo_then_redo(made.event, actor)
    back = Highlight.objects.get(pk=made.highlight.pk)
    assert back.speaker == sam
    quote = project_findings(project).untagged.quotes[0]
    assert (quote.highlight_id, quote.source) == (made.highlight.pk, "Interviewer (Sam)")


def test_a_theme_merged_while_the_quote_was_away_is_its_merged_theme_on_return(
    project, story, actor
):
    housing = services.theme_create(project=project, name="Housing", actor=actor).theme
    homes = services.theme_create(project=project, name="Homes", actor=actor).theme
    made = _made(story, actor=actor, themes=[housing])
    services.coding_event_undo(event=made.event, actor=actor)
    services.theme_merge(source=housing, target=homes, actor=actor)
    services.coding_event_redo(event=made.event, actor=actor)
    assert _theme_ids(made.highlight.pk) == {homes.pk}


def test_the_same_words_quoted_again_meanwhile_are_not_quoted_twice(project, story, actor):
    made = _made(story, actor=actor)
    services.coding_event_undo(event=made.event, actor=actor)
    again = _made(story, actor=actor).highlight
    with pytest.raises(ServiceError, match=f"quote {again.pk}"):
        services.coding_event_redo(event=made.event, actor=actor)
    assert list(Highlight.objects.values_list("pk", flat=True)) == [again.pk]
    assert CodingEvent.objects.get(pk=made.event.pk).undone_at is not None


def test_redo_is_refused_once_consent_to_transcribe_is_taken_back(project, story, actor):
    made = _made(story, actor=actor)
    services.coding_event_undo(event=made.event, actor=actor)
    consent_record(storyteller=story.storyteller, actor=None, record=True)
    with pytest.raises(ConsentError):
        services.coding_event_redo(event=made.event, actor=actor)
    assert not Highlight.objects.exists()


def test_a_named_quote_comes_back_anonymous_when_naming_consent_went(project, story, actor):
    made = _made(story, actor=actor, attribution="named")
    services.coding_event_undo(event=made.event, actor=actor)
    consent_record(storyteller=story.storyteller, actor=None, **GATHER_ONLY)
    services.coding_event_redo(event=made.event, actor=actor)
    assert Highlight.objects.get(pk=made.highlight.pk).attribution == "anonymous"


def test_a_quote_comes_back_on_the_newest_words_if_the_story_changed_meanwhile(
    project, story, actor
):
    made = _made(story, actor=actor)
    services.coding_event_undo(event=made.event, actor=actor)
    revision = transcript_revise(
        story=story, actor=None, reason="typo", text="Robin: Well, I lost my job and then my flat."
    )
    services.coding_event_redo(event=made.event, actor=actor)
    back = Highlight.objects.get(pk=made.highlight.pk)
    assert back.transcript == revision.transcript
    assert back.snippet == "lost my job"
    assert back.anchor_status == AnchorStatus.PLACED


def test_a_quote_whose_words_went_meanwhile_comes_back_flagged(project, story, actor):
    made = _made(story, actor=actor)
    services.coding_event_undo(event=made.event, actor=actor)
    transcript_revise(story=story, actor=None, reason="redaction", text="Robin: [removed]")
    services.coding_event_redo(event=made.event, actor=actor)
    back = Highlight.objects.get(pk=made.highlight.pk)
    assert back.anchor_status == AnchorStatus.LOST
    assert "while it was removed" in back.anchor_note
    assert project_findings(project).untagged.quotes[0].text is None


def test_new_quotes_after_a_redo_get_new_ids(project, story, actor):
    """The old id is put back by hand; the database must not hand it out again later."""
    made = _made(story, actor=actor)
    _undo_then_redo(made.event, actor)
    later = _made(story, "and then my flat", actor=actor).highlight
    assert later.pk > made.highlight.pk
    assert Highlight.objects.count() == 2


def test_withdrawal_after_an_undo_leaves_nothing_to_redo(project, story, actor):
    made = _made(story, actor=actor)
    services.coding_event_undo(event=made.event, actor=actor)
    consent_withdraw(storyteller=story.storyteller, actor=None)
    assert not Highlight.objects.exists()
    # The events that held the quote's words went with the story.
    assert not CodingEvent.objects.filter(story_id=story.pk).exists()
    assert "lost my job" not in str(list(CodingEvent.objects.values_list("payload", flat=True)))


def test_redo_of_a_theme_brings_it_back_under_its_id(project, actor):
    made = services.theme_create(project=project, name="Housing", actor=actor)
    _undo_then_redo(made.event, actor)
    assert list(Theme.objects.values_list("pk", "name")) == [(made.theme.pk, "Housing")]
    with pytest.raises(ServiceError, match="nothing to redo"):
        services.coding_event_redo(event=made.event, actor=actor)


def test_redo_of_a_theme_is_refused_if_its_name_was_taken_meanwhile(project, actor):
    made = services.theme_create(project=project, name="Housing", actor=actor)
    services.coding_event_undo(event=made.event, actor=actor)
    services.theme_create(project=project, name="housing", actor=actor)
    with pytest.raises(ServiceError, match="already a theme called"):
        services.coding_event_redo(event=made.event, actor=actor)


def test_redo_of_a_merge_merges_again_and_can_be_undone_again(project, story, actor):
    housing = services.theme_create(project=project, name="Housing", actor=actor).theme
    homes = services.theme_create(project=project, name="Homes", actor=actor).theme
    quote = _made(story, actor=actor, themes=[housing]).highlight
    merged = services.theme_merge(source=housing, target=homes, actor=actor)
    _undo_then_redo(merged.event, actor)
    assert _theme_ids(quote.pk) == {homes.pk}
    assert Theme.objects.get(pk=housing.pk).merged_into_id == homes.pk
    services.coding_event_undo(event=merged.event, actor=actor)
    assert _theme_ids(quote.pk) == {housing.pk}


def test_redo_of_rename_tag_untag_and_details(project, story, actor):
    theme = services.theme_create(project=project, name="Housing", actor=actor).theme
    renamed = services.theme_rename(theme=theme, name="Homes", actor=actor)
    _undo_then_redo(renamed.event, actor)
    assert Theme.objects.get(pk=theme.pk).name == "Homes"

    quote = _made(story, actor=actor).highlight
    tagged = services.highlight_tag(highlight=quote, theme=theme, actor=actor)
    _undo_then_redo(tagged.event, actor)
    assert _theme_ids(quote.pk) == {theme.pk}
    untagged = services.highlight_untag(highlight=quote, theme=theme, actor=actor)
    _undo_then_redo(untagged.event, actor)
    assert _theme_ids(quote.pk) == set()

    changed = services.highlight_update(highlight=quote, actor=actor, note="Second")
    _undo_then_redo(changed.event, actor)
    assert Highlight.objects.get(pk=quote.pk).note == "Second"
