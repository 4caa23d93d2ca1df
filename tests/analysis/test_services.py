"""Coding services: highlights, themes, merges, and undoing each of them."""

from __future__ import annotations

import pytest

from cohub.apps.analysis import services
from cohub.apps.analysis.models import (
    CodingAction,
    CodingEvent,
    Highlight,
    HighlightTheme,
    ReviewSheet,
    Theme,
)
from cohub.apps.core.errors import ConsentError, ServiceError
from cohub.apps.projects.models import ProjectRole
from tests.factories import GATHER_ONLY, ProjectFactory, make_member, make_story, make_storyteller

TEXT = "Sam: How did it start?\n\nRobin: I lost my job and then my flat."


@pytest.fixture
def actor(project):
    return make_member(project, ProjectRole.COMMUNITY_REPORTER)


@pytest.fixture
def story(project):
    return make_story(project, text=TEXT)


@pytest.fixture
def transcript(story):
    return story.transcripts.get()


def _quote(story, transcript, actor, words="lost my job", **kwargs):
    return _result(story, transcript, actor, words, **kwargs).highlight


def _result(story, transcript, actor, words="lost my job", **kwargs):
    start = transcript.text.index(words)
    return services.highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len(words),
        actor=actor,
        **kwargs,
    )


def _last_event(project, action):
    return CodingEvent.objects.filter(project=project, action=action).first()


def _theme_ids(highlight):
    links = HighlightTheme.objects.filter(highlight=highlight)
    return set(links.values_list("theme_id", flat=True))


# ---------------------------------------------------------------------------
# Highlights


def test_highlight_copies_snippet_times_and_speaker(story, transcript, actor):
    highlight = _quote(story, transcript, actor, change_level="individual", sectors=["services"])
    assert highlight.snippet == "lost my job"
    assert highlight.speaker.display_name == "Robin"
    assert highlight.change_level == "individual"
    event = _last_event(story.project, CodingAction.HIGHLIGHT_CREATE)
    assert event.highlight_id == highlight.pk
    assert event.story_id == story.pk


def test_highlight_span_is_trimmed_of_spaces(story, transcript, actor):
    start = transcript.text.index("How")
    end = transcript.text.index("I lost")  # runs into the blank line between parts
    highlight = services.highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=end,
        actor=actor,
    ).highlight
    assert highlight.snippet == "How did it start?"


@pytest.mark.parametrize("span", [(-1, 4), (5, 5), (8, 3), (0, 10_000)])
def test_highlight_outside_transcript_refused(story, transcript, actor, span):
    with pytest.raises(ServiceError):
        services.highlight_create(
            story=story,
            transcript=transcript,
            char_start=span[0],
            char_end=span[1],
            actor=actor,
        )
    assert not Highlight.objects.exists()


def test_only_whitespace_refused(story, transcript, actor):
    gap = transcript.text.index("\n\n")
    with pytest.raises(ServiceError, match="no words"):
        services.highlight_create(
            story=story,
            transcript=transcript,
            char_start=gap,
            char_end=gap + 2,
            actor=actor,
        )


def test_same_span_twice_does_not_duplicate(story, transcript, actor):
    first = _quote(story, transcript, actor)
    second = _quote(story, transcript, actor)
    assert first.pk == second.pk
    assert Highlight.objects.count() == 1
    assert CodingEvent.objects.filter(action=CodingAction.HIGHLIGHT_CREATE).count() == 1


def test_transcript_of_another_story_refused(project, story, actor):
    other = make_story(project, text="Something else happened.")
    with pytest.raises(ServiceError, match="different story"):
        services.highlight_create(
            story=story,
            transcript=other.transcripts.get(),
            char_start=0,
            char_end=5,
            actor=actor,
        )


def test_named_quote_needs_consent(project, actor):
    storyteller = make_storyteller(project, consent=GATHER_ONLY, pseudonym="Kit")
    story = make_story(project, storyteller=storyteller, text=TEXT)
    transcript = story.transcripts.get()
    with pytest.raises(ConsentError, match="Kit has not agreed that we quote them by name"):
        _quote(story, transcript, actor, attribution="named")
    highlight = _quote(story, transcript, actor)
    with pytest.raises(ConsentError):
        services.highlight_update(highlight=highlight, actor=actor, attribution="named")
    highlight.refresh_from_db()
    assert highlight.attribution == "anonymous"


