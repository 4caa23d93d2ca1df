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


def _spoken_parts(count: int) -> list:
    """``count`` parts of a two-person recording, each with its words' times."""
    from cohub.pipeline.formats import SegmentData
    from cohub.pipeline.words import WordTime

    parts = []
    for i in range(count):
        start = 500 + i * 1000
        words = [f"Part{i}", "of", "what", "happened."]
        parts.append(
            SegmentData(
                text=" ".join(words),
                speaker=f"Speaker {1 + i % 2}",
                start_ms=start,
                end_ms=start + 800,
                words=tuple(
                    WordTime(start + 200 * n, start + 200 * n + 150, word, 0.9)
                    for n, word in enumerate(words)
                ),
            )
        )
    return parts


def test_recorded_review_sheet_queries_do_not_grow_with_quotes(
    client, project, storyteller, coder, settings, tmp_path
):
    """A recorded story's quotes carry speakers and clip rules: read once, not per quote."""
    from cohub.apps.analysis.services import highlight_create
    from tests.playback_support import recorded_story

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    story = recorded_story(project, storyteller, tmp_path, segments=_spoken_parts(MANY))
    transcript = story.transcripts.order_by("-version").first()
    url = reverse(
        "analysis:review_sheet", kwargs={"project_slug": project.slug, "story_id": story.pk}
    )

    def grow_to(n: int, have: int) -> None:
        for i in range(have, n):
            words = f"Part{i} of what"
            start = transcript.text.index(words)
            highlight_create(
                story=story,
                transcript=transcript,
                char_start=start,
                char_end=start + len(words),
                actor=None,
            )

    grow_to(FEW, 0)
    queries_for(client, url)
    few = queries_for(client, url)
    grow_to(MANY, FEW)
    many = queries_for(client, url)
    assert client.get(url).content.decode().count('class="card quote"') == MANY
    assert_same_count(few, many)
