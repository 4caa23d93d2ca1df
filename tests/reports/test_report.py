"""The findings report: counts, consent in every output, tracing, charts, permissions.

Built on the coded project of conftest.py: Robin may be named (h1, h2), Sky
has not agreed to be quoted (h3, "The letter came after I had moved house."),
Ana only anonymously (h4; h5 is not themed).
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from cohub.apps.core.models import Event
from cohub.apps.projects.models import ProjectRole
from cohub.apps.reports.charts import themes_by_level
from cohub.apps.reports.render import (
    FetchRefused,
    _fetcher,
    _static_path,
    report_html_document,
    report_pdf,
)
from cohub.apps.reports.report import Audience, Kind, build_report
from cohub.apps.reports.services import report_export, report_version_create
from cohub.apps.stories.models import Recording, Segment
from cohub.apps.stories.services import consent_withdraw
from cohub.apps.stories.ways_out import EXPORT
from tests.factories import ALL_SCOPES, import_vtt_story, make_member, make_storyteller

pytestmark = pytest.mark.django_db

SKY_WORDS = "The letter came after I had moved house."
ROBIN_WORDS = "I waited eleven weeks."

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    done = subprocess.run(  # noqa: S603  # a fixed program on our own file
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return " ".join(done.stdout.split())


def _theme(coded, name):
    return next(t for t in coded.project.themes.all() if t.name == name)


def _every_output(coded, client, tmp_path, *, version=None) -> dict[str, str]:
    """Every form the report takes, as text: the hub's pages, the HTML files, the PDFs."""
    project = coded.project
    found = {}
    for kind in Kind:
        if version is None:
            page = reverse("reports:report", args=[project.slug])
            download = reverse("reports:report_download", args=[project.slug])
        else:
            page = reverse("reports:report_version", args=[project.slug, version.pk])
            download = reverse("reports:report_version_download", args=[project.slug, version.pk])
        response = client.get(f"{page}?kind={kind.value}")
        assert response.status_code == 200
        found[f"page {kind}"] = response.content.decode()
        html = client.get(f"{download}?kind={kind.value}&format=html")
        assert html.status_code == 200
        assert html["Content-Type"].startswith("text/html")
        found[f"html {kind}"] = html.content.decode()
        pdf = client.get(f"{download}?kind={kind.value}&format=pdf")
        assert pdf.status_code == 200
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf["Content-Disposition"].startswith("attachment;")
        found[f"pdf {kind}"] = pdf_text(pdf.content, tmp_path)
    return found


@pytest.fixture
def facilitator_client(client, coded):
    client.force_login(make_member(coded.project, ProjectRole.FACILITATOR))
    return client


# ---------------------------------------------------------------------------
# Counts


def test_counts_per_theme_split_by_level_and_sector(coded):
    report = build_report(coded.project)
    themes = {t.name: t for t in report.themes}
    waiting, trust = themes["Waiting"], themes["Trust"]
    assert (waiting.quote_count, waiting.story_count) == (3, 2)
    assert (trust.quote_count, trust.story_count) == (2, 2)
    assert [(c.label, c.count) for c in waiting.by_level] == [
        ("Individual", 1),
        ("Organisation", 1),
        ("Society", 1),
        ("Not set", 0),
    ]
    assert [(c.label, c.count) for c in waiting.by_sector] == [
        ("Research", 1),
        ("Policy", 1),
        ("Services", 2),
    ]
    # Totals count each themed quote once (h2 is in both themes; h5 is not themed).
    assert (report.quote_count, report.story_count) == (4, 3)
    assert report.held_back == 1  # Sky's


@needs_pdftotext
@pytest.mark.parametrize("kind", list(Kind))
def test_pdf_text_holds_every_theme_name_and_its_counts(coded, tmp_path, kind):
    text = pdf_text(report_pdf(build_report(coded.project, kind=kind, way=EXPORT)), tmp_path)
    if kind == Kind.EASY_READ:
        assert "Waiting People talked about this 3 times. It came up in 2 stories." in text
        assert "Trust People talked about this 2 times. It came up in 2 stories." in text
    else:
        assert "Waiting 3 2 1 1 1 0" in text  # the table: quotes, stories, each level
        assert "Trust 2 2 0 1 0 1" in text
        assert "3 quotes from 2 stories" in text
        assert "2 quotes from 2 stories" in text
    assert "Unused" not in text  # a theme with no quotes has nothing to report


