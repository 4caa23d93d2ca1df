"""Assessment pages: who may open each, answering one question a screen, results, actions."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cohub.apps.assess.models import (
    AssessmentAction,
    AssessmentAnswer,
    AssessmentResponse,
    AssessmentRound,
    ResponseStatus,
)
from cohub.apps.assess.selectors import framework_version, item_choices, round_items
from cohub.apps.assess.services import (
    action_create,
    answer_save,
    frameworks_load,
    response_submit,
    round_open,
)
from cohub.apps.core.models import Event
from cohub.apps.projects.models import Participation, ProjectRole, TakingPart
from tests.factories import (
    ALL_ROLES,
    ProjectFactory,
    assert_role_access,
    log_in_as_role,
    make_member,
)

pytestmark = pytest.mark.django_db

RESULTS_ROLES = {"facilitator", "community_reporter", "member", "decision_maker", "org_admin"}
ANSWER_ROLES = {"facilitator", "community_reporter", "member", "decision_maker"}
RUN_ROLES = {"facilitator", "org_admin"}


@pytest.fixture
def setup():
    frameworks_load()
    project = ProjectFactory()
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    versions = [framework_version("principles"), framework_version("ladder")]
    assessment = round_open(project=project, title="Spring", versions=versions, actor=facilitator)
    return project, facilitator, assessment


def lived(project):
    user = make_member(project, ProjectRole.MEMBER)
    Participation.objects.create(
        project=project, user=user, taking_part=TakingPart.LIVED_EXPERIENCE
    )
    return user


def answer_all(assessment, people, values):
    """Each person answers the round's first scale item and the ladder, then sends."""
    items = round_items(assessment)
    scale_item = next(i for i in items if i.framework_version.answer_kind == "scale")
    ladder_item = next(i for i in items if i.framework_version.answer_kind == "ladder")
    for person, (scale_value, rung, comment) in zip(people, values, strict=True):
        answer_save(
            assessment=assessment,
            respondent=person,
            item=scale_item,
            value=scale_value,
            comment=comment,
        )
        answer_save(assessment=assessment, respondent=person, item=ladder_item, value=rung)
        response_submit(assessment=assessment, respondent=person)
    return scale_item, ladder_item


def url(name, assessment, **kwargs):
    return reverse(
        name,
        kwargs={"project_slug": assessment.project.slug, "round_id": assessment.pk, **kwargs},
    )


