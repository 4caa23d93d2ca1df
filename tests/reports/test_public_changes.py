""" "You said, we did" in public (ADR 0033): publishing, the page anyone reads, and consent on it.

The coded project (tests/reports/conftest.py): Robin agreed to everything,
Sky only to being recorded and written down, Ana to being quoted without
a name but not to being published.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohub.apps.analysis.quote_checks import quote_check_answer
from cohub.apps.core.models import Event
from cohub.apps.reports.changes import change_create
from cohub.apps.reports.public_changes import (
    changes_publish,
    changes_unpublish,
    public_page,
    public_quote_ids,
)
from cohub.apps.stories import services as story_services
from cohub.apps.stories.scopes import ConsentScope
from cohub.apps.stories.services import consent_narrow, consent_withdraw
from tests.factories import user_for_role

ROBIN_1 = "I waited eleven weeks."
ROBIN_2 = "=Nobody rang me back, not once."
ANA = "My neighbour, who had been through it."


def _approve(coded, *keys):
    for key in keys:
        highlight = coded.highlights[key]
        quote_check_answer(
            highlight=highlight,
            storyteller=highlight.review_sheet.story.storyteller,
            state="approved",
            actor=None,
            via="link",
        )


@pytest.fixture
def published(coded):
    """Two changes answering Robin's, Sky's and Ana's quotes, all approved; published."""
    waiting = coded.project.themes.get(name="Waiting")
    trust = coded.project.themes.get(name="Trust")
    _approve(coded, "h1", "h2", "h4")
    change_create(
        project=coded.project,
        actor=None,
        title="Call people back within a week",
        owner="Adult social care team",
        status="done",
        what_was_done="A call-back rota since March.",
        themes=[waiting],
        quotes=[coded.highlights[k] for k in ("h1", "h2", "h3")],
    )
    change_create(
        project=coded.project,
        actor=None,
        title="Peer supporters in every team",
        themes=[trust],
        quotes=[coded.highlights["h4"]],
    )
    changes_publish(project=coded.project, actor=None)
    return coded


def _public(client, coded):
    return client.get(reverse("you_said:page", args=[coded.project.slug]))


def test_the_public_page_is_not_found_until_published_and_needs_no_login(client, coded):
    assert _public(client, coded).status_code == 404
    assert changes_publish(project=coded.project, actor=None) is True
    assert changes_publish(project=coded.project, actor=None) is False  # once is enough
    response = _public(client, coded)
    assert response.status_code == 200
    assert "You said, we did" in response.content.decode()
    assert changes_unpublish(project=coded.project, actor=None) is True
    assert _public(client, coded).status_code == 404
    verbs = list(
        Event.objects.filter(verb__startswith="changes.")
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == ["changes.publish", "changes.unpublish"]


def test_only_approved_words_of_people_who_agreed_to_be_published_show(client, published):
    page = _public(client, published).content.decode()
    assert "Call people back within a week" in page and "A call-back rota" in page
    assert "What we have done" in page and "What we will do" in page
    assert ROBIN_1 in page
    # Ana agreed to be quoted, not to be published; Sky not even to be quoted.
    assert ANA not in page
    assert "The letter came" not in page
    # Nobody is named on the public page, not even by pseudonym.
    for name in ("Robin", "Ana", "Sky", "Robin Real", "Ana Real"):
        assert name not in page
    assert public_quote_ids(published.project) == {
        published.highlights["h1"].pk,
        published.highlights["h2"].pk,
    }


def test_a_quote_waiting_or_questioned_stays_off(client, published):
    robin = published.storytellers["Robin"]
    quote_check_answer(
        highlight=published.highlights["h2"],
        storyteller=robin,
        state="remove",
        actor=None,
        via="link",
    )
    page = _public(client, published).content.decode()
    assert "Nobody rang me back" not in page
    assert ROBIN_1 in page


def test_words_changed_after_approval_leave_until_approved_again(client, published):
    story = published.stories["A"]
    story_services.transcript_revise(
        story=story,
        actor=None,
        reason="A correction",
        text=story.transcripts.get().text.replace("eleven weeks", "twelve weeks"),
    )
    assert published.highlights["h1"].pk not in public_quote_ids(published.project)
    assert "weeks" not in _public(client, published).content.decode()


def test_a_narrowed_consent_or_a_withdrawal_takes_the_words_off_at_once(client, published):
    robin = published.storytellers["Robin"]
    consent_narrow(
        storyteller=robin,
        keep=[s for s in ConsentScope if s != ConsentScope.PUBLISH_IN_LIBRARY],
        actor=None,
        via="link",
    )
    page = _public(client, published).content.decode()
    assert ROBIN_1 not in page and "Nobody rang me back" not in page
    consent_withdraw(storyteller=robin, actor=None)
    assert "Call people back within a week" in _public(client, published).content.decode()


def test_the_preview_is_the_public_page_and_says_what_is_held_back(client, published):
    facilitator = user_for_role(published.project, "facilitator")
    client.force_login(facilitator)
    preview = client.get(reverse("reports:changes_publish", args=[published.project.slug]))
    body = preview.content.decode()
    assert preview.status_code == 200
    assert ROBIN_1 in body and ANA not in body
    assert "1 quote because its storyteller has not agreed to be quoted on a public page" in body
    (done, planned) = public_page(published.project).groups
    assert [c.change.title for c in done.changes] == ["Call people back within a week"]
    assert [c.change.title for c in planned.changes] == ["Peer supporters in every team"]


def test_publishing_needs_the_ticked_confirmation_and_is_audited(client, coded):
    facilitator = user_for_role(coded.project, "facilitator")
    client.force_login(facilitator)
    url = reverse("reports:changes_publish", args=[coded.project.slug])
    refused = client.post(url, {})
    assert refused.status_code == 400
    assert "Tick the box" in refused.content.decode()
    coded.project.refresh_from_db()
    assert not coded.project.publish_changes
    assert client.post(url, {"confirm": "on"}).status_code == 302
    coded.project.refresh_from_db()
    assert coded.project.publish_changes
    event = Event.objects.get(verb="changes.publish")
    assert event.actor == facilitator
    client.post(reverse("reports:changes_unpublish", args=[coded.project.slug]))
    coded.project.refresh_from_db()
    assert not coded.project.publish_changes
    assert Event.objects.get(verb="changes.unpublish").actor == facilitator


@pytest.mark.parametrize(
    ("role", "may"),
    [
        ("facilitator", True),
        ("org_admin", True),
        ("decision_maker", False),
        ("member", False),
        ("community_reporter", False),
        ("outsider", False),
    ],
)
def test_only_whoever_runs_the_project_may_publish(coded, role, may):
    assert (
        user_for_role(coded.project, role).has_perm("reports.publish_changes", coded.project) is may
    )


def test_the_changes_list_shows_one_status_and_says_so_for_an_unknown_one(client, published):
    client.force_login(user_for_role(published.project, "facilitator"))
    url = reverse("reports:changes", args=[published.project.slug])
    done = client.get(url, {"status": "done"}).content.decode()
    assert "Call people back within a week" in done and "Peer supporters" not in done
    unknown = client.get(url, {"status": "finished"})
    assert unknown.status_code == 400
    body = unknown.content.decode()
    assert "There is no status “finished”" in body
    assert "Call people back within a week" in body and "Peer supporters" in body
