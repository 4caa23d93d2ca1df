"""The storyteller's own page and the facilitators' side of it, over HTTP (ADR 0032)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cohub.apps.analysis import services as analysis_services
from cohub.apps.analysis.models import CheckState, QuoteCheck
from cohub.apps.core import private_links
from cohub.apps.projects.models import ProjectRole
from cohub.apps.stories import links
from cohub.apps.stories.consent import consent_now
from cohub.apps.stories.models import Story, Storyteller, StorytellerLink
from cohub.apps.stories.scopes import ConsentScope
from tests.factories import ProjectFactory, make_member, make_story, make_storyteller

pytestmark = pytest.mark.django_db


def _quote(story, words, actor):
    transcript = story.transcripts.get()
    start = transcript.text.index(words)
    return analysis_services.highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len(words),
        actor=actor,
    ).highlight


@pytest.fixture
def world():
    project = ProjectFactory()
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    robin = make_storyteller(project, pseudonym="Robin")
    kit = make_storyteller(project, pseudonym="Kit")
    story = make_story(project, storyteller=robin, actor=facilitator, title="Losing the flat")
    other = make_story(
        project,
        storyteller=kit,
        actor=facilitator,
        title="Kit's story",
        text="Sam: Go on.\n\nKit: Nobody called me back.",
    )
    return {
        "project": project,
        "facilitator": facilitator,
        "robin": robin,
        "kit": kit,
        "story": story,
        "robins_quote": _quote(story, "lost my job", facilitator),
        "kits_quote": _quote(other, "Nobody called me back", facilitator),
    }


def _open(world, who="robin") -> tuple[Client, links.NewLink]:
    new = links.storyteller_link_create(storyteller=world[who], actor=world["facilitator"])
    browser = Client()
    response = browser.get(reverse("my_story:open", args=[new.token]))
    assert response.status_code == 302
    assert response["Location"] == reverse("my_story:page")
    assert response["Referrer-Policy"] == "no-referrer"
    return browser, new


def test_the_link_opens_the_storytellers_page_only(world) -> None:
    browser, _ = _open(world)
    page = browser.get(reverse("my_story:page"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Your story, Robin" in body
    assert "lost my job" in body
    assert "Nobody called me back" not in body  # Kit's quote
    # The page's address holds no secret; under no-referrer Chromium's forms would send
    # Origin: null and fail the CSRF check (the browser test found it).
    assert page["Referrer-Policy"] == "same-origin"
    # The session is not a login: no project page opens.
    project_page = browser.get(reverse("projects:detail", args=[world["project"].slug]))
    assert project_page.status_code == 302
    assert reverse("accounts:login") in project_page["Location"]
    review = browser.get(
        reverse("analysis:review_sheet", args=[world["project"].slug, world["story"].pk])
    )
    assert review.status_code == 302


def test_another_storytellers_quote_cannot_be_answered(world) -> None:
    browser, _ = _open(world)
    response = browser.post(
        reverse("my_story:quote_answer", args=[world["kits_quote"].pk]),
        {f"q{world['kits_quote'].pk}-answer": "approved"},
    )
    assert response.status_code == 404
    assert not QuoteCheck.objects.exists()


def test_answers_from_the_page_are_kept(world) -> None:
    browser, _ = _open(world)
    quote = world["robins_quote"]
    response = browser.post(
        reverse("my_story:quote_answer", args=[quote.pk]),
        {f"q{quote.pk}-answer": "change", f"q{quote.pk}-comment": "It was my flat first"},
    )
    assert response.status_code == 302
    check = QuoteCheck.objects.get(highlight=quote)
    assert check.state == CheckState.CHANGE
    assert check.comment == "It was my flat first"
    assert check.answered_via == "link"
    # No answer chosen: nothing changes, and the page says so.
    browser.post(reverse("my_story:quote_answer", args=[quote.pk]), {})
    assert QuoteCheck.objects.get(highlight=quote).state == CheckState.CHANGE


@pytest.mark.parametrize("reason", ["expired", "revoked", "unknown"])
def test_a_link_that_does_not_work_gets_a_kind_page(world, reason) -> None:
    new = links.storyteller_link_create(storyteller=world["robin"], actor=world["facilitator"])
    token = new.token
    if reason == "expired":
        StorytellerLink.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    elif reason == "revoked":
        links.storyteller_link_revoke(storyteller=world["robin"], actor=world["facilitator"])
    else:
        token = new.token[:-4] + "abcd"
    browser = Client()
    response = browser.get(reverse("my_story:open", args=[token]))
    assert response.status_code == (404 if reason == "unknown" else 410)
    assert response["Referrer-Policy"] == "no-referrer"
    assert "the person who gave it to you" in response.content.decode()
    page = browser.get(reverse("my_story:page"))
    assert "lost my job" not in page.content.decode()


def test_a_session_ends_when_its_link_is_replaced(world) -> None:
    browser, _ = _open(world)
    links.storyteller_link_create(storyteller=world["robin"], actor=world["facilitator"])
    page = browser.get(reverse("my_story:page"))
    assert "lost my job" not in page.content.decode()
    assert "open the private link" in page.content.decode()


def test_a_member_of_another_project_sees_nothing(world, client) -> None:
    elsewhere = ProjectFactory()
    stranger = make_member(elsewhere, ProjectRole.FACILITATOR)
    client.force_login(stranger)
    page = client.get(reverse("my_story:page"))
    assert page.status_code == 200
    assert "lost my job" not in page.content.decode()
    choose = client.post(reverse("my_story:choose"), {"storyteller": world["robin"].pk})
    assert choose.status_code == 404


def test_an_account_linked_to_the_storyteller_opens_the_page(world, client) -> None:
    person = make_member(ProjectFactory(), ProjectRole.MEMBER)
    Storyteller.objects.filter(pk=world["robin"].pk).update(user=person)
    client.force_login(person)
    page = client.get(reverse("my_story:page"))
    assert "lost my job" in page.content.decode()


def test_guessing_is_paused(world) -> None:
    browser = Client()
    for number in range(private_links.GUESS_LIMIT):
        assert browser.get(reverse("my_story:open", args=[f"guess-{number}"])).status_code == 404
    assert browser.get(reverse("my_story:open", args=["one-more"])).status_code == 429


def test_the_storyteller_narrows_their_consent(world) -> None:
    browser, _ = _open(world)
    kept = {scope.value: "on" for scope in (ConsentScope.RECORD, ConsentScope.TRANSCRIBE)}
    response = browser.post(reverse("my_story:consent"), kept)
    assert response.status_code == 302
    now = consent_now(world["robin"])
    assert now.allows(ConsentScope.TRANSCRIBE)
    assert not now.allows(ConsentScope.QUOTE_ANONYMOUSLY)
    page = browser.get(reverse("my_story:page")).content.decode()
    assert "none of them is used in our findings" in page


def test_the_storyteller_withdraws_with_the_same_purge(world) -> None:
    browser, _ = _open(world)
    unconfirmed = browser.post(reverse("my_story:withdraw"), {})
    assert unconfirmed.status_code == 400
    assert Story.objects.filter(storyteller=world["robin"]).exists()
    response = browser.post(reverse("my_story:withdraw"), {"confirm": "on"})
    assert response.status_code == 302
    assert not Story.objects.filter(storyteller=world["robin"]).exists()
    world["robin"].refresh_from_db()
    assert world["robin"].withdrawn_at is not None
    page = browser.get(reverse("my_story:page")).content.decode()
    assert "You withdrew your consent" in page
    # Kit's story is untouched.
    assert Story.objects.filter(storyteller=world["kit"]).exists()


def test_the_facilitator_makes_a_link_shown_once(world, client) -> None:
    client.force_login(world["facilitator"])
    url = reverse("stories:storyteller_link", args=[world["project"].slug, world["robin"].pk])
    made = client.post(url, {"days": "14"})
    assert made.status_code == 200
    link = StorytellerLink.objects.get()
    assert 13 <= (link.expires_at - timezone.now()).days <= 14
    body = made.content.decode()
    assert "/my-story/open/" in body
    again = client.get(url).content.decode()
    assert "/my-story/open/" not in again  # shown once: only its hash is kept
    refused = client.post(url, {"days": "400"})
    assert refused.status_code == 400
    client.post(url, {"action": "revoke"})
    assert links.storyteller_link_current(world["robin"]) is None


def test_a_member_cannot_make_a_link(world, client) -> None:
    member = make_member(world["project"], ProjectRole.MEMBER)
    client.force_login(member)
    url = reverse("stories:storyteller_link", args=[world["project"].slug, world["robin"].pk])
    assert client.post(url, {"days": "14"}).status_code == 403
    assert not StorytellerLink.objects.exists()


def test_facilitators_see_the_states(world, client) -> None:
    browser, _ = _open(world)
    quote = world["robins_quote"]
    browser.post(
        reverse("my_story:quote_answer", args=[quote.pk]), {f"q{quote.pk}-answer": "remove"}
    )
    client.force_login(world["facilitator"])
    overview = client.get(reverse("reports:quote_checks", args=[world["project"].slug]))
    body = overview.content.decode()
    assert "0 approved, 1 waiting, 1 questioned" in body
    assert "asked for it to be removed" in body
    sheet = client.get(
        reverse("analysis:review_sheet", args=[world["project"].slug, world["story"].pk])
    ).content.decode()
    assert "Asked for it to be removed" in sheet
