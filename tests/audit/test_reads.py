"""Every page, download and export that shows a story's content leaves an audit entry.

The walk is generated from the URL configuration (like the consent walk it
borrows its world from), so a page added later is walked the day it is added:
any answer that holds a word of Kit's story, its quote, its note or its review
sheet must have written an entry naming Kit's story by id, and no entry may
hold a word of it, its title or Kit's real name.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from cohub.apps.core import audit
from cohub.apps.core.models import Event
from cohub.apps.projects.access import PUBLIC_ATTR
from cohub.apps.stories import services as story_services
from tests.routes import site_routes
from tests.test_consent_on_every_page import SECRETS, build_world

# Pages known to show Kit's words: the walk must find each, or it walks nothing real.
KNOWN_TO_SHOW = {
    "analysis:review_sheet",
    "analysis:review_sheet_notes",
    "analysis:highlight_edit",
    "analysis:highlight_place",
    "analysis:theme_detail",
    "analysis:coding_log",
    "analysis:board",
    "reports:findings",
    "reports:findings_csv",
    "stories:story_edit",
    "stories:story_text_edit",
    "stories:story_part_edit",
    "redaction:review",
}
# Entries that stand for a read: the reads themselves, and exports that record their own.
READ_ENTRIES = (*audit.READ_VERBS, "findings.export")


def _last_event_id() -> int:
    last = Event.objects.order_by("-pk").values_list("pk", flat=True).first()
    return last or 0


def _content_free(event: Event) -> bool:
    text = json.dumps(event.data) + event.target_type + event.target_id
    return not any(word in text for word in (*SECRETS, "Kit's winter", "Kit Realname", "Kit"))


@pytest.mark.django_db
def test_every_page_that_shows_a_story_leaves_an_entry_naming_it(client):
    world = build_world()
    story_id = world.values["story_id"]
    client.force_login(world.facilitator)
    showing: set[str] = set()
    unaudited: list[str] = []
    public_showing: set[str] = set()
    for route, view in site_routes():
        before = _last_event_id()
        response = client.get(world.url(route))
        body = response.content.decode("utf-8", errors="replace")
        if not any(secret in body for secret in SECRETS):
            continue
        showing.add(route.name)
        if getattr(view, PUBLIC_ATTR, None) is not None:
            # A public page is not audited per read (ADR 0033): publishing is the audited act.
            public_showing.add(route.name)
            continue
        entries = Event.objects.filter(pk__gt=before, verb__in=READ_ENTRIES)
        if not any(
            e.actor_id == world.facilitator.pk and story_id in e.data.get("stories", [])
            for e in entries
        ):
            unaudited.append(route.name)
    assert showing >= KNOWN_TO_SHOW, sorted(KNOWN_TO_SHOW - showing)
    # The public page shows Kit's approved quote; the act that made it public is on record.
    assert public_showing == {"you_said:page"}
    assert Event.objects.filter(verb="changes.publish", project_id=world.project.pk).exists()
    assert not unaudited, (
        "These pages show a story's words but leave no audit entry naming it: read the "
        f"words through the selectors (they note the read, core.audit): {unaudited}"
    )
    reads = Event.objects.filter(verb__in=READ_ENTRIES)
    assert reads.exists()
    assert [e.pk for e in reads if not _content_free(e)] == []


@pytest.mark.django_db
def test_an_entry_says_who_which_page_and_which_story_and_survives_withdrawal(client):
    world = build_world()
    story_id = world.values["story_id"]
    client.force_login(world.facilitator)
    url = reverse("analysis:review_sheet", args=[world.project.slug, story_id])
    assert client.get(url).status_code == 200
    entry = Event.objects.get(verb=audit.VIEWED)
    assert entry.actor == world.facilitator
    assert entry.project_id == world.project.pk
    assert (entry.target_type, entry.target_id) == ("stories.story", str(story_id))
    assert entry.data["route"] == "analysis:review_sheet"
    assert entry.data["stories"] == [story_id]
    assert entry.data["storytellers"] == [world.storyteller.pk]
    assert "transcript" in entry.data["parts"]
    # Opening it again straight away is the same read: no second line.
    client.get(url)
    assert Event.objects.filter(verb=audit.VIEWED).count() == 1

    story_services.consent_withdraw(storyteller=world.storyteller, actor=world.facilitator)
    entry.refresh_from_db()
    assert entry.data["stories"] == [story_id]
    assert _content_free(entry)


@pytest.mark.django_db
def test_a_page_that_withholds_the_words_records_no_read(client):
    world = build_world()
    story_services.consent_withdraw(storyteller=world.storyteller, actor=world.facilitator)
    client.force_login(world.facilitator)
    before = _last_event_id()
    for name in ("analysis:theme_detail", "reports:findings"):
        route = next(route for route, _ in site_routes() if route.name == name)
        assert client.get(world.url(route)).status_code == 200
    stories = [e.data.get("stories", []) for e in Event.objects.filter(pk__gt=before)]
    assert not [ids for ids in stories if world.values["story_id"] in ids]


@pytest.mark.django_db
def test_a_repeat_after_the_window_is_a_new_entry(client, settings):
    settings.COHUB_AUDIT_REPEAT_SECONDS = 0
    world = build_world()
    client.force_login(world.facilitator)
    url = reverse("analysis:review_sheet", args=[world.project.slug, world.values["story_id"]])
    client.get(url)
    client.get(url)
    assert Event.objects.filter(verb=audit.VIEWED).count() == 2


@pytest.mark.django_db
def test_opening_a_storytellers_page_is_a_read_of_their_details(client):
    world = build_world()
    client.force_login(world.facilitator)
    teller = world.storyteller
    url = reverse("stories:storyteller_detail", args=[world.project.slug, teller.pk])
    assert client.get(url).status_code == 200
    entry = Event.objects.get(verb=audit.VIEWED, data__route="stories:storyteller_detail")
    assert (entry.target_type, entry.target_id) == ("stories.storyteller", str(teller.pk))
    assert entry.data["storytellers"] == [teller.pk]
    assert audit.PART_PROFILE in entry.data["parts"]
    assert _content_free(entry)
    # Refused people leave no read: they saw nothing.
    outsider_url = reverse("stories:storyteller_detail", args=[world.project.slug, teller.pk])
    client.logout()
    client.get(outsider_url)
    assert (
        Event.objects.filter(verb=audit.VIEWED, data__route="stories:storyteller_detail").count()
        == 1
    )