def test_theme_of_another_project_refused(story, transcript, actor):
    elsewhere = services.theme_create(project=ProjectFactory(), name="Housing", actor=None).theme
    with pytest.raises(ServiceError, match="different project"):
        _quote(story, transcript, actor, themes=[elsewhere])
    assert not Highlight.objects.exists()


# ---------------------------------------------------------------------------
# Themes


def test_duplicate_theme_names_refused_case_insensitively(project, actor):
    services.theme_create(project=project, name="Housing", actor=actor)
    with pytest.raises(ServiceError, match="already a theme called"):
        services.theme_create(project=project, name="  hOUSING ", actor=actor)
    work = services.theme_create(project=project, name="Work", actor=actor).theme
    with pytest.raises(ServiceError, match="already a theme called"):
        services.theme_rename(theme=work, name="HOUSING", actor=actor)
    assert Theme.objects.count() == 2


def test_same_name_allowed_in_another_project(project, actor):
    services.theme_create(project=project, name="Housing", actor=actor)
    services.theme_create(project=ProjectFactory(), name="housing", actor=None)
    assert Theme.objects.count() == 2


def test_theme_names_are_tidied(project, actor):
    theme = services.theme_create(project=project, name="  Work   and  jobs ", actor=actor).theme
    assert theme.name == "Work and jobs"
    with pytest.raises(ServiceError, match="Give the theme a name"):
        services.theme_create(project=project, name="   ", actor=actor)


def test_find_or_create_finds_a_theme_in_any_capitals_and_accents(project, actor):
    equipe = services.theme_create(project=project, name="Équipe", actor=actor).theme
    events = CodingEvent.objects.count()
    # SQLite's lower() leaves "É" alone, so this must not be a database comparison.
    assert (
        services.theme_find_or_create(project=project, name="équipe", actor=actor).theme == equipe
    )
    assert (
        services.theme_find_or_create(project=project, name=" ÉQUIPE ", actor=actor).theme == equipe
    )
    assert Theme.objects.count() == 1
    assert CodingEvent.objects.count() == events, "finding a theme is not a change"


def test_find_or_create_makes_a_new_theme_only_in_this_project(project, actor):
    elsewhere = services.theme_create(project=ProjectFactory(), name="Housing", actor=None).theme
    theme = services.theme_find_or_create(project=project, name="  housing ", actor=actor).theme
    assert theme != elsewhere
    assert (theme.project, theme.name) == (project, "housing")
    assert CodingEvent.objects.filter(action=CodingAction.THEME_CREATE, theme_id=theme.pk).exists()
    with pytest.raises(ServiceError, match="Give the theme a name"):
        services.theme_find_or_create(project=project, name="   ", actor=actor)


def test_tagging_twice_is_one_link(story, transcript, actor):
    theme = services.theme_create(project=story.project, name="Housing", actor=actor).theme
    highlight = _quote(story, transcript, actor)
    assert services.highlight_tag(highlight=highlight, theme=theme, actor=actor).changed is True
    assert services.highlight_tag(highlight=highlight, theme=theme, actor=actor).changed is False
    assert HighlightTheme.objects.count() == 1


def test_merged_theme_cannot_be_used(story, transcript, actor):
    project = story.project
    old = services.theme_create(project=project, name="Homes", actor=actor).theme
    new = services.theme_create(project=project, name="Housing", actor=actor).theme
    services.theme_merge(source=old, target=new, actor=actor)
    old.refresh_from_db()
    highlight = _quote(story, transcript, actor)
    with pytest.raises(ServiceError, match="was merged into 'Housing'"):
        services.highlight_tag(highlight=highlight, theme=old, actor=actor)


