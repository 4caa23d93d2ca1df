"""Theme suggestion runs: consent-aware input, stored results, decisions that overwrite no one."""

from __future__ import annotations

import pytest

from cohub.apps.analysis import services, suggestions
from cohub.apps.analysis.board import contributions
from cohub.apps.analysis.models import (
    CodingAction,
    CodingEvent,
    HighlightTheme,
    QuoteVector,
    SuggestionQuote,
    SuggestionRunStatus,
    SuggestionStatus,
    Theme,
)
from cohub.apps.analysis.vectors import quote_vectors_ensure, readable_highlights, similar_quotes
from cohub.apps.core.errors import ServiceError
from cohub.apps.projects import services as project_services
from cohub.apps.projects.models import ProjectRole, TakingPart
from cohub.apps.stories import services as story_services
from tests.factories import make_member, make_story, make_storyteller

QUOTES = [
    "They paid me for my time, the same as the staff.",
    "My bus fare and lunch were covered, so I could afford to come.",
    "I got vouchers so my benefits were not affected.",
    "The money came through late and I had to keep chasing the payment.",
    "The room had no lift and I use a wheelchair.",
    "The community centre felt safer than the hospital building.",
    "The hall was noisy and too bright for me.",
    "The venue was up two flights of stairs.",
    "Because of what we said, the clinic opened on Saturdays.",
    "Nothing we said changed anything at all.",
    "They sent a letter saying what they did with each idea.",
    "Our report is still sitting on a shelf two years later.",
]


@pytest.fixture
def facilitator(project):
    return make_member(project, ProjectRole.FACILITATOR)


def _quote(project, actor, text, storyteller=None):
    story = make_story(project, storyteller=storyteller, text=f"Robin: {text}", title=text[:40])
    transcript = story.transcripts.get()
    start = transcript.text.index(text)
    return services.highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len(text),
        actor=actor,
    ).highlight


@pytest.fixture
def quotes(project, facilitator):
    return [_quote(project, facilitator, text) for text in QUOTES]


def _run(project, actor, **asked):
    run = suggestions.suggestion_run_request(project=project, actor=actor, **asked)
    return suggestions.suggestion_run_compute(run=run)


def _codebook(project):
    return (
        sorted(Theme.objects.filter(project=project).values_list("pk", "name", "merged_into")),
        sorted(
            HighlightTheme.objects.filter(theme__project=project).values_list(
                "highlight_id", "theme_id"
            )
        ),
    )


def _membership(run):
    return [
        (s.label, s.confidence, s.unsorted, [q.highlight_id for q in s.quotes.all()])
        for s in run.suggestions.order_by("number")
    ]


def test_a_run_places_every_readable_quote_and_leaves_the_codebook_alone(
    project, facilitator, quotes
):
    before = _codebook(project)
    run = _run(project, facilitator, themes=3)
    assert run.status == SuggestionRunStatus.READY
    assert run.quote_count == 12
    assert run.model.startswith("multilingual-e5-small")
    placed = SuggestionQuote.objects.filter(suggestion__run=run)
    assert sorted(placed.values_list("highlight_id", flat=True)) == sorted(q.pk for q in quotes)
    assert run.suggestions.filter(unsorted=False).count() == 3
    assert _codebook(project) == before
    asked = CodingEvent.objects.get(action=CodingAction.SUGGESTION_RUN)
    assert asked.actor == facilitator
    assert asked.payload["run"] == run.pk


def test_the_same_quotes_and_settings_give_the_same_suggestions(project, facilitator, quotes):
    first = _run(project, facilitator, themes=3)
    second = _run(project, facilitator, themes=3)
    assert _membership(first) == _membership(second)
    assert first.input_hash == second.input_hash


def test_quotes_whose_consent_does_not_allow_reading_are_left_out(project, facilitator, quotes):
    withheld_teller = make_storyteller(project, pseudonym="Kit")
    hidden = _quote(project, facilitator, "I was never paid for any of it.", withheld_teller)
    story_services.consent_record(storyteller=withheld_teller, actor=None, record=True)
    run = _run(project, facilitator, themes=3)
    placed = set(
        SuggestionQuote.objects.filter(suggestion__run=run).values_list("highlight_id", flat=True)
    )
    assert hidden.pk not in placed
    assert not QuoteVector.objects.filter(highlight=hidden).exists()


