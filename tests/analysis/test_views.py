"""Coding pages: key quote changes, tagging, the codebook, the coding log and undo."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohub.apps.analysis import services
from cohub.apps.analysis.models import CodingAction, CodingEvent, Highlight, HighlightTheme, Theme
from cohub.apps.projects.models import ProjectRole
from tests.factories import (
    ALL_ROLES,
    GATHER_ONLY,
    ProjectFactory,
    assert_role_access,
    log_in_as_role,
    make_member,
    make_story,
    make_storyteller,
)

CODERS = {"facilitator", "community_reporter", "member", "org_admin"}


def _url(name, project, **kwargs):
    return reverse(f"analysis:{name}", kwargs={"project_slug": project.slug, **kwargs})


def _story_url(project, story):
    return reverse(
        "analysis:review_sheet", kwargs={"project_slug": project.slug, "story_id": story.pk}
    )


def _login(client, project, role):
    return log_in_as_role(client, project, role)


def _expect(response, role, allowed=CODERS):
    assert_role_access(response, role, allowed)


@pytest.fixture
def reporter(project):
    return make_member(project, ProjectRole.COMMUNITY_REPORTER)


@pytest.fixture
def story(project):
    return make_story(project)


@pytest.fixture
def highlight(story, reporter):
    transcript = story.transcripts.get()
    start = transcript.text.index("I lost")
    return services.highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len("I lost my job"),
        actor=reporter,
    ).highlight


@pytest.fixture
def housing(project, reporter):
    return services.theme_create(project=project, name="Housing", actor=reporter).theme


def _theme_ids(highlight):
    links = HighlightTheme.objects.filter(highlight=highlight)
    return set(links.values_list("theme_id", flat=True))


# ---------------------------------------------------------------------------
# Who may do what


@pytest.mark.parametrize("role", ALL_ROLES)
def test_codebook_and_log_by_role(client, project, housing, role):
    _login(client, project, role)
    _expect(client.get(_url("theme_list", project)), role)
    _expect(client.get(_url("theme_detail", project, theme_id=housing.pk)), role)
    _expect(client.get(_url("coding_log", project)), role)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_highlight_edit_by_role(client, project, highlight, role):
    _login(client, project, role)
    _expect(client.get(_url("highlight_edit", project, highlight_id=highlight.pk)), role)
    response = client.post(
        _url("highlight_edit", project, highlight_id=highlight.pk),
        {"change_level": "society", "note": "Changed", "attribution": "anonymous"},
    )
    _expect(response, role)
    highlight.refresh_from_db()
    assert (highlight.note == "Changed") == (role in CODERS)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_highlight_tag_and_untag_by_role(client, project, highlight, housing, role):
    _login(client, project, role)
    response = client.post(
        _url("highlight_tag", project, highlight_id=highlight.pk), {"theme_id": housing.pk}
    )
    _expect(response, role)
    assert (_theme_ids(highlight) == {housing.pk}) == (role in CODERS)
    services.highlight_tag(highlight=highlight, theme=housing, actor=None)
    response = client.post(
        _url("highlight_untag", project, highlight_id=highlight.pk, theme_id=housing.pk)
    )
    _expect(response, role)
    assert (_theme_ids(highlight) == set()) == (role in CODERS)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_highlight_delete_by_role(client, project, highlight, role):
    _login(client, project, role)
    _expect(client.post(_url("highlight_delete", project, highlight_id=highlight.pk)), role)
    assert Highlight.objects.filter(pk=highlight.pk).exists() == (role not in CODERS)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_theme_create_merge_rename_by_role(client, project, housing, role):
    _login(client, project, role)
    _expect(client.post(_url("theme_create", project), {"name": "Work"}), role)
    assert Theme.objects.filter(name="Work").exists() == (role in CODERS)
    other = services.theme_create(project=project, name="Homes", actor=None).theme
    _expect(
        client.post(_url("theme_merge", project), {"source": other.pk, "target": housing.pk}),
        role,
    )
    other.refresh_from_db()
    assert (other.merged_into_id == housing.pk) == (role in CODERS)
    _expect(
        client.post(_url("theme_rename", project, theme_id=housing.pk), {"name": "Homes+"}),
        role,
    )
    housing.refresh_from_db()
    assert (housing.name == "Homes+") == (role in CODERS)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_undo_by_role(client, project, highlight, role):
    event = CodingEvent.objects.get(action=CodingAction.HIGHLIGHT_CREATE)
    _login(client, project, role)
    _expect(client.post(_url("coding_event_undo", project, event_id=event.pk)), role)
    assert Highlight.objects.filter(pk=highlight.pk).exists() == (role not in CODERS)


def test_post_only_views_refuse_get(client, project, highlight, housing, reporter):
    client.force_login(reporter)
    url = _url("highlight_delete", project, highlight_id=highlight.pk)
    assert client.get(url).status_code == 405
    for name in ("theme_merge", "theme_create"):
        assert client.get(_url(name, project)).status_code == 405
    assert client.get(_url("theme_rename", project, theme_id=housing.pk)).status_code == 405
    tag_new = _url("highlight_tag_new_theme", project, highlight_id=highlight.pk)
    assert client.get(tag_new).status_code == 405


def test_pages_refuse_the_posts_that_moved_to_their_own_views(client, project, housing, reporter):
    """Adding and renaming themes have their own URLs and permission now; the pages only show."""
    client.force_login(reporter)
    assert client.post(_url("theme_list", project), {"name": "Work"}).status_code == 405
    detail = _url("theme_detail", project, theme_id=housing.pk)
    assert client.post(detail, {"name": "Homes"}).status_code == 405
    housing.refresh_from_db()
    assert housing.name == "Housing"
    assert not Theme.objects.filter(name="Work").exists()


def test_records_of_another_project_are_not_found(client, project, highlight, housing):
    other = ProjectFactory()
    client.force_login(make_member(other, ProjectRole.FACILITATOR))
    assert client.get(_url("highlight_edit", other, highlight_id=highlight.pk)).status_code == 404
    assert client.get(_url("theme_detail", other, theme_id=housing.pk)).status_code == 404
    event = CodingEvent.objects.first()
    response = client.post(_url("coding_event_undo", other, event_id=event.pk))
    assert response.status_code == 404
    assert Highlight.objects.filter(pk=highlight.pk).exists()


# ---------------------------------------------------------------------------
# Key quotes


def test_edit_highlight_and_return_to_story(client, project, story, highlight, reporter):
    client.force_login(reporter)
    response = client.post(
        _url("highlight_edit", project, highlight_id=highlight.pk),
        {
            "change_level": "organisation",
            "sectors": ["services"],
            "note": " Worth sharing ",
            "attribution": "named",
        },
    )
    assert response["Location"] == f"{_story_url(project, story)}#quote-{highlight.pk}"
    highlight.refresh_from_db()
    assert highlight.change_level == "organisation"
    assert highlight.sectors == ["services"]
    assert highlight.note == "Worth sharing"
    assert highlight.attribution == "named"
    page = client.get(response["Location"]).content.decode()
    assert "The key quote has been updated." in page


def test_edit_named_without_consent_shows_error(client, project, reporter):
    storyteller = make_storyteller(project, consent=GATHER_ONLY, pseudonym="Kit")
    story = make_story(project, storyteller=storyteller)
    transcript = story.transcripts.get()
    highlight = services.highlight_create(
        story=story,
        transcript=transcript,
        char_start=0,
        char_end=5,
        actor=reporter,
    ).highlight
    client.force_login(reporter)
    response = client.post(
        _url("highlight_edit", project, highlight_id=highlight.pk),
        {"note": "New note", "attribution": "named"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Kit has not agreed that we quote them by name, so we cannot name them beside their words."
        in page
    )
    assert "New note" in page
    highlight.refresh_from_db()
    assert highlight.attribution == "anonymous"
    assert highlight.note == ""


def test_delete_then_undo_from_the_story_page(client, project, story, highlight, reporter):
    housing = services.theme_create(project=project, name="Housing", actor=reporter).theme
    services.highlight_tag(highlight=highlight, theme=housing, actor=reporter)
    client.force_login(reporter)
    response = client.post(
        _url("highlight_delete", project, highlight_id=highlight.pk),
        {"next": _story_url(project, story) + "#key-quotes"},
    )
    assert response["Location"] == _story_url(project, story) + "#key-quotes"
    assert not Highlight.objects.exists()

    page = client.get(response["Location"]).content.decode()
    event = CodingEvent.objects.get(action=CodingAction.HIGHLIGHT_DELETE)
    undo_url = _url("coding_event_undo", project, event_id=event.pk)
    assert "The key quote has been removed." in page
    assert undo_url in page

    response = client.post(undo_url, {"next": _story_url(project, story)})
    assert response["Location"] == _story_url(project, story)
    restored = Highlight.objects.get()
    assert restored.snippet == "I lost my job"
    assert _theme_ids(restored) == {housing.pk}
    event.refresh_from_db()
    assert event.undone_at is not None
    # The undo panel is offered once only.
    assert undo_url not in client.get(_story_url(project, story)).content.decode()


def test_tag_with_new_theme_creates_it(client, project, highlight, reporter):
    client.force_login(reporter)
    client.post(
        _url("highlight_tag_new_theme", project, highlight_id=highlight.pk),
        {"new_name": " Money  worries "},
    )
    theme = Theme.objects.get()
    assert theme.name == "Money worries"
    assert _theme_ids(highlight) == {theme.pk}
    assert CodingEvent.objects.filter(action=CodingAction.THEME_CREATE).exists()


def test_tag_with_existing_name_reuses_theme(client, project, highlight, housing, reporter):
    client.force_login(reporter)
    client.post(
        _url("highlight_tag_new_theme", project, highlight_id=highlight.pk), {"new_name": "housing"}
    )
    assert Theme.objects.count() == 1
    assert _theme_ids(highlight) == {housing.pk}


def test_tag_needs_a_theme(client, project, story, highlight, reporter):
    client.force_login(reporter)
    response = client.post(_url("highlight_tag", project, highlight_id=highlight.pk), {})
    page = client.get(response["Location"]).content.decode()
    assert "Choose a theme, or type the name of a new one." in page
    assert not HighlightTheme.objects.exists()


def test_tag_with_theme_of_another_project_is_refused(client, project, highlight, reporter):
    elsewhere = services.theme_create(project=ProjectFactory(), name="Elsewhere", actor=None).theme
    client.force_login(reporter)
    url = _url("highlight_tag", project, highlight_id=highlight.pk)
    client.post(url, {"theme_id": elsewhere.pk})
    assert not HighlightTheme.objects.exists()


def test_untag_then_undo(client, project, story, highlight, housing, reporter):
    services.highlight_tag(highlight=highlight, theme=housing, actor=reporter)
    client.force_login(reporter)
    response = client.post(
        _url("highlight_untag", project, highlight_id=highlight.pk, theme_id=housing.pk)
    )
    assert response["Location"] == f"{_story_url(project, story)}#quote-{highlight.pk}"
    assert _theme_ids(highlight) == set()
    event = CodingEvent.objects.filter(action=CodingAction.TAG_REMOVE).get()
    client.post(_url("coding_event_undo", project, event_id=event.pk))
    assert _theme_ids(highlight) == {housing.pk}


def test_next_to_another_site_is_ignored(client, project, story, highlight, housing, reporter):
    client.force_login(reporter)
    response = client.post(
        _url("highlight_tag", project, highlight_id=highlight.pk),
        {"theme_id": housing.pk, "next": "https://evil.example/steal"},
    )
    assert response["Location"] == f"{_story_url(project, story)}#quote-{highlight.pk}"


# ---------------------------------------------------------------------------
# The codebook


def test_codebook_lists_themes_with_counts_and_merged(client, project, highlight, reporter):
    housing = services.theme_create(
        project=project, name="Housing", actor=reporter, description="Homes and rent"
    ).theme
    homes = services.theme_create(project=project, name="Homes", actor=reporter).theme
    services.highlight_tag(highlight=highlight, theme=housing, actor=reporter)
    services.theme_merge(source=homes, target=housing, actor=reporter)
    client.force_login(reporter)
    page = client.get(_url("theme_list", project)).content.decode()
    assert "Homes and rent" in page
    assert '<td data-label="Quotes" class="numeric">1</td>' in page
    assert "merged into" in page
    assert _url("theme_merge", project) not in page  # only one theme left to merge


def test_create_duplicate_theme_shows_error(client, project, housing, reporter):
    client.force_login(reporter)
    response = client.post(_url("theme_create", project), {"name": "HOUSING"})
    assert response.status_code == 200
    assert "There is already a theme called" in response.content.decode()
    assert Theme.objects.count() == 1


def test_create_theme_then_undo(client, project, reporter):
    client.force_login(reporter)
    response = client.post(_url("theme_create", project), {"name": "Work", "description": "Jobs"})
    page = client.get(response["Location"]).content.decode()
    assert "The theme &#x27;Work&#x27; has been added." in page
    event = CodingEvent.objects.get(action=CodingAction.THEME_CREATE)
    client.post(_url("coding_event_undo", project, event_id=event.pk))
    assert not Theme.objects.exists()


def test_merge_then_undo_through_the_pages(client, project, highlight, housing, reporter):
    homes = services.theme_create(project=project, name="Homes", actor=reporter).theme
    services.highlight_tag(highlight=highlight, theme=homes, actor=reporter)
    client.force_login(reporter)
    response = client.post(_url("theme_merge", project), {"source": homes.pk, "target": housing.pk})
    assert _theme_ids(highlight) == {housing.pk}
    page = client.get(response["Location"]).content.decode()
    assert "&#x27;Homes&#x27; has been merged into &#x27;Housing&#x27;." in page
    event = CodingEvent.objects.get(action=CodingAction.THEME_MERGE)
    client.post(_url("coding_event_undo", project, event_id=event.pk))
    homes.refresh_from_db()
    assert homes.merged_into is None
    assert _theme_ids(highlight) == {homes.pk}


def test_merge_same_theme_is_refused(client, project, housing, reporter):
    services.theme_create(project=project, name="Other", actor=reporter)
    client.force_login(reporter)
    response = client.post(
        _url("theme_merge", project), {"source": housing.pk, "target": housing.pk}
    )
    page = client.get(response["Location"]).content.decode()
    assert "Choose two different themes to merge." in page


def test_theme_detail_lists_quotes_and_renames(
    client, project, story, highlight, housing, reporter
):
    services.highlight_tag(highlight=highlight, theme=housing, actor=reporter)
    client.force_login(reporter)
    url = _url("theme_detail", project, theme_id=housing.pk)
    page = client.get(url).content.decode()
    assert "I lost my job" in page
    assert f"{_story_url(project, story)}#quote-{highlight.pk}" in page
    response = client.post(
        _url("theme_rename", project, theme_id=housing.pk),
        {"name": "Homes", "description": "Where people live"},
    )
    housing.refresh_from_db()
    assert (housing.name, housing.description) == ("Homes", "Where people live")
    page = client.get(response["Location"]).content.decode()
    assert "&#x27;Housing&#x27; is now called &#x27;Homes&#x27;." in page
    event = CodingEvent.objects.get(action=CodingAction.THEME_RENAME)
    client.post(_url("coding_event_undo", project, event_id=event.pk))
    housing.refresh_from_db()
    assert housing.name == "Housing"


def test_theme_names_are_escaped(client, project, reporter):
    services.theme_create(project=project, name="<b>bold</b>", actor=reporter)
    client.force_login(reporter)
    page = client.get(_url("theme_list", project)).content.decode()
    assert "<b>bold</b>" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


# ---------------------------------------------------------------------------
# The coding log


def test_coding_log_describes_events_and_offers_undo(
    client, project, story, highlight, housing, reporter
):
    services.highlight_tag(highlight=highlight, theme=housing, actor=reporter)
    services.theme_rename(theme=housing, name="Homes", actor=reporter)
    client.force_login(reporter)
    page = client.get(_url("coding_log", project)).content.decode()
    assert f"Made a key quote: “I lost my job” (quote {highlight.pk})" in page
    assert f"Tagged “I lost my job” (quote {highlight.pk}) with &#x27;Homes&#x27;" in page
    assert "Renamed the theme &#x27;Housing&#x27; to &#x27;Homes&#x27;" in page
    assert str(reporter) in page
    assert page.count(">Undo<span") == CodingEvent.objects.count()


def test_coding_log_marks_undone_and_reports_failures(client, project, highlight, reporter):
    event = CodingEvent.objects.get(action=CodingAction.HIGHLIGHT_CREATE)
    client.force_login(reporter)
    client.post(_url("coding_event_undo", project, event_id=event.pk))
    response = client.post(_url("coding_event_undo", project, event_id=event.pk))
    assert response["Location"] == _url("coding_log", project)
    page = client.get(response["Location"]).content.decode()
    assert "That could not be undone. That action has already been undone." in page
    assert "Undone by" in page


def test_decision_maker_cannot_see_log(client, project, highlight):
    client.force_login(make_member(project, ProjectRole.DECISION_MAKER))
    assert client.get(_url("coding_log", project)).status_code == 403


# ---------------------------------------------------------------------------
# One write path: the pages call one service and offer undo for the event it returned


def test_undo_offered_for_a_quote_is_the_quote_not_its_new_theme(client, project, story, reporter):
    client.force_login(reporter)
    transcript = story.transcripts.get()
    response = client.post(
        reverse(
            "analysis:highlight_create", kwargs={"project_slug": project.slug, "story_id": story.pk}
        ),
        {
            "transcript_id": transcript.pk,
            "char_start": 0,
            "char_end": 10,
            "new_theme": "Money",
            "attribution": "anonymous",
        },
    )
    made = CodingEvent.objects.get(action=CodingAction.HIGHLIGHT_CREATE)
    started = CodingEvent.objects.get(action=CodingAction.THEME_CREATE)
    page = client.get(response["Location"]).content.decode()
    assert _url("coding_event_undo", project, event_id=made.pk) in page
    assert _url("coding_event_undo", project, event_id=started.pk) not in page


def test_two_tabs_each_undo_their_own_change(client, project, highlight, housing, reporter):
    """Tab one tags with Housing, tab two with Homes; tab one's Undo removes Housing only."""
    homes = services.theme_create(project=project, name="Homes", actor=reporter).theme
    client.force_login(reporter)
    url = _url("highlight_tag", project, highlight_id=highlight.pk)
    client.post(url, {"theme_id": housing.pk})
    first_offer = client.session["cohub_undo"]["event_id"]
    client.post(url, {"theme_id": homes.pk})
    client.post(_url("coding_event_undo", project, event_id=first_offer))
    assert _theme_ids(highlight) == {homes.pk}