def test_merge_moves_links_and_undo_restores_them(project, story, transcript, actor):
    homes = services.theme_create(project=project, name="Homes", actor=actor).theme
    housing = services.theme_create(project=project, name="Housing", actor=actor).theme
    only_homes = _quote(story, transcript, actor, words="lost my job", themes=[homes])
    both = _quote(story, transcript, actor, words="my flat", themes=[homes, housing])

    services.theme_merge(source=homes, target=housing, actor=actor)

    homes.refresh_from_db()
    assert homes.merged_into == housing
    assert _theme_ids(only_homes) == {housing.pk}
    assert _theme_ids(both) == {housing.pk}

    services.coding_event_undo(event=_last_event(project, CodingAction.THEME_MERGE), actor=actor)

    homes.refresh_from_db()
    assert homes.merged_into is None
    assert _theme_ids(only_homes) == {homes.pk}
    assert _theme_ids(both) == {homes.pk, housing.pk}


def test_merge_refuses_same_or_merged_themes(project, actor):
    a = services.theme_create(project=project, name="A", actor=actor).theme
    b = services.theme_create(project=project, name="B", actor=actor).theme
    with pytest.raises(ServiceError, match="two different"):
        services.theme_merge(source=a, target=a, actor=actor)
    services.theme_merge(source=a, target=b, actor=actor)
    a.refresh_from_db()
    with pytest.raises(ServiceError, match="already been merged"):
        services.theme_merge(source=a, target=b, actor=actor)


# ---------------------------------------------------------------------------
# Undo, one action at a time


def test_undo_highlight_create_removes_it(project, story, transcript, actor):
    _quote(story, transcript, actor)
    services.coding_event_undo(
        event=_last_event(project, CodingAction.HIGHLIGHT_CREATE), actor=actor
    )
    assert not Highlight.objects.exists()
    assert _last_event(project, CodingAction.HIGHLIGHT_CREATE).undone_at is not None


def test_undo_highlight_delete_brings_it_back_with_themes(project, story, transcript, actor):
    theme = services.theme_create(project=project, name="Housing", actor=actor).theme
    highlight = _quote(
        story,
        transcript,
        actor,
        themes=[theme],
        change_level="society",
        sectors=["policy"],
        note="Important",
        attribution="named",
    )
    services.highlight_delete(highlight=highlight, actor=actor)
    assert not Highlight.objects.exists()

    services.coding_event_undo(
        event=_last_event(project, CodingAction.HIGHLIGHT_DELETE), actor=actor
    )

    restored = Highlight.objects.get()
    assert restored.snippet == "lost my job"
    assert (restored.change_level, restored.sectors, restored.note) == (
        "society",
        ["policy"],
        "Important",
    )
    assert restored.attribution == "named"
    assert _theme_ids(restored) == {theme.pk}


def test_undo_highlight_update_restores_fields(project, story, transcript, actor):
    highlight = _quote(story, transcript, actor, note="First")
    services.highlight_update(highlight=highlight, actor=actor, note="Second", sectors=["research"])
    services.coding_event_undo(
        event=_last_event(project, CodingAction.HIGHLIGHT_UPDATE), actor=actor
    )
    highlight.refresh_from_db()
    assert (highlight.note, highlight.sectors) == ("First", [])


def test_undo_tag_and_untag(project, story, transcript, actor):
    theme = services.theme_create(project=project, name="Housing", actor=actor).theme
    highlight = _quote(story, transcript, actor)
    services.highlight_tag(highlight=highlight, theme=theme, actor=actor)
    services.coding_event_undo(event=_last_event(project, CodingAction.TAG_ADD), actor=actor)
    assert _theme_ids(highlight) == set()

    services.highlight_tag(highlight=highlight, theme=theme, actor=actor)
    services.highlight_untag(highlight=highlight, theme=theme, actor=actor)
    assert _theme_ids(highlight) == set()
    services.coding_event_undo(event=_last_event(project, CodingAction.TAG_REMOVE), actor=actor)
    assert _theme_ids(highlight) == {theme.pk}


def test_undo_theme_create(project, actor):
    services.theme_create(project=project, name="Housing", actor=actor)
    services.coding_event_undo(event=_last_event(project, CodingAction.THEME_CREATE), actor=actor)
    assert not Theme.objects.exists()


def test_undo_theme_create_refused_while_in_use(project, story, transcript, actor):
    theme = services.theme_create(project=project, name="Housing", actor=actor).theme
    _quote(story, transcript, actor, themes=[theme])
    with pytest.raises(ServiceError, match="in use"):
        services.coding_event_undo(
            event=_last_event(project, CodingAction.THEME_CREATE), actor=actor
        )
    assert Theme.objects.filter(pk=theme.pk).exists()


