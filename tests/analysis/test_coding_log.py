"""The coding log and the Undo/Redo offers: which quote a change was about, and redo by button."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohub.apps.analysis import services
from cohub.apps.analysis.models import CodingAction, CodingEvent, Highlight
from cohub.apps.projects.models import ProjectRole
from cohub.apps.stories.services import consent_record
from tests.factories import (
    ALL_ROLES,
    ProjectFactory,
    assert_role_access,
    log_in_as_role,
    make_member,
    make_story,
)
from tests.query_counts import (
    FEW,
    MANY,
    assert_same_count,
    queries_for,
    quote_part,
    story_with_parts,
)

CODERS = {"facilitator", "community_reporter", "member", "org_admin"}


def _url(name, project, **kwargs):
    return reverse(f"analysis:{name}", kwargs={"project_slug": project.slug, **kwargs})


def _story_url(project, story):
    return _url("review_sheet", project, story_id=story.pk)


@pytest.fixture
def reporter(project):
    return make_member(project, ProjectRole.COMMUNITY_REPORTER)


@pytest.fixture
def story(project):
    return make_story(project)


@pytest.fixture
def made(story, reporter):
    transcript = story.transcripts.get()
    start = transcript.text.index("I lost")
    return services.highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len("I lost my job"),
        actor=reporter,
    )


def _page(client, url):
    return client.get(url).content.decode()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_redo_by_role(client, project, made, reporter, role):
    services.coding_event_undo(event=made.event, actor=reporter)
    log_in_as_role(client, project, role)
    response = client.post(_url("coding_event_redo", project, event_id=made.event.pk))
    assert_role_access(response, role, CODERS)
    assert Highlight.objects.filter(pk=made.highlight.pk).exists() == (role in CODERS)


def test_redo_refuses_get_and_other_projects(client, project, made, reporter):
    services.coding_event_undo(event=made.event, actor=reporter)
    client.force_login(reporter)
    assert client.get(_url("coding_event_redo", project, event_id=made.event.pk)).status_code == 405
    other = ProjectFactory()
    client.force_login(make_member(other, ProjectRole.FACILITATOR))
    response = client.post(_url("coding_event_redo", other, event_id=made.event.pk))
    assert response.status_code == 404
    assert not Highlight.objects.exists()


def test_remove_undo_redo_from_the_story_page_keeps_the_quotes_link(
    client, project, story, made, reporter
):
    pk = made.highlight.pk
    story_url = _story_url(project, story)
    client.force_login(reporter)
    client.post(_url("highlight_delete", project, highlight_id=pk), {"next": story_url})
    removal = CodingEvent.objects.get(action=CodingAction.HIGHLIGHT_DELETE)
    response = client.post(
        _url("coding_event_undo", project, event_id=removal.pk), {"next": story_url}
    )
    page = _page(client, response["Location"])
    # Back under its old id: the link to it works, and the page offers Redo, once.
    assert f'id="quote-{pk}"' in page
    redo_url = _url("coding_event_redo", project, event_id=removal.pk)
    assert f'action="{redo_url}"' in page
    assert "Undone: Removed the key quote “I lost my job”" in page
    assert redo_url not in _page(client, story_url)

    response = client.post(redo_url, {"next": story_url})
    assert response["Location"] == story_url
    assert not Highlight.objects.exists()
    page = _page(client, story_url)
    assert "Redone: Removed the key quote" in page
    assert f'action="{_url("coding_event_undo", project, event_id=removal.pk)}"' in page
    assert client.get(_url("highlight_edit", project, highlight_id=pk)).status_code == 404

    client.post(_url("coding_event_undo", project, event_id=removal.pk), {"next": story_url})
    assert client.get(_url("highlight_edit", project, highlight_id=pk)).status_code == 200


def test_a_double_click_on_redo_puts_the_quote_back_once(client, project, made, reporter):
    services.coding_event_undo(event=made.event, actor=reporter)
    client.force_login(reporter)
    url = _url("coding_event_redo", project, event_id=made.event.pk)
    client.post(url)
    response = client.post(url)
    assert list(Highlight.objects.values_list("pk", flat=True)) == [made.highlight.pk]
    page = _page(client, response["Location"])
    assert "That could not be redone. That change is in place, so there is nothing to redo." in page


def test_the_log_names_an_undone_quote_and_offers_redo_on_it(client, project, made, reporter):
    pk = made.highlight.pk
    services.coding_event_undo(event=made.event, actor=reporter)
    client.force_login(reporter)
    page = _page(client, _url("coding_log", project))
    assert f"Made a key quote: “I lost my job” (quote {pk})" in page
    assert f"Removed the key quote “I lost my job” (quote {pk}), undoing an earlier change" in page
    assert f"Undone by {reporter}" in page
    assert page.count(">Redo<span") == 1
    assert page.count(">Undo<span") == 0  # the undo's own row is not undone on its own

    client.post(_url("coding_event_redo", project, event_id=made.event.pk))
    page = _page(client, _url("coding_log", project))
    assert f"Put back the key quote “I lost my job” (quote {pk}), redoing a change" in page
    assert page.count(">Undo<span") == 1
    assert page.count(">Redo<span") == 0


def test_the_log_holds_back_the_words_when_consent_to_read_them_goes(
    client, project, story, made, reporter
):
    other_words = services.highlight_create(
        story=story,
        transcript=made.highlight.transcript,
        char_start=made.highlight.transcript.text.index("my flat"),
        char_end=made.highlight.transcript.text.index("my flat") + len("my flat"),
        actor=reporter,
    )
    services.coding_event_undo(event=made.event, actor=reporter)  # one removed, one still there
    consent_record(storyteller=story.storyteller, actor=None, record=True)
    client.force_login(reporter)
    page = _page(client, _url("coding_log", project))
    assert "lost my job" not in page
    assert "my flat" not in page
    for pk in (made.highlight.pk, other_words.highlight.pk):
        assert (
            f"quote {pk} (words withheld: Robin has not agreed that we transcribe their story)"
            in page
        )


def test_the_log_takes_as_many_queries_with_many_removed_quotes_as_with_few(
    client, project, reporter
):
    client.force_login(reporter)
    url = _url("coding_log", project)

    def grow_to(n: int, have: int) -> None:
        for i in range(have, n):
            story = story_with_parts(project, 2, title=f"Story {i}")
            quote_part(story, 0)
            removed = quote_part(story, 1)
            services.highlight_delete(highlight=removed, actor=reporter)

    grow_to(FEW, 0)
    queries_for(client, url)
    few = queries_for(client, url)
    grow_to(MANY, FEW)
    many = queries_for(client, url)
    assert_same_count(few, many)
    page = _page(client, url)
    removed_rows = page.count('<th scope="row">Removed the key quote')
    assert removed_rows > FEW  # (50 events a page)
    assert page.count('<th scope="row">Removed the key quote “Part 1 of what') == removed_rows
