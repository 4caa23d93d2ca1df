"""`cohub assess frameworks` and `cohub assess results` (issue 8 item 7), and the loader."""

from __future__ import annotations

import json
import shutil

import pytest

from cohub import cli
from cohub.apps.assess.models import AssessmentItem, FrameworkVersion
from cohub.apps.assess.services import FRAMEWORKS_DIR, frameworks_load
from cohub.apps.core.errors import ServiceError

pytestmark = pytest.mark.django_db

KEYS = {"conditions", "embedding", "ladder", "leaders", "matrix", "principles"}


def run(capsys, *argv):
    code = cli.main(["assess", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_frameworks_one_line_each_key_then_title(capsys):
    code, out, _ = run(capsys, "frameworks")
    assert code == 0
    lines = out.splitlines()
    assert {line.split("\t")[0] for line in lines} == KEYS
    assert "ladder\tLadder of participation" in lines


def test_frameworks_items(capsys):
    code, out, _ = run(capsys, "frameworks", "--items", "embedding")
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()] == [
        "culture",
        "structure",
        "practice",
        "review",
    ]
    assert out.splitlines()[0] == "culture\tCulture"


def test_frameworks_unknown_key(capsys):
    code, _, err = run(capsys, "frameworks", "--items", "nope")
    assert code == 2
    assert "there is no framework 'nope'" in err


def write(tmp_path, rows):
    path = tmp_path / "answers.csv"
    path.write_text("respondent,group,item,answer\n" + "".join(r + "\n" for r in rows))
    return path


def test_results_largest_gap_first_with_hidden_group(capsys, tmp_path):
    rows = [
        *(f"le{i},lived_experience,culture,disagree" for i in range(3)),
        *(f"f{i},facilitator,culture,strongly agree" for i in range(3)),
        *(f"le{i},lived_experience,review,agree" for i in range(3)),
        *(f"f{i},facilitator,review,agree" for i in range(2)),
        "f2,facilitator,review,don't know",
        "d0,decision_maker,review,strongly disagree",
        "d1,decision_maker,review,strongly disagree",
    ]
    code, out, err = run(capsys, "results", "--framework", "embedding", str(write(tmp_path, rows)))
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["item"] for r in records] == ["culture", "review", "structure", "practice"]
    culture, review = records[0], records[1]
    assert culture["title"] == "Culture"
    assert culture["gap"] == 3.0
    assert culture["groups"]["lived_experience"] == {"n": 3, "median": 2.0}
    assert culture["groups"]["facilitator"] == {"n": 3, "median": 5.0}
    assert culture["all"] == {"n": 6, "median": 3.5}
    # The two decision-makers are hidden; "don't know" is left out of the median.
    assert review["groups"]["decision_maker"] == {"n": 2, "median": None}
    assert review["groups"]["facilitator"] == {"n": 3, "median": 4.0}
    assert review["gap"] == 0.0
    assert records[2]["gap"] is None


def test_results_min_group_shows_small_groups(capsys, tmp_path):
    rows = [
        "a,lived_experience,culture,strongly disagree",
        "b,facilitator,culture,strongly agree",
    ]
    path = str(write(tmp_path, rows))
    _, out, _ = run(capsys, "results", "--framework", "embedding", path)
    assert json.loads(out.splitlines()[0])["gap"] is None
    _, out, _ = run(capsys, "results", "--framework", "embedding", "--min-group", "1", path)
    first = json.loads(out.splitlines()[0])
    assert first["item"] == "culture"
    assert first["gap"] == 4.0


def test_results_ladder_rungs(capsys, tmp_path):
    rows = [
        *(f"le{i},lived_experience,ladder-now,consulting" for i in range(3)),
        *(f"f{i},facilitator,ladder-now,co-producing" for i in range(3)),
    ]
    code, out, err = run(capsys, "results", "--framework", "ladder", str(write(tmp_path, rows)))
    assert code == 0, err
    first = json.loads(out.splitlines()[0])
    assert first["item"] == "ladder-now"
    assert first["groups"]["lived_experience"]["median"] == 4.0
    assert first["groups"]["facilitator"]["median"] == 7.0
    assert first["gap"] == 3.0


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("a,staff,culture,agree", "line 3: group 'staff' is not one of"),
        ("a,facilitator,nope,agree", "line 3: item 'nope' is not in this framework"),
        ("a,facilitator,culture,maybe", "line 3: answer 'maybe' is not one of"),
        ("a,facilitator,culture", "line 3: expected 4 values"),
        ("x,facilitator,culture,disagree", "line 3: 'x' already answered 'culture'"),
    ],
)
def test_results_refuses_bad_rows_by_line(capsys, tmp_path, row, message):
    path = write(tmp_path, ["x,facilitator,culture,agree", row])
    code, out, err = run(capsys, "results", "--framework", "embedding", str(path))
    assert code == 1
    assert out == ""
    assert message in err


def test_results_refuses_a_missing_header(capsys, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a,facilitator,culture,agree\n")
    code, _, err = run(capsys, "results", "--framework", "embedding", str(path))
    assert code == 1
    assert "line 1: the first line must name the columns" in err


def test_load_is_idempotent_and_a_new_version_is_new_rows(tmp_path):
    first = frameworks_load()
    assert {v.framework.key for v in first.added} == KEYS
    items = AssessmentItem.objects.count()
    again = frameworks_load()
    assert again.added == []
    assert len(again.unchanged) == len(KEYS)
    assert AssessmentItem.objects.count() == items

    folder = tmp_path / "frameworks"
    shutil.copytree(FRAMEWORKS_DIR, folder)
    data = json.loads((folder / "embedding.json").read_text())
    data["items"][0]["statement"] = "New words for culture."
    (folder / "embedding.json").write_text(json.dumps(data))
    with pytest.raises(ServiceError, match="give it a new version number"):
        frameworks_load(directory=folder)

    data["version"] = 2
    (folder / "embedding.json").write_text(json.dumps(data))
    loaded = frameworks_load(directory=folder)
    assert [(v.framework.key, v.version) for v in loaded.added] == [("embedding", 2)]
    versions = FrameworkVersion.objects.filter(framework__key="embedding")
    assert sorted(versions.values_list("version", flat=True)) == [1, 2]
    old = versions.get(version=1).items.get(key="culture")
    assert old.statement != "New words for culture."


def test_every_shipped_item_has_plain_and_easy_read_words_and_good():
    frameworks_load()
    for item in AssessmentItem.objects.all():
        assert item.statement and item.easy_read and item.good_looks_like
        assert item.easy_read != item.statement