def test_rejecting_changes_nothing_in_the_codebook(project, facilitator, quotes):
    services.theme_create(project=project, name="Already here", actor=facilitator)
    run = _run(project, facilitator, themes=3)
    before = _codebook(project)
    suggestion = run.suggestions.filter(unsorted=False).first()
    result = suggestions.suggestion_reject(suggestion=suggestion, actor=facilitator)
    assert _codebook(project) == before
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.REJECTED
    assert suggestion.decided_by == facilitator
    (event,) = result.events
    assert event.action == CodingAction.SUGGESTION_REJECT
    assert event.actor == facilitator
    with pytest.raises(ServiceError, match="already been decided"):
        suggestions.suggestion_accept(suggestion=suggestion, actor=facilitator)


def test_accepting_makes_a_theme_through_the_same_services_as_by_hand(project, facilitator, quotes):
    run = _run(project, facilitator, themes=3)
    suggestion = run.suggestions.filter(unsorted=False).first()
    members = set(suggestion.quotes.values_list("highlight_id", flat=True))
    result = suggestions.suggestion_accept(
        suggestion=suggestion, actor=facilitator, name="Being paid"
    )
    theme = Theme.objects.get(project=project, name="Being paid")
    assert result.theme == theme
    assert set(theme.highlight_links.values_list("highlight_id", flat=True)) == members
    actions = [e.action for e in result.events]
    assert actions[0] == CodingAction.THEME_CREATE
    assert actions.count(CodingAction.TAG_ADD) == len(members)
    assert actions[-1] == CodingAction.SUGGESTION_ACCEPT
    assert all(e.actor == facilitator for e in result.events)
    # Its quotes are tagged like any other: undo takes one off again.
    tagged = next(e for e in result.events if e.action == CodingAction.TAG_ADD)
    services.coding_event_undo(event=tagged, actor=facilitator)
    assert theme.highlight_links.count() == len(members) - 1


def test_accepting_a_suggestion_counts_once_on_who_shaped_the_findings(
    project, facilitator, quotes
):
    project_services.participation_set(
        project=project, user=facilitator, taking_part=TakingPart.FACILITATING
    )
    run = _run(project, facilitator, themes=3)
    suggestion = run.suggestions.filter(unsorted=False).first()
    assert suggestion.quotes.count() >= 2
    suggestions.suggestion_accept(suggestion=suggestion, actor=facilitator)
    share = next(p for p in contributions(project).parts if p.part == TakingPart.FACILITATING)
    # One decision: not also a named theme and a move for every quote it tagged.
    assert share.counts["Accepted suggestions"] == 1
    assert share.counts["Named themes"] == 0
    assert share.counts["Moved quotes"] == 0
    assert share.total == 1


def test_rename_merge_and_split_before_deciding(project, facilitator, quotes):
    run = _run(project, facilitator, themes=3)
    first, second, third = run.suggestions.filter(unsorted=False).order_by("number")
    suggestions.suggestion_rename(suggestion=first, actor=facilitator, name="Money matters")
    first.refresh_from_db()
    assert first.label == "Money matters" and first.suggested_label != "Money matters"
    with pytest.raises(ServiceError, match="Give the theme a name"):
        suggestions.suggestion_rename(suggestion=first, actor=facilitator, name="  ")

    moved = set(second.quotes.values_list("highlight_id", flat=True))
    suggestions.suggestion_merge(source=second, target=first, actor=facilitator)
    second.refresh_from_db()
    assert second.status == SuggestionStatus.MERGED and second.merged_into == first
    assert moved <= set(first.quotes.values_list("highlight_id", flat=True))

    size = first.quotes.count()
    split = suggestions.suggestion_split(suggestion=first, actor=facilitator)
    assert len(split.made) == 2
    assert sum(s.quotes.count() for s in split.made) == size
    first.refresh_from_db()
    assert first.status == SuggestionStatus.SPLIT
    actions = list(
        CodingEvent.objects.filter(action__startswith="suggestion_").values_list(
            "action", flat=True
        )
    )
    for action in ("suggestion_rename", "suggestion_merge", "suggestion_split"):
        assert action in actions
    assert not Theme.objects.filter(project=project).exists()


