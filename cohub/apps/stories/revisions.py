"""What follows a story's text when a new version of it is written.

Key quotes point into a transcript version, but they belong to analysis,
which stories must not import. Apps that keep spans of a story's text
register a follower at start-up (``AppConfig.ready``), as they register
purgers in ``purge.py``; ``transcript_revise`` calls every follower inside
its transaction with the old and the new version, so quotes and text never
disagree, and reports back what each follower said (counts, by name).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cohub.apps.stories.models import Transcript

Follower = Callable[["Transcript", "Transcript"], dict[str, int]]

_followers: list[Follower] = []


def register_follower(func: Follower) -> Follower:
    """Register ``func(old, new) -> counts`` to move what an app anchored on ``old`` to ``new``."""
    if func not in _followers:
        _followers.append(func)
    return func


def follow_revision(old: Transcript, new: Transcript) -> dict[str, int]:
    """Run every follower; their counts added up by name ("quotes_lost": 2)."""
    totals: dict[str, int] = {}
    for follower in _followers:
        for name, count in follower(old, new).items():
            totals[name] = totals.get(name, 0) + count
    return totals