@needs_pdftotext
def test_the_overview_pdf_fits_on_two_pages(coded, tmp_path):
    content = report_pdf(build_report(coded.project, kind=Kind.OVERVIEW))
    path = tmp_path / "overview.pdf"
    path.write_bytes(content)
    info = subprocess.run(  # noqa: S603  # a fixed program on our own file
        ["pdfinfo", str(path)], capture_output=True, check=True, text=True
    ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert 1 <= pages <= 2


# ---------------------------------------------------------------------------
# Consent in every output


@needs_pdftotext
def test_a_quote_not_agreed_is_absent_from_every_output(coded, facilitator_client, tmp_path):
    version = report_version_create(
        project=coded.project,
        actor=None,
        title="For the housing team",
        for_you="What you could change first.",
        themes=[_theme(coded, "Waiting")],
    )
    outputs = {
        **_every_output(coded, facilitator_client, tmp_path),
        **{
            f"version {k}": v
            for k, v in _every_output(coded, facilitator_client, tmp_path, version=version).items()
        },
    }
    assert len(outputs) == 18
    for name, text in outputs.items():
        assert SKY_WORDS not in text, name
        assert "Sky&#x27;s story" not in text and "Sky's story" not in text, name
        assert "moved house" not in text, name
    # ... while the quotes that may be shown are there, in the hub and in the files.
    assert ROBIN_WORDS in outputs["page full"]
    assert ROBIN_WORDS in outputs["pdf full"]
    assert ROBIN_WORDS in outputs["version html full"]
    assert "What you could change first." in outputs["version pdf easy-read"]


def test_a_withdrawn_storyteller_leaves_nothing(coded, tmp_path):
    consent_withdraw(storyteller=coded.storytellers["Robin"], actor=None)
    report = build_report(coded.project, way=EXPORT)
    html = report_html_document(report)
    assert ROBIN_WORDS not in html
    assert "Robin" not in html
    themes = {t.name: t for t in report.themes}
    assert themes["Waiting"].quote_count == 1  # Sky's, counted, not shown
    assert themes["Waiting"].quotes == []


def test_a_name_shows_only_where_consent_and_the_coder_allow(coded):
    report = build_report(coded.project)
    credits = {q.highlight_id: q.credit for t in report.themes for q in t.quotes}
    assert credits[coded.highlights["h1"].pk] == "Robin Real"
    assert credits[coded.highlights["h4"].pk] == "Ana"


def test_approved_only_shows_no_quote_until_storytellers_can_approve(coded):
    report = build_report(coded.project, audience=Audience(approved_only=True))
    assert all(not t.quotes for t in report.themes)
    assert report.held_back == report.quote_count == 4
    approved = build_report(
        coded.project,
        audience=Audience(approved_only=True),
        approved=lambda project: {coded.highlights["h1"].pk},
    )
    shown = {q.highlight_id for t in approved.themes for q in t.quotes}
    assert shown == {coded.highlights["h1"].pk}


# ---------------------------------------------------------------------------
# Tailored versions


def test_a_tailored_version_keeps_its_themes_and_sectors_and_counts_follow(coded):
    version = report_version_create(
        project=coded.project,
        actor=None,
        title="For the policy team",
        for_you="You write the rules.",
        themes=[_theme(coded, "Trust")],
        sectors=["policy"],
    )
    from cohub.apps.reports.services import audience_of

    report = build_report(coded.project, audience=audience_of(version))
    assert [t.name for t in report.themes] == ["Trust"]
    assert report.themes[0].quote_count == 1  # h2 only: h4 has no sector
    assert report.title == "For the policy team"
    html = report_html_document(report)
    assert "You write the rules." in html
    assert "Only quotes for Policy are counted here." in html
    assert "Waiting" not in html


def test_a_version_follows_a_theme_merged_into_another(coded):
    from cohub.apps.analysis.services import theme_merge
    from cohub.apps.reports.services import audience_of

    version = report_version_create(
        project=coded.project, actor=None, title="Trust only", themes=[_theme(coded, "Trust")]
    )
    theme_merge(source=_theme(coded, "Trust"), target=_theme(coded, "Waiting"), actor=None)
    report = build_report(coded.project, audience=audience_of(version))
    assert [t.name for t in report.themes] == ["Waiting"]


def test_version_titles_are_unique_in_a_project(coded):
    from cohub.apps.core.errors import ServiceError

    report_version_create(project=coded.project, actor=None, title="For the council")
    with pytest.raises(ServiceError, match="already a version"):
        report_version_create(project=coded.project, actor=None, title="for the council")


def test_saving_a_version_in_the_hub(coded, facilitator_client):
    url = reverse("reports:report_versions", args=[coded.project.slug])
    response = facilitator_client.post(
        url,
        {
            "title": "For the adult social care team",
            "for_you": "Waiting is what hurts most.",
            "themes": [_theme(coded, "Waiting").pk],
            "sectors": ["services"],
        },
    )
    assert response.status_code == 302
    page = facilitator_client.get(response["Location"])
    assert "For the adult social care team" in page.content.decode()
    listed = facilitator_client.get(url).content.decode()
    assert "For the adult social care team" in listed
    delete = reverse(
        "reports:report_version_delete",
        args=[coded.project.slug, coded.project.report_versions.get().pk],
    )
    assert facilitator_client.post(delete).status_code == 302
    assert not coded.project.report_versions.exists()


# ---------------------------------------------------------------------------
# Tracing


def test_each_theme_links_to_its_quotes_and_each_quote_to_its_place(coded, facilitator_client):
    project = coded.project
    page = facilitator_client.get(reverse("reports:report", args=[project.slug])).content.decode()
    waiting = _theme(coded, "Waiting")
    assert f'id="theme-{waiting.pk}"' in page
    assert f'href="#theme-{waiting.pk}-quotes"' in page
    h1 = coded.highlights["h1"]
    assert f'id="theme-{waiting.pk}-quote-{h1.pk}"' in page
    segment = Segment.objects.get(
        transcript=h1.transcript, char_start__lte=h1.char_start, char_end__gt=h1.char_start
    )
    place = reverse("analysis:review_sheet", args=[project.slug, h1.review_sheet.story_id])
    assert f'href="{place}#seg-{segment.index}"' in page
    assert f"part {segment.index + 1} of the transcript" in page


def test_a_file_links_back_to_the_hub_by_its_address(coded):
    report = build_report(coded.project, way=EXPORT, base_url="https://hub.example.org")
    html = report_html_document(report)
    assert 'href="https://hub.example.org/p/' in html


def test_a_recorded_quote_links_to_its_second_of_audio(project, tmp_path):
    storyteller = make_storyteller(project, pseudonym="Robin", consent=ALL_SCOPES)
    story = import_vtt_story(project, storyteller)
    Recording.objects.create(
        story=story, file="recordings/x.ogg", sha256="0" * 64, size_bytes=10, duration_ms=12000
    )
    from cohub.apps.analysis.services import highlight_create, theme_create

    theme = theme_create(project=project, name="Work", actor=None).theme
    transcript = story.transcripts.get()
    start = transcript.text.index("I lost my job")
    highlight = highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len("I lost my job"),
        actor=None,
        themes=[theme],
    ).highlight
    assert highlight.start_ms == 5000
    report = build_report(project)
    quote = report.themes[0].quotes[0]
    media = reverse("stories:recording_media", args=[project.slug, story.pk])
    assert quote.audio_url == f"{media}#t=5"
    html = report_html_document(report)
    assert f'href="{media}#t=5"' in html
    assert "hear it at 0:05" in html
    # Without consent to keep the recording, the time is said but not linked.
    from cohub.apps.stories.services import consent_record

    consent_record(storyteller=storyteller, actor=None, transcribe=True, quote_anonymously=True)
    html = report_html_document(build_report(project))
    assert f"{media}#t=5" not in html
    assert "at 0:05 in the recording" in html


