"""Removing stories and everything derived from them.

Withdrawal of consent must leave nothing behind: transcripts, segments,
highlights, theme links and coding-log rows (which may hold quote snippets)
all go. Apps further down the chain register what they derive from a story
through ``register_purger``, so this module never imports them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models import QuerySet

from cohub.apps.stories.models import Story

_purgers: list[Callable[[list[int]], None]] = []


def register_purger(func: Callable[[list[int]], None]) -> Callable[[list[int]], None]:
    """Register ``func(story_ids)`` to delete what an app derived from those stories."""
    if func not in _purgers:
        _purgers.append(func)
    return func


@transaction.atomic
def purge_stories(stories: QuerySet[Story]) -> int:
    story_ids = list(stories.values_list("pk", flat=True))
    if not story_ids:
        return 0
    for purger in _purgers:
        purger(story_ids)
    Story.objects.filter(pk__in=story_ids).delete()
    return len(story_ids)