@pytest.mark.parametrize("role", ALL_ROLES)
def test_round_list_and_results_are_for_everyone_who_sees_the_project(client, setup, role):
    project, _, assessment = setup
    log_in_as_role(client, project, role)
    response = client.get(reverse("assess:round_list", kwargs={"project_slug": project.slug}))
    assert_role_access(response, role, RESULTS_ROLES, ok=(200,))
    response = client.get(url("assess:round_results", assessment))
    assert_role_access(response, role, RESULTS_ROLES, ok=(200,))
    response = client.get(reverse("assess:action_list", kwargs={"project_slug": project.slug}))
    assert_role_access(response, role, RESULTS_ROLES, ok=(200,))


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_whoever_runs_the_project_opens_a_round(client, setup, role):
    project, _, _ = setup
    log_in_as_role(client, project, role)
    page = reverse("assess:round_open", kwargs={"project_slug": project.slug})
    assert_role_access(client.get(page), role, RUN_ROLES, ok=(200,))
    before = AssessmentRound.objects.count()
    response = client.post(
        page, {"title": "Autumn", "frameworks": [framework_version("embedding").pk]}
    )
    assert_role_access(response, role, RUN_ROLES, ok=(302,))
    assert AssessmentRound.objects.count() == before + (role in RUN_ROLES)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_members_answer(client, setup, role):
    project, _, assessment = setup
    user = log_in_as_role(client, project, role)
    first = round_items(assessment)[0]
    response = client.get(url("assess:round_answer", assessment, number=1))
    assert_role_access(response, role, ANSWER_ROLES, ok=(200,))
    response = client.post(
        url("assess:round_answer", assessment, number=1), {"answer": item_choices(first)[0]}
    )
    assert_role_access(response, role, ANSWER_ROLES, ok=(302,))
    saved = AssessmentAnswer.objects.filter(item=first, response__respondent=user).exists()
    assert saved == (role in ANSWER_ROLES)
    response = client.post(url("assess:round_check", assessment))
    assert_role_access(response, role, ANSWER_ROLES, ok=(302,))
    sent = AssessmentResponse.objects.filter(
        respondent=user, status=ResponseStatus.SUBMITTED
    ).exists()
    assert sent == (role in ANSWER_ROLES)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_whoever_runs_the_project_keeps_the_action_list(client, setup, role):
    project, facilitator, assessment = setup
    item = round_items(assessment)[0]
    log_in_as_role(client, project, role)
    page = url("assess:action_create", assessment, item_id=item.pk)
    assert_role_access(client.get(page), role, RUN_ROLES, ok=(200,))
    response = client.post(page, {"description": "Pay people for their time"})
    assert_role_access(response, role, RUN_ROLES, ok=(302,))
    assert AssessmentAction.objects.count() == (role in RUN_ROLES)

    action = action_create(
        assessment=assessment, item=item, description="Meet in the library", actor=facilitator
    )
    response = client.post(
        reverse(
            "assess:action_update", kwargs={"project_slug": project.slug, "action_id": action.pk}
        ),
        {"status": "doing"},
    )
    assert_role_access(response, role, RUN_ROLES, ok=(302,))
    action.refresh_from_db()
    assert (action.status == "doing") == (role in RUN_ROLES)


def test_answering_one_question_a_screen_kept_on_every_next(client, setup):
    project, _, assessment = setup
    person = lived(project)
    client.force_login(person)
    items = round_items(assessment)
    total = len(items)
    page = client.get(url("assess:round_answer", assessment, number=1)).content.decode()
    assert f"Question 1 of {total}" in page
    assert "<fieldset" in page and "<legend" in page
    assert 'value="don&#x27;t know"' in page
    assert items[0].statement in page

    first_value = item_choices(items[0])[1]
    response = client.post(
        url("assess:round_answer", assessment, number=1),
        {"answer": first_value, "comment": "Not yet", "go": "next"},
    )
    assert response["Location"] == url("assess:round_answer", assessment, number=2)
    answer = AssessmentAnswer.objects.get(response__respondent=person, item=items[0])
    assert (answer.value, answer.comment) == (first_value, "Not yet")

    # Nothing chosen: Next says what to do, Back goes back without losing anything.
    response = client.post(url("assess:round_answer", assessment, number=2), {"go": "next"})
    assert "Choose an answer" in response.content.decode()
    response = client.post(url("assess:round_answer", assessment, number=2), {"go": "back"})
    assert response["Location"] == url("assess:round_answer", assessment, number=1)
    page = client.get(url("assess:round_answer", assessment, number=1)).content.decode()
    assert re.search(rf'value="{first_value}"[^>]*checked', page)

    # Stop, and carry on later from the round list.
    listing = client.get(reverse("assess:round_list", kwargs={"project_slug": project.slug}))
    assert "Carry on where you left off" in listing.content.decode()
    response = client.get(url("assess:round_answer_start", assessment))
    assert response["Location"] == url("assess:round_answer", assessment, number=2)

    response = client.post(
        url("assess:round_answer", assessment, number=total),
        {"answer": item_choices(items[-1])[-1]},
    )
    assert response["Location"] == url("assess:round_check", assessment)
    check = client.get(url("assess:round_check", assessment)).content.decode()
    assert "Check your answers" in check and "Not yet" in check
    assert f"{total - 2} questions not answered yet" in check

    response = client.post(url("assess:round_check", assessment))
    assert response.status_code == 302
    assert AssessmentResponse.objects.get(respondent=person).status == ResponseStatus.SUBMITTED
    locked = client.get(url("assess:round_answer", assessment, number=1)).content.decode()
    assert "They are locked now" in locked
    assert '<form method="post" novalidate class="assess-answer"' not in locked
    client.post(url("assess:round_answer", assessment, number=1), {"answer": "don't know"})
    assert AssessmentAnswer.objects.get(item=items[0], response__respondent=person).value == (
        first_value
    )


