"""Word times: kept through corrections, aligned where words change, shared out over cues."""

from __future__ import annotations

from cohub.pipeline.words import (
    WordTime,
    fit_words,
    span_of_words,
    spread_words,
    words_from_json,
    words_to_json,
)

HEARD = (
    WordTime(1000, 1300, "I", 0.9),
    WordTime(1400, 1900, "waited", 0.8),
    WordTime(2000, 2500, "eleven", 0.4),
    WordTime(2600, 3100, "weeks.", 0.95),
)


def test_unchanged_words_keep_their_times_and_a_corrected_word_takes_the_old_ones_time():
    fitted = fit_words(HEARD, "I waited twelve weeks.", 1000, 3100)

    assert [w.text for w in fitted] == ["I", "waited", "twelve", "weeks."]
    assert fitted[0] == HEARD[0] and fitted[1] == HEARD[1] and fitted[3] == HEARD[3]
    # Nobody heard "twelve": it takes the time "eleven" took, with no probability.
    assert (fitted[2].start_ms, fitted[2].end_ms, fitted[2].probability) == (2000, 2500, None)


def test_an_inserted_word_fits_in_the_gap_between_its_neighbours():
    fitted = fit_words(HEARD, "I waited eleven long weeks.", 1000, 3100)

    long_word = fitted[3]
    assert long_word.text == "long"
    assert 2500 <= long_word.start_ms <= long_word.end_ms <= 2600
    assert fitted[4] == HEARD[3]


def test_several_new_words_share_the_time_of_the_words_they_replace_in_order():
    fitted = fit_words(HEARD, "I waited for ages, weeks.", 1000, 3100)

    new = fitted[2:4]
    assert [w.text for w in new] == ["for", "ages,"]
    assert new[0].start_ms == 2000 and new[-1].end_ms == 2500
    assert new[0].end_ms <= new[1].start_ms


def test_removed_words_take_their_times_with_them():
    fitted = fit_words(HEARD, "I waited weeks.", 1000, 3100)

    assert fitted == (HEARD[0], HEARD[1], HEARD[3])


def test_a_cue_time_is_shared_over_its_words_in_order_and_inside_the_cue():
    words = spread_words("Happy to be here.", 5900, 7000)

    assert [w.text for w in words] == ["Happy", "to", "be", "here."]
    assert words[0].start_ms == 5900 and words[-1].end_ms == 7000
    for before, after in zip(words, words[1:], strict=False):
        assert before.start_ms <= before.end_ms <= after.start_ms


def test_a_part_without_times_has_no_word_times():
    assert spread_words("Typed words", None, None) == ()
    assert fit_words(HEARD, "I waited", None, None) == ()


def test_a_span_is_timed_from_its_first_and_last_words():
    text = "I waited eleven weeks."
    start = text.index("waited")
    end = text.index("eleven") + 3  # part of a word still counts it

    assert span_of_words(HEARD, text, start, end) == (1400, 2500)
    assert span_of_words((), text, start, end) is None


def test_words_round_trip_through_json():
    assert words_from_json(words_to_json(HEARD)) == HEARD
