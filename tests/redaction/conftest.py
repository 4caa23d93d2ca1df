from __future__ import annotations

import pytest

from cohub.apps.projects.models import ProjectRole
from cohub.apps.redaction import services
from cohub.apps.redaction.models import RedactionRun
from cohub.pipeline.redact import Finding, Kind, number_findings
from tests.factories import ProjectFactory, make_member, make_story, make_storyteller

STORY = (
    "Sam: How did it start? It was winter.\n\n"
    "Priya: My name is Priya Sharma. I lost my job at the Brookside Centre and then my flat "
    "in Leeds. Ring me on 07700 900123.\n\n"
    "Sam: What helped?\n\n"
    "Priya: My sister Folake took me in. She was the only one who did."
)


@pytest.fixture
def project(db):
    return ProjectFactory(name="Winter support")


@pytest.fixture
def facilitator(project):
    return make_member(project, ProjectRole.FACILITATOR)


@pytest.fixture
def story(project, facilitator):
    teller = make_storyteller(project, pseudonym="Kit", real_name="Priya Sharma")
    return make_story(project, storyteller=teller, text=STORY, title="Losing the flat")


def findings_in(text: str, *pieces: tuple[str, Kind]) -> list[Finding]:
    """Findings for the first place each piece of words appears, numbered as the engine would."""
    found = []
    for words, kind in pieces:
        start = text.index(words)
        found.append(Finding(start, start + len(words), kind, words, "test"))
    return number_findings(found)


@pytest.fixture
def checked(story, facilitator) -> RedactionRun:
    """A finished check of the story with four suggestions, made without the model."""
    run = services.redaction_check_start(story=story, actor=facilitator).run
    text = run.transcript.text
    return services.redaction_findings_store(
        run=run,
        findings=findings_in(
            text,
            ("Priya Sharma", Kind.PERSON),
            ("Brookside Centre", Kind.ORGANISATION),
            ("Leeds", Kind.PLACE),
            ("07700 900123", Kind.PHONE),
            ("Folake", Kind.PERSON),
        ),
        engine_settings={"engine": "test"},
    )
