"""Rules that look at the theme itself: a merged theme lives on only as history."""

from __future__ import annotations

import pytest

from cohub.apps.analysis import services
from cohub.apps.projects.models import ProjectRole
from tests.factories import ProjectFactory, make_member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (ProjectRole.FACILITATOR, True),
        (ProjectRole.MEMBER, True),
        (ProjectRole.DECISION_MAKER, False),
    ],
)
def test_themes_are_managed_by_coders_until_merged(role, allowed):
    project = ProjectFactory()
    person = make_member(project, role)
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    source = services.theme_create(project=project, name="Rent", actor=facilitator).theme
    target = services.theme_create(project=project, name="Housing", actor=facilitator).theme

    assert person.has_perm("analysis.manage_themes", project) is allowed
    assert person.has_perm("analysis.manage_themes", source) is allowed

    services.theme_merge(source=source, target=target, actor=facilitator)
    source.refresh_from_db()

    assert not person.has_perm("analysis.manage_themes", source)
    assert person.has_perm("analysis.manage_themes", target) is allowed
    assert person.has_perm("analysis.manage_themes", project) is allowed


def test_a_key_quote_answers_to_its_story_project():
    from cohub.apps.projects.predicates import project_of
    from tests.factories import make_story

    project = ProjectFactory()
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    story = make_story(project)
    highlight = services.highlight_create(
        story=story, transcript=story.transcripts.get(), char_start=0, char_end=5, actor=facilitator
    ).highlight
    assert project_of(highlight) == project
    assert facilitator.has_perm("analysis.code_story", highlight)
    assert not make_member(ProjectFactory(), ProjectRole.FACILITATOR).has_perm(
        "analysis.code_story", highlight
    )
