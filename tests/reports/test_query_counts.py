"""Findings take as many queries with twenty quotes and themes as with two."""

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


@pytest.mark.parametrize("query", ["", "?level=individual", "?sector=services"])
def test_findings_queries_do_not_grow_with_quotes(client, project, facilitator, query):
    client.force_login(facilitator)
    shared = new_theme(project, "Waiting")

    def grow_to(n: int, have: int) -> None:
        for i in range(have, n):
            story = story_with_parts(project, 2, title=f"Story {i}")
            quote_part(story, 0, themes=[shared, new_theme(project, f"Theme {i}")])
            quote_part(story, 1)

    url = reverse("reports:findings", kwargs={"project_slug": project.slug}) + query
    grow_to(FEW, 0)
    queries_for(client, url)
    few = queries_for(client, url)
    grow_to(MANY, FEW)
    many = queries_for(client, url)
    assert_same_count(few, many)


def test_findings_csv_queries_do_not_grow_with_quotes_themes_or_speakers(
    client, project, facilitator
):
    """Each row names its themes and who spoke; none of it may cost a query per quote."""
    client.force_login(facilitator)
    shared = new_theme(project, "Waiting")

    def grow_to(n: int, have: int) -> None:
        for i in range(have, n):
            story = story_with_parts(project, 2, title=f"Story {i}")
            quote_part(story, 0, themes=[shared, new_theme(project, f"Theme {i}")])
            quote_part(story, 1)

    url = reverse("reports:findings_csv", kwargs={"project_slug": project.slug})
    grow_to(FEW, 0)
    queries_for(client, url)
    few = queries_for(client, url)
    grow_to(MANY, FEW)
    many = queries_for(client, url)
    assert_same_count(few, many)
    assert client.get(url).content.decode().count("Waiting") == MANY