# ---------------------------------------------------------------------------
# Charts


def _chart_numbers(svg: str) -> dict[tuple[str, str], int]:
    return {
        (name, level): int(count)
        for name, level, count in re.findall(r"<title>([^<:]+): ([a-z ]+) (\d+)</title>", svg)
    }


def test_the_chart_has_a_title_and_description_and_its_table_matches(coded):
    report = build_report(coded.project)
    chart = themes_by_level(report)
    svg = str(chart.svg)
    assert 'role="img"' in svg
    assert 'aria-labelledby="chart-themes-title chart-themes-desc"' in svg
    assert '<title id="chart-themes-title">Quotes for each theme, by level of change</title>' in svg
    assert re.search(r'<desc id="chart-themes-desc">2 themes\. The most quotes, 3, are about', svg)
    assert _chart_numbers(svg) == {
        ("Waiting", "individual"): 1,
        ("Waiting", "organisation"): 1,
        ("Waiting", "society"): 1,
        ("Trust", "organisation"): 1,
        ("Trust", "not set"): 1,
    }
    html = report_html_document(report)
    table = html[html.index('id="chart-themes-table"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    header = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', rows[0])
    assert header == [
        "Theme",
        "Quotes",
        "Stories",
        "Individual",
        "Organisation",
        "Society",
        "Not set",
    ]
    for row in rows[1:]:
        name = re.search(r"<a [^>]*>([^<]+)</a>", row).group(1)
        cells = [int(n) for n in re.findall(r'<td class="numeric"[^>]*>(\d+)</td>', row)]
        theme = next(t for t in report.themes if t.name == name)
        assert cells[:2] == [theme.quote_count, theme.story_count]
        for label, count in zip(header[3:], cells[2:], strict=True):
            assert _chart_numbers(svg).get((name, label.lower()), 0) == count


def test_a_theme_name_cannot_put_markup_into_the_chart(coded):
    from cohub.apps.analysis.services import theme_rename

    theme_rename(theme=_theme(coded, "Trust"), name='<img src="http://x.test/a.png">', actor=None)
    svg = str(themes_by_level(build_report(coded.project)).svg)
    assert "<img" not in svg
    assert "&lt;img" in svg


# ---------------------------------------------------------------------------
# Nothing is fetched


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/a.css",
        "https://example.org/a.png",
        "file:///etc/passwd",
        "data:text/css,body{}",
        "cohub-static:../../config/settings/base.py",
        "cohub-static:cohub/cohub.css",
    ],
)
def test_the_pdf_fetcher_refuses_anything_but_the_reports_own_files(url):
    with pytest.raises(FetchRefused):
        _static_path(url)
    with pytest.raises(FetchRefused):
        _fetcher().fetch(url)


