"""A whole organisation's assessment pages (ADR 0028): the project round's pages, reached
through ``/o/<organisation>/``, for everyone in any of its projects and for no one else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohub.apps.assess.models import (
    AssessmentAction,
    AssessmentResponse,
    Framework,
    ResponseStatus,
)
from cohub.apps.assess.selectors import framework_version, item_choices, round_items
from cohub.apps.assess.services import (
    answer_save,
    framework_create,
    framework_item_add,
    frameworks_load,
    organisation_round_open,
    response_submit,
    round_open,
)
from cohub.apps.projects.models import Participation, ProjectRole, TakingPart
from tests.factories import OrganisationFactory, ProjectFactory, make_member, make_org_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    frameworks_load()
    organisation = OrganisationFactory(name="Northside Council")
    housing = ProjectFactory(organisation=organisation)
    parks = ProjectFactory(organisation=organisation)
    facilitator = make_member(housing, ProjectRole.FACILITATOR)
    assessment = organisation_round_open(
        organisation=organisation,
        title="Across the council",
        versions=[framework_version("principles")],
        actor=facilitator,
    )
    return organisation, housing, parks, facilitator, assessment


def url(name, organisation, *args):
    return reverse(f"org_assess:{name}", args=[organisation.slug, *args])


def says(project, user, taking_part):
    Participation.objects.create(project=project, user=user, taking_part=taking_part)


def test_a_member_of_two_projects_answers_once_through_the_pages(client, org):
    organisation, housing, parks, _, assessment = org
    person = make_member(housing, ProjectRole.DECISION_MAKER)
    make_member(parks, ProjectRole.MEMBER, user=person)
    says(parks, person, TakingPart.LIVED_EXPERIENCE)
    client.force_login(person)

    # Found from either project's assessments page.
    listing = client.get(reverse("assess:round_list", args=[parks.slug])).content.decode()
    assert url("round_list", organisation) in listing
    listing = client.get(url("round_list", organisation)).content.decode()
    assert "Across the council" in listing and "Start answering" in listing

    items = round_items(assessment)
    response = client.get(url("round_answer_start", organisation, assessment.pk))
    assert response["Location"] == url("round_answer", organisation, assessment.pk, 1)
    page = client.get(url("round_answer", organisation, assessment.pk, 1)).content.decode()
    assert f"Question 1 of {len(items)}" in page and "<legend" in page
    assert "?words=easy" in page
    for number, item in enumerate(items, start=1):
        response = client.post(
            url("round_answer", organisation, assessment.pk, number),
            {"answer": item_choices(item)[1], "go": "next"},
        )
        following = (
            url("round_check", organisation, assessment.pk)
            if number == len(items)
            else url("round_answer", organisation, assessment.pk, number + 1)
        )
        assert response["Location"] == following
    check = client.get(url("round_check", organisation, assessment.pk)).content.decode()
    assert "Check your answers" in check and "Send my answers" in check
    client.post(url("round_check", organisation, assessment.pk))

    response = AssessmentResponse.objects.get(round=assessment)  # one, for both projects
    assert response.respondent == person
    assert response.status == ResponseStatus.SUBMITTED
    assert response.group == "lived_experience"


def test_someone_outside_the_organisation_is_told_not_found_as_for_no_round(client, org):
    organisation, housing, _, _, assessment = org
    item = round_items(assessment)[0]
    elsewhere = make_member(ProjectFactory(), ProjectRole.FACILITATOR)
    make_org_admin(OrganisationFactory(), user=elsewhere)
    action = AssessmentAction.objects.create(round=assessment, item=item, description="Pay")
    pages = [
        url("round_list", organisation),
        url("round_open", organisation),
        url("round_answer_start", organisation, assessment.pk),
        url("round_answer", organisation, assessment.pk, 1),
        url("round_check", organisation, assessment.pk),
        url("round_results", organisation, assessment.pk),
        url("action_create", organisation, assessment.pk, item.pk),
        url("action_list", organisation),
    ]
    client.force_login(elsewhere)
    for page in pages:
        assert client.get(page).status_code == 404, page
        assert client.post(page).status_code == 404, page
    assert client.post(url("action_update", organisation, action.pk)).status_code == 404
    assert client.get(url("round_results", organisation, assessment.pk + 999)).status_code == 404
    assert client.get(reverse("org_assess:round_list", args=["no-such-org"])).status_code == 404
    # Its own people see the round; a project's round is no organisation round.
    client.force_login(make_member(housing, ProjectRole.MEMBER))
    assert client.get(url("round_results", organisation, assessment.pk)).status_code == 200
    project_round = round_open(
        project=housing, title="P", versions=[framework_version("ladder")], actor=None
    )
    assert client.get(url("round_results", organisation, project_round.pk)).status_code == 404


def test_only_its_admins_and_facilitators_open_a_round(client, org):
    organisation, housing, parks, facilitator, _ = org
    client.force_login(make_member(parks, ProjectRole.MEMBER))
    refused = client.get(url("round_open", organisation))
    assert refused.status_code == 403
    assert "You cannot open an assessment round for the whole organisation" in (
        refused.content.decode()
    )
    assert client.post(url("round_open", organisation), {"title": "X"}).status_code == 403
    admin = make_org_admin(organisation)  # in no project: an admin of the organisation itself
    client.force_login(admin)
    page = client.get(url("round_open", organisation)).content.decode()
    assert "Open an assessment round for all of Northside Council" in page
    principles = framework_version("principles")
    response = client.post(
        url("round_open", organisation), {"title": "Autumn", "frameworks": [principles.pk]}
    )
    assert response["Location"] == url("round_list", organisation)
    assert organisation.assessment_rounds.filter(title="Autumn", project=None).exists()


def test_another_organisations_framework_is_not_offered_nor_taken(client, org):
    organisation, _, _, facilitator, _ = org
    other = ProjectFactory()
    theirs = framework_create(organisation=other.organisation, title="Theirs", actor=None)
    theirs = framework_item_add(
        framework=theirs.framework,
        title="Paid",
        statement="People are paid.",
        easy_read="We pay you.",
        good_looks_like="On the day.",
        actor=None,
    )
    client.force_login(facilitator)
    page = client.get(url("round_open", organisation)).content.decode()
    assert "Theirs" not in page
    response = client.post(
        url("round_open", organisation), {"title": "Sneaky", "frameworks": [theirs.pk]}
    )
    assert response.status_code == 200
    assert not organisation.assessment_rounds.filter(title="Sneaky").exists()


def test_the_results_show_the_gap_and_hide_a_group_too_small(client, org):
    organisation, housing, parks, facilitator, assessment = org
    items = round_items(assessment)

    def answers(person, pick):
        for item in items:
            answer_save(
                assessment=assessment,
                respondent=person,
                item=item,
                value=item_choices(item)[pick],
                comment="Only when it suits them" if pick == 0 else "",
            )
        response_submit(assessment=assessment, respondent=person)

    for number in range(3):
        person = make_member(housing if number else parks, ProjectRole.MEMBER)
        says(housing if number else parks, person, TakingPart.LIVED_EXPERIENCE)
        answers(person, 0)  # strongly disagree
    for _ in range(3):
        person = make_member(parks, ProjectRole.MEMBER)
        says(parks, person, TakingPart.PROFESSIONAL)
        answers(person, 3)  # agree
    for _ in range(2):
        answers(make_member(housing, ProjectRole.DECISION_MAKER), 4)
    client.force_login(make_member(parks, ProjectRole.MEMBER))
    page = client.get(url("round_results", organisation, assessment.pk)).content.decode()
    assert "Gap between groups: 3 steps" in page
    assert "across all its projects" in page
    decision_makers = page.split(">Decision-maker</th>")[1].split("</tr>")[0]
    assert "Fewer than 3 people answered" in decision_makers
    assert ">Lived experience</th>" in page and ">Practitioner</th>" in page
    assert "Only when it suits them" in page
    assert "Make this an action" not in page  # a co-producer keeps no action list


def test_an_action_from_the_gap_goes_on_the_organisations_list(client, org):
    organisation, housing, parks, facilitator, assessment = org
    item = round_items(assessment)[0]
    owner = make_member(parks, ProjectRole.MEMBER)
    client.force_login(facilitator)
    results = client.get(url("round_results", organisation, assessment.pk)).content.decode()
    assert url("action_create", organisation, assessment.pk, item.pk) in results
    form = client.get(url("action_create", organisation, assessment.pk, item.pk))
    assert str(owner) in form.content.decode()  # someone from another of its projects
    response = client.post(
        url("action_create", organisation, assessment.pk, item.pk),
        {"description": "Pay people on the day", "owner": owner.pk},
    )
    assert response["Location"] == url("action_list", organisation)
    action = AssessmentAction.objects.get()
    assert (action.round, action.owner) == (assessment, owner)
    listing = client.get(url("action_list", organisation)).content.decode()
    assert "Pay people on the day" in listing
    assert (
        "Pay people on the day"
        not in client.get(reverse("assess:action_list", args=[housing.slug])).content.decode()
    )
    client.post(url("action_update", organisation, action.pk), {"status": "doing"})
    action.refresh_from_db()
    assert action.status == "doing"


def test_the_organisations_own_frameworks_are_made_from_its_own_pages(client, org):
    organisation, housing, parks, facilitator, _ = org
    client.force_login(facilitator)
    listing = client.get(url("round_list", organisation)).content.decode()
    assert url("framework_list", organisation) in listing
    response = client.post(
        url("framework_list", organisation), {"title": "How we pay people", "summary": ""}
    )
    framework = Framework.objects.get(organisation=organisation)
    assert response["Location"] == url("framework_detail", organisation, framework.pk)
    response = client.post(
        url("framework_detail", organisation, framework.pk),
        {
            "key": "",
            "title": "Paid on the day",
            "statement": "People are paid on the day they take part.",
            "easy_read": "You get paid on the day.",
            "good_looks_like": "Nobody waits for their money.",
        },
    )
    assert response["Location"] == url("framework_detail", organisation, framework.pk)
    page = client.get(url("framework_detail", organisation, framework.pk)).content.decode()
    assert "Paid on the day" in page and url("framework_list", organisation) in page
    # Offered to a round of the whole organisation and to each of its projects' rounds.
    assert "How we pay people" in client.get(url("round_open", organisation)).content.decode()
    project_open = reverse("assess:round_open", args=[parks.slug])
    make_member(parks, ProjectRole.FACILITATOR, user=facilitator)
    assert "How we pay people" in client.get(project_open).content.decode()


def test_only_those_who_run_it_make_its_frameworks_and_another_organisations_are_not_found(
    client, org
):
    organisation, housing, _, _, _ = org
    member = make_member(housing, ProjectRole.MEMBER)
    client.force_login(member)
    assert client.get(url("framework_list", organisation)).status_code == 403
    assert client.post(url("framework_list", organisation), {"title": "X"}).status_code == 403
    assert (
        url("framework_list", organisation)
        not in client.get(url("round_list", organisation)).content.decode()
    )
    other = ProjectFactory()
    theirs = framework_create(organisation=other.organisation, title="Theirs", actor=None)
    client.force_login(make_org_admin(organisation))
    found = client.get(url("framework_detail", organisation, theirs.framework_id))
    assert found.status_code == 404
    client.force_login(make_member(other, ProjectRole.FACILITATOR))
    assert client.get(url("framework_list", organisation)).status_code == 404
