"""Guessing speakers' parts from their labels: careful, and never two storytellers."""

from __future__ import annotations

from cohub.apps.stories.models import SpeakerPart
from cohub.pipeline.speakers import Part, guess_parts


def test_the_parts_are_the_ones_the_stories_app_stores():
    assert {part.value for part in Part} == set(SpeakerPart.values)


def test_the_label_like_the_pseudonym_is_the_storyteller_and_the_reporter_the_interviewer():
    parts = guess_parts(
        ["Rae", "Robin", "Lee"],
        storyteller_names=["Robin", ""],
        interviewer_names=["Rae (community reporter)"],
    )
    assert parts == {
        "Rae": Part.INTERVIEWER,
        "Robin": Part.STORYTELLER,
        "Lee": Part.PARTICIPANT,
    }


def test_a_real_name_label_from_a_video_call_is_matched_to_the_storyteller():
    parts = guess_parts(["Sam Reporter", "Skyler Jones"], storyteller_names=["Sky", "Skyler Jones"])
    assert parts["Skyler Jones"] == Part.STORYTELLER
    assert parts["Sam Reporter"] == Part.PARTICIPANT


def test_the_only_speaker_who_is_not_the_interviewer_is_the_storyteller():
    parts = guess_parts(
        ["Speaker 1", "Speaker 2"],
        storyteller_names=["Robin"],
        interviewer_names=["Speaker 1"],
    )
    assert parts == {"Speaker 1": Part.INTERVIEWER, "Speaker 2": Part.STORYTELLER}


def test_when_two_speakers_could_be_the_storyteller_nobody_is_made_the_storyteller():
    parts = guess_parts(["Robin A", "Robin B"], storyteller_names=["Robin"])
    assert set(parts.values()) == {Part.PARTICIPANT}


def test_unknown_speakers_in_a_group_are_other_participants():
    parts = guess_parts(["Ana", "Bo", "Cy"], storyteller_names=["Robin"])
    assert set(parts.values()) == {Part.PARTICIPANT}


def test_a_full_match_beats_a_first_name_match():
    parts = guess_parts(["Robin Smith", "Robin"], storyteller_names=["Robin"])
    assert parts == {"Robin Smith": Part.PARTICIPANT, "Robin": Part.STORYTELLER}
