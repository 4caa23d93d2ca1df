"""The change feed: one project's coding events after a given id, in id order."""

from __future__ import annotations

import pytest

from cohub.apps.analysis import services
from cohub.apps.analysis.models import CodingAction, CodingEvent
from cohub.apps.analysis.selectors import coding_events_since
from tests.factories import ProjectFactory


@pytest.fixture
def other(db):
    return ProjectFactory()


def _themes(project, *names):
    return [services.theme_create(project=project, name=n, actor=None) for n in names]


def test_the_feed_is_this_projects_events_in_id_order(project, other):
    mine = _themes(project, "Housing")
    _themes(other, "Elsewhere")  # its id falls between two of ours
    mine += _themes(project, "Work")
    rename = services.theme_rename(theme=mine[0].theme, name="Homes", actor=None)
    expected = [mine[0].event, mine[1].event, rename.event]

    feed = coding_events_since(project, 0)

    assert feed == expected
    assert [e.pk for e in feed] == sorted(e.pk for e in feed)
    assert all(e.project_id == project.pk for e in feed)


def test_order_is_by_id_even_when_the_clock_disagrees(project):
    first, second = _themes(project, "A", "B")
    # The log page sorts newest first by time; the feed must not depend on clocks.
    CodingEvent.objects.filter(pk=first.event.pk).update(created_at=second.event.created_at)
    CodingEvent.objects.filter(pk=second.event.pk).update(
        created_at=first.event.created_at.replace(year=2001)
    )
    assert [e.pk for e in coding_events_since(project, 0)] == [first.event.pk, second.event.pk]


def test_after_an_id_gives_only_what_came_later(project):
    a, b, c = _themes(project, "A", "B", "C")
    assert coding_events_since(project, a.event.pk) == [b.event, c.event]
    assert coding_events_since(project, c.event.pk) == []


def test_limit_reads_a_page_and_the_next_starts_after_it(project):
    results = _themes(project, "A", "B", "C")
    page = coding_events_since(project, 0, limit=2)
    assert page == [results[0].event, results[1].event]
    assert coding_events_since(project, page[-1].pk, limit=2) == [results[2].event]
    with pytest.raises(ValueError):
        coding_events_since(project, 0, limit=0)


def test_an_undo_shows_in_the_feed_as_new_events(project):
    (made,) = _themes(project, "A")
    undone = services.coding_event_undo(event=made.event, actor=None)
    feed = coding_events_since(project, made.event.pk)
    assert feed == list(undone.events)
    assert [e.action for e in feed] == [CodingAction.THEME_DELETE]


def test_never_another_projects_events(project, other):
    _themes(other, "A", "B")
    assert coding_events_since(project, 0) == []
