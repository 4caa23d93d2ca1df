"""Rounds for a whole organisation (ADR 0028): who opens one, who answers, as which group.

Everyone who belongs to the organisation answers once, whichever of its
projects they are in; their group is worked out across all of them
(``groups.organisation_group``) and kept on their response when they answer.
"""

from __future__ import annotations

import pytest

from cohub.apps.assess.groups import organisation_group
from cohub.apps.assess.models import AssessmentAction, AssessmentResponse
from cohub.apps.assess.selectors import (
    framework_version,
    item_choices,
    organisation_actions,
    project_actions,
    round_actions,
    round_items,
    round_results,
)
from cohub.apps.assess.services import (
    action_create,
    answer_save,
    framework_create,
    framework_item_add,
    frameworks_load,
    organisation_round_open,
    response_submit,
    round_open,
)
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import Event
from cohub.apps.projects.models import Participation, ProjectRole, TakingPart
from tests.factories import OrganisationFactory, ProjectFactory, make_member, make_org_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    """An organisation with two projects, a facilitator of the first, and the principles."""
    frameworks_load()
    organisation = OrganisationFactory()
    housing = ProjectFactory(organisation=organisation)
    parks = ProjectFactory(organisation=organisation)
    facilitator = make_member(housing, ProjectRole.FACILITATOR)
    return organisation, housing, parks, facilitator


def says(project, user, taking_part):
    Participation.objects.create(project=project, user=user, taking_part=taking_part)


def open_round(organisation, actor, key="principles"):
    return organisation_round_open(
        organisation=organisation,
        title="Across the council",
        versions=[framework_version(key)],
        actor=actor,
    )


def answer_all(assessment, person, pick):
    for item in round_items(assessment):
        value = item_choices(item)[pick]
        answer_save(assessment=assessment, respondent=person, item=item, value=value)
    response_submit(assessment=assessment, respondent=person)


# Who opens one ------------------------------------------------------------------


def test_a_facilitator_of_one_of_its_projects_opens_a_round_for_the_organisation(org):
    organisation, _, _, facilitator = org
    assessment = open_round(organisation, facilitator)
    assert assessment.project is None
    assert assessment.organisation == organisation
    event = Event.objects.get(verb="assessment.open", target_id=str(assessment.pk))
    assert event.project_id is None
    assert event.data["organisation"] == organisation.pk


def test_an_organisation_admin_opens_one_too(org):
    organisation = org[0]
    assert open_round(organisation, make_org_admin(organisation)).project is None


@pytest.mark.parametrize("who", ["co_producer_here", "facilitator_elsewhere", "admin_elsewhere"])
def test_others_may_not_open_one(org, who):
    organisation, housing, _, _ = org
    actor = {
        "co_producer_here": lambda: make_member(housing, ProjectRole.MEMBER),
        "facilitator_elsewhere": lambda: make_member(ProjectFactory(), ProjectRole.FACILITATOR),
        "admin_elsewhere": lambda: make_org_admin(OrganisationFactory()),
    }[who]()
    with pytest.raises(ServiceError, match="may open a round for the whole organisation"):
        open_round(organisation, actor)


def test_another_organisations_framework_is_refused(org):
    organisation, _, _, facilitator = org
    elsewhere = ProjectFactory()
    theirs = framework_create(
        organisation=elsewhere.organisation, title="Their framework", actor=facilitator
    )
    theirs = framework_item_add(
        framework=theirs.framework,
        title="Paid",
        statement="People are paid.",
        easy_read="We pay you.",
        good_looks_like="Paid on the day.",
        actor=facilitator,
    )
    with pytest.raises(ServiceError, match="hub's frameworks or your organisation's own"):
        organisation_round_open(
            organisation=organisation, title="X", versions=[theirs], actor=facilitator
        )
    ours = framework_create(organisation=organisation, title="Ours", actor=facilitator)
    ours = framework_item_add(
        framework=ours.framework,
        title="Heard",
        statement="We are heard.",
        easy_read="We listen.",
        good_looks_like="Changes follow.",
        actor=facilitator,
    )
    assert (
        organisation_round_open(
            organisation=organisation, title="Ours", versions=[ours], actor=facilitator
        ).framework_versions.get()
        == ours
    )


def test_no_framework_is_refused(org):
    organisation, _, _, facilitator = org
    with pytest.raises(ServiceError, match="at least one framework"):
        organisation_round_open(
            organisation=organisation, title="X", versions=[], actor=facilitator
        )


# As which group -----------------------------------------------------------------


def test_the_group_takes_everything_said_and_held_across_its_projects(org):
    organisation, housing, parks, _ = org
    person = make_member(housing, ProjectRole.MEMBER)
    make_member(parks, ProjectRole.MEMBER, user=person)
    says(housing, person, TakingPart.PROFESSIONAL)
    assert organisation_group(organisation, person) == "practitioner"
    says(parks, person, TakingPart.LIVED_EXPERIENCE)  # said in the other project: it comes first
    assert organisation_group(organisation, person) == "lived_experience"


@pytest.mark.parametrize(
    ("in_housing", "in_parks", "group"),
    [
        ((ProjectRole.DECISION_MAKER, None), (ProjectRole.FACILITATOR, None), "decision_maker"),
        (
            (ProjectRole.MEMBER, TakingPart.PROFESSIONAL),
            (ProjectRole.FACILITATOR, None),
            "facilitator",
        ),
        ((ProjectRole.MEMBER, TakingPart.FACILITATING), (ProjectRole.MEMBER, None), "facilitator"),
        ((ProjectRole.MEMBER, None), (ProjectRole.MEMBER, TakingPart.PROFESSIONAL), "practitioner"),
        (
            (ProjectRole.DECISION_MAKER, None),
            (ProjectRole.MEMBER, TakingPart.LIVED_EXPERIENCE),
            "lived_experience",
        ),
        ((ProjectRole.MEMBER, None), (ProjectRole.MEMBER, None), None),
    ],
)
def test_the_same_order_as_a_project_round(org, in_housing, in_parks, group):
    organisation, housing, parks, _ = org
    person = make_member(housing, in_housing[0])
    make_member(parks, in_parks[0], user=person)
    for project, (_, taking_part) in ((housing, in_housing), (parks, in_parks)):
        if taking_part:
            says(project, person, taking_part)
    assert organisation_group(organisation, person) == group


