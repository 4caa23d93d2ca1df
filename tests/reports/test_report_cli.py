"""``cohub report``: the same report as the hub, as HTML on stdout or a PDF file."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from cohub import cli
from cohub.apps.core.models import Event
from cohub.apps.projects.models import ProjectRole
from tests.factories import make_member

pytestmark = pytest.mark.django_db

SKY_WORDS = "The letter came after I had moved house."


def test_html_goes_to_stdout_by_default(coded, capsysbinary):
    assert cli.main(["report", "--project", coded.project.slug]) == 0
    out = capsysbinary.readouterr().out.decode()
    assert out.startswith("<!DOCTYPE html>")
    assert "<style>" in out and "<link" not in out  # one file that opens anywhere
    assert "I waited eleven weeks." in out
    assert SKY_WORDS not in out
    event = Event.objects.get(verb="report.export")
    assert event.actor is None
    assert event.data["via"] == "cli"


def test_easy_read_to_a_file_with_links_to_the_hub(coded, tmp_path, capsys):
    target = tmp_path / "easy.html"
    code = cli.main(
        [
            "report",
            "--project",
            coded.project.slug,
            "--easy-read",
            "--output",
            str(target),
            "--base-url",
            "https://hub.example.org/",
        ]
    )
    assert code == 0, capsys.readouterr().err
    text = target.read_text()
    assert "This is the easy read version of our report." in text
    assert 'href="https://hub.example.org/p/' in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_pdf_gets_a_file_name_of_its_own(coded, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["report", "--project", coded.project.slug, "--format", "pdf"]) == 0
    (written,) = tmp_path.glob(f"{coded.project.slug}-report-*.pdf")
    assert "wrote the full report" in capsys.readouterr().err
    text = subprocess.run(  # noqa: S603  # a fixed program on our own file
        ["pdftotext", str(written), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "Waiting" in text and "Trust" in text
    assert SKY_WORDS not in text


def test_a_decision_maker_may_not_export_it(coded, capsys):
    user = make_member(coded.project, ProjectRole.DECISION_MAKER)
    code = cli.main(["report", "--project", coded.project.slug, "--as", user.email])
    assert code == 1
    assert "may not export the findings report" in capsys.readouterr().err


def test_unknown_project_and_version(coded, capsys):
    assert cli.main(["report", "--project", "nope"]) == 2
    assert "no project with the slug 'nope'" in capsys.readouterr().err
    assert cli.main(["report", "--project", coded.project.slug, "--version", "999"]) == 2
    assert "has no saved report version 999" in capsys.readouterr().err
