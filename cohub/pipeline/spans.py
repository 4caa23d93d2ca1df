"""Turning "from part N to part M, these exact words" into offsets into a transcript's text.

A key quote is stored as character offsets into one transcript version. People
who cannot (or would rather not) select words with a mouse choose the parts
instead, optionally narrowed to some words inside them. This is the arithmetic
for that, over plain strings and dataclasses, so it can be tested on tiny
inputs without a database and reused by the API and the live board later.

Each way it can fail is its own error, so a form can put the right message
beside the right field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    """One part (segment) of a transcript: its 0-based index and where it sits in the text."""

    index: int
    char_start: int
    char_end: int


class SpanError(ValueError):
    """The parts or words chosen do not make a quote; the subclass says why."""


class NoPartChosen(SpanError):
    """Neither "from part" nor "to part" was given."""


class PartNotFound(SpanError):
    """A part number that this transcript does not have."""

    def __init__(self, index: int) -> None:
        self.index = index
        super().__init__(f"The transcript has no part {index + 1}.")


class PartsOutOfOrder(SpanError):
    """ "From part 7 to part 2": refused rather than swapped, since it is probably a slip."""

    def __init__(self, first: int, last: int) -> None:
        self.first = first
        self.last = last
        super().__init__(f"Part {last + 1} comes before part {first + 1}.")


class WordsNotFound(SpanError):
    """The exact words are not inside the chosen parts."""


def find_words(text: str, words: str, start: int, end: int) -> tuple[int, int] | None:
    """Where ``words`` sit in ``text[start:end]``, as offsets into ``text``.

    Spaces and line breaks are matched loosely (any run of whitespace matches any
    other), so words copied from the page still match across the gap between two
    parts. Capital letters must match first; if nothing matches, case is ignored.
    """
    pieces = words.split()
    if not pieces:
        return None
    pattern = r"\s+".join(re.escape(piece) for piece in pieces)
    for flags in (0, re.IGNORECASE):
        match = re.compile(pattern, flags).search(text, start, end)
        if match is not None:
            return match.start(), match.end()
    return None


def span_from_parts(
    text: str,
    parts: Iterable[Part],
    *,
    first: int | None,
    last: int | None,
    words: str = "",
) -> tuple[int, int]:
    """The offsets of parts ``first`` to ``last`` (0-based, inclusive), or of ``words`` in them.

    Only one of ``first`` and ``last`` means that one part. ``parts`` needs to hold
    at least the two named parts. Raises ``NoPartChosen``, ``PartNotFound``,
    ``PartsOutOfOrder`` or ``WordsNotFound``.
    """
    first, last = (first if first is not None else last), (last if last is not None else first)
    if first is None or last is None:
        raise NoPartChosen("Choose the part the words are in.")
    by_index = {part.index: part for part in parts}
    for index in (first, last):
        if index not in by_index:
            raise PartNotFound(index)
    if last < first:
        raise PartsOutOfOrder(first, last)
    start, end = by_index[first].char_start, by_index[last].char_end
    if not words.strip():
        return start, end
    found = find_words(text, words, start, end)
    if found is None:
        raise WordsNotFound("Those words are not in the parts chosen.")
    return found


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching ``(start, end)`` spans joined, in order; empty ones dropped.

    Shared by what marks quotes in a transcript and what covers replaced words
    in audio: both must treat two spans that meet as one, or a gap of nothing
    between them would split a mark (or let a sound through).
    """
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
