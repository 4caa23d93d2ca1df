"""Following spans of text (key quotes) and part times from one version of a text to the next.

Pure code: two strings and some offsets in, new offsets out. A correction,
a redaction or a new run of speech-to-text writes a new transcript version;
each quote made on the old one is placed on the new one here, or reported
as lost so that a person can choose its words again.

The texts are compared word by word (``difflib.SequenceMatcher`` over the
words, with their offsets kept), which is quick on a two-hour call and is
not thrown by a change in spacing or line breaks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

from cohub.pipeline.formats import SegmentData

_WORD = re.compile(r"\S+")

# Above this many differing words on each side, SequenceMatcher's exhaustive search is
# slow; its junk heuristic is then good enough, and the snippet search backs it up.
_EXHAUSTIVE_LIMIT = 4000

# How alike the old and new words of a quote must be for it to follow a correction
# inside it ("eleven weeks" to "twelve weeks"); less alike, a person decides.
SIMILAR_ENOUGH = 0.75


class Outcome(StrEnum):
    KEPT = "kept"  # the same words, perhaps somewhere else
    UPDATED = "updated"  # the words were corrected a little, and the quote follows them
    LOST = "lost"  # the words were removed or changed too much to tell


@dataclass(frozen=True)
class Placement:
    """Where a span lands in the new text; ``start``/``end`` are None when it is lost."""

    outcome: Outcome
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class _Words:
    text: str
    words: list[str]
    starts: list[int]
    ends: list[int]

    @classmethod
    def of(cls, text: str) -> _Words:
        matches = list(_WORD.finditer(text))
        return cls(
            text=text,
            words=[m.group() for m in matches],
            starts=[m.start() for m in matches],
            ends=[m.end() for m in matches],
        )

    def index_at(self, offset: int) -> int:
        """The word that holds ``offset``, or the next one after it."""
        low, high = 0, len(self.ends)
        while low < high:
            middle = (low + high) // 2
            if self.ends[middle] <= offset:
                low = middle + 1
            else:
                high = middle
        return low


class TextChange:
    """The difference between an old and a new text, worked out once for many spans."""

    def __init__(self, old: str, new: str) -> None:
        self.old = _Words.of(old)
        self.new = _Words.of(new)
        self._map = self._word_map()

    def _word_map(self) -> list[int | None]:
        """For each old word, the new word it became unchanged, or None."""
        a, b = self.old.words, self.new.words
        head = 0
        while head < min(len(a), len(b)) and a[head] == b[head]:
            head += 1
        tail = 0
        while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
            tail += 1
        mapping: list[int | None] = [None] * len(a)
        for i in range(head):
            mapping[i] = i
        for k in range(1, tail + 1):
            mapping[len(a) - k] = len(b) - k
        middle_a, middle_b = a[head : len(a) - tail], b[head : len(b) - tail]
        exhaustive = max(len(middle_a), len(middle_b)) <= _EXHAUSTIVE_LIMIT
        matcher = SequenceMatcher(None, middle_a, middle_b, autojunk=not exhaustive)
        for block in matcher.get_matching_blocks():
            for k in range(block.size):
                mapping[head + block.a + k] = head + block.b + k
        return mapping

    def _survivor(self, index: int) -> int | None:
        return self._map[index] if 0 <= index < len(self._map) else None

    def _new_start(self, old_start: int) -> int:
        """Where a span's start lands: exactly if its word survived, else after the change."""
        index = self.old.index_at(old_start)
        target = self._survivor(index)
        if target is not None:
            return self.new.starts[target] + (old_start - self.old.starts[index])
        for earlier in range(index - 1, -1, -1):
            target = self._survivor(earlier)
            if target is not None:
                after = target + 1
                return (
                    self.new.starts[after] if after < len(self.new.starts) else len(self.new.text)
                )
        return 0

    def _new_end(self, old_end: int) -> int:
        """Where a span's end lands: exactly if its word survived, else before the change."""
        index = self.old.index_at(old_end - 1)
        target = self._survivor(index)
        if target is not None:
            return self.new.starts[target] + (old_end - self.old.starts[index])
        for later in range(index + 1, len(self.old.words)):
            target = self._survivor(later)
            if target is not None:
                return self.new.ends[target - 1] if target > 0 else 0
        return len(self.new.text)

    def _unchanged(self, start: int, end: int) -> tuple[int, int] | None:
        """The span's new offsets when every word in it survived, side by side."""
        first = self.old.index_at(start)
        last = self.old.index_at(end - 1)
        if last >= len(self.old.words) or first > last:
            return None
        targets = [self._survivor(i) for i in range(first, last + 1)]
        survived = [t for t in targets if t is not None]
        if len(survived) != len(targets):
            return None
        if any(b != a + 1 for a, b in zip(survived, survived[1:], strict=False)):
            return None
        new_start = self.new.starts[survived[0]] + (start - self.old.starts[first])
        new_end = self.new.starts[survived[-1]] + (end - self.old.starts[last])
        return new_start, new_end

    def place(self, start: int, end: int) -> Placement:
        """Place the old span ``[start, end)`` on the new text."""
        snippet = self.old.text[start:end]
        unchanged = self._unchanged(start, end)
        if unchanged is not None:
            return Placement(Outcome.KEPT, *unchanged)
        near = self._new_start(start)
        found = _nearest(self.new.text, snippet, near)
        if found is not None:
            return Placement(Outcome.KEPT, found, found + len(snippet))
        new_start, new_end = _trim(self.new.text, near, self._new_end(end))
        if new_end > new_start:
            candidate = self.new.text[new_start:new_end]
            likeness = SequenceMatcher(None, _squash(snippet), _squash(candidate)).ratio()
            if likeness >= SIMILAR_ENOUGH:
                return Placement(Outcome.UPDATED, new_start, new_end)
        return Placement(Outcome.LOST)


def place_span(old: str, new: str, start: int, end: int) -> Placement:
    """Place one span; use ``TextChange`` to place many on the same pair of texts."""
    return TextChange(old, new).place(start, end)


def _nearest(text: str, snippet: str, near: int) -> int | None:
    """The start of the copy of ``snippet`` in ``text`` closest to ``near``, if any."""
    if not snippet.strip():
        return None
    best: int | None = None
    position = text.find(snippet)
    while position != -1:
        if best is None or abs(position - near) < abs(best - near):
            best = position
        position = text.find(snippet, position + 1)
    return best


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _squash(text: str) -> str:
    return " ".join(text.split())


def carry_times(old: Sequence[SegmentData], new: Sequence[SegmentData]) -> list[SegmentData]:
    """Give new parts the times of the old parts they correct.

    Text edited as a whole comes back without times. A part that is unchanged,
    or one of a run of parts replaced one for one (a corrected part), keeps the
    times it had, and its word times (``words.fit_words`` aligns them to the
    corrected words when it is stored); parts added or split get none, rather
    than a wrong guess.
    """
    matcher = SequenceMatcher(None, [s.text for s in old], [s.text for s in new], autojunk=False)
    carried = list(new)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for offset in range(i2 - i1):
                source, target = old[i1 + offset], carried[j1 + offset]
                if target.start_ms is None and target.end_ms is None:
                    carried[j1 + offset] = SegmentData(
                        text=target.text,
                        speaker=target.speaker,
                        start_ms=source.start_ms,
                        end_ms=source.end_ms,
                        words=source.words,
                    )
    return carried
