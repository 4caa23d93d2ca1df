"""``cohub transcribe``: transcripts of files outside any project, in each format."""

from __future__ import annotations

import io
import json

import pytest

from cohub import cli
from cohub.pipeline.formats import parse_srt, parse_vtt
from cohub.terminal import ProgressBar
from tests.pipeline.speech import speak

SENTENCE = "My name is Robin and I look after my mother every day."


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    return speak(SENTENCE, tmp_path_factory.mktemp("cli") / "robin.wav")


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["transcribe", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_is_a_list_of_timed_segments(recording, capsys):
    code, out, err = _run(capsys, "--format", "json", str(recording))
    assert code == 0
    rows = json.loads(out)
    assert rows and all(set(row) == {"start", "end", "speaker", "text"} for row in rows)
    assert all(row["speaker"] is None for row in rows)
    assert all(0 <= row["start"] < row["end"] for row in rows)
    text = " ".join(row["text"] for row in rows).lower()
    assert "robin" in text and "mother" in text
    assert "[" not in err  # stderr is not a terminal here, so no progress bar


def test_vtt_and_srt_read_back_as_transcripts(recording, capsys):
    code, vtt, _ = _run(capsys, "--format", "vtt", str(recording))
    assert code == 0 and vtt.startswith("WEBVTT")
    cues = parse_vtt(vtt)
    assert cues and cues[0].start_ms is not None and "Robin" in " ".join(c.text for c in cues)

    code, srt, _ = _run(capsys, "--format", "srt", str(recording))
    assert code == 0
    cues = parse_srt(srt)
    assert [c.text for c in cues] == [c.text for c in parse_vtt(vtt)]


def test_txt_to_a_folder_for_several_files(recording, tmp_path, capsys):
    second = speak("The bus was late again this morning.", tmp_path / "bus.wav")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, out, err = _run(capsys, "--output-dir", str(out_dir), str(recording), str(second))
    assert code == 0 and out == ""
    assert "mother" in (out_dir / "robin.txt").read_text().lower()
    assert "morning" in (out_dir / "bus.txt").read_text().lower()
    assert f"wrote {out_dir / 'bus.txt'}" in err


def test_several_files_go_beside_them_and_a_bad_one_is_reported(recording, tmp_path, capsys):
    copy = tmp_path / "robin.wav"
    copy.write_bytes(recording.read_bytes())
    notes = tmp_path / "notes.wav"
    notes.write_text("not a recording")
    code, out, err = _run(capsys, "--format", "srt", str(copy), str(notes))
    assert code == 1
    assert "mother" in (tmp_path / "robin.srt").read_text().lower()
    assert not (tmp_path / "notes.srt").exists()
    assert f"error {notes}: This file is not a recording we can play" in err


def test_bad_speaker_count_is_a_usage_error(recording, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["transcribe", "--speakers", "lots", str(recording)])
    assert exit_.value.code == 2
    assert "--speakers takes a number of speakers or 'auto'" in capsys.readouterr().err


def test_progress_bar_draws_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    with ProgressBar("robin.wav", stream=screen) as bar:
        bar.update(0.5, 75)
        bar.update(1.0, 0)
    assert "robin.wav [" in screen.getvalue()
    assert " 50%  about 1 min 15 s left" in screen.getvalue()
    assert screen.getvalue().endswith("100%  done\n")

    piped = io.StringIO()
    with ProgressBar("robin.wav", stream=piped) as bar:
        bar.update(0.5, 10)
    assert piped.getvalue() == ""
