"""Rounds, answers kept as drafts, sending, results from sent answers only, actions."""

from __future__ import annotations

import pytest

from cohub.apps.assess.models import AssessmentAction, AssessmentResponse, ResponseStatus
from cohub.apps.assess.selectors import framework_version, round_results
from cohub.apps.assess.services import (
    action_create,
    answer_save,
    frameworks_load,
    response_submit,
    round_open,
)
from cohub.apps.core.errors import ServiceError
from cohub.apps.projects.models import Participation, ProjectRole, TakingPart
from tests.factories import ProjectFactory, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def embedding_round():
    frameworks_load()
    project = ProjectFactory()
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    version = framework_version("embedding")
    assessment = round_open(project=project, title="Spring", versions=[version], actor=facilitator)
    return project, facilitator, version, assessment


def lived(project):
    user = make_member(project, ProjectRole.MEMBER)
    Participation.objects.create(
        project=project, user=user, taking_part=TakingPart.LIVED_EXPERIENCE
    )
    return user


def test_round_takes_the_minimum_group_from_the_setting(embedding_round, settings):
    assert embedding_round[3].min_group_size == 3


def test_a_draft_is_kept_and_does_not_count_until_sent(embedding_round):
    project, facilitator, version, assessment = embedding_round
    culture = version.items.get(key="culture")
    people = [lived(project) for _ in range(3)]
    for person in people:
        answer_save(assessment=assessment, respondent=person, item=culture, value="Disagree")
    staff = [make_member(project, ProjectRole.FACILITATOR) for _ in range(3)]
    for person in staff:
        answer_save(assessment=assessment, respondent=person, item=culture, value="strongly agree")
    drafts = AssessmentResponse.objects.filter(round=assessment, status=ResponseStatus.DRAFT)
    assert drafts.count() == 6
    item, result = round_results(assessment)[0]
    assert result.all.n == 0

    for person in [*people, *staff]:
        response_submit(assessment=assessment, respondent=person)
    item, result = round_results(assessment)[0]
    assert item.key == "culture"
    assert result.groups["lived_experience"].median == 2.0
    assert result.groups["facilitator"].median == 5.0
    assert result.gap == 3.0


def test_an_answer_can_be_changed_until_sent(embedding_round):
    project, _, version, assessment = embedding_round
    person = lived(project)
    culture = version.items.get(key="culture")
    answer_save(assessment=assessment, respondent=person, item=culture, value="agree")
    answer_save(
        assessment=assessment, respondent=person, item=culture, value="don't know", comment="?"
    )
    response = AssessmentResponse.objects.get(respondent=person)
    assert [(a.value, a.comment) for a in response.answers.all()] == [("don't know", "?")]
    response_submit(assessment=assessment, respondent=person)
    with pytest.raises(ServiceError, match="already sent"):
        answer_save(assessment=assessment, respondent=person, item=culture, value="agree")


def test_an_answer_not_on_the_scale_is_refused(embedding_round):
    project, _, version, assessment = embedding_round
    with pytest.raises(ServiceError, match="Choose one of the answers"):
        answer_save(
            assessment=assessment,
            respondent=lived(project),
            item=version.items.get(key="culture"),
            value="co-producing",
        )


def test_an_item_from_another_framework_is_refused(embedding_round):
    project, _, _, assessment = embedding_round
    ladder_item = framework_version("ladder").items.first()
    with pytest.raises(ServiceError, match="not part of this round"):
        answer_save(
            assessment=assessment, respondent=lived(project), item=ladder_item, value="informing"
        )


def test_an_item_becomes_an_action(embedding_round):
    _, facilitator, version, assessment = embedding_round
    action = action_create(
        assessment=assessment,
        item=version.items.get(key="culture"),
        description="Leaders join two sessions",
        owner=facilitator,
    )
    assert AssessmentAction.objects.get() == action
    assert action.status == "to_do"