def test_easy_read_words_are_remembered(client, setup):
    project, _, assessment = setup
    client.force_login(lived(project))
    item = round_items(assessment)[0]
    response = client.get(url("assess:round_answer", assessment, number=1) + "?words=easy")
    assert response.status_code == 302
    page = client.get(url("assess:round_answer", assessment, number=2)).content.decode()
    assert "Show the usual words" in page
    first = client.get(url("assess:round_answer", assessment, number=1)).content.decode()
    assert item.easy_read in first
    client.get(url("assess:round_answer", assessment, number=1) + "?words=plain")
    first = client.get(url("assess:round_answer", assessment, number=1)).content.decode()
    assert item.statement in first and "Show easy-read words" in first


def test_a_closed_round_takes_no_answers(client, setup):
    from django.utils import timezone

    project, _, assessment = setup
    person = lived(project)
    client.force_login(person)
    AssessmentRound.objects.filter(pk=assessment.pk).update(closes_at=timezone.now())
    page = client.get(url("assess:round_answer", assessment, number=1)).content.decode()
    assert "This round has closed" in page
    client.post(url("assess:round_answer", assessment, number=1), {"answer": "agree"})
    assert not AssessmentAnswer.objects.exists()


def _people(project):
    lived_people = [lived(project) for _ in range(3)]
    staff = [make_member(project, ProjectRole.FACILITATOR) for _ in range(3)]
    deciders = [make_member(project, ProjectRole.DECISION_MAKER) for _ in range(2)]
    return lived_people, staff, deciders


def test_results_show_the_gap_and_hide_a_group_of_two(client, setup):
    project, facilitator, assessment = setup
    lived_people, staff, deciders = _people(project)
    scale_item, ladder_item = answer_all(
        assessment,
        [*lived_people, *staff, *deciders],
        [
            ("disagree", "consulting", "We are told, not asked"),
            ("disagree", "informing", ""),
            ("strongly disagree", "consulting", ""),
            ("strongly agree", "co-producing", "We share everything"),
            ("agree", "co-producing", ""),
            ("strongly agree", "co-designing", ""),
            ("strongly agree", "co-producing", "DECIDER-SECRET"),
            ("strongly agree", "co-producing", ""),
        ],
    )
    client.force_login(facilitator)
    page = client.get(url("assess:round_results", assessment)).content.decode()
    # Widest gap first: the scale item (2 v 5 = 3 steps) before the ladder (4 v 7 = 3) is a tie
    # broken by framework order, so look at the jump list: both gaps say 3.
    assert "Gap between groups: 3 steps" in page
    sections = re.findall(r'<section class="assess-item" id="item-(\d+)"', page)
    assert int(sections[0]) in {scale_item.pk, ladder_item.pk}
    # The decision-makers (2 of them) are named but given no figure, in the chart or the table.
    section = page[page.index(f'id="item-{scale_item.pk}"') :]
    section = section[: section.index("</section>")]
    svg = section[section.index("<svg") : section.index("</svg>")]
    assert "fewer than 3 people answered" in svg
    table = section[section.index("by group</caption>") : section.index("</table>")]
    decision_row = table[table.index("Decision-maker") :]
    decision_row = decision_row[: decision_row.index("</tr>")]
    assert "Fewer than 3 people answered" in decision_row
    words = re.sub(r"<[^>]*>", "", decision_row).replace("Fewer than 3 people", "")
    assert not re.search(r"\d", words)
    assert svg.count("<circle") == 3  # everyone, lived experience, facilitators
    assert "2 (disagree)" in table and "5 (strongly agree)" in table
    # Comments under their item, without names.
    assert "We are told, not asked" in section
    assert str(lived_people[0]) not in page
    assert "DECIDER-SECRET" in section  # comments are everyone's; they carry no group
    assert "Make this an action" in section


