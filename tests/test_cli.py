"""The ``cohub`` command line: what it stores, prints and exits with."""

from __future__ import annotations

import csv
import io
import logging
import subprocess
import sys

import pytest

from cohub import cli
from cohub.apps.core.models import Event
from cohub.apps.projects.models import Project, ProjectRole
from cohub.apps.stories.consent import current_consent
from cohub.apps.stories.models import Story, Storyteller
from cohub.demo import DEMO_PASSWORD, FACILITATOR
from tests.factories import (
    ALL_SCOPES,
    make_member,
    make_storyteller,
    user_for_role,
)

pytestmark = pytest.mark.django_db

GOOD_VTT = b"""WEBVTT

1
00:00:01.000 --> 00:00:04.500
<v Sam>What happened when you first asked for help?</v>

2
00:00:05.000 --> 00:00:09.250
<v Robin>I waited eleven weeks. Nobody called back.</v>
"""

BROKEN_VTT = b"""WEBVTT

1
00:00:01.000 --> 00:00:04.500
<v Sam>Fine so far.</v>

2
00:00:05.000 -> 00:00:09
<v Robin>This cue has a broken timing line.</v>
"""


@pytest.fixture
def files(tmp_path):
    good = tmp_path / "robin-call.vtt"
    good.write_bytes(GOOD_VTT)
    broken = tmp_path / "broken.vtt"
    broken.write_bytes(BROKEN_VTT)
    return good, broken


def test_import_good_and_broken_file(project, files, capsys):
    good, broken = files
    code = cli.main(["import-transcript", "--project", project.slug, str(good), str(broken)])
    out, err = capsys.readouterr()
    assert code == 1
    story = Story.objects.get(project=project)
    assert story.title == "Robin call"
    assert story.storyteller.pseudonym == "robin-call"
    assert f"imported {good} as story #{story.pk} 'Robin call' (2 segments)" in out
    assert err.startswith(f"error {broken}: Line 8 (cue 2):")
    assert "Traceback" not in err
    # The storyteller made for the broken file went away with it.
    pseudonyms = Storyteller.objects.filter(project=project).values_list("pseudonym", flat=True)
    assert list(pseudonyms) == ["robin-call"]


def test_import_empty_broken_and_good_file_keeps_the_good_one(project, files, tmp_path, capsys):
    good, broken = files
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code = cli.main(
        ["import-transcript", "--project", project.slug, str(empty), str(broken), str(good)]
    )
    out, err = capsys.readouterr()
    assert code == 1
    story = Story.objects.get(project=project)
    assert f"imported {good} as story #{story.pk}" in out
    empty_line, broken_line = err.splitlines()
    assert empty_line == f"error {empty}: The file is empty: there are no words in it to import."
    assert broken_line.startswith(f"error {broken}: Line 8 (cue 2): The timing line")
    assert list(Storyteller.objects.values_list("pseudonym", flat=True)) == ["robin-call"]


def test_a_storyteller_name_two_people_share_is_refused(project, files, capsys):
    # Only rows written around the services can share a name (see test_import_batch).
    Storyteller.objects.create(project=project, pseudonym="Straße")
    Storyteller.objects.create(project=project, pseudonym="STRASSE")
    good, _ = files
    code = cli.main(
        ["import-transcript", "--project", project.slug, "--storyteller", "strasse", str(good)]
    )
    assert code == 1
    assert "Two storytellers in this project are called 'strasse'" in capsys.readouterr().err
    assert not Story.objects.exists()


def test_storyteller_is_found_whatever_the_capitals_and_spacing(project, files, capsys):
    robin = make_storyteller(project, pseudonym="Robin B")
    good, _ = files
    code = cli.main(
        ["import-transcript", "--project", project.slug, "--storyteller", " robin   b ", str(good)]
    )
    assert code == 0, capsys.readouterr().err
    assert Story.objects.get().storyteller == robin
    assert Storyteller.objects.count() == 1