def test_each_stronger_post_declares_manage_themes():
    from django.urls import resolve

    kwargs = {"project_slug": "p"}
    routes = {
        "theme_create": {},
        "theme_merge": {},
        "theme_rename": {"theme_id": 1},
        "highlight_tag_new_theme": {"highlight_id": 1},
    }
    for name, extra in routes.items():
        view = resolve(reverse(f"analysis:{name}", kwargs={**kwargs, **extra})).func
        assert view.project_permission == "analysis.manage_themes", name
    for name, extra in {"theme_list": {}, "theme_detail": {"theme_id": 1}}.items():
        view = resolve(reverse(f"analysis:{name}", kwargs={**kwargs, **extra})).func
        assert view.project_permission == "analysis.view_codebook", name


def test_renaming_a_merged_theme_is_refused(client, project, housing, reporter):
    homes = services.theme_create(project=project, name="Homes", actor=reporter).theme
    client.force_login(reporter)
    services.theme_merge(source=homes, target=housing, actor=reporter)
    response = client.post(_url("theme_rename", project, theme_id=homes.pk), {"name": "Flats"})
    assert response.status_code == 403
    homes.refresh_from_db()
    assert homes.name == "Homes"


def test_the_log_offers_no_undo_for_what_undo_wrote(client, project, reporter):
    made = services.theme_create(project=project, name="Work", actor=reporter)
    services.coding_event_undo(event=made.event, actor=reporter)
    client.force_login(reporter)
    page = client.get(_url("coding_log", project)).content.decode()
    assert "Removed the theme &#x27;Work&#x27;" in page
    assert page.count(">Undo<span") == 0
