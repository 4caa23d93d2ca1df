"""Build a project with N coded stories and count the queries a page takes.

A page that runs a query per quote, per theme or per story looks fine with two
and crawls with two hundred. The tests in each app open the page with a few
and with many, and require the same number of queries both times.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cohub.apps.analysis.models import Highlight, Theme
from cohub.apps.analysis.services import highlight_create, theme_create
from cohub.apps.projects.models import Project
from cohub.apps.stories.models import Story
from tests.factories import make_story, make_storyteller

FEW = 2
MANY = 20


def story_with_parts(project: Project, parts: int, *, title: str = "A story") -> Story:
    """A story told in ``parts`` parts, each long enough to quote on its own.

    The title is in the text too: the import refuses a transcript it already has.
    """
    text = "\n\n".join(f"Robin: Part {i} of what happened to me ({title})." for i in range(parts))
    return make_story(project, storyteller=make_storyteller(project), title=title, text=text)


def quote_part(
    story: Story, part: int, *, themes: list[Theme] | tuple[Theme, ...] = ()
) -> Highlight:
    """A key quote of one part of ``story``, tagged with ``themes``."""
    transcript = story.transcripts.get()
    words = f"Part {part} of what happened"
    start = transcript.text.index(words)
    return highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len(words),
        actor=None,
        themes=themes,
    ).highlight


def new_theme(project: Project, name: str) -> Theme:
    return theme_create(project=project, name=name, actor=None).theme


def queries_for(client: Any, url: str) -> list[str]:
    """The SQL of one GET of ``url`` (which must succeed), less the audit of the read.

    The audit (``core.audit``) takes one or two queries a request however much
    was read (two when it writes, one when it finds the same read just written),
    so it is left out of the comparison rather than made to look like a repeat.
    """
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return [query["sql"] for query in captured.captured_queries if "core_event" not in query["sql"]]


def _shape(sql: str) -> str:
    """A query with its values taken out, so the same query for another row matches."""
    sql = re.sub(r"'[^']*'", "?", sql)
    sql = re.sub(r"\b\d+\b", "?", sql)
    sql = re.sub(r"\(\?(, \?)*\)", "(…)", sql)
    return re.sub(r"(= \? OR \S+ )+= \?", "IN (…)", sql)


def assert_same_count(few: list[str], many: list[str]) -> None:
    """Fail with the queries that ran more often with more data, to show what repeats."""
    if len(few) != len(many):
        extra = Counter(map(_shape, many)) - Counter(map(_shape, few))
        shown = "\n".join(f"{n} more times: {sql[:300]}" for sql, n in extra.most_common(3))
        raise AssertionError(f"{len(few)} queries with {FEW}, {len(many)} with {MANY}.\n{shown}")
