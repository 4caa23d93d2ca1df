"""A busy project, made through the real services, for the benches that time
what people read from one (findings, the report).

Shared so that those benches measure the same project: a figure from one can
then be set beside a figure from the other. Import it after ``django.setup()``.
"""

from __future__ import annotations

from cohub.apps.accounts.models import Organisation
from cohub.apps.analysis import services as coding
from cohub.apps.projects.models import Project
from cohub.apps.projects.services import project_create
from cohub.apps.stories import services as stories

STORIES = 60
QUOTES_PER_STORY = 15
THEMES = 12


def busy_project(*, slug: str, themes_per_quote: int = 1) -> Project:
    """STORIES stories of QUOTES_PER_STORY parts, every part a quote filed under
    ``themes_per_quote`` (1 or 2) of THEMES themes, spread evenly, with consent
    to quote anonymously. Wrap it in one transaction: it is faster on SQLite."""
    organisation = Organisation.objects.create(name="Bench", slug=slug)
    project = project_create(
        organisation=organisation, name="Bench", purpose="p", opening_question="q", actor=None
    )
    themes = [
        coding.theme_create(project=project, name=f"Theme {n}", actor=None).theme
        for n in range(THEMES)
    ]
    consent = {"record": True, "transcribe": True, "quote_anonymously": True}
    for s in range(STORIES):
        teller = stories.storyteller_create(
            project=project, actor=None, pseudonym=f"Teller {s}", consent=consent
        )
        text = "\n\n".join(
            f"Teller {s}: This is part {p} of story {s}, about waiting and being heard."
            for p in range(QUOTES_PER_STORY)
        )
        story = stories.story_create_from_text(
            project=project, storyteller=teller, actor=None, title=f"Story {s}", text=text
        )
        transcript = story.transcripts.get()
        for p, segment in enumerate(transcript.segments.order_by("index")):
            chosen = [themes[(s + p) % THEMES]]
            if themes_per_quote > 1:
                chosen.append(themes[(s * p) % THEMES])
            coding.highlight_create(
                story=story,
                transcript=transcript,
                char_start=segment.char_start,
                char_end=segment.char_end,
                actor=None,
                themes=chosen,
                change_level=("individual", "organisation", "society")[p % 3],
                sectors=["services"],
            )
    return project
