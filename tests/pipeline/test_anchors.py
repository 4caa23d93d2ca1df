"""Quotes follow a corrected text: tiny inputs, worked out by hand."""

from __future__ import annotations

from cohub.pipeline.anchors import Outcome, TextChange, carry_times, place_span
from cohub.pipeline.formats import SegmentData

OLD = "Sam: How did it go?\n\nRobin: I waited eleven weeks. Nobody rang me back."


def _place(old: str, new: str, words: str):
    start = old.index(words)
    placement = place_span(old, new, start, start + len(words))
    text = None if placement.start is None else new[placement.start : placement.end]
    return placement.outcome, text


def test_an_unchanged_text_keeps_every_quote_where_it_was():
    start = OLD.index("I waited")
    placement = place_span(OLD, OLD, start, start + 10)
    assert (placement.outcome, placement.start, placement.end) == (Outcome.KEPT, start, start + 10)


def test_a_correction_above_a_quote_keeps_its_words():
    new = OLD.replace("How did it go?", "How did it go for you, then?")
    assert _place(OLD, new, "Nobody rang me back.") == (Outcome.KEPT, "Nobody rang me back.")


def test_a_quote_that_starts_and_ends_inside_words_keeps_its_exact_letters():
    new = "Intro added.\n\n" + OLD
    assert _place(OLD, new, "aited eleven wee") == (Outcome.KEPT, "aited eleven wee")


def test_a_change_of_spacing_inside_a_quote_keeps_its_words():
    new = OLD.replace("eleven weeks. Nobody", "eleven weeks.\nNobody")
    assert _place(OLD, new, "eleven weeks. Nobody rang") == (
        Outcome.KEPT,
        "eleven weeks.\nNobody rang",
    )


def test_a_small_correction_inside_a_quote_updates_its_words():
    new = OLD.replace("eleven weeks", "twelve weeks")
    assert _place(OLD, new, "I waited eleven weeks.") == (Outcome.UPDATED, "I waited twelve weeks.")


def test_a_big_change_inside_a_quote_is_lost_for_a_person_to_fix():
    new = OLD.replace("I waited eleven weeks.", "It was fine in the end, honestly.")
    assert _place(OLD, new, "I waited eleven weeks.") == (Outcome.LOST, None)


def test_a_deleted_passage_loses_its_quote():
    new = OLD.replace(" Nobody rang me back.", "")
    assert _place(OLD, new, "Nobody rang me back.") == (Outcome.LOST, None)


def test_words_that_moved_elsewhere_are_found_again():
    new = "Robin: Nobody rang me back. I waited eleven weeks.\n\nSam: How did it go?"
    assert _place(OLD, new, "I waited eleven weeks.") == (Outcome.KEPT, "I waited eleven weeks.")


def test_of_two_copies_the_one_nearest_the_old_place_is_chosen():
    old = "Yes. A. Yes. B. Yes. C."
    new = "Yes. A! Yes. B! Yes. C!"
    start = old.index("Yes. C")
    placement = place_span(old, new, start, start + 4)
    assert placement.start == new.index("Yes. C")


def test_one_text_change_places_many_quotes():
    new = OLD.replace("Sam:", "Sam Reporter:")
    change = TextChange(OLD, new)
    for words in ("How did it go?", "I waited", "rang me back."):
        start = OLD.index(words)
        placement = change.place(start, start + len(words))
        assert new[placement.start : placement.end] == words


def test_corrected_parts_keep_their_times_and_added_parts_get_none():
    old = [
        SegmentData("How did it go?", "Sam", 0, 2000),
        SegmentData("I waited eleven weeks.", "Robin", 2000, 6000),
    ]
    new = [
        SegmentData("How did it go?", "Sam"),
        SegmentData("I waited twelve weeks.", "Robin"),
        SegmentData("And then some.", "Robin"),
    ]
    carried = carry_times(old, new)
    assert [(s.start_ms, s.end_ms) for s in carried] == [(0, 2000), (None, None), (None, None)]
    one_for_one = carry_times(old, new[:2])
    assert [(s.start_ms, s.end_ms) for s in one_for_one] == [(0, 2000), (2000, 6000)]
