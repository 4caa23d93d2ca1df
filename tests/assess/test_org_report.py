"""An organisation-wide round's report and paper answers (ADR 0028, 0035): the project round's
pages, reached through ``/o/<organisation>/``.

Northside Council's round is answered from two of its projects: three people with lived
experience and three practitioners show; two decision-makers are below the minimum of 3
and must leave no trace in the report. The PDF is drawn by the real queue, as for a
project's round, in a job that belongs to no project and names the organisation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import rules
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cohub.apps.assess.jobs import ROUND_REPORT_PDF
from cohub.apps.assess.models import AssessmentResponse, ResponseStatus
from cohub.apps.assess.selectors import framework_version, round_items, round_results
from cohub.apps.assess.services import (
    action_create,
    answer_save,
    frameworks_load,
    organisation_round_open,
    response_submit,
    round_open,
)
from cohub.apps.core.models import Event
from cohub.apps.jobs.models import Job, JobStatus
from cohub.apps.jobs.services import job_run
from cohub.apps.projects.models import Participation, ProjectRole, TakingPart
from tests.assess.test_report import pdf_text
from tests.factories import OrganisationFactory, ProjectFactory, make_member, make_org_admin

pytestmark = pytest.mark.django_db

SMALL_GROUP_WORDS = "DECIDERS-ONLY-SAY-THIS"
LIVED_WORDS = "We are told, not asked."
PRACTITIONER_WORDS = "We ask people before we decide."


@pytest.fixture
def org():
    """The organisation's answered round, its two projects and the facilitator who opened it."""
    frameworks_load()
    organisation = OrganisationFactory(name="Northside Council")
    housing = ProjectFactory(organisation=organisation)
    parks = ProjectFactory(organisation=organisation)
    facilitator = make_member(housing, ProjectRole.FACILITATOR)
    assessment = organisation_round_open(
        organisation=organisation,
        title="Across the council",
        versions=[framework_version("principles"), framework_version("ladder")],
        actor=facilitator,
    )
    items = round_items(assessment)
    scale = next(i for i in items if i.framework_version.answer_kind == "scale")
    ladder = next(i for i in items if i.framework_version.answer_kind == "ladder")

    def answers(person, value, rung, comment):
        answer_save(
            assessment=assessment, respondent=person, item=scale, value=value, comment=comment
        )
        answer_save(
            assessment=assessment, respondent=person, item=ladder, value=rung, comment=comment
        )
        response_submit(assessment=assessment, respondent=person)

    for number in range(3):  # from either project: one group across the organisation
        project = parks if number else housing
        person = make_member(project, ProjectRole.MEMBER)
        Participation.objects.create(
            project=project, user=person, taking_part=TakingPart.LIVED_EXPERIENCE
        )
        answers(person, "disagree", "consulting", LIVED_WORDS)
    for _ in range(3):
        person = make_member(parks, ProjectRole.MEMBER)
        Participation.objects.create(
            project=parks, user=person, taking_part=TakingPart.PROFESSIONAL
        )
        answers(person, "strongly agree", "co-producing", PRACTITIONER_WORDS)
    for _ in range(2):
        answers(
            make_member(housing, ProjectRole.DECISION_MAKER),
            "strongly disagree",
            "coercing",
            SMALL_GROUP_WORDS,
        )
    action_create(
        assessment=assessment,
        item=scale,
        description="Pay people on the day",
        actor=facilitator,
    )
    return organisation, housing, parks, facilitator, assessment, scale, ladder


def url(name, organisation, *args):
    return reverse(f"org_assess:{name}", args=[organisation.slug, *args])


def words_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@contextmanager
def denied(permission: str) -> Iterator[None]:
    """Within the block, ``permission`` is refused to everyone; its rule comes back after."""
    original = rules.permissions.permissions[permission]
    rules.set_perm(permission, rules.always_deny)
    try:
        yield
    finally:
        rules.set_perm(permission, original)


