"""Storytellers check their own words: links, their session, quote answers (ADR 0032)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone

from cohub.apps.analysis import quote_checks
from cohub.apps.analysis import services as analysis_services
from cohub.apps.analysis.models import CheckState, QuoteCheck
from cohub.apps.core import private_links
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import Event
from cohub.apps.projects.models import ProjectRole
from cohub.apps.reports.report import approved_quote_ids
from cohub.apps.stories import links
from cohub.apps.stories import services as story_services
from cohub.apps.stories.consent import consent_now
from cohub.apps.stories.models import StorytellerLink
from cohub.apps.stories.scopes import ConsentScope
from tests.factories import ProjectFactory, make_member, make_story, make_storyteller

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    project = ProjectFactory()
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    robin = make_storyteller(project, pseudonym="Robin")
    story = make_story(project, storyteller=robin, actor=facilitator)
    transcript = story.transcripts.get()
    spans = [transcript.text.index(words) for words in ("lost my job", "then my flat")]
    quotes = [
        analysis_services.highlight_create(
            story=story,
            transcript=transcript,
            char_start=start,
            char_end=start + length,
            actor=facilitator,
        ).highlight
        for start, length in zip(spans, (11, 12), strict=True)
    ]
    return {"project": project, "facilitator": facilitator, "robin": robin, "quotes": quotes}


def _request(session=None):
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.session.update(session or {})
    return request


def test_a_link_stores_only_a_hash_and_opens_a_session_for_its_storyteller(world) -> None:
    new = links.storyteller_link_create(storyteller=world["robin"], actor=world["facilitator"])
    assert not StorytellerLink.objects.filter(token_hash=new.token).exists()
    assert new.token not in str(list(StorytellerLink.objects.values()))
    assert new.link.expires_at - timezone.now() > dt.timedelta(days=29)
    request = _request()
    assert links.storyteller_link_open(request=request, token=new.token) == world["robin"]
    access = links.storyteller_access(request)
    assert access is not None and access.storyteller == world["robin"] and access.via == "link"
    assert Event.objects.filter(verb="storyteller_link.open").count() == 1
    assert Event.objects.filter(verb="storyteller_link.create").count() == 1


def test_a_new_link_replaces_the_old_and_revoking_ends_the_session(world) -> None:
    first = links.storyteller_link_create(storyteller=world["robin"], actor=world["facilitator"])
    request = _request()
    links.storyteller_link_open(request=request, token=first.token)
    second = links.storyteller_link_create(storyteller=world["robin"], actor=world["facilitator"])
    # The session opened with the old link ends with it.
    assert links.storyteller_access(request) is None
    with pytest.raises(links.LinkRefused) as refused:
        links.storyteller_link_open(request=_request(), token=first.token)
    assert refused.value.reason == "revoked"
    request = _request()
    links.storyteller_link_open(request=request, token=second.token)
    assert links.storyteller_link_revoke(storyteller=world["robin"], actor=world["facilitator"])
    assert links.storyteller_access(request) is None


def test_an_expired_or_unknown_link_is_refused_and_counted(world) -> None:
    new = links.storyteller_link_create(storyteller=world["robin"], actor=world["facilitator"])
    StorytellerLink.objects.filter(pk=new.link.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(links.LinkRefused) as refused:
        links.storyteller_link_open(request=_request(), token=new.token)
    assert refused.value.reason == "expired"
    with pytest.raises(links.LinkRefused) as refused:
        links.storyteller_link_open(request=_request(), token="not-a-link")
    assert refused.value.reason == "unknown"


def test_guesses_are_throttled_per_address(world) -> None:
    request = _request()
    for _ in range(private_links.GUESS_LIMIT):
        assert not private_links.guesses_refused(request)
        with pytest.raises(links.LinkRefused):
            links.storyteller_link_open(request=request, token="guess")
    assert private_links.guesses_refused(request)


def test_a_link_for_a_withdrawn_storyteller_cannot_be_made(world) -> None:
    story_services.consent_withdraw(storyteller=world["robin"], actor=world["facilitator"])
    with pytest.raises(ServiceError):
        links.storyteller_link_create(storyteller=world["robin"], actor=world["facilitator"])


def test_answers_are_kept_audited_and_limit_the_report(world) -> None:
    first, second = world["quotes"]
    assert approved_quote_ids(world["project"]) == set()
    quote_checks.quote_check_answer(
        highlight=first, storyteller=world["robin"], state="approved", actor=None, via="link"
    )
    quote_checks.quote_check_answer(
        highlight=second,
        storyteller=world["robin"],
        state="change",
        comment="I said flat, not house",
        actor=None,
        via="link",
    )
    assert approved_quote_ids(world["project"]) == {first.pk}
    states = quote_checks.check_states(world["quotes"])
    assert states[first.pk].state == CheckState.APPROVED
    assert states[second.pk].state == CheckState.CHANGE
    assert states[second.pk].comment == "I said flat, not house"
    events = Event.objects.filter(verb="quote_check.answer")
    assert events.count() == 2
    assert "flat" not in str(list(events.values_list("data", flat=True)))
    # The same answer again is no new event.
    quote_checks.quote_check_answer(
        highlight=first, storyteller=world["robin"], state="approved", actor=None, via="link"
    )
    assert events.count() == 2


def test_another_storytellers_quote_is_refused(world) -> None:
    someone_else = make_storyteller(world["project"], pseudonym="Kit")
    with pytest.raises(ServiceError, match="not from your story"):
        quote_checks.quote_check_answer(
            highlight=world["quotes"][0],
            storyteller=someone_else,
            state="approved",
            actor=None,
            via="link",
        )
    assert not QuoteCheck.objects.exists()


def test_an_unknown_answer_is_refused(world) -> None:
    with pytest.raises(ServiceError):
        quote_checks.quote_check_answer(
            highlight=world["quotes"][0],
            storyteller=world["robin"],
            state="waiting",
            actor=None,
            via="link",
        )


def test_an_approved_quote_whose_words_change_is_waiting_again(world) -> None:
    first = world["quotes"][0]
    quote_checks.quote_check_answer(
        highlight=first, storyteller=world["robin"], state="approved", actor=None, via="link"
    )
    story = first.review_sheet.story
    text = story.transcripts.get().text
    story_services.transcript_revise(
        story=story,
        actor=world["facilitator"],
        reason="A correction",
        text=text.replace("lost my job", "lost my work"),
    )
    first.refresh_from_db()
    now = quote_checks.check_states([first])[first.pk]
    assert now.state == CheckState.WAITING and now.changed_since
    assert approved_quote_ids(world["project"]) == set()


def test_a_nudged_clip_is_waiting_again(world) -> None:
    first = world["quotes"][0]
    first.start_ms, first.end_ms = 1000, 2000
    first.save()
    quote_checks.quote_check_answer(
        highlight=first, storyteller=world["robin"], state="approved", actor=None, via="link"
    )
    assert approved_quote_ids(world["project"]) == {first.pk}
    first.clip_end_nudge_ms = 400
    first.save()
    assert approved_quote_ids(world["project"]) == set()


def test_the_storyteller_may_narrow_but_not_widen_their_consent(world) -> None:
    robin = world["robin"]
    keep = [ConsentScope.RECORD, ConsentScope.TRANSCRIBE, ConsentScope.QUOTE_BY_NAME]
    record = story_services.consent_narrow(storyteller=robin, keep=keep, actor=None, via="link")
    now = consent_now(robin)
    assert now.record == record
    # Not quoted at all means not quoted by name either.
    assert not now.allows(ConsentScope.QUOTE_ANONYMOUSLY)
    assert not now.allows(ConsentScope.QUOTE_BY_NAME)
    assert now.allows(ConsentScope.TRANSCRIBE)
    assert Event.objects.filter(verb="consent.narrow_by_storyteller").count() == 1
    with pytest.raises(ServiceError, match="only take things away"):
        story_services.consent_narrow(
            storyteller=robin,
            keep=[*keep, ConsentScope.QUOTE_ANONYMOUSLY],
            actor=None,
            via="link",
        )