def test_comments_wait_for_enough_answers(client, setup):
    project, facilitator, assessment = setup
    people = [lived(project) for _ in range(2)]
    scale_item, _ = answer_all(
        assessment, people, [("agree", "consulting", "ONLY-TWO"), ("agree", "engaging", "")]
    )
    client.force_login(facilitator)
    page = client.get(url("assess:round_results", assessment)).content.decode()
    assert "ONLY-TWO" not in page
    section = page[page.index(f'id="item-{scale_item.pk}"') :]
    section = section[: section.index("</section>")]
    assert "everyone's answers" not in section  # no spread of two people's answers
    assert not re.search(r"<circle", section)


def test_results_take_the_same_queries_for_few_and_many(
    client, setup, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    project, facilitator, assessment = setup
    client.force_login(facilitator)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("assess:round_results", assessment)).status_code == 200
        return len(queries)

    people = [lived(project) for _ in range(3)]
    answer_all(assessment, people, [("agree", "consulting", "x")] * 3)
    count()  # the first request refreshes the short session of a key holder (once a minute)
    few = count()
    more = [
        *[lived(project) for _ in range(5)],
        *[make_member(project, "facilitator") for _ in range(5)],
    ]
    answer_all(assessment, more, [("disagree", "engaging", "y")] * 10)
    item = round_items(assessment)[0]
    for n in range(4):
        action_create(assessment=assessment, item=item, description=f"Do {n}", actor=facilitator)
    assert count() == few


def test_making_an_action_from_an_item_and_moving_it_on(client, setup):
    project, facilitator, assessment = setup
    item = round_items(assessment)[0]
    client.force_login(facilitator)
    response = client.post(
        url("assess:action_create", assessment, item_id=item.pk),
        {"description": "Pay people for their time", "owner": facilitator.pk, "due": "2027-03-01"},
    )
    assert response["Location"] == reverse(
        "assess:action_list", kwargs={"project_slug": project.slug}
    )
    action = AssessmentAction.objects.get()
    assert (action.owner, str(action.due), action.status) == (facilitator, "2027-03-01", "to_do")
    listing = client.get(response["Location"]).content.decode()
    assert "Pay people for their time" in listing and item.title in listing
    client.post(
        reverse(
            "assess:action_update", kwargs={"project_slug": project.slug, "action_id": action.pk}
        ),
        {"status": "done"},
    )
    action.refresh_from_db()
    assert action.status == "done"
    verbs = set(Event.objects.filter(project_id=project.pk).values_list("verb", flat=True))
    assert {"assessment.open", "assessment_action.create", "assessment_action.update"} <= verbs
    # The action shows under its item on the results, with its progress.
    page = client.get(url("assess:round_results", assessment)).content.decode()
    assert "Pay people for their time" in page and "Done" in page


def test_an_owner_from_outside_the_project_is_refused(client, setup):
    project, facilitator, assessment = setup
    item = round_items(assessment)[0]
    stranger = make_member(ProjectFactory(), ProjectRole.MEMBER)
    client.force_login(facilitator)
    response = client.post(
        url("assess:action_create", assessment, item_id=item.pk),
        {"description": "Something", "owner": stranger.pk},
    )
    assert response.status_code == 200
    assert not AssessmentAction.objects.exists()


def test_another_projects_round_is_not_found(client, setup):
    project, _, assessment = setup
    other = ProjectFactory()
    client.force_login(make_member(other, ProjectRole.FACILITATOR))
    response = client.get(
        reverse(
            "assess:round_results", kwargs={"project_slug": other.slug, "round_id": assessment.pk}
        )
    )
    assert response.status_code == 404