def test_storyteller_cannot_be_given_the_withdrawn_name(project, files, capsys):
    good, _ = files
    code = cli.main(
        [
            "import-transcript",
            "--project",
            project.slug,
            "--storyteller",
            "withdrawn storyteller",
            str(good),
        ]
    )
    assert code == 1
    assert "is how cohub shows people who have withdrawn" in capsys.readouterr().err
    assert not Storyteller.objects.exists()


def test_files_with_the_same_name_get_storytellers_told_apart(project, tmp_path, capsys):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "interview.txt").write_text("Sam: What happened first?")
    (second / "interview.txt").write_text("Sam: And after that?")
    code = cli.main(
        [
            "import-transcript",
            "--project",
            project.slug,
            str(first / "interview.txt"),
            str(second / "interview.txt"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    names = sorted(Storyteller.objects.values_list("pseudonym", flat=True))
    assert names == ["interview", "interview (2)"]
    assert "for the new storyteller 'interview (2)'" in out


def test_new_storyteller_gets_only_record_and_transcribe_by_default(project, files):
    good, _ = files
    assert cli.main(["import-transcript", "--project", project.slug, str(good)]) == 0
    storyteller = Storyteller.objects.get(project=project)
    assert current_consent(storyteller).granted_scopes() == ["record", "transcribe"]
    assert current_consent(storyteller).keep_until is None
    story = Story.objects.get()
    assert story.created_by is None
    assert Event.objects.filter(verb="story.create", actor__isnull=True).exists()


def test_named_storyteller_is_reused_and_consent_options_apply(project, files, tmp_path):
    other = tmp_path / "second.txt"
    other.write_text("Sam: And after that?\n\nAlex: I found a group that met on Saturdays.")
    good, _ = files
    user = make_member(project, ProjectRole.COMMUNITY_REPORTER)
    code = cli.main(
        [
            "import-transcript",
            "--project",
            project.slug,
            "--storyteller",
            "Alex",
            "--consent",
            "record,transcribe,quote_anonymously",
            "--keep-until",
            "2099-12-31",
            "--title",
            "Saturday group",
            "--as",
            user.email,
            str(good),
            str(other),
        ]
    )
    assert code == 0
    storyteller = Storyteller.objects.get(project=project)
    assert storyteller.pseudonym == "Alex"
    consent = current_consent(storyteller)
    assert consent.granted_scopes() == ["record", "transcribe", "quote_anonymously"]
    assert str(consent.keep_until) == "2099-12-31"
    assert consent.recorded_by == user
    assert Story.objects.filter(storyteller=storyteller, title="Saturday group").count() == 2
    assert set(Story.objects.values_list("created_by", flat=True)) == {user.pk}


def test_existing_storyteller_keeps_their_consent(project, files):
    existing = make_storyteller(project, pseudonym="Robin", consent=ALL_SCOPES)
    good, _ = files
    code = cli.main(
        [
            "import-transcript",
            "--project",
            project.slug,
            "--storyteller",
            "Robin",
            "--consent",
            "record,transcribe",
            str(good),
        ]
    )
    assert code == 0
    assert Story.objects.get().storyteller == existing
    assert current_consent(existing).version == 1


def test_existing_storyteller_without_consent_is_refused_plainly(project, files, capsys):
    make_storyteller(project, pseudonym="Robin", consent={"record": True})
    good, _ = files
    code = cli.main(
        ["import-transcript", "--project", project.slug, "--storyteller", "Robin", str(good)]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "Robin has not agreed that we transcribe their story." in err
    assert not Story.objects.exists()


def test_unknown_project_user_and_missing_file(project, files, tmp_path, capsys):
    good, _ = files
    assert cli.main(["import-transcript", "--project", "nope", str(good)]) == 2
    assert "there is no project with the slug 'nope'" in capsys.readouterr().err
    assert (
        cli.main(
            ["import-transcript", "--project", project.slug, "--as", "x@example.org", str(good)]
        )
        == 2
    )
    assert "no active user" in capsys.readouterr().err
    missing = tmp_path / "missing.vtt"
    assert cli.main(["import-transcript", "--project", project.slug, str(missing)]) == 1
    assert f"error {missing}: The file could not be read" in capsys.readouterr().err
    assert not Story.objects.exists()


def test_unknown_consent_scope_is_a_usage_error(project, files, capsys):
    good, _ = files
    with pytest.raises(SystemExit) as exit_info:
        cli.main(
            ["import-transcript", "--project", project.slug, "--consent", "record,sing", str(good)]
        )
    assert exit_info.value.code == 2
    assert "unknown consent scope 'sing'" in capsys.readouterr().err


def test_duplicate_import_is_reported_not_doubled(project, files, capsys):
    good, _ = files
    assert cli.main(["import-transcript", "--project", project.slug, str(good)]) == 0
    assert cli.main(["import-transcript", "--project", project.slug, str(good)]) == 1
    assert "already in the project" in capsys.readouterr().err
    assert Story.objects.count() == 1
    assert Storyteller.objects.count() == 1


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_export_findings_to_a_file(project, files, tmp_path, capsys):
    good, _ = files
    cli.main(
        [
            "import-transcript",
            "--project",
            project.slug,
            "--storyteller",
            "Robin",
            "--consent",
            "record,transcribe,quote_anonymously",
            str(good),
        ]
    )
    from cohub.apps.analysis.models import Highlight
    from cohub.apps.analysis.services import highlight_create, theme_create

    waiting = theme_create(project=project, name="Waiting", actor=None).theme
    money = theme_create(project=project, name="@money", actor=None).theme
    story = Story.objects.get()
    transcript = story.transcripts.get()
    words = "I waited eleven weeks."
    start = transcript.text.index(words)
    highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len(words),
        actor=None,
        change_level="organisation",
        themes=[waiting, money],
    )
    output = tmp_path / "findings.csv"
    capsys.readouterr()
    assert cli.main(["export-findings", "--project", project.slug, "--output", str(output)]) == 0
    assert str(output) in capsys.readouterr().out
    rows = _csv_rows(output.read_text(encoding="utf-8"))
    assert rows[0][:5] == ["Quote id", "Quote", "Themes", "Who spoke", "Speaking as"]
    highlight = Highlight.objects.get()
    assert rows[1][:5] == [str(highlight.pk), words, "'@money; Waiting", "Robin", "Storyteller"]
    assert len(rows) == 2  # one row for the quote, though it has two themes
    assert rows[1][8] == "Organisation"
    assert Event.objects.filter(verb="findings.export", project_id=project.pk).count() == 1


def test_export_findings_to_stdout(project, capsys):
    assert cli.main(["export-findings", "--project", project.slug]) == 0
    out = capsys.readouterr().out
    assert _csv_rows(out) == [
        [
            "Quote id",
            "Quote",
            "Themes",
            "Who spoke",
            "Speaking as",
            "Story",
            "Start (seconds)",
            "End (seconds)",
            "Change level",
            "Sectors",
            "Note",
        ]
    ]


def test_export_findings_unknown_project(capsys):
    assert cli.main(["export-findings", "--project", "nope"]) == 2
    assert capsys.readouterr().err == "error: there is no project with the slug 'nope'.\n"


class Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_demo_twice(capsys):
    # cli.main sets Django up again, which replaces the root's handlers (caplog's too), so
    # the jobs' lines are caught on their own logger, which the settings do not name.
    kept = Kept()
    jobs_log = logging.getLogger("cohub.apps.jobs")
    jobs_log.addHandler(kept)
    try:
        assert cli.main(["demo"]) == 0
    finally:
        jobs_log.removeHandler(kept)
    # Only what the person needs to log in: no line for each job queued, nor Presidio's device.
    assert [r.getMessage() for r in kept.records] == []
    assert logging.getLogger("presidio-analyzer").getEffectiveLevel() >= logging.WARNING
    first = capsys.readouterr().out
    counts = (Project.objects.count(), Story.objects.count(), Storyteller.objects.count())
    assert cli.main(["demo"]) == 0
    second = capsys.readouterr().out
    assert (Project.objects.count(), Story.objects.count(), Storyteller.objects.count()) == counts
    assert counts == (1, 7, 7)
    for out in (first, second):
        assert "facilitator@example.org" in out
        assert DEMO_PASSWORD in out
        assert "Project:    demo" in out
    assert "ready" in first
    assert "already there" in second
    # The facilitator's and the admin's second step: a backup code that works, each run.
    from django_otp.plugins.otp_static.models import StaticToken

    for out in (first, second):
        code = out.split("Then type:")[1].split()[0]
        assert StaticToken.objects.filter(device__user__email=FACILITATOR, token=code).exists()
        assert "admin@example.org" in out and "(then the backup code " in out


def test_createuser(capsys):
    assert cli.main(["createuser", "New@Example.org", "--password", "a long enough phrase"]) == 0
    from cohub.apps.accounts.models import User

    user = User.objects.get(email="new@example.org")
    assert user.check_password("a long enough phrase")
    assert not user.is_staff
    assert cli.main(["createuser", "new@example.org", "--password", "another long phrase"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert cli.main(["createuser", "short@example.org", "--password", "123"]) == 1
    assert "too short" in capsys.readouterr().err


class _FakeServer:
    def run(self):
        """Returns at once, as waitress's run() does after Ctrl+C or SIGTERM."""


def test_serve_stops_the_worker_when_the_server_stops(monkeypatch, settings, tmp_path, capsys):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.COHUB_REQUEST_MAX_BYTES = 210 * 1024 * 1024
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    served = {}

    def fake_create_server(app, **options):
        served.update(options)
        return _FakeServer()

    import waitress.server

    monkeypatch.setattr(waitress.server, "create_server", fake_create_server)
    monkeypatch.setattr(cli, "_start_worker", lambda: worker)
    monkeypatch.setattr(cli, "WORKER_GRACE_S", 0.1)
    try:
        assert cli.main(["serve", "--port", "8123"]) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode is not None
    assert served == {
        "host": "127.0.0.1",
        "port": 8123,
        "threads": 8,
        # A recording as big as the setting allows, and room for the form around it.
        "max_request_body_size": 210 * 1024 * 1024,
    }
    assert (tmp_path / "static" / "cohub" / "cohub.css").exists()
    out = capsys.readouterr().out
    assert "cohub is running at http://127.0.0.1:8123/" in out
    assert "cohub stopped." in out


def test_serve_reports_a_busy_port_without_starting_the_worker(
    monkeypatch, settings, tmp_path, capsys
):
    settings.STATIC_ROOT = tmp_path / "static"

    def busy(app, **options):
        raise OSError(98, "Address already in use")

    def no_worker():
        raise AssertionError("the worker must not start")

    import waitress.server

    monkeypatch.setattr(waitress.server, "create_server", busy)
    monkeypatch.setattr(cli, "_start_worker", no_worker)
    assert cli.main(["serve", "--port", "8123"]) == 1
    assert "cannot listen on 127.0.0.1:8123 (Address already in use)" in capsys.readouterr().err


@pytest.mark.django_db
def test_purge_expired_removes_stories_past_their_date(capsys):
    import datetime as dt

    from cohub.apps.stories.models import ConsentRecord, Story
    from tests.factories import ProjectFactory, make_story

    project = ProjectFactory()
    story = make_story(project)
    # Consent given long ago with a date that has now passed (services refuse past dates).
    ConsentRecord.objects.filter(storyteller=story.storyteller).update(
        keep_until=dt.date(2020, 1, 1)
    )
    assert cli.main(["purge-expired"]) == 0
    assert not Story.objects.exists()
    assert "Removed 1 story" in capsys.readouterr().out


# --as: the command line acts as the person it names, through the web's rules.

IMPORTERS = "Only facilitators, community reporters and organisation admins of '{slug}'"
EXPORTERS = (
    "Only facilitators, community reporters, co-producers and organisation admins of '{slug}'"
)


def _import_as(project, email, path):
    return cli.main(["import-transcript", "--project", project.slug, "--as", email, str(path)])


@pytest.mark.parametrize("who", ["decision_maker", "outsider", "member"])
def test_import_as_someone_who_may_not_gather_is_refused_with_who_may(project, files, capsys, who):
    good, _ = files
    user = user_for_role(project, who)
    assert _import_as(project, user.email, good) == 1
    out, err = capsys.readouterr()
    assert err == (
        f"error: {user.email} may not import stories in '{project.slug}'. "
        + IMPORTERS.format(slug=project.slug)
        + " may import stories.\n"
    )
    assert out == ""
    assert not Story.objects.filter(project=project).exists()
    assert not Storyteller.objects.filter(project=project).exists()


@pytest.mark.parametrize("who", ["facilitator", "community_reporter", "org_admin"])
def test_import_as_someone_who_gathers_is_allowed_and_credited(project, files, capsys, who):
    good, _ = files
    user = user_for_role(project, who)
    assert _import_as(project, user.email, good) == 0
    story = Story.objects.get(project=project)
    assert story.created_by == user
    assert Event.objects.filter(verb="story.create", actor=user).exists()


def _export_as(project, email):
    return cli.main(["export-findings", "--project", project.slug, "--as", email])


@pytest.mark.parametrize("who", ["decision_maker", "outsider"])
def test_export_as_someone_who_does_not_make_the_findings_is_refused(project, capsys, who):
    user = user_for_role(project, who)
    assert _export_as(project, user.email) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"error: {user.email} may not export the findings in '{project.slug}'. "
        + EXPORTERS.format(slug=project.slug)
        + " may export the findings.\n"
    )
    assert not Event.objects.filter(verb="findings.export").exists()


def test_export_as_a_co_producer_matches_the_web(project, client, capsys):
    """Co-producers decide what the findings say, so both the web and the CLI let them export."""
    user = make_member(project, ProjectRole.MEMBER)
    client.force_login(user)
    web = client.get(f"/p/{project.slug}/findings.csv")
    assert web.status_code == 200
    assert _export_as(project, user.email) == 0
    assert _csv_rows(capsys.readouterr().out)[0][:2] == ["Quote id", "Quote"]
    assert Event.objects.filter(verb="findings.export", actor=user).count() == 2


def test_export_as_a_decision_maker_matches_the_web(project, client, capsys):
    user = make_member(project, ProjectRole.DECISION_MAKER)
    client.force_login(user)
    assert client.get(f"/p/{project.slug}/findings.csv").status_code == 403
    assert _export_as(project, user.email) == 1


def test_without_as_the_operator_acts_and_no_person_is_recorded(project, files):
    good, _ = files
    assert cli.main(["import-transcript", "--project", project.slug, str(good)]) == 0
    assert cli.main(["export-findings", "--project", project.slug, "-o", "-"]) == 0
    assert Event.objects.filter(verb="findings.export", actor__isnull=True).count() == 1
    assert Event.objects.filter(verb="story.create", actor__isnull=True).count() == 1


def test_every_option_and_argument_of_every_command_says_what_it_is():
    """`cohub COMMAND --help` is where people learn a command: nothing in it goes unexplained."""
    import argparse

    from cohub.cli import build_parser

    unexplained: list[str] = []

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{path} {name}")
            elif not isinstance(action, argparse._HelpAction) and not action.help:
                unexplained.append(f"{path} {'/'.join(action.option_strings) or action.dest}")

    walk(build_parser(), "cohub")
    assert unexplained == []
