"""Template helpers for story pages."""

from __future__ import annotations

from typing import Any

from django import template

from cohub.apps.stories.derived import story_page_url

register = template.Library()


@register.simple_tag
def story_url(project: Any, story_id: int, anchor: str = "") -> str:
    """The address of the page where the story is read (see ``derived.register_story_page``)."""
    url = story_page_url(project_slug=project.slug, story_id=story_id)
    return f"{url}#{anchor}" if anchor else url
