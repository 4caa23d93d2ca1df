"""``cohub redact``: de-identified text on stdout, findings on stderr, and the JSON lines mode."""

from __future__ import annotations

import io
import json

import pytest

from cohub import cli
from cohub.pipeline.redact import redactor

STORY = "Priya: My name is Priya Sharma. Ring 07700 900123.\nPriya lives in LS6 2AB.\n"


@pytest.fixture(scope="module", autouse=True)
def engine():
    return redactor()  # load the model once for the module


def run(capsys, *args):
    code = cli.main(["redact", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_file_comes_out_de_identified_with_findings_on_stderr(tmp_path, capsys):
    path = tmp_path / "interview.txt"
    path.write_text(STORY, encoding="utf-8")
    code, out, err = run(capsys, str(path))
    assert code == 0
    assert (
        out
        == "[PERSON 1]: My name is [PERSON 1]. Ring [PHONE 1].\n[PERSON 1] lives in [POSTCODE 1].\n"
    )
    lines = err.strip().splitlines()
    assert f"{path}:1:19: person 'Priya Sharma' -> [PERSON 1] (cue)" in lines
    assert any(line.startswith(f"{path}:2:16: postcode 'LS6 2AB'") for line in lines)
    assert "Priya" not in out


def test_standard_input(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("Email sam@example.org today."))
    code, out, err = run(capsys, "-")
    assert (code, out) == (0, "Email [EMAIL 1] today.")
    assert "stdin:1:7: email 'sam@example.org'" in err


def test_deny_and_allow_files(tmp_path, capsys):
    deny = tmp_path / "deny.txt"
    deny.write_text("# local names\nperson: Shaz\nBrookside Centre\n", encoding="utf-8")
    allow = tmp_path / "allow.txt"
    allow.write_text("Andy Burnham\n", encoding="utf-8")
    story = tmp_path / "s.txt"
    story.write_text("Shaz met Andy Burnham at the Brookside Centre.", encoding="utf-8")
    code, out, _ = run(capsys, "--deny", str(deny), "--allow", str(allow), str(story))
    assert (code, out) == (0, "[PERSON 1] met Andy Burnham at the [ORGANISATION 1].")


def test_jsonl_reads_and_writes_one_object_a_line(monkeypatch, capsys):
    lines = [
        json.dumps({"id": "a", "text": "Tom Baker rang 0113 496 0000."}),
        "",
        "this is not json",
        json.dumps({"id": 7, "words": "no text here"}),
        json.dumps({"id": 8, "text": "Nothing personal at all."}),
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    code, out, err = run(capsys, "--jsonl", "-")
    assert code == 1  # two bad lines, said on stderr; the good lines are still written
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row["id"] for row in rows] == ["a", 8]
    assert rows[0]["text"] == "[PERSON 1] rang [PHONE 1]."
    assert {(f["kind"], f["text"], f["replacement"]) for f in rows[0]["findings"]} == {
        ("person", "Tom Baker", "[PERSON 1]"),
        ("phone", "0113 496 0000", "[PHONE 1]"),
    }
    assert rows[1] == {"id": 8, "text": "Nothing personal at all.", "findings": []}
    assert "stdin:3: not JSON" in err
    assert "stdin:4: each line needs an object with a 'text' string" in err


def test_a_missing_file_is_named_and_the_others_still_run(tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text("Hello.", encoding="utf-8")
    code, out, err = run(capsys, str(tmp_path / "missing.txt"), str(good))
    assert code == 1
    assert out == "Hello."
    assert "missing.txt" in err and "No such file" in err


@pytest.mark.django_db
def test_a_projects_lists_are_used_as_in_the_hub(tmp_path, capsys):
    from cohub.apps.redaction.services import project_lists_update
    from tests.factories import ProjectFactory

    project = ProjectFactory()
    project_lists_update(
        project=project, actor=None, deny_text="person: Shaz", allow_text="Andy Burnham"
    )
    story = tmp_path / "s.txt"
    story.write_text("Shaz met Andy Burnham.", encoding="utf-8")
    code, out, _ = run(capsys, "--project", project.slug, str(story))
    assert (code, out) == (0, "[PERSON 1] met Andy Burnham.")
    code, _, err = run(capsys, "--project", "no-such-project", str(story))
    assert code != 0 and "no-such-project" in err