def test_the_report_page_shows_the_items_and_figures_and_no_project(client, org):
    organisation, housing, parks, _, assessment, scale, ladder = org
    client.force_login(make_member(parks, ProjectRole.MEMBER))  # anyone who belongs to it
    results = client.get(url("round_results", organisation, assessment.pk)).content.decode()
    assert url("round_report", organisation, assessment.pk) in results
    response = client.get(url("round_report", organisation, assessment.pk))
    assert response.status_code == 200
    page = response.content.decode()
    text = words_of(page)
    assert scale.title in text and ladder.title in text
    assert "Co-production assessment report · Northside Council" in text
    assert "Gap between groups: 3 steps" in text
    assert "2 (disagree)" in text and "5 (strongly agree)" in text
    assert "4 (consulting)" in text and "7 (co-producing)" in text
    assert LIVED_WORDS in page and PRACTITIONER_WORDS in page
    assert "Pay people on the day" in page
    assert "for people outside the organisation" in text
    # The two decision-makers leave no trace: no words, no figure, no total.
    assert SMALL_GROUP_WORDS not in page
    assert "1 (strongly disagree)" not in text and "Everyone together" not in text
    assert "Decision-maker Fewer than 3 people answered" in text
    # Its links are the organisation's, never a project's.
    assert url("round_report_pdf_start", organisation, assessment.pk) in page
    assert url("round_report_download", organisation, assessment.pk) + "?format=html" in page
    assert url("round_results", organisation, assessment.pk) in page
    for project in (housing, parks):
        assert f"/p/{project.slug}/assessments/" not in page


def test_a_download_is_a_file_with_an_audit_entry_naming_the_organisation(client, org):
    organisation, _, _, facilitator, assessment, scale, _ = org
    client.force_login(facilitator)
    download = url("round_report_download", organisation, assessment.pk)
    html = client.get(download + "?format=html")
    assert html.status_code == 200 and html["Content-Type"].startswith("text/html")
    assert (
        f'filename="{organisation.slug}-across-the-council-report-' in (html["Content-Disposition"])
    )
    assert b"<style>" in html.content and SMALL_GROUP_WORDS.encode() not in html.content
    pdf = client.get(download)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert scale.title in pdf_text(pdf.content)
    events = Event.objects.filter(verb="assessment_report.export").order_by("pk")
    assert [(e.data["format"], e.data["via"]) for e in events] == [("html", "web"), ("pdf", "web")]
    for event in events:
        assert event.actor == facilitator and event.project_id is None
        assert event.data["organisation"] == organisation.pk
        assert (event.target_type, event.target_id) == (
            "assess.assessmentround",
            str(assessment.pk),
        )
    # Viewing the page writes nothing, as for a project's round.
    client.get(url("round_report", organisation, assessment.pk))
    assert events.count() == 2


REPORT_PAGES = ("round_report", "round_report_download", "round_report_pdf_start")


def test_someone_outside_the_organisation_is_told_not_found(client, org):
    organisation, housing, _, facilitator, assessment, _, _ = org
    job = Job.objects.create(
        kind=ROUND_REPORT_PDF,
        created_by=facilitator,
        status=JobStatus.SUCCEEDED,
        params={"round": assessment.pk, "organisation": organisation.pk},
    )
    pages = [
        *(url(name, organisation, assessment.pk) for name in REPORT_PAGES),
        url("round_report_pdf_file", organisation, assessment.pk, job.pk),
        url("round_import", organisation, assessment.pk),
    ]
    elsewhere = make_member(ProjectFactory(), ProjectRole.FACILITATOR)
    make_org_admin(OrganisationFactory(), user=elsewhere)
    client.force_login(elsewhere)
    for page in pages:
        assert client.get(page).status_code == 404, page
        assert client.post(page).status_code == 404, page
    assert not Job.objects.exclude(pk=job.pk).exists()
    # Inside it, a project's round is not one of the organisation's rounds.
    client.force_login(facilitator)
    project_round = round_open(
        project=housing, title="P", versions=[framework_version("ladder")], actor=None
    )
    for name in (*REPORT_PAGES, "round_import"):
        assert client.get(url(name, organisation, project_round.pk)).status_code == 404, name


