"""What a storyteller's own page shows of "You said, we did" (ADR 0033), by their consent.

The coded project (tests/reports/conftest.py): Robin agreed to everything,
Sky only to being recorded and written down; a change answers Robin's first
quote, another answers the theme "Trust" (Robin's second quote and Ana's).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohub.apps.reports.changes import change_create
from cohub.apps.reports.my_story import my_page
from cohub.apps.reports.public_changes import changes_for_storyteller, changes_publish
from cohub.apps.stories.models import Storyteller
from cohub.apps.stories.scopes import ConsentScope
from cohub.apps.stories.services import consent_narrow, consent_withdraw
from tests.factories import UserFactory

CALL_BACK = "Call people back within a week"
PEERS = "Peer supporters in every team"
LEAFLET = "A leaflet in every waiting room"


@pytest.fixture
def changed(coded):
    change_create(
        project=coded.project,
        actor=None,
        title=CALL_BACK,
        status="done",
        what_was_done="A call-back rota since March.",
        quotes=[coded.highlights["h1"]],
    )
    change_create(
        project=coded.project,
        actor=None,
        title=PEERS,
        themes=[coded.project.themes.get(name="Trust")],
    )
    change_create(project=coded.project, actor=None, title=LEAFLET, status="in_progress")
    return coded


def _titles(storyteller):
    return [(item.change.title, item.yours) for item in changes_for_storyteller(storyteller)]


def test_nothing_shows_until_the_project_publishes(changed):
    assert _titles(changed.storytellers["Robin"]) == []
    changes_publish(project=changed.project, actor=None)
    # Robin's own first: the quote it answers, then the theme of their second quote.
    assert _titles(changed.storytellers["Robin"]) == [
        (CALL_BACK, True),
        (PEERS, True),
        (LEAFLET, False),
    ]


def test_someone_whose_words_are_not_used_sees_the_changes_but_none_as_theirs(changed):
    changes_publish(project=changed.project, actor=None)
    assert _titles(changed.storytellers["Sky"]) == [
        (CALL_BACK, False),
        (LEAFLET, False),
        (PEERS, False),
    ]
    robin = changed.storytellers["Robin"]
    consent_narrow(
        storyteller=robin,
        keep=[ConsentScope.RECORD, ConsentScope.TRANSCRIBE],
        actor=None,
        via="link",
    )
    assert not any(yours for _, yours in _titles(robin))


def test_a_withdrawn_storyteller_sees_none(changed):
    changes_publish(project=changed.project, actor=None)
    robin = changed.storytellers["Robin"]
    consent_withdraw(storyteller=robin, actor=None)
    robin.refresh_from_db()
    assert changes_for_storyteller(robin) == []


def test_each_quote_says_what_is_being_done_about_it(changed):
    changes_publish(project=changed.project, actor=None)
    page = my_page(changed.storytellers["Robin"])
    first, second = page.quotes
    assert first.changes == (CALL_BACK,)
    assert second.changes == ()


@pytest.mark.parametrize("kind", ["my_story:page", "my_story:easy_read"])
def test_the_storytellers_page_shows_it(client, changed, kind):
    changes_publish(project=changed.project, actor=None)
    account = UserFactory()
    Storyteller.objects.filter(pk=changed.storytellers["Robin"].pk).update(user=account)
    client.force_login(account)
    body = client.get(reverse(kind)).content.decode()
    assert CALL_BACK in body and LEAFLET in body
    assert "A call-back rota since March." in body
    assert reverse("you_said:page", args=[changed.project.slug]) in body
