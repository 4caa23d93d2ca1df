"""Word times: when each word of a part was said, kept through corrections.

Pure code, no Django. A part (segment) of a transcript holds its words in
order, one per whitespace-separated token of its text, each with a start and
end in milliseconds and, when speech-to-text heard it, how sure it was.
The contract every caller relies on (redaction's bleeping too):

- ``fit_words(words, text, start_ms, end_ms)`` returns exactly one
  :class:`WordTime` per token of ``text``, in order, with
  ``start_ms <= word.start_ms <= word.end_ms <= end_ms`` when the part has
  both times. Words the old list already had keep their times; words that
  are new (a correction) get times by alignment: the stretch of time the
  words they replace took, or the gap between their neighbours, shared out
  by length. A part without times has no word times (typed stories).
- ``spread_words(text, start_ms, end_ms)`` shares a cue's time out over its
  words by length: for subtitle files, which time only whole cues.
- ``span_of_words(words, text, start, end)`` is the time range of the words
  that the characters ``[start, end)`` of the part's text touch: a quote's
  time comes from its first and last words.

Stored as JSON (``to_json``/``from_json``): ``{"start_ms", "end_ms", "text",
"probability"}`` per word, probability ``null`` when no model guessed it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True)
class WordTime:
    """One word of a part, when it was said, and how sure speech-to-text was (0..1)."""

    start_ms: int
    end_ms: int
    text: str
    probability: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "start_ms": self.start_ms,
            "end_ms": self.end_ms,
            "text": self.text,
            "probability": self.probability,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WordTime:
        probability = data.get("probability")
        return cls(
            start_ms=int(data["start_ms"]),
            end_ms=int(data["end_ms"]),
            text=str(data["text"]),
            probability=None if probability is None else float(probability),
        )


def words_from_json(rows: Iterable[dict[str, Any]] | None) -> tuple[WordTime, ...]:
    return tuple(WordTime.from_json(row) for row in rows or ())


def words_to_json(words: Iterable[WordTime]) -> list[dict[str, Any]]:
    return [word.to_json() for word in words]


def tokens(text: str) -> list[tuple[int, int, str]]:
    """The words of ``text`` as (start, end, word) character offsets."""
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


def _share(
    pieces: Sequence[str], start_ms: int, end_ms: int, probability: float | None = None
) -> list[WordTime]:
    """Share ``[start_ms, end_ms]`` out over ``pieces`` by their length (a space counts one)."""
    if not pieces:
        return []
    end_ms = max(end_ms, start_ms)
    weights = [len(piece) + 1 for piece in pieces]
    total = sum(weights)
    span = end_ms - start_ms
    result: list[WordTime] = []
    done = 0
    for piece, weight in zip(pieces, weights, strict=True):
        begin = start_ms + round(span * done / total)
        done += weight
        # The space after a word is a short pause, not part of it.
        finish = start_ms + round(span * (done - 1) / total) if done < total else end_ms
        result.append(WordTime(begin, max(begin, finish), piece, probability))
    return result


def spread_words(text: str, start_ms: int | None, end_ms: int | None) -> tuple[WordTime, ...]:
    """Word times for a part timed only as a whole: its time shared out by word length."""
    if start_ms is None or end_ms is None:
        return ()
    return tuple(_share([word for _, _, word in tokens(text)], start_ms, end_ms))


def fit_words(
    words: Sequence[WordTime], text: str, start_ms: int | None, end_ms: int | None
) -> tuple[WordTime, ...]:
    """The words of ``text`` with times: kept where unchanged, aligned where corrected.

    ``words`` are the part's words before (from speech-to-text, or the version
    being corrected). Each token of ``text`` that matches one of them, in
    order, keeps its time and probability. A run of new tokens takes the time
    of the old words it replaces (or, inserted between two words, the gap
    between them) shared out by length, with no probability: nobody heard it.
    Without old words the part's own time is shared out (``spread_words``).
    """
    if start_ms is None or end_ms is None:
        return ()
    new = [word for _, _, word in tokens(text)]
    if not words:
        return spread_words(text, start_ms, end_ms)
    old = sorted(words, key=lambda w: (w.start_ms, w.end_ms))
    matcher = SequenceMatcher(None, [w.text for w in old], new, autojunk=False)
    result: list[WordTime] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result.extend(old[i1:i2])
        elif tag in ("replace", "insert"):
            if i2 > i1:
                begin, finish = old[i1].start_ms, old[i2 - 1].end_ms
            else:
                begin = result[-1].end_ms if result else start_ms
                finish = old[i1].start_ms if i1 < len(old) else end_ms
            result.extend(_share(new[j1:j2], begin, max(begin, finish)))
        # "delete": the old words are gone, and so are their times.
    return tuple(_clamp(word, start_ms, end_ms) for word in result)


def _clamp(word: WordTime, start_ms: int, end_ms: int) -> WordTime:
    begin = min(max(word.start_ms, start_ms), end_ms)
    finish = min(max(word.end_ms, begin), end_ms)
    if (begin, finish) == (word.start_ms, word.end_ms):
        return word
    return WordTime(begin, finish, word.text, word.probability)


def span_of_words(
    words: Sequence[WordTime], text: str, start: int, end: int
) -> tuple[int, int] | None:
    """When the words that characters ``[start, end)`` of ``text`` touch were said.

    ``words`` are the part's words, one per token of ``text`` (``fit_words``
    makes them so). None when the span touches no word or there are no times.
    """
    if not words:
        return None
    touched = [
        index
        for index, (begin, finish, _) in enumerate(tokens(text))
        if finish > start and begin < end and index < len(words)
    ]
    if not touched:
        return None
    return words[touched[0]].start_ms, words[touched[-1]].end_ms


def split_cue_time(texts: Sequence[str], start_ms: int, end_ms: int) -> list[tuple[int, int]]:
    """Share one cue's time between the parts it was split into (several speakers), by length."""
    shares = _share(list(texts), start_ms, end_ms)
    return [(word.start_ms, word.end_ms) for word in shares]
