"""A small coded project whose findings are worked out by hand in the tests.

Highlights (theme, level, sectors):
  h1  story A (Robin, may be named)   Waiting          individual    services      named
  h2  story A (Robin)                 Waiting + Trust  organisation  policy, services  named
  h3  story B (Sky, no quoting)       Waiting          society       research
  h4  story C (Ana, anonymous only)   Trust            (not set)     -
  h5  story C (Ana)                   (no theme)       individual    services
The theme "Unused" has no quotes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from cohub.apps.analysis.models import Highlight
from cohub.apps.analysis.services import highlight_create, theme_create
from cohub.apps.projects.models import Project
from cohub.apps.stories.models import Story
from tests.factories import ALL_SCOPES, GATHER_ONLY, make_story, make_storyteller

QUOTE_ANONYMOUSLY = {"record": True, "transcribe": True, "quote_anonymously": True}


@dataclass
class CodedProject:
    project: Project
    stories: dict[str, Story]
    highlights: dict[str, Highlight]
    storytellers: dict[str, Any]


def _quote(story: Story, words: str, **fields: Any) -> Highlight:
    transcript = story.transcripts.get()
    start = transcript.text.index(words)
    return highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len(words),
        actor=None,
        **fields,
    ).highlight


def build_coded_project(project: Project) -> CodedProject:
    robin = make_storyteller(project, pseudonym="Robin", real_name="Robin Real", consent=ALL_SCOPES)
    sky = make_storyteller(project, pseudonym="Sky", consent=GATHER_ONLY)
    ana = make_storyteller(
        project, pseudonym="Ana", real_name="Ana Real", consent=QUOTE_ANONYMOUSLY
    )
    a = make_story(
        project,
        storyteller=robin,
        title="Robin's story",
        text="Sam: What happened?\n\nRobin: I waited eleven weeks.\n\n"
        "Robin: =Nobody rang me back, not once.",
    )
    b = make_story(
        project,
        storyteller=sky,
        title="Sky's story",
        text="Sam: And then?\n\nSky: The letter came after I had moved house.",
    )
    c = make_story(
        project,
        storyteller=ana,
        title="Ana's story",
        text="Sam: Who helped?\n\nAna: My neighbour, who had been through it.\n\n"
        "Ana: The app asked me to rate my mood from one to ten.",
    )
    waiting = theme_create(
        project=project, name="Waiting", actor=None, description="Long waits."
    ).theme
    trust = theme_create(project=project, name="Trust", actor=None).theme
    theme_create(project=project, name="Unused", actor=None)
    highlights = {
        "h1": _quote(
            a,
            "I waited eleven weeks.",
            themes=[waiting],
            change_level="individual",
            sectors=["services"],
            attribution="named",
        ),
        "h2": _quote(
            a,
            "=Nobody rang me back, not once.",
            themes=[waiting, trust],
            change_level="organisation",
            sectors=["policy", "services"],
            attribution="named",
            note="+44 said no",
        ),
        "h3": _quote(
            b,
            "The letter came after I had moved house.",
            themes=[waiting],
            change_level="society",
            sectors=["research"],
        ),
        "h4": _quote(c, "My neighbour, who had been through it.", themes=[trust]),
        "h5": _quote(
            c, "The app asked me to rate my mood", change_level="individual", sectors=["services"]
        ),
    }
    return CodedProject(
        project=project,
        stories={"A": a, "B": b, "C": c},
        highlights=highlights,
        storytellers={"Robin": robin, "Sky": sky, "Ana": ana},
    )


@pytest.fixture
def coded(project) -> CodedProject:
    return build_coded_project(project)
