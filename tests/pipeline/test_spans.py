"""Parts and exact words to offsets, on a three-part transcript small enough to read."""

from __future__ import annotations

import pytest

from cohub.pipeline.spans import (
    NoPartChosen,
    Part,
    PartNotFound,
    PartsOutOfOrder,
    WordsNotFound,
    find_words,
    span_from_parts,
)

TEXT = "Sam: How did it start?\n\nRobin: I lost my job.\n\nRobin: Then my flat."
PARTS = [
    Part(0, 0, 22),
    Part(1, 24, 45),
    Part(2, 47, len(TEXT)),
]


def _words(span: tuple[int, int]) -> str:
    return TEXT[span[0] : span[1]]


def test_the_parts_are_what_the_test_says():
    assert [_words((p.char_start, p.char_end)) for p in PARTS] == [
        "Sam: How did it start?",
        "Robin: I lost my job.",
        "Robin: Then my flat.",
    ]


def test_one_part_given_either_way_is_that_part():
    assert _words(span_from_parts(TEXT, PARTS, first=1, last=None)) == "Robin: I lost my job."
    assert _words(span_from_parts(TEXT, PARTS, first=None, last=1)) == "Robin: I lost my job."


def test_a_range_runs_from_the_start_of_the_first_to_the_end_of_the_last():
    span = span_from_parts(TEXT, PARTS, first=0, last=2)
    assert span == (0, len(TEXT))


def test_parts_backwards_are_refused_not_swapped():
    with pytest.raises(PartsOutOfOrder) as caught:
        span_from_parts(TEXT, PARTS, first=2, last=0)
    assert (caught.value.first, caught.value.last) == (2, 0)
    assert str(caught.value) == "Part 1 comes before part 3."


def test_no_part_chosen():
    with pytest.raises(NoPartChosen):
        span_from_parts(TEXT, PARTS, first=None, last=None)


@pytest.mark.parametrize(("first", "last", "missing"), [(5, None, 5), (0, 9, 9), (-1, 1, -1)])
def test_a_part_the_transcript_does_not_have(first, last, missing):
    with pytest.raises(PartNotFound) as caught:
        span_from_parts(TEXT, PARTS, first=first, last=last)
    assert caught.value.index == missing


def test_exact_words_narrow_the_span_and_spaces_match_loosely():
    span = span_from_parts(TEXT, PARTS, first=1, last=None, words="  lost   my\njob ")
    assert _words(span) == "lost my job"


def test_exact_words_across_two_parts_ignore_case_only_when_they_must():
    span = span_from_parts(TEXT, PARTS, first=1, last=2, words="MY JOB. robin: then")
    assert _words(span) == "my job.\n\nRobin: Then"


def test_exact_case_wins_over_an_earlier_match_in_other_capitals():
    text = "robin said Robin"
    assert find_words(text, "Robin", 0, len(text)) == (11, 16)


def test_words_outside_the_chosen_parts_are_not_found():
    with pytest.raises(WordsNotFound):
        span_from_parts(TEXT, PARTS, first=0, last=None, words="lost my job")


def test_blank_words_mean_the_whole_parts():
    assert span_from_parts(TEXT, PARTS, first=0, last=0, words="   ") == (0, 22)
    assert find_words(TEXT, "  ", 0, len(TEXT)) is None


def test_merge_spans_joins_overlapping_and_touching_spans_and_drops_empty_ones():
    from cohub.pipeline.spans import merge_spans

    assert merge_spans([(30, 40), (0, 10), (10, 12), (5, 8), (20, 20), (39, 50)]) == [
        (0, 12),
        (30, 50),
    ]
    assert merge_spans([]) == []
