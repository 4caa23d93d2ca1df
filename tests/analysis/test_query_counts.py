"""The review sheet, the theme list and a theme's page take as many queries with
twenty quotes or themes as with two (see tests/query_counts.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.query_counts import (
    FEW,
    MANY,
    assert_same_count,
    new_theme,
    queries_for,
    quote_part,
    story_with_parts,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def coder(client, facilitator):
    client.force_login(facilitator)
    return facilitator


def test_review_sheet_queries_do_not_grow_with_quotes_or_themes(client, project, coder):
    story = story_with_parts(project, MANY)
    url = reverse(
        "analysis:review_sheet", kwargs={"project_slug": project.slug, "story_id": story.pk}
    )

    def grow_to(n: int, have: int) -> None:
        for i in range(have, n):
            quote_part(story, i, themes=[new_theme(project, f"Theme {i}")])

    grow_to(FEW, 0)
    queries_for(client, url)  # the first request fills caches (content types, the session)
    few = queries_for(client, url)
    grow_to(MANY, FEW)
    many = queries_for(client, url)
    html = client.get(url).content.decode()
    assert html.count('class="card quote"') == MANY
    assert_same_count(few, many)


def test_theme_list_queries_do_not_grow_with_themes(client, project, coder):
    story = story_with_parts(project, MANY)

    def grow_to(n: int, have: int) -> None:
        for i in range(have, n):
            quote_part(story, i, themes=[new_theme(project, f"Theme {i}")])

    url = reverse("analysis:theme_list", kwargs={"project_slug": project.slug})
    grow_to(FEW, 0)
    queries_for(client, url)
    few = queries_for(client, url)
    grow_to(MANY, FEW)
    many = queries_for(client, url)
    assert "Theme 19" in client.get(url).content.decode()
    assert_same_count(few, many)


def test_theme_page_queries_do_not_grow_with_its_quotes(client, project, coder):
    theme = new_theme(project, "Waiting")
    stories = [story_with_parts(project, 1, title=f"Story {i}") for i in range(MANY)]

    def grow_to(n: int, have: int) -> None:
        for story in stories[have:n]:
            quote_part(story, 0, themes=[theme])

    url = reverse(
        "analysis:theme_detail", kwargs={"project_slug": project.slug, "theme_id": theme.pk}
    )
    grow_to(FEW, 0)
    queries_for(client, url)
    few = queries_for(client, url)
    grow_to(MANY, FEW)
    many = queries_for(client, url)
    assert "Story 19" in client.get(url).content.decode()
    assert_same_count(few, many)
