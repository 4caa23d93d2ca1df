"""``cohub themes suggest``: JSON lines in, one line per quote out, plain errors for bad lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cohub import cli
from cohub.pipeline.frameworks import CONDITIONS

QUOTES = [
    "They paid me for my time, the same as the staff.",
    "My bus fare and lunch were covered, so I could afford to come.",
    "I got vouchers so my benefits were not affected.",
    "The money came through late and I had to keep chasing it.",
    "The room had no lift and I use a wheelchair.",
    "We met online, which helped on the days I could not leave the house.",
    "The community centre felt safer than the hospital.",
    "The hall was noisy and too bright for me.",
    "Because of what we said, the clinic opened on Saturdays.",
    "Nothing we said changed anything at all.",
    "They sent a letter saying what they did with each idea.",
    "Our report is still sitting on a shelf two years later.",
]


@pytest.fixture
def quotes_file(tmp_path):
    path = tmp_path / "quotes.jsonl"
    lines = [json.dumps({"id": f"q{i}", "text": t}) for i, t in enumerate(QUOTES[:-1])]
    lines.insert(3, "")  # blank lines are skipped
    lines.append(json.dumps({"text": QUOTES[-1]}))  # no id: its line number stands in
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _rows(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_every_quote_gets_a_theme_and_a_score(quotes_file, capsys):
    assert cli.main(["themes", "suggest", str(quotes_file), "--themes", "3"]) == 0
    out, err = capsys.readouterr()
    rows = _rows(out)
    assert [r["id"] for r in rows] == [f"q{i}" for i in range(11)] + [13]
    assert all(set(r) == {"id", "theme", "score"} for r in rows)
    assert all(0 <= r["score"] <= 1 for r in rows)
    assert len({r["theme"] for r in rows}) == 3
    assert "12 quotes in 3 themes" in err
    # Quotes about money end up together.
    by_id = {r["id"]: r["theme"] for r in rows}
    assert by_id["q0"] == by_id["q1"] == by_id["q2"]


def test_the_same_file_gives_the_same_output(quotes_file, capsys, tmp_path):
    target = tmp_path / "out.jsonl"
    assert cli.main(["themes", "suggest", str(quotes_file), "-o", str(target)]) == 0
    first = target.read_text(encoding="utf-8")
    assert cli.main(["themes", "suggest", str(quotes_file), "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == first
    assert len(first.splitlines()) == 12


def test_a_framework_names_themes_after_its_conditions(quotes_file, capsys):
    assert cli.main(["themes", "suggest", str(quotes_file), "--framework", "conditions"]) == 0
    themes = {r["theme"] for r in _rows(capsys.readouterr().out)}
    names = {t.name for t in CONDITIONS.themes}
    assert themes & names, themes


def test_bad_lines_are_each_named_and_nothing_is_written(tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"text": "fine"}\nnot json\n{"id": "a"}\n{"text": ""}\n["x"]\n{"id": 1, "text": "x"}\n',
        encoding="utf-8",
    )
    assert cli.main(["themes", "suggest", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "line 2: this is not JSON" in err
    assert 'line 3: "text" is missing.' in err
    assert 'line 4: "text" is empty.' in err
    assert "line 5: each line must be an object" in err
    assert "line 6: the id 1 is already used on line 1." in err


def test_missing_and_empty_files(tmp_path, capsys):
    assert cli.main(["themes", "suggest", str(tmp_path / "nope.jsonl")]) == 1
    assert "There is no file" in capsys.readouterr().err
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    assert cli.main(["themes", "suggest", str(empty)]) == 1
    assert "has no quotes in it" in capsys.readouterr().err


# Written for this test only: in no bench set, no other test and no setting's choice.
UNSEEN = {
    "food": [
        "The food bank ran out of fresh vegetables by ten in the morning.",
        "I skipped meals so my kids could eat at the weekend.",
        "The school breakfast club is the only hot meal some of them get.",
        "A voucher for the supermarket would have fed us for a week.",
    ],
    "housing": [
        "Damp came through the bedroom wall every winter and the landlord ignored it.",
        "We were moved to temporary flats three times in one year.",
        "The council said the waiting list for a house was nine years.",
        "Mould on the ceiling made my son's asthma worse.",
    ],
    "phones": [
        "I was on hold for forty minutes and then the line went dead.",
        "You can only book by phone at eight in the morning, and it is always engaged.",
        "Nobody ever rang me back after I left a message.",
        "The automated menu kept sending me round in circles.",
    ],
}


def test_quotes_never_seen_before_are_grouped_by_what_they_are_about(tmp_path, capsys):
    path = tmp_path / "unseen.jsonl"
    rows = [
        (f"{topic}-{i}", text) for topic, texts in UNSEEN.items() for i, text in enumerate(texts)
    ]
    path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in rows), "utf-8")
    assert cli.main(["themes", "suggest", str(path), "--themes", "3"]) == 0
    theme_of = {r["id"]: r["theme"] for r in _rows(capsys.readouterr().out)}
    assert set(theme_of) == {i for i, _ in rows}
    for topic in UNSEEN:
        themes = [theme_of[f"{topic}-{i}"] for i in range(4)]
        # Most of each topic's quotes share one theme (a group of people would put them together).
        assert max(themes.count(t) for t in themes) >= 3, (topic, themes)


def test_the_same_file_gives_the_same_output_in_fresh_processes(quotes_file, tmp_path):
    # Each run its own process with a different string-hash order: nothing may depend on
    # the order a set or dict happens to be walked in.
    root = Path(__file__).resolve().parent.parent
    outputs = []
    for hash_seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-m", "cohub.cli", "themes", "suggest", str(quotes_file)],
            cwd=root,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(root)},
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert len(outputs[0].splitlines()) == 12