def test_a_member_without_the_permission_is_refused(client, org):
    organisation, _, parks, _, assessment, _, _ = org
    member = make_member(parks, ProjectRole.MEMBER)
    client.force_login(member)
    # Bringing in paper answers is for whoever opens the organisation's rounds.
    page = url("round_import", organisation, assessment.pk)
    refused = client.get(page)
    assert refused.status_code == 403
    upload = SimpleUploadedFile("paper.csv", PAPER.encode(), content_type="text/csv")
    assert client.post(page, {"file": upload}).status_code == 403
    assert not AssessmentResponse.objects.filter(respondent=None).exists()
    results = client.get(url("round_results", organisation, assessment.pk)).content.decode()
    assert page not in results
    # The report is for whoever reads the results: without that, a member is refused it too.
    with denied("assess.view_org_results"):
        for name in REPORT_PAGES:
            method = client.post if name == "round_report_pdf_start" else client.get
            assert method(url(name, organisation, assessment.pk)).status_code == 403, name
    assert not Job.objects.exists()


def test_the_pdf_job_runs_in_the_queue_and_its_file_is_served_while_the_round_is_the_same(
    client, org, django_capture_on_commit_callbacks
):
    organisation, housing, parks, facilitator, assessment, scale, _ = org
    reader = make_member(parks, ProjectRole.MEMBER)
    client.force_login(reader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("round_report_pdf_start", organisation, assessment.pk))
    job = Job.objects.get(kind=ROUND_REPORT_PDF)
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.project_id is None and job.created_by == reader
    assert job.params == {"round": assessment.pk, "organisation": organisation.pk}
    file_url = url("round_report_pdf_file", organisation, assessment.pk, job.pk)
    assert job.result["url"] == file_url
    detail = client.get(reverse("jobs:detail", args=[job.pk]))
    assert detail.status_code == 200 and file_url in detail.content.decode()
    download = client.get(file_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(download.streaming_content))
    assert scale.title in text and "Gap between groups: 3 steps" in text
    assert "NORTHSIDE COUNCIL" in text and SMALL_GROUP_WORDS not in text  # the kicker, in capitals
    event = Event.objects.get(verb="assessment_report.export", data__via="job")
    assert event.actor == reader and event.data["organisation"] == organisation.pk
    # Another reader in the organisation is handed the same file; a project's address is not.
    client.force_login(facilitator)
    assert client.get(file_url).status_code == 200
    project_file = reverse(
        "assess:round_report_pdf_file", args=[housing.slug, assessment.pk, job.pk]
    )
    assert client.get(project_file).status_code == 404
    # Someone else sends answers: the PDF is no longer the round as it is, so it is not offered.
    late = make_member(housing, ProjectRole.MEMBER)
    Participation.objects.create(
        project=housing, user=late, taking_part=TakingPart.LIVED_EXPERIENCE
    )
    answer_save(assessment=assessment, respondent=late, item=scale, value="agree")
    response_submit(assessment=assessment, respondent=late)
    again = client.get(file_url)
    assert again.status_code == 302
    assert again["Location"] == url("round_report", organisation, assessment.pk)


