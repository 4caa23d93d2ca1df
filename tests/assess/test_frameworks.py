"""An organisation's own frameworks (issue 8 item 1): made in the hub, versioned like the
shipped ones so a round keeps its words, and offered when opening a round."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohub.apps.assess.models import AssessmentRound, Framework
from cohub.apps.assess.results import item_panels
from cohub.apps.assess.selectors import framework_version, round_framework_choices, round_items
from cohub.apps.assess.services import (
    answer_save,
    framework_create,
    framework_item_add,
    frameworks_load,
    response_submit,
    round_open,
)
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import Event
from cohub.apps.projects.models import ProjectRole
from tests.factories import (
    ALL_ROLES,
    ProjectFactory,
    assert_role_access,
    log_in_as_role,
    make_member,
)

pytestmark = pytest.mark.django_db

RUN_ROLES = {"facilitator", "org_admin"}
PAID = {
    "title": "Paid for their time",
    "statement": "People who take part are paid for their time, on the day.",
    "easy_read": "We pay you for your time.",
    "good_looks_like": "Payment is offered before the day and made on it.",
}


@pytest.fixture
def project():
    frameworks_load()
    return ProjectFactory()


def own_framework(project, actor=None):
    version = framework_create(
        organisation=project.organisation, title="How we work with families", actor=actor
    )
    return framework_item_add(framework=version.framework, actor=actor, **PAID)


def test_a_framework_keeps_its_words_for_the_round_that_used_them(project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    first = own_framework(project, facilitator)
    assert first.version == 1 and first.framework.key == "how-we-work-with-families"
    assert [i.key for i in first.items.all()] == ["paid-for-their-time"]
    # Before any round, a question joins the same version.
    same = framework_item_add(
        framework=first.framework,
        key="Heard first",
        title="Heard before deciding",
        statement="We hear from families before we decide.",
        easy_read="We listen to you first.",
        good_looks_like="Families' views are on the paper that goes to the decision.",
        actor=facilitator,
    )
    assert same.pk == first.pk and same.items.count() == 2
    spring = round_open(project=project, title="Spring", versions=[same], actor=facilitator)
    # Once a round used it, a new question makes version 2; the round keeps version 1.
    second = framework_item_add(
        framework=first.framework,
        title="Told what changed",
        statement="We tell families what changed because of what they said.",
        easy_read="We tell you what we did.",
        good_looks_like="A note after each meeting says what was done.",
        actor=facilitator,
    )
    assert second.version == 2 and second.items.count() == 3
    assert [i.key for i in round_items(spring)] == ["paid-for-their-time", "heard-first"]
    assert second.content_hash != same.content_hash
    assert Event.objects.filter(verb="assessment_framework.item_add").count() == 3


def test_bad_questions_are_refused_in_words(project):
    version = own_framework(project)
    with pytest.raises(ServiceError, match="already in this framework"):
        framework_item_add(framework=version.framework, actor=None, **PAID)
    with pytest.raises(ServiceError, match="easy-read"):
        framework_item_add(
            framework=version.framework, actor=None, **{**PAID, "title": "Other", "easy_read": " "}
        )
    with pytest.raises(ServiceError, match="cannot be changed"):
        framework_item_add(
            framework=framework_version("principles").framework,
            actor=None,
            **{**PAID, "title": "Sneaked in"},
        )
    with pytest.raises(ServiceError, match="name"):
        framework_create(organisation=project.organisation, title="  ", actor=None)


def test_rounds_offer_the_organisations_own_with_questions_and_no_other(project):
    own = own_framework(project)
    empty = framework_create(organisation=project.organisation, title="Not yet", actor=None)
    elsewhere = own_framework(ProjectFactory())
    offered = round_framework_choices(project)
    assert own in offered and empty not in offered and elsewhere not in offered
    assert framework_version("ladder") in offered
    with pytest.raises(ServiceError, match="your organisation's own"):
        round_open(project=project, title="X", versions=[elsewhere], actor=None)
    with pytest.raises(ServiceError, match="no questions yet"):
        round_open(project=project, title="X", versions=[empty], actor=None)


def test_a_round_of_an_own_framework_is_answered_and_scored(project):
    own = own_framework(project)
    assessment = round_open(project=project, title="Families", versions=[own], actor=None)
    item = round_items(assessment)[0]
    for _ in range(3):
        person = make_member(project, ProjectRole.FACILITATOR)
        answer_save(assessment=assessment, respondent=person, item=item, value="agree")
        response_submit(assessment=assessment, respondent=person)
    (panel,) = item_panels(assessment)
    assert panel.item.title == "Paid for their time"
    facilitators = next(line for line in panel.groups if line.key == "facilitator")
    assert facilitators.median == "4 (agree)"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_whoever_runs_the_project_makes_frameworks(client, project, role):
    own = own_framework(project)
    log_in_as_role(client, project, role)
    listing = reverse("assess:framework_list", kwargs={"project_slug": project.slug})
    detail = reverse(
        "assess:framework_detail",
        kwargs={"project_slug": project.slug, "framework_id": own.framework_id},
    )
    assert_role_access(client.get(listing), role, RUN_ROLES, ok=(200,))
    assert_role_access(client.get(detail), role, RUN_ROLES, ok=(200,))
    before = Framework.objects.count()
    response = client.post(listing, {"title": "Our own", "summary": ""})
    assert_role_access(response, role, RUN_ROLES, ok=(302,))
    assert Framework.objects.count() == before + (role in RUN_ROLES)


def test_the_pages_make_a_framework_add_a_question_and_open_a_round_with_it(client, project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    client.force_login(facilitator)
    listing = reverse("assess:framework_list", kwargs={"project_slug": project.slug})
    response = client.post(listing, {"title": "Our families", "summary": "How we do with them."})
    framework = Framework.objects.get(organisation=project.organisation)
    detail = reverse(
        "assess:framework_detail",
        kwargs={"project_slug": project.slug, "framework_id": framework.pk},
    )
    assert response["Location"] == detail
    # A missing easy-read statement is refused beside its field, and nothing is lost.
    page = client.post(detail, {**PAID, "easy_read": ""}).content.decode()
    assert "This field is required" in page or "easy-read" in page.lower()
    assert PAID["statement"] in page
    assert framework.latest_version().items.count() == 0
    assert client.post(detail, PAID).status_code == 302
    version = framework.latest_version()
    assert version.items.get().title == PAID["title"]
    opening = reverse("assess:round_open", kwargs={"project_slug": project.slug})
    assert "Our families (1 questions)" in client.get(opening).content.decode()
    client.post(opening, {"title": "Families", "frameworks": [version.pk]})
    assessment = AssessmentRound.objects.get(title="Families")
    assert list(assessment.framework_versions.all()) == [version]


def test_another_organisations_framework_is_not_found(client, project):
    elsewhere = own_framework(ProjectFactory())
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    detail = reverse(
        "assess:framework_detail",
        kwargs={"project_slug": project.slug, "framework_id": elsewhere.framework_id},
    )
    assert client.get(detail).status_code == 404
    shipped = framework_version("ladder").framework
    detail = detail.replace(f"/{elsewhere.framework_id}/", f"/{shipped.pk}/")
    assert client.get(detail).status_code == 404
