"""Coding services: highlights, themes, merges, and undoing each of them."""

from __future__ import annotations

import pytest

from cohub.apps.analysis import services
from cohub.apps.analysis.models import CodingAction, CodingEvent, Highlight, HighlightTheme, Theme
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
    assert highlight.speaker == "Robin"
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
    )
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
    elsewhere = services.theme_create(project=ProjectFactory(), name="Housing", actor=None)
    with pytest.raises(ServiceError, match="different project"):
        _quote(story, transcript, actor, themes=[elsewhere])
    assert not Highlight.objects.exists()


# ---------------------------------------------------------------------------
# Themes


def test_duplicate_theme_names_refused_case_insensitively(project, actor):
    services.theme_create(project=project, name="Housing", actor=actor)
    with pytest.raises(ServiceError, match="already a theme called"):
        services.theme_create(project=project, name="  hOUSING ", actor=actor)
    work = services.theme_create(project=project, name="Work", actor=actor)
    with pytest.raises(ServiceError, match="already a theme called"):
        services.theme_rename(theme=work, name="HOUSING", actor=actor)
    assert Theme.objects.count() == 2


def test_same_name_allowed_in_another_project(project, actor):
    services.theme_create(project=project, name="Housing", actor=actor)
    services.theme_create(project=ProjectFactory(), name="housing", actor=None)
    assert Theme.objects.count() == 2


def test_theme_names_are_tidied(project, actor):
    theme = services.theme_create(project=project, name="  Work   and  jobs ", actor=actor)
    assert theme.name == "Work and jobs"
    with pytest.raises(ServiceError, match="Give the theme a name"):
        services.theme_create(project=project, name="   ", actor=actor)


def test_find_or_create_finds_a_theme_in_any_capitals_and_accents(project, actor):
    equipe = services.theme_create(project=project, name="Équipe", actor=actor)
    events = CodingEvent.objects.count()
    # SQLite's lower() leaves "É" alone, so this must not be a database comparison.
    assert services.theme_find_or_create(project=project, name="équipe", actor=actor) == equipe
    assert services.theme_find_or_create(project=project, name=" ÉQUIPE ", actor=actor) == equipe
    assert Theme.objects.count() == 1
    assert CodingEvent.objects.count() == events, "finding a theme is not a change"


def test_find_or_create_makes_a_new_theme_only_in_this_project(project, actor):
    elsewhere = services.theme_create(project=ProjectFactory(), name="Housing", actor=None)
    theme = services.theme_find_or_create(project=project, name="  housing ", actor=actor)
    assert theme != elsewhere
    assert (theme.project, theme.name) == (project, "housing")
    assert CodingEvent.objects.filter(action=CodingAction.THEME_CREATE, theme_id=theme.pk).exists()
    with pytest.raises(ServiceError, match="Give the theme a name"):
        services.theme_find_or_create(project=project, name="   ", actor=actor)


def test_tagging_twice_is_one_link(story, transcript, actor):
    theme = services.theme_create(project=story.project, name="Housing", actor=actor)
    highlight = _quote(story, transcript, actor)
    assert services.highlight_tag(highlight=highlight, theme=theme, actor=actor) is True
    assert services.highlight_tag(highlight=highlight, theme=theme, actor=actor) is False
    assert HighlightTheme.objects.count() == 1


def test_merged_theme_cannot_be_used(story, transcript, actor):
    project = story.project
    old = services.theme_create(project=project, name="Homes", actor=actor)
    new = services.theme_create(project=project, name="Housing", actor=actor)
    services.theme_merge(source=old, target=new, actor=actor)
    old.refresh_from_db()
    highlight = _quote(story, transcript, actor)
    with pytest.raises(ServiceError, match="was merged into 'Housing'"):
        services.highlight_tag(highlight=highlight, theme=old, actor=actor)


def test_merge_moves_links_and_undo_restores_them(project, story, transcript, actor):
    homes = services.theme_create(project=project, name="Homes", actor=actor)
    housing = services.theme_create(project=project, name="Housing", actor=actor)
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
    a = services.theme_create(project=project, name="A", actor=actor)
    b = services.theme_create(project=project, name="B", actor=actor)
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
    theme = services.theme_create(project=project, name="Housing", actor=actor)
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
    theme = services.theme_create(project=project, name="Housing", actor=actor)
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
    theme = services.theme_create(project=project, name="Housing", actor=actor)
    _quote(story, transcript, actor, themes=[theme])
    with pytest.raises(ServiceError, match="in use"):
        services.coding_event_undo(
            event=_last_event(project, CodingAction.THEME_CREATE), actor=actor
        )
    assert Theme.objects.filter(pk=theme.pk).exists()


def test_undo_theme_rename(project, actor):
    theme = services.theme_create(project=project, name="Homes", actor=actor, description="Old")
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
    other = theme_create(project=project, name="Other", actor=None)
    with pytest.raises(ServiceError, match="already a theme"):
        theme_rename(theme=other, name="ÉQUIPE", actor=None)
