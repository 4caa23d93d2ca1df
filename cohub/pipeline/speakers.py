"""Guessing what part each speaker in a transcript plays, from their labels alone.

Pure code: labels and names in, parts out. The guess only starts people off;
they see it on the story's speakers page and change it there. It is careful
because the storyteller's part decides whose consent governs a name: when in
doubt a speaker is "another participant", never the storyteller.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from enum import StrEnum


class Part(StrEnum):
    """The parts a speaker can play; ``stories.models.SpeakerPart`` uses the same values."""

    STORYTELLER = "storyteller"
    INTERVIEWER = "interviewer"
    PARTICIPANT = "participant"


_NOT_NAME = re.compile(r"[^\w\s]")


def _name(value: str) -> str:
    return " ".join(_NOT_NAME.sub(" ", value).casefold().split())


def _partly_same(one: str, other: str) -> bool:
    """Same first word, and every word of one is in the other ("Robin" and "Robin Smith")."""
    a, b = one.split(" "), other.split(" ")
    return a[0] == b[0] and (set(a) <= set(b) or set(b) <= set(a))


def _matches(label: str, names: Iterable[str]) -> int:
    """2 when ``label`` is one of ``names``, 1 when it is partly the same, else 0.

    Video calls label people "Robin Smith" where the project knows "Robin", and
    a reporter's account is called "Rae (community reporter)" where the call
    says "Rae"; "Speaker 1" and "Speaker 2" are different people.
    """
    wanted = _name(label)
    best = 0
    for name in map(_name, names):
        if not name or not wanted:
            continue
        if name == wanted:
            return 2
        if _partly_same(name, wanted):
            best = 1
    return best


def guess_parts(
    labels: Sequence[str],
    *,
    storyteller_names: Sequence[str],
    interviewer_names: Sequence[str] = (),
) -> dict[str, Part]:
    """A part for each label.

    - A label that matches the name of the person who gathered the story is
      the interviewer (or community reporter).
    - The storyteller is the one label that matches the storyteller's names
      (a full match wins over a first-name match); failing that, the only
      label left once interviewers are set aside.
    - Everyone else is another participant.
    """
    unique = list(dict.fromkeys(label for label in labels if label))
    parts = {label: Part.PARTICIPANT for label in unique}
    for label in unique:
        if _matches(label, interviewer_names) and _matches(label, storyteller_names) != 2:
            parts[label] = Part.INTERVIEWER
    scores = {label: _matches(label, storyteller_names) for label in unique}
    for level in (2, 1):
        found = [label for label, score in scores.items() if score == level]
        if len(found) == 1:
            parts[found[0]] = Part.STORYTELLER
            return parts
        if found:
            return parts
    others = [label for label in unique if parts[label] != Part.INTERVIEWER]
    if len(others) == 1:
        parts[others[0]] = Part.STORYTELLER
    return parts
