"""The round report (issue 8 item 6, ADR 0035): page, PDF, HTML file and CLI from one builder.

Three groups answer: lived experience (3 people) and facilitators (3) show;
decision-makers (2) are below the round's minimum of 3 and must leave no
trace: no figure, no comment, and no total their size could be worked out from.
"""

from __future__ import annotations

import re
import subprocess

import pytest
from django.urls import reverse

from cohub import cli
from cohub.apps.assess.peer_services import (
    peer_answer_save,
    peer_review_invite,
    peer_review_submit,
)
from cohub.apps.assess.report import build_round_report, round_report_pdf
from cohub.apps.assess.selectors import framework_version, round_items
from cohub.apps.assess.services import (
    action_create,
    answer_save,
    frameworks_load,
    response_submit,
    round_open,
    round_report_export,
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

SMALL_GROUP_WORDS = "DECIDERS-ONLY-SAY-THIS"
LIVED_WORDS = "We are told, not asked."
FACILITATOR_WORDS = "We ask people before we decide."


def make_answered_round():
    """A round of two frameworks, answered by the three groups the module describes."""
    frameworks_load()
    project = ProjectFactory()
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    versions = [framework_version("principles"), framework_version("ladder")]
    assessment = round_open(project=project, title="Spring", versions=versions, actor=facilitator)
    items = round_items(assessment)
    scale = next(i for i in items if i.framework_version.answer_kind == "scale")
    ladder = next(i for i in items if i.framework_version.answer_kind == "ladder")
    lived = []
    for _ in range(3):
        person = make_member(project, ProjectRole.MEMBER)
        Participation.objects.create(
            project=project, user=person, taking_part=TakingPart.LIVED_EXPERIENCE
        )
        lived.append(person)
    facilitators = [facilitator, *(make_member(project, ProjectRole.FACILITATOR) for _ in "ab")]
    deciders = [make_member(project, ProjectRole.DECISION_MAKER) for _ in "ab"]
    plan = (
        [(p, "disagree", "consulting", LIVED_WORDS) for p in lived]
        + [(p, "strongly agree", "co-producing", FACILITATOR_WORDS) for p in facilitators]
        + [(p, "strongly disagree", "coercing", SMALL_GROUP_WORDS) for p in deciders]
    )
    for person, value, rung, comment in plan:
        answer_save(
            assessment=assessment, respondent=person, item=scale, value=value, comment=comment
        )
        answer_save(
            assessment=assessment, respondent=person, item=ladder, value=rung, comment=comment
        )
        response_submit(assessment=assessment, respondent=person)
    action_create(
        assessment=assessment,
        item=scale,
        description="Ask the peer group before each decision",
        actor=facilitator,
    )
    return assessment, facilitator, scale, ladder


@pytest.fixture
def answered():
    return make_answered_round()


def pdf_text(content: bytes) -> str:
    done = subprocess.run(  # noqa: S603  # a fixed tool, our own bytes
        ["pdftotext", "-layout", "-", "-"],  # noqa: S607
        input=content,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return " ".join(done.stdout.decode("utf-8").split())


def words_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_builder_ranks_gaps_and_keeps_the_small_group_out(answered):
    assessment, _, scale, ladder = answered
    report = build_round_report(assessment)
    assert [line.panel.item for line in report.gaps][:2] in ([scale, ladder], [ladder, scale])
    assert all(line.panel.gap == 3 for line in report.gaps)
    scale_panel = next(p for p in report.panels if p.item == scale)
    assert scale_panel.comments == sorted([FACILITATOR_WORDS] * 3 + [LIVED_WORDS] * 3)
    everyone = scale_panel.groups[0]
    assert everyone.n is None  # 8 minus the 6 shown would give the deciders away
    assert not scale_panel.spread_shown
    decision = next(line for line in scale_panel.groups if line.key == "decision_maker")
    assert decision.n is None and decision.median == ""
    assert report.sent is None
    assert [g.n for g in report.groups] == [3, None, 3, None]
    assert [a.description for a in report.actions] == ["Ask the peer group before each decision"]


def test_the_pdf_holds_titles_figures_gaps_comments_and_actions(answered):
    assessment, _, scale, ladder = answered
    text = pdf_text(round_report_pdf(build_round_report(assessment)))
    assert scale.title in text and ladder.title in text
    assert "Gaps between groups, widest first" in text
    assert "Gap between groups: 3 steps" in text
    assert "2 (disagree)" in text and "5 (strongly agree)" in text
    assert "4 (consulting)" in text and "7 (co-producing)" in text
    assert LIVED_WORDS in text and FACILITATOR_WORDS in text
    assert "Ask the peer group before each decision" in text
    # The group of two leaves no trace: no words, no median, no total.
    assert SMALL_GROUP_WORDS not in text
    assert "1 (strongly disagree)" not in text and "1 (coercing)" not in text
    assert "Everyone together" not in text
    assert "Everyone Not given 2 (disagree)" in text  # 8, less the 6 shown, would be 2


def test_a_group_of_two_leaves_no_trace_in_the_page_or_the_html_file(client, answered):
    assessment, facilitator, _, _ = answered
    client.force_login(facilitator)
    url = reverse(
        "assess:round_report",
        kwargs={"project_slug": assessment.project.slug, "round_id": assessment.pk},
    )
    page = client.get(url).content.decode()
    made = round_report_export(assessment=assessment, actor=facilitator, fmt="html")
    for html in (page, made.content.decode()):
        assert SMALL_GROUP_WORDS not in html
        assert LIVED_WORDS in html
        text = words_of(html)
        assert "1 (strongly disagree)" not in text
        assert "Decision-maker Fewer than 3 people answered" in text
    # The results page, for the project's own members, keeps its rule (ADR 0029).
    results = client.get(url.replace("/report/", "/results/")).content.decode()
    assert SMALL_GROUP_WORDS in results


def test_the_peer_figure_stands_beside_the_groups(answered):
    assessment, facilitator, scale, _ = answered
    invited = peer_review_invite(
        assessment=assessment, name="Asha Rao", organisation="Northside Trust", actor=facilitator
    )
    peer_answer_save(
        peer_review=invited.peer_review, item=scale, value="agree", comment="PEER-SEEN-IT"
    )
    peer_review_submit(peer_review=invited.peer_review)
    text = pdf_text(round_report_pdf(build_round_report(assessment)))
    assert "Peer review (from outside, not in the gap)" in text
    assert "4 (agree)" in text and "PEER-SEEN-IT" in text
    assert "Gap between groups: 3 steps" in text  # the reviewer is not in the gap


def test_a_download_is_a_pdf_with_an_audit_entry(client, answered):
    assessment, facilitator, _, _ = answered
    client.force_login(facilitator)
    url = reverse(
        "assess:round_report_download",
        kwargs={"project_slug": assessment.project.slug, "round_id": assessment.pk},
    )
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "-spring-report-" in response["Content-Disposition"]
    event = Event.objects.get(verb="assessment_report.export")
    assert event.actor == facilitator
    assert event.data["format"] == "pdf" and event.data["via"] == "web"
    html = client.get(url + "?format=html")
    assert html["Content-Type"].startswith("text/html")
    assert b"<style>" in html.content and b"cohub-static:" not in html.content


@pytest.mark.parametrize("role", ALL_ROLES)
def test_the_report_is_for_whoever_reads_the_results(client, answered, role):
    assessment, _, _, _ = answered
    log_in_as_role(client, assessment.project, role)
    kwargs = {"project_slug": assessment.project.slug, "round_id": assessment.pk}
    readers = {"facilitator", "community_reporter", "member", "decision_maker", "org_admin"}
    response = client.get(reverse("assess:round_report", kwargs=kwargs))
    assert_role_access(response, role, readers, ok=(200,))
    response = client.get(reverse("assess:round_report_download", kwargs=kwargs) + "?format=html")
    assert_role_access(response, role, readers, ok=(200,))


def test_the_cli_writes_the_same_report(answered, tmp_path, capsys):
    assessment, facilitator, scale, _ = answered
    target = tmp_path / "round.pdf"
    code = cli.main(
        [
            "assess",
            "report",
            "--round",
            str(assessment.pk),
            "--format",
            "pdf",
            "--output",
            str(target),
        ]
    )
    assert code == 0
    text = pdf_text(target.read_bytes())
    assert scale.title in text and "Gap between groups: 3 steps" in text
    assert SMALL_GROUP_WORDS not in text
    code = cli.main(["assess", "report", "--round", str(assessment.pk), "--as", facilitator.email])
    out, _ = capsys.readouterr()
    assert code == 0 and "<!DOCTYPE html>" in out and LIVED_WORDS in out
    assert Event.objects.filter(verb="assessment_report.export", data__via="cli").count() == 2


def test_the_cli_refuses_a_round_that_is_not_there_and_someone_outside(answered, capsys):
    assessment, _, _, _ = answered
    assert cli.main(["assess", "report", "--round", "999999"]) != 0
    assert "no assessment round 999999" in capsys.readouterr().err
    outsider = ProjectFactory()
    stranger = make_member(outsider, ProjectRole.FACILITATOR)
    code = cli.main(["assess", "report", "--round", str(assessment.pk), "--as", stranger.email])
    assert code != 0
    assert "may not make the round report" in capsys.readouterr().err


def test_the_pdf_button_makes_a_job_whose_file_is_handed_out_while_the_round_is_the_same(
    client, answered, django_capture_on_commit_callbacks
):
    from cohub.apps.jobs.models import Job, JobStatus

    assessment, facilitator, scale, _ = answered
    client.force_login(facilitator)
    kwargs = {"project_slug": assessment.project.slug, "round_id": assessment.pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assess:round_report_pdf_start", kwargs=kwargs))
    job = Job.objects.filter(kind="assess.round_report_pdf").latest("pk")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED, job.error
    download = client.get(job.result["url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(download.streaming_content))
    assert scale.title in text and SMALL_GROUP_WORDS not in text
    assert Event.objects.filter(verb="assessment_report.export", data__via="job").exists()
    # Someone else sends answers: the PDF no longer shows the round as it is, so it is not offered.
    late = make_member(assessment.project, ProjectRole.MEMBER)
    Participation.objects.create(
        project=assessment.project, user=late, taking_part=TakingPart.LIVED_EXPERIENCE
    )
    answer_save(assessment=assessment, respondent=late, item=scale, value="agree")
    response_submit(assessment=assessment, respondent=late)
    again = client.get(job.result["url"])
    assert again.status_code == 302
    assert again["Location"] == reverse("assess:round_report", kwargs=kwargs)


def test_a_pdf_of_another_round_is_not_found(client, answered, django_capture_on_commit_callbacks):
    from cohub.apps.jobs.models import Job

    assessment, facilitator, _, _ = answered
    client.force_login(facilitator)
    kwargs = {"project_slug": assessment.project.slug, "round_id": assessment.pk}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assess:round_report_pdf_start", kwargs=kwargs))
    job = Job.objects.filter(kind="assess.round_report_pdf").latest("pk")
    other = round_open(
        project=assessment.project,
        title="Autumn",
        versions=[framework_version("embedding")],
        actor=facilitator,
    )
    url = reverse(
        "assess:round_report_pdf_file",
        kwargs={"project_slug": assessment.project.slug, "round_id": other.pk, "job_id": job.pk},
    )
    assert client.get(url).status_code == 404
