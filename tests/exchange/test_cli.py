"""``cohub export-qdpx`` and ``cohub import-qdpx``: files written, projects made, errors said."""

from __future__ import annotations

import pytest
from lxml import etree

from cohub import cli
from cohub.apps.analysis.models import Highlight, Theme
from cohub.apps.projects.models import Project, ProjectRole
from cohub.apps.stories.models import Story
from tests.exchange.conftest import members, zip_of
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_export_then_import_into_a_new_project(coded, tmp_path, capsys, project_schema):
    out = tmp_path / "project.qdpx"
    assert cli.main(["export-qdpx", "--project", coded.project.slug, "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "2 stories, 4 quotes" in printed
    assert "1 stories left out" in printed
    project_schema.validate(members(out.read_bytes())["project.qde"])

    code = cli.main(["import-qdpx", "--project", "copy-of-it", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "made the project 'copy-of-it'" in captured.out
    assert "source 2 of 2" in captured.err  # progress, on stderr
    copy = Project.objects.get(slug="copy-of-it")
    assert copy.organisation_id == coded.project.organisation_id
    assert Story.objects.filter(project=copy).count() == 2
    assert Highlight.objects.filter(review_sheet__story__project=copy).count() == 4


def test_codebook_only_by_flag_or_by_name(coded, tmp_path, codebook_schema):
    by_name = tmp_path / "themes.qdc"
    assert cli.main(["export-qdpx", "--project", coded.project.slug, "-o", str(by_name)]) == 0
    codebook_schema.validate(by_name.read_bytes())
    flagged = tmp_path / "themes.xml"
    args = ["export-qdpx", "--project", coded.project.slug, "-o", str(flagged), "--codebook-only"]
    assert cli.main(args) == 0
    assert etree.fromstring(flagged.read_bytes()).tag == "{urn:QDA-XML:codebook:1.0}CodeBook"


def test_export_refuses_someone_who_does_not_run_the_project(coded, tmp_path, capsys):
    reporter = make_member(coded.project, ProjectRole.COMMUNITY_REPORTER)
    out = tmp_path / "p.qdpx"
    args = ["export-qdpx", "--project", coded.project.slug, "-o", str(out), "--as", reporter.email]
    assert cli.main(args) == cli.EXIT_FAILED
    assert "may not export the project" in capsys.readouterr().err
    assert not out.exists()


def test_unknown_project_for_export(db, tmp_path, capsys):
    args = ["export-qdpx", "--project", "nope", "-o", str(tmp_path / "x.qdpx")]
    assert cli.main(args) == cli.EXIT_USAGE
    assert "no project with the slug 'nope'" in capsys.readouterr().err


def test_a_bad_file_is_refused_with_its_reason_and_makes_no_project(coded, tmp_path, capsys):
    bad = tmp_path / "evil.qdpx"
    bad.write_bytes(zip_of({"project.qde": b"<Project/>", "../../etc/passwd": b"x"}))
    assert cli.main(["import-qdpx", "--project", "fresh", str(bad)]) == cli.EXIT_FAILED
    assert "points outside it" in capsys.readouterr().err
    assert not Project.objects.filter(slug="fresh").exists()


def test_import_into_an_existing_project_and_again(coded, tmp_path, capsys, project):
    source = tmp_path / "p.qdpx"
    cli.main(["export-qdpx", "--project", coded.project.slug, "-o", str(source)])
    capsys.readouterr()
    assert cli.main(["import-qdpx", "--project", coded.project.slug, str(source)]) == 0
    out = capsys.readouterr().out
    assert "0 new themes (3 already there), 0 new stories (2 already there)" in out
    themes = Theme.objects.filter(project=coded.project).count()
    assert themes == 3


def test_missing_file(coded, tmp_path, capsys):
    missing = tmp_path / "missing.qdpx"
    args = ["import-qdpx", "--project", coded.project.slug, str(missing)]
    assert cli.main(args) == cli.EXIT_FAILED
    assert "cannot read" in capsys.readouterr().err


def test_import_refuses_someone_who_does_not_run_the_project(coded, tmp_path, capsys):
    source = tmp_path / "p.qdpx"
    cli.main(["export-qdpx", "--project", coded.project.slug, "-o", str(source)])
    member = make_member(coded.project, ProjectRole.MEMBER)
    args = ["import-qdpx", "--project", coded.project.slug, "--as", member.email, str(source)]
    assert cli.main(args) == cli.EXIT_FAILED
    assert "may not import from other tools" in capsys.readouterr().err


def test_a_new_project_needs_an_organisation_when_there_are_several(coded, tmp_path, capsys):
    from tests.factories import OrganisationFactory

    OrganisationFactory()
    source = tmp_path / "themes.qdc"
    cli.main(["export-qdpx", "--project", coded.project.slug, "-o", str(source)])
    capsys.readouterr()
    assert cli.main(["import-qdpx", "--project", "new-one", str(source)]) == cli.EXIT_USAGE
    assert "--organisation SLUG" in capsys.readouterr().err
    org = coded.project.organisation.slug
    args = ["import-qdpx", "--project", "new-one", "--organisation", org, str(source)]
    assert cli.main(args) == 0
    assert Theme.objects.filter(project__slug="new-one").count() == 3