def test_the_pdf_fetcher_serves_the_reports_stylesheet():
    response = _fetcher().fetch("cohub-static:reports/report.css")
    assert response.content_type == "text/css"
    assert b".report" in response.read()


def test_making_a_pdf_opens_no_network_connection(coded, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the report tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    from cohub.apps.analysis.services import theme_rename

    # Markup in a theme name is escaped, so it cannot ask for anything either.
    theme_rename(theme=_theme(coded, "Trust"), name='<img src="http://x.test/a.png">', actor=None)
    assert report_pdf(build_report(coded.project, way=EXPORT)).startswith(b"%PDF")


# ---------------------------------------------------------------------------
# Audit


def test_an_export_records_who_made_which_file_and_whose_words_went_out(coded):
    made = report_export(project=coded.project, actor=None, fmt="pdf", kind=Kind.OVERVIEW)
    assert made.filename.endswith(".pdf") and "-report-overview-" in made.filename
    event = Event.objects.get(verb="report.export")
    assert event.data["format"] == "pdf"
    assert event.data["kind"] == "overview"
    assert coded.stories["A"].pk in event.data["stories"]
    assert coded.stories["B"].pk not in event.data["stories"]  # Sky's words did not go out
    assert "waited" not in str(event.data)


# ---------------------------------------------------------------------------
# Permissions


@pytest.mark.parametrize(
    ("role", "page", "download", "tailor"),
    [
        (ProjectRole.FACILITATOR, 200, 200, 200),
        (ProjectRole.COMMUNITY_REPORTER, 200, 200, 403),
        (ProjectRole.MEMBER, 200, 200, 403),
        (ProjectRole.DECISION_MAKER, 200, 403, 403),
    ],
)
def test_who_may_read_download_and_tailor(coded, client, role, page, download, tailor):
    client.force_login(make_member(coded.project, role))
    slug = coded.project.slug
    assert client.get(reverse("reports:report", args=[slug])).status_code == page
    assert client.get(reverse("reports:report_download", args=[slug])).status_code == download
    assert client.get(reverse("reports:report_versions", args=[slug])).status_code == tailor


def test_someone_outside_the_project_sees_no_report(coded, client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    slug = coded.project.slug
    assert client.get(reverse("reports:report", args=[slug])).status_code == 403
    assert client.get(reverse("reports:report_download", args=[slug])).status_code == 403


def test_a_decision_maker_reads_quotes_without_links_into_stories(coded, client):
    client.force_login(make_member(coded.project, ProjectRole.DECISION_MAKER))
    page = client.get(reverse("reports:report", args=[coded.project.slug])).content.decode()
    assert ROBIN_WORDS in page
    assert "review-sheet" not in page  # they may not open the stories, so no link to them
    assert "of the transcript" in page  # ... but the place is still said


# ---------------------------------------------------------------------------
# The PDF as a job


def _make_pdf(client, coded, capture, **data):
    from cohub.apps.jobs.models import Job

    with capture(execute=True):
        response = client.post(reverse("reports:report_pdf_start", args=[coded.project.slug]), data)
    job = Job.objects.filter(kind="reports.report_pdf").latest("pk")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    return job


@needs_pdftotext
def test_the_pdf_is_drawn_by_a_job_and_handed_out_while_consent_holds(
    coded, facilitator_client, tmp_path, django_capture_on_commit_callbacks
):
    from cohub.apps.jobs.models import JobStatus
    from cohub.apps.stories.services import consent_record

    job = _make_pdf(facilitator_client, coded, django_capture_on_commit_callbacks, kind="overview")
    assert job.status == JobStatus.SUCCEEDED, job.error
    download = facilitator_client.get(job.result["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "-report-overview-" in download["Content-Disposition"]
    text = pdf_text(b"".join(download.streaming_content), tmp_path)
    assert "Waiting 3 2 1 1 1 0" in text
    assert SKY_WORDS not in text
    assert Event.objects.filter(verb="report.export", data__via="job").exists()
    # Robin takes back consent to be quoted: the PDF that holds their words is not offered.
    consent_record(
        storyteller=coded.storytellers["Robin"], actor=None, record=True, transcribe=True
    )
    again = facilitator_client.get(job.result["url"])
    assert again.status_code == 302
    assert again["Location"] == reverse("reports:report", args=[coded.project.slug])


def test_a_version_pdf_and_its_withdrawal_purge(
    coded, facilitator_client, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    from cohub.apps.reports.services import report_pdf_name

    version = report_version_create(
        project=coded.project, actor=None, title="Trust", themes=[_theme(coded, "Trust")]
    )
    job = _make_pdf(
        facilitator_client, coded, django_capture_on_commit_callbacks, version=str(version.pk)
    )
    assert job.params["version"] == version.pk
    name = report_pdf_name(coded.project.pk, job.pk, job.result["digest"])
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(storyteller=coded.storytellers["Ana"], actor=None)
    assert not default_storage.exists(name)


def test_a_decision_maker_may_not_make_the_pdf(coded, client):
    client.force_login(make_member(coded.project, ProjectRole.DECISION_MAKER))
    url = reverse("reports:report_pdf_start", args=[coded.project.slug])
    assert client.post(url, {"kind": "full"}).status_code == 403