def test_undo_theme_rename(project, actor):
    theme = services.theme_create(
        project=project, name="Homes", actor=actor, description="Old"
    ).theme
    services.theme_rename(theme=theme, name="Housing", description="New", actor=actor)
    services.coding_event_undo(event=_last_event(project, CodingAction.THEME_RENAME), actor=actor)
    theme.refresh_from_db()
    assert (theme.name, theme.description) == ("Homes", "Old")


def test_undo_twice_is_refused(project, actor):
    services.theme_create(project=project, name="Housing", actor=actor)
    event = _last_event(project, CodingAction.THEME_CREATE)
    services.coding_event_undo(event=event, actor=actor)
    with pytest.raises(ServiceError, match="already been undone"):
        services.coding_event_undo(event=event, actor=actor)


@pytest.mark.django_db
def test_theme_names_clash_ignoring_case_with_accented_letters(project):
    from cohub.apps.analysis.services import theme_create, theme_rename
    from cohub.apps.core.errors import ServiceError

    theme_create(project=project, name="Équipe", actor=None)
    with pytest.raises(ServiceError, match="already a theme"):
        theme_create(project=project, name="équipe", actor=None)
    other = theme_create(project=project, name="Other", actor=None).theme
    with pytest.raises(ServiceError, match="already a theme"):
        theme_rename(theme=other, name="ÉQUIPE", actor=None)


# ---------------------------------------------------------------------------
# What each service hands back


def test_a_quote_with_a_typed_theme_returns_both_events(project, story, transcript, actor):
    result = _result(story, transcript, actor, new_theme=" Work  and jobs ")
    theme = Theme.objects.get()
    assert result.created is True
    assert theme.name == "Work and jobs"
    assert [e.action for e in result.events] == [
        CodingAction.THEME_CREATE,
        CodingAction.HIGHLIGHT_CREATE,
    ]
    assert result.event.highlight_id == result.highlight.pk
    assert _theme_ids(result.highlight) == {theme.pk}
    assert list(CodingEvent.objects.order_by("pk")) == list(result.events)


def test_the_same_words_again_add_themes_and_say_so(project, story, transcript, actor):
    first = _result(story, transcript, actor)
    housing = services.theme_create(project=project, name="Housing", actor=actor).theme
    again = _result(story, transcript, actor, themes=[housing], new_theme="HOUSING")
    assert again.created is False
    assert again.highlight.pk == first.highlight.pk
    assert [e.action for e in again.events] == [CodingAction.TAG_ADD]
    assert _theme_ids(first.highlight) == {housing.pk}
    assert _result(story, transcript, actor, themes=[housing]).events == ()


def test_a_refused_quote_leaves_no_typed_theme_behind(project, actor):
    storyteller = make_storyteller(project, consent=GATHER_ONLY)
    story = make_story(project, storyteller=storyteller, text=TEXT)
    with pytest.raises(ConsentError):
        _quote(story, story.transcripts.get(), actor, attribution="named", new_theme="Work")
    assert not Theme.objects.exists()
    assert not CodingEvent.objects.exists()


def test_tagging_with_a_typed_theme_makes_it_and_returns_both_events(story, transcript, actor):
    highlight = _quote(story, transcript, actor)
    result = services.highlight_tag(highlight=highlight, new_theme="Money", actor=actor)
    assert result.changed and result.theme.name == "Money"
    assert [e.action for e in result.events] == [CodingAction.THEME_CREATE, CodingAction.TAG_ADD]
    again = services.highlight_tag(highlight=highlight, new_theme="money", actor=actor)
    assert (again.changed, again.theme.pk, again.events) == (False, result.theme.pk, ())


def test_tagging_needs_exactly_one_theme(story, transcript, actor):
    highlight = _quote(story, transcript, actor)
    with pytest.raises(ServiceError, match="Choose a theme"):
        services.highlight_tag(highlight=highlight, actor=actor)
    assert not Theme.objects.exists()


