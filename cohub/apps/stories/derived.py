"""What later apps make from stories, as far as the stories app needs to know.

Stories are the start of the chain: review sheets, key quotes and (later)
recordings' derived files belong to apps that depend on stories, never the
other way round. Yet a story's own pages must say how much a deletion or a
withdrawal removes, and where a story is read. Those apps register here, at
start-up (``AppConfig.ready``), so this app can ask without importing them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.urls import reverse

StoryCounter = Callable[[Sequence[int]], dict[int, int]]


@dataclass(frozen=True)
class DerivedThing:
    """One kind of thing made from stories, e.g. key quotes."""

    key: str
    one: str  # "key quote"
    many: str  # "key quotes"
    count: StoryCounter  # story ids -> how many per story (missing means none)
    in_lists: bool = True  # shown as a column in the story list

    def label(self, number: int) -> str:
        return f"{number} {self.one if number == 1 else self.many}"


_derived: dict[str, DerivedThing] = {}
_story_page: list[str] = []


def register_derived(
    *, key: str, one: str, many: str, count: StoryCounter, in_lists: bool = True
) -> None:
    """Say that an app makes ``many`` from stories, and how to count them per story."""
    _derived[key] = DerivedThing(key=key, one=one, many=many, count=count, in_lists=in_lists)


def derived_things(*, in_lists: bool = False) -> list[DerivedThing]:
    """Every registered kind of thing; with ``in_lists``, only those the story list shows."""
    return [thing for thing in _derived.values() if thing.in_lists or not in_lists]


@dataclass(frozen=True)
class DerivedCount:
    thing: DerivedThing
    number: int

    @property
    def label(self) -> str:
        return self.thing.label(self.number)


def derived_counts(story_ids: Iterable[int]) -> list[DerivedCount]:
    """How much of each registered thing the given stories have, all together."""
    ids = list(story_ids)
    if not ids:
        return [DerivedCount(thing, 0) for thing in _derived.values()]
    return [DerivedCount(thing, sum(thing.count(ids).values())) for thing in _derived.values()]


def derived_counts_by_story(
    story_ids: Iterable[int], things: Iterable[DerivedThing]
) -> dict[int, dict[str, int]]:
    """Per story id, each given thing's count, in one query per kind of thing."""
    ids = list(story_ids)
    table: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    if not ids:
        return table
    for thing in things:
        counts = thing.count(ids)
        for pk in ids:
            table[pk][thing.key] = counts.get(pk, 0)
    return table


def register_story_page(url_name: str) -> None:
    """Name the page where a story is read: links to a story go there.

    The URL must take ``project_slug`` and ``story_id``. The last app to
    register wins, which lets the app furthest down the chain (the one that
    shows the most of a story) own the link.
    """
    if url_name not in _story_page:
        _story_page.append(url_name)


def story_page_url(*, project_slug: str, story_id: int) -> str:
    """Where a link to a story goes; the story list if no app shows stories."""
    if not _story_page:
        return reverse("stories:story_list", kwargs={"project_slug": project_slug})
    return reverse(_story_page[-1], kwargs={"project_slug": project_slug, "story_id": story_id})
