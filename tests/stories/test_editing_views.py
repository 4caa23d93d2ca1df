"""Editing a story in the browser: title, date and words, each with one-click undo."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohub.apps.analysis.services import highlight_create
from cohub.apps.projects.models import ProjectRole
from cohub.apps.stories.models import Story
from tests.factories import make_member, make_story

pytestmark = pytest.mark.django_db

TEXT = "Sam: How did it start?\n\nRobin: I waited eleven weeks. Nobody rang me back."


def _url(name, story, **kwargs):
    return reverse(
        f"stories:{name}",
        kwargs={"project_slug": story.project.slug, "story_id": story.pk, **kwargs},
    )


def _newest(story):
    return story.transcripts.order_by("-version").first()


def test_a_reporter_changes_the_words_and_undoes_it_with_one_button(client, project):
    story = make_story(project, text=TEXT)
    client.force_login(make_member(project, ProjectRole.COMMUNITY_REPORTER))
    page = client.get(_url("story_text_edit", story)).content.decode()
    assert "Robin: I waited eleven weeks." in page
    response = client.post(
        _url("story_text_edit", story),
        {"text": TEXT.replace("eleven", "twelve"), "reason": "Misheard", "based_on": 1},
    )
    assert response.status_code == 302
    assert "twelve weeks" in _newest(story).text
    edit_page = client.get(response["Location"]).content.decode()
    assert "saved as version 2" in edit_page
    assert "Undo this change" in edit_page
    edit = story.edits.get()
    client.post(_url("story_edit_undo", story, edit_id=edit.pk))
    assert _newest(story).version == 3
    assert "eleven weeks" in _newest(story).text


def test_one_part_is_changed_on_its_own_page(client, project):
    story = make_story(project, text=TEXT)
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    robin = story.speakers.get(label="Robin")
    response = client.post(
        _url("story_part_edit", story, index=1),
        {"text": "I waited for weeks.", "speaker": robin.pk, "reason": "", "based_on": 1},
    )
    assert response.status_code == 302
    assert _newest(story).text.endswith("Robin: I waited for weeks.") is False
    assert _newest(story).text.endswith("I waited for weeks.")


def test_a_lost_quote_is_shown_on_the_review_sheet_with_a_way_to_fix_it(client, project):
    story = make_story(project, text=TEXT)
    transcript = _newest(story)
    start = transcript.text.index("Nobody")
    highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=len(transcript.text),
        actor=None,
    )
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    client.post(
        _url("story_text_edit", story),
        {"text": TEXT.replace(" Nobody rang me back.", ""), "reason": "", "based_on": 1},
    )
    review = client.get(
        reverse(
            "analysis:review_sheet", kwargs={"project_slug": project.slug, "story_id": story.pk}
        )
    ).content.decode()
    assert "1 key quote needs checking" in review
    assert "Choose the words again" in review


def test_the_title_and_date_are_changed_and_undone(client, project):
    story = make_story(project, text=TEXT, title="Old title")
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    client.post(_url("story_edit", story), {"title": "New title", "recorded_on": "2026-01-02"})
    assert Story.objects.get(pk=story.pk).title == "New title"
    client.post(_url("story_edit_undo", story, edit_id=story.edits.get().pk))
    assert Story.objects.get(pk=story.pk).title == "Old title"


def test_a_co_producer_cannot_change_the_words(client, project):
    story = make_story(project, text=TEXT)
    client.force_login(make_member(project, ProjectRole.MEMBER))
    response = client.post(
        _url("story_text_edit", story), {"text": "Other words.", "reason": "", "based_on": 1}
    )
    assert response.status_code == 403
    assert _newest(story).version == 1