def test_undo_returns_the_events_it_wrote(project, story, transcript, actor):
    made = _result(story, transcript, actor)
    undone = services.coding_event_undo(event=made.event, actor=actor)
    assert undone.undone.pk == made.event.pk
    assert [e.action for e in undone.events] == [CodingAction.HIGHLIGHT_DELETE]

    homes = services.theme_create(project=project, name="Homes", actor=actor)
    housing = services.theme_create(project=project, name="Housing", actor=actor).theme
    merged = services.theme_merge(source=homes.theme, target=housing, actor=actor)
    unmerged = services.coding_event_undo(event=merged.event, actor=actor)
    assert [e.action for e in unmerged.events] == [CodingAction.THEME_UNMERGE]
    assert unmerged.event.theme_id == homes.theme.pk

    removed = services.coding_event_undo(event=homes.event, actor=actor)
    assert [e.action for e in removed.events] == [CodingAction.THEME_DELETE]
    assert removed.event.payload["before"]["name"] == "Homes"


def test_undo_acts_on_the_event_given_not_the_newest(project, story, transcript, actor):
    """Two quotes made in two tabs: undoing the first leaves the second alone."""
    first = _result(story, transcript, actor, words="lost my job")
    second = _result(story, transcript, actor, words="my flat")
    services.coding_event_undo(event=first.event, actor=actor)
    assert list(Highlight.objects.all()) == [second.highlight]


# ---------------------------------------------------------------------------
# Stale copies: a page loaded before someone else's change


def _findings_themes(project):
    from cohub.apps.reports.findings import project_findings

    return {t.name: t.quote_count for t in project_findings(project).themes}


def test_merging_back_a_stale_copy_is_refused_and_findings_keep_the_themes(
    project, story, transcript, actor
):
    a = services.theme_create(project=project, name="A", actor=actor).theme
    b = services.theme_create(project=project, name="B", actor=actor).theme
    _quote(story, transcript, actor, words="lost my job", themes=[a])
    _quote(story, transcript, actor, words="my flat", themes=[b])
    stale_a, stale_b = Theme.objects.get(pk=a.pk), Theme.objects.get(pk=b.pk)

    services.theme_merge(source=a, target=b, actor=actor)
    with pytest.raises(ServiceError, match="'A' has already been merged into 'B'"):
        services.theme_merge(source=stale_b, target=stale_a, actor=actor)

    assert Theme.objects.get(pk=b.pk).merged_into_id is None
    assert _findings_themes(project) == {"B": 2}
    assert CodingEvent.objects.filter(action=CodingAction.THEME_MERGE).count() == 1


def test_tagging_with_a_stale_merged_theme_is_refused(project, story, transcript, actor):
    homes = services.theme_create(project=project, name="Homes", actor=actor).theme
    housing = services.theme_create(project=project, name="Housing", actor=actor).theme
    stale_homes = Theme.objects.get(pk=homes.pk)
    highlight = _quote(story, transcript, actor)
    services.theme_merge(source=homes, target=housing, actor=actor)

    with pytest.raises(ServiceError, match="'Homes' was merged into 'Housing'. Use that one."):
        services.highlight_tag(highlight=highlight, theme=stale_homes, actor=actor)
    with pytest.raises(ServiceError, match="merged into 'Housing'"):
        _quote(story, transcript, actor, words="my flat", themes=[stale_homes])

    assert _theme_ids(highlight) == set()
    assert Highlight.objects.count() == 1
    assert not CodingEvent.objects.filter(action=CodingAction.TAG_ADD).exists()


def test_untagging_a_stale_merged_theme_says_where_the_quote_went(
    project, story, transcript, actor
):
    homes = services.theme_create(project=project, name="Homes", actor=actor).theme
    housing = services.theme_create(project=project, name="Housing", actor=actor).theme
    highlight = _quote(story, transcript, actor, themes=[homes])
    stale_homes = Theme.objects.get(pk=homes.pk)
    services.theme_merge(source=homes, target=housing, actor=actor)

    with pytest.raises(ServiceError, match="tagged 'Housing' now"):
        services.highlight_untag(highlight=highlight, theme=stale_homes, actor=actor)
    assert _theme_ids(highlight) == {housing.pk}
    assert _findings_themes(project) == {"Housing": 1}


