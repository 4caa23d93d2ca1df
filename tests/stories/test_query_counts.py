"""The story list takes as many queries with twenty stories as with two."""

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


def test_story_list_queries_do_not_grow_with_stories(client, project, facilitator):
    client.force_login(facilitator)
    theme = new_theme(project, "Waiting")

    def grow_to(n: int, have: int) -> None:
        for i in range(have, n):
            story = story_with_parts(project, 2, title=f"Story {i}")
            quote_part(story, 0, themes=[theme])
            quote_part(story, 1)

    url = reverse("stories:story_list", kwargs={"project_slug": project.slug})
    grow_to(FEW, 0)
    queries_for(client, url)
    few = queries_for(client, url)
    grow_to(MANY, FEW)
    many = queries_for(client, url)
    assert "Story 19" in client.get(url).content.decode()
    assert_same_count(few, many)