def test_a_pdf_of_another_round_or_another_organisation_is_not_found(client, org):
    organisation, _, _, facilitator, assessment, _, _ = org
    other = OrganisationFactory()
    theirs = organisation_round_open(
        organisation=other,
        title="Theirs",
        versions=[framework_version("ladder")],
        actor=make_org_admin(other),
    )
    # The handler refuses a job whose round is not the named organisation's.
    forged = Job.objects.create(
        kind=ROUND_REPORT_PDF,
        created_by=facilitator,
        params={"round": theirs.pk, "organisation": organisation.pk},
        max_attempts=1,
    )
    job_run(forged.pk)
    forged.refresh_from_db()
    assert forged.status == JobStatus.FAILED
    assert not Event.objects.filter(verb="assessment_report.export").exists()
    nameless = Job.objects.create(
        kind=ROUND_REPORT_PDF, params={"round": assessment.pk}, max_attempts=1
    )
    job_run(nameless.pk)
    nameless.refresh_from_db()
    assert nameless.status == JobStatus.FAILED
    assert "names its organisation" in nameless.error
    # A finished job of the other organisation's round is not this organisation's file.
    finished = Job.objects.create(
        kind=ROUND_REPORT_PDF,
        status=JobStatus.SUCCEEDED,
        params={"round": theirs.pk, "organisation": other.pk},
    )
    client.force_login(facilitator)
    later = organisation_round_open(
        organisation=organisation,
        title="Later",
        versions=[framework_version("ladder")],
        actor=facilitator,
    )
    assert (
        client.get(url("round_report_pdf_file", organisation, later.pk, finished.pk)).status_code
        == 404
    )
    mine = Job.objects.create(
        kind=ROUND_REPORT_PDF,
        status=JobStatus.SUCCEEDED,
        params={"round": assessment.pk, "organisation": organisation.pk},
    )
    assert (
        client.get(url("round_report_pdf_file", organisation, later.pk, mine.pk)).status_code == 404
    )


PAPER = (
    "respondent,group,item,answer\n"
    "P1,lived_experience,{scale},disagree\n"
    "P2,lived_experience,{scale},strongly disagree\n"
    "P3,decision_maker,{scale},don't know\n"
    "P1,lived_experience,{ladder},consulting\n"
)


def test_paper_answers_count_as_sent_and_a_bad_line_brings_in_nothing(client, org):
    organisation, _, _, facilitator, assessment, scale, ladder = org
    paper = PAPER.format(scale=scale.key, ladder=ladder.key)
    client.force_login(facilitator)
    results = client.get(url("round_results", organisation, assessment.pk)).content.decode()
    page = url("round_import", organisation, assessment.pk)
    assert page in results
    form = client.get(page)
    assert form.status_code == 200
    assert scale.key in form.content.decode()
    before = AssessmentResponse.objects.count()

    bad = paper + f"P4,lived_experience,{scale.key},perhaps\n"
    response = client.post(page, {"file": SimpleUploadedFile("bad.csv", bad.encode())})
    assert response.status_code == 200
    assert "Line 6: &#x27;perhaps&#x27; is not one of" in response.content.decode()
    assert AssessmentResponse.objects.count() == before
    assert not Event.objects.filter(verb="assessment.import").exists()

    response = client.post(page, {"file": SimpleUploadedFile("paper.csv", paper.encode())})
    assert response.status_code == 302
    assert response["Location"] == url("round_results", organisation, assessment.pk)
    imported = AssessmentResponse.objects.filter(round=assessment, respondent=None)
    assert sorted(imported.values_list("paper_respondent", "group")) == [
        ("P1", "lived_experience"),
        ("P2", "lived_experience"),
        ("P3", "decision_maker"),
    ]
    assert {r.status for r in imported} == {ResponseStatus.SUBMITTED}
    shown = next(result for item, result in round_results(assessment) if item == scale)
    assert shown.groups["lived_experience"].n == 5  # three members and two on paper
    assert shown.groups["decision_maker"].n == 3  # two members and one on paper
    [event] = Event.objects.filter(verb="assessment.import")
    assert event.project_id is None and event.actor == facilitator
    assert event.data == {"respondents": 3, "answers": 4, "organisation": organisation.pk}
    again = client.post(page, {"file": SimpleUploadedFile("paper.csv", paper.encode())})
    assert "was imported into this round before" in again.content.decode()
    assert imported.count() == 3
