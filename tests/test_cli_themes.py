"""``cohub themes suggest``: JSON lines in, one line per quote out, plain errors for bad lines."""

from __future__ import annotations

import json

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