def test_starting_from_the_codebook_suggests_quotes_for_existing_themes(
    project, facilitator, quotes
):
    money = services.theme_create(project=project, name="Money", actor=facilitator).theme
    for quote in quotes[:2]:
        services.highlight_tag(highlight=quote, theme=money, actor=facilitator)
    run = _run(project, facilitator, start_from="codebook")
    fits = run.suggestions.get(existing_theme=money)
    assert fits.label == "Money"
    assert {quotes[0].pk, quotes[1].pk} <= set(fits.quotes.values_list("highlight_id", flat=True))
    result = suggestions.suggestion_accept(suggestion=fits, actor=facilitator)
    assert result.theme == money
    assert Theme.objects.filter(project=project).count() == 1


def test_withdrawal_takes_a_story_out_of_every_run_and_its_vectors(project, facilitator, quotes):
    run = _run(project, facilitator, themes=3)
    gone = quotes[0]
    teller = gone.review_sheet.story.storyteller
    assert QuoteVector.objects.filter(highlight=gone).exists()
    story_services.consent_withdraw(storyteller=teller, actor=facilitator)
    assert not QuoteVector.objects.filter(story_id=gone.review_sheet.story_id).exists()
    assert not SuggestionQuote.objects.filter(highlight_id=gone.pk).exists()
    assert run.suggestions.exists()
    words = " ".join(" ".join(s.keywords) + " " + s.label for s in run.suggestions.all())
    assert "staff" not in words.lower()  # only the withdrawn quote said it


def test_too_few_quotes_is_refused_plainly(project, facilitator):
    _quote(project, facilitator, "Only one quote so far.")
    with pytest.raises(ServiceError, match="only 1 key quote the group may read"):
        suggestions.suggestion_run_request(project=project, actor=facilitator)


def test_vectors_are_computed_once_and_again_only_when_words_change(project, facilitator, quotes):
    first = quote_vectors_ensure(highlights=readable_highlights(project))
    assert first.computed == 12 and first.reused == 0
    again = quote_vectors_ensure(highlights=readable_highlights(project))
    assert again.computed == 0 and again.reused == 12
    quote = quotes[0]
    quote.snippet = "They paid me for my time."
    quote.save(update_fields=["snippet"])
    changed = quote_vectors_ensure(highlights=readable_highlights(project))
    assert changed.computed == 1
    assert QuoteVector.objects.filter(highlight=quote).count() == 1


def test_more_like_this_finds_the_closest_quotes_with_consent(project, facilitator, quotes):
    found = similar_quotes(project, quotes[4])  # no lift, wheelchair
    venue = {q.pk for q in quotes[4:8]}
    assert found[0].quote.highlight.pk in venue
    assert quotes[4].pk not in {item.quote.highlight.pk for item in found}
    teller = quotes[5].review_sheet.story.storyteller
    story_services.consent_record(storyteller=teller, actor=None, record=True)
    found = similar_quotes(project, quotes[4])
    assert quotes[5].pk not in {item.quote.highlight.pk for item in found}
    assert similar_quotes(project, quotes[5]) == []


def test_rejecting_a_suggestion_for_an_existing_theme_leaves_that_theme_as_it_was(
    project, facilitator, quotes
):
    # The suggestion names a theme people made and holds the quotes they tagged with it:
    # turning it down must not untag them, tag others, or rename or remove the theme.
    money = services.theme_create(project=project, name="Money", actor=facilitator).theme
    for quote in quotes[:2]:
        services.highlight_tag(highlight=quote, theme=money, actor=facilitator)
    run = _run(project, facilitator, start_from="codebook")
    fits = run.suggestions.get(existing_theme=money)
    assert {quotes[0].pk, quotes[1].pk} <= set(fits.quotes.values_list("highlight_id", flat=True))
    before = _codebook(project)
    events_before = CodingEvent.objects.count()
    result = suggestions.suggestion_reject(suggestion=fits, actor=facilitator)
    assert _codebook(project) == before
    assert CodingEvent.objects.count() == events_before + 1
    (event,) = result.events
    assert (event.action, event.actor, event.actor_part) == (
        CodingAction.SUGGESTION_REJECT,
        facilitator,
        TakingPart.FACILITATING,
    )