def test_the_project_page_links_to_assessments(client, setup):
    project, facilitator, _ = setup
    client.force_login(facilitator)
    page = client.get(reverse("projects:detail", kwargs={"project_slug": project.slug}))
    assert (
        reverse("assess:round_list", kwargs={"project_slug": project.slug}) in page.content.decode()
    )


def test_a_later_round_shows_each_item_over_time(client, setup):
    import datetime as dt

    project, facilitator, first_round = setup
    AssessmentRound.objects.filter(pk=first_round.pk).update(
        opens_at=first_round.opens_at - dt.timedelta(days=90)
    )
    lived_people, staff, _ = _people(project)
    answer_all(
        first_round,
        [*lived_people, *staff],
        [("disagree", "informing", "")] * 3 + [("agree", "co-producing", "")] * 3,
    )
    later = round_open(
        project=project,
        title="Summer",
        versions=list(first_round.framework_versions.all()),
        actor=facilitator,
    )
    answer_all(later, lived_people, [("agree", "engaging", "")] * 3)
    client.force_login(facilitator)
    page = client.get(url("assess:round_results", later)).content.decode()
    assert "the median over time" in page
    scale_item = next(i for i in round_items(later) if i.framework_version.answer_kind == "scale")
    section = page[page.index(f'id="item-{scale_item.pk}"') :]
    trend = section[section.index("the median over time") :]
    trend = trend[: trend.index("</table>")]
    assert "Spring" in trend and "Summer (this round)" in trend
    assert "2 (disagree)" in trend and "4 (agree)" in trend
    assert "Fewer than 3 people answered" in trend  # the staff did not answer in summer
    first_page = client.get(url("assess:round_results", first_round)).content.decode()
    assert "the median over time" not in first_page


PAPER = (
    "respondent,group,item,answer\n"
    "P1,lived_experience,assets,disagree\n"
    "P2,lived_experience,assets,strongly disagree\n"
    "P3,lived_experience,assets,don't know\n"
    "P1,lived_experience,ladder-now,consulting\n"
)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_whoever_runs_the_project_imports_paper_answers(client, setup, role):
    from django.core.files.uploadedfile import SimpleUploadedFile

    project, _, assessment = setup
    log_in_as_role(client, project, role)
    page = url("assess:round_import", assessment)
    assert_role_access(client.get(page), role, RUN_ROLES, ok=(200,))
    upload = SimpleUploadedFile("paper.csv", PAPER.encode(), content_type="text/csv")
    response = client.post(page, {"file": upload})
    assert_role_access(response, role, RUN_ROLES, ok=(302,))
    imported = AssessmentResponse.objects.filter(round=assessment, respondent=None)
    assert imported.count() == (3 if role in RUN_ROLES else 0)


def test_paper_answers_count_as_sent_and_a_bad_line_brings_in_nothing(client, setup):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cohub.apps.assess.selectors import round_results

    project, facilitator, assessment = setup
    client.force_login(facilitator)
    page = url("assess:round_import", assessment)
    bad = PAPER + "P4,lived_experience,assets,perhaps\n"
    response = client.post(page, {"file": SimpleUploadedFile("bad.csv", bad.encode())})
    assert response.status_code == 200
    assert "Line 6: &#x27;perhaps&#x27; is not one of" in response.content.decode()
    assert not AssessmentResponse.objects.exists()

    client.post(page, {"file": SimpleUploadedFile("paper.csv", PAPER.encode())})
    assets = next(result for item, result in round_results(assessment) if item.key == "assets")
    assert assets.groups["lived_experience"].n == 3
    assert assets.groups["lived_experience"].median == 1.5  # "don't know" left out
    again = client.post(page, {"file": SimpleUploadedFile("paper.csv", PAPER.encode())})
    assert "was imported into this round before" in again.content.decode()
    assert Event.objects.filter(verb="assessment.import").count() == 1