def test_renaming_a_stale_merged_theme_is_refused(project, actor):
    homes = services.theme_create(project=project, name="Homes", actor=actor).theme
    housing = services.theme_create(project=project, name="Housing", actor=actor).theme
    stale_homes = Theme.objects.get(pk=homes.pk)
    services.theme_merge(source=homes, target=housing, actor=actor)

    with pytest.raises(ServiceError, match="cannot be renamed. Rename 'Housing' instead."):
        services.theme_rename(theme=stale_homes, name="Dwellings", actor=actor)
    assert Theme.objects.get(pk=homes.pk).name == "Homes"
    assert not CodingEvent.objects.filter(action=CodingAction.THEME_RENAME).exists()


def test_a_stale_rename_checks_names_against_the_stored_row(project, actor):
    theme = services.theme_create(project=project, name="Homes", actor=actor).theme
    stale = Theme.objects.get(pk=theme.pk)
    services.theme_rename(theme=theme, name="Housing", description="Rent", actor=actor)
    result = services.theme_rename(theme=stale, name="Dwellings", actor=actor)
    assert result.event.payload["before"] == {"name": "Housing", "description": "Rent"}
    assert (result.theme.name, result.theme.description) == ("Dwellings", "Rent")


def test_writes_lock_the_project_then_the_themes_in_key_order(project, actor):
    """On PostgreSQL, merge takes the project row, then both themes in one query by id."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if not connection.features.has_select_for_update:
        pytest.skip("SQLite has no row locks; it serialises writers instead")
    b = services.theme_create(project=project, name="B", actor=actor).theme
    a = services.theme_create(project=project, name="A", actor=actor).theme
    with CaptureQueriesContext(connection) as queries:
        services.theme_merge(source=a, target=b, actor=actor)
    locking = [q["sql"] for q in queries.captured_queries if "FOR " in q["sql"]]
    assert "FOR NO KEY UPDATE" in locking[0] and "projects_project" in locking[0]
    theme_locks = [sql for sql in locking if 'FROM "analysis_theme"' in sql]
    assert len(theme_locks) == 1
    assert 'ORDER BY "analysis_theme"."id" ASC' in theme_locks[0]


# ---------------------------------------------------------------------------
# Nothing adds words to a story whose words are withheld


def _withheld_story(project, facilitator):
    from cohub.apps.stories import services as story_services

    kit = make_storyteller(project, pseudonym="Kit")
    story = make_story(project, storyteller=kit)
    quote = services.highlight_create(
        story=story,
        transcript=story.transcripts.get(),
        char_start=0,
        char_end=5,
        actor=facilitator,
    ).highlight
    story_services.consent_record(storyteller=kit, actor=None, record=True)
    return story, quote


REFUSAL = r"^Kit has not agreed that we transcribe their story\.$"


def test_no_quote_note_or_review_sheet_once_transcription_is_taken_back(project, facilitator):
    story, quote = _withheld_story(project, facilitator)
    with pytest.raises(ConsentError, match=REFUSAL):
        services.highlight_create(
            story=story,
            transcript=story.transcripts.get(),
            char_start=6,
            char_end=12,
            actor=facilitator,
        )
    with pytest.raises(ConsentError, match=REFUSAL):
        services.highlight_update(highlight=quote, actor=facilitator, note="About the words")
    with pytest.raises(ConsentError, match=REFUSAL):
        services.review_sheet_update(story=story, actor=facilitator, ideas="An idea")
    quote.refresh_from_db()
    assert quote.note == ""
    assert Highlight.objects.count() == 1
    assert not ReviewSheet.objects.exclude(ideas="").exists()


def test_the_words_cannot_be_edited_once_transcription_is_taken_back(project, facilitator):
    from cohub.apps.stories import services as story_services

    story, _ = _withheld_story(project, facilitator)
    with pytest.raises(ConsentError, match=REFUSAL):
        story_services.transcript_revise(
            story=story, actor=facilitator, text="Kit: New words.", reason=""
        )
    with pytest.raises(ConsentError, match=REFUSAL):
        story_services.transcript_revise_part(
            story=story, actor=facilitator, index=0, text="New words.", speaker=None, reason=""
        )
    assert story.transcripts.count() == 1