def test_what_is_said_in_another_organisation_does_not_count(org):
    organisation, housing, _, _ = org
    person = make_member(housing, ProjectRole.MEMBER)
    elsewhere = ProjectFactory()
    make_member(elsewhere, ProjectRole.DECISION_MAKER, user=person)
    says(elsewhere, person, TakingPart.LIVED_EXPERIENCE)
    assert organisation_group(organisation, person) is None


def test_a_member_of_two_projects_answers_once_as_the_right_group(org):
    organisation, housing, parks, facilitator = org
    assessment = open_round(organisation, facilitator)
    person = make_member(housing, ProjectRole.DECISION_MAKER)
    make_member(parks, ProjectRole.MEMBER, user=person)
    says(parks, person, TakingPart.LIVED_EXPERIENCE)
    items = round_items(assessment)
    answer_save(assessment=assessment, respondent=person, item=items[0], value="agree")
    answer_save(assessment=assessment, respondent=person, item=items[1], value="disagree")
    response_submit(assessment=assessment, respondent=person)
    response = AssessmentResponse.objects.get(round=assessment)
    assert response.respondent == person
    assert response.group == "lived_experience"
    # Kept as it was when they answered, whatever they say later.
    Participation.objects.filter(user=person).delete()
    assert AssessmentResponse.objects.get(round=assessment).group == "lived_experience"


# Results -------------------------------------------------------------------------


def test_a_group_below_the_minimum_is_hidden_and_the_gap_is_between_the_shown(org):
    organisation, housing, parks, facilitator = org
    assessment = open_round(organisation, facilitator)
    for number in range(3):  # three with lived experience, across both projects
        person = make_member(housing if number % 2 else parks, ProjectRole.MEMBER)
        says(person.project_memberships.get().project, person, TakingPart.LIVED_EXPERIENCE)
        answer_all(assessment, person, 1)  # disagree
    for _ in range(3):  # three practitioners
        person = make_member(parks, ProjectRole.MEMBER)
        says(parks, person, TakingPart.PROFESSIONAL)
        answer_all(assessment, person, 4)  # strongly agree
    for _ in range(2):  # two decision-makers: below the minimum of 3
        answer_all(assessment, make_member(housing, ProjectRole.DECISION_MAKER), 0)
    _, result = round_results(assessment)[0]
    assert result.groups["lived_experience"].median == 2.0
    assert result.groups["practitioner"].median == 5.0
    assert result.groups["decision_maker"].n == 2
    assert result.groups["decision_maker"].median is None
    assert result.gap == 3.0


# Actions ----------------------------------------------------------------------------


def test_an_action_goes_on_the_organisations_list_not_a_projects(org):
    organisation, housing, parks, facilitator = org
    assessment = open_round(organisation, facilitator)
    item = round_items(assessment)[0]
    owner = make_member(parks, ProjectRole.MEMBER)  # belongs through another project
    action = action_create(
        assessment=assessment,
        item=item,
        description="Pay people",
        owner=owner,
        actor=facilitator,
    )
    assert list(organisation_actions(organisation)) == [action]
    assert not project_actions(housing).exists() and not project_actions(parks).exists()
    with pytest.raises(ServiceError, match="must belong to the organisation"):
        action_create(
            assessment=assessment,
            item=item,
            description="X",
            owner=make_member(ProjectFactory(), ProjectRole.MEMBER),
            actor=facilitator,
        )


def test_only_this_organisations_wide_rounds_carry_their_actions_forward(org):
    organisation, housing, _, facilitator = org
    version = framework_version("principles")
    project_round = round_open(project=housing, title="P", versions=[version], actor=facilitator)
    # The same question (framework and key) in each round, in that round's own words.
    first = round_items(project_round)[0]
    action_create(assessment=project_round, item=first, description="A project's", actor=None)
    other = OrganisationFactory()
    other_round = open_round(other, make_org_admin(other))
    first = round_items(other_round)[0]
    action_create(assessment=other_round, item=first, description="Another's", actor=None)
    earlier = open_round(organisation, facilitator)
    first = round_items(earlier)[0]
    ours = action_create(assessment=earlier, item=first, description="Ours", actor=None)
    later = open_round(organisation, facilitator)
    assert round_actions(later) == {round_items(later)[0].pk: [ours]}
    assert AssessmentAction.objects.count() == 3


def test_the_cli_reports_an_organisations_round_to_its_people_only(org, capsys):
    from cohub import cli

    organisation, _, parks, facilitator = org
    assessment = open_round(organisation, facilitator)
    insider = make_member(parks, ProjectRole.MEMBER)
    args = ["assess", "report", "--round", str(assessment.pk), "--format", "html"]
    assert cli.main([*args, "--as", insider.email]) == 0
    out, _ = capsys.readouterr()
    assert "<!DOCTYPE html>" in out and "Across the council" in out
    stranger = make_member(ProjectFactory(), ProjectRole.FACILITATOR)
    assert cli.main([*args, "--as", stranger.email]) != 0
    assert "may not make the round report" in capsys.readouterr().err
