"""How fast cohub reads a long video-call transcript, next to webvtt-py and srt,
and how its time grows on files made to be slow.

Makes a two-hour, two-speaker call (one cue every ~3 s) as WebVTT and SRT,
parses each many times with cohub's parsers and with the peer libraries, and
prints cues per second for each. Then parses hostile cues (a tag opened over and
over, never closed) at three sizes, printing milliseconds per KB: flat means
linear. Beside each, the tag pattern cohub used before is timed on the same text
as the baseline; its time per KB grows with the size (it was quadratic, and
cubic for a voice tag with a long run of spaces). Run with `make bench`.
"""

from __future__ import annotations

import io
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cohub.pipeline.formats import parse_srt, parse_vtt  # noqa: E402

CUES = 2400
REPEATS = 7
HOSTILE_KB = (1, 4, 16, 1024)
# The old pattern is skipped where, growing with the square of the size, it would take longer.
BASELINE_BUDGET_S = 20.0

SRT_HEAD = "1\n00:00:01,000 --> 00:00:02,000\n"
VTT_HEAD = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n"
# The patterns as they were before issue 6: a tag body of [^>]* rescans the rest of
# the cue from every "<", and "[ \t\n]+" before "[^>]*" backtracks within a match.
OLD_SRT_TAGS = re.compile(r"</?(?:i|b|u|s|font)(?:\s[^>]*)?>|\{\\[^}]*\}", re.IGNORECASE)
OLD_VTT_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t\n]+(?P<name>[^>]*))?>|</v\s*>", re.IGNORECASE)
OLD_VTT_TAGS = re.compile(r"</?(?:c|i|b|u|ruby|rt|lang)(?:[.\s][^>]*)?>|<\d[\d:.]*>", re.IGNORECASE)


def clock(ms: int, sep: str) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def make_call() -> tuple[str, str]:
    vtt, srt = ["WEBVTT", ""], []
    for i in range(CUES):
        start, end = i * 3000, i * 3000 + 2800
        speaker = "Sam Reporter" if i % 2 else "Robin"
        words = f"I rang them again on day {i} and waited on hold, then someone said to call back."
        vtt += [str(i + 1), f"{clock(start, '.')} --> {clock(end, '.')}"]
        vtt += [f"<v {speaker}>{words}</v>", ""]
        srt += [str(i + 1), f"{clock(start, ',')} --> {clock(end, ',')}"]
        srt += [f"{speaker}: {words}", ""]
    return "\n".join(vtt), "\n".join(srt)


def best_rate(parse: Callable[[], int]) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        count = parse()
        times.append(time.perf_counter() - started)
    assert count == CUES, f"parsed {count} cues, expected {CUES}"
    return CUES / statistics.median(times)


def _seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def hostile_rows() -> None:
    """Milliseconds per KB for cohub's parser and the old pattern, at growing sizes."""
    shapes: list[tuple[str, Callable[[str], object], str, str, re.Pattern[str]]] = [
        ("SRT, '<i ' repeated", parse_srt, SRT_HEAD, "<i ", OLD_SRT_TAGS),
        ("VTT, '<v ' repeated", parse_vtt, VTT_HEAD, "<v ", OLD_VTT_VOICE),
        ("VTT, '<c.' repeated", parse_vtt, VTT_HEAD, "<c.", OLD_VTT_TAGS),
        ("VTT, '<v' + spaces", parse_vtt, VTT_HEAD, " ", OLD_VTT_VOICE),
    ]
    sizes = "".join(f"{kb:>9} KB" for kb in HOSTILE_KB)
    print(f"\nHostile cues, ms per KB of cue text (flat = linear){'':8}{sizes}")
    for name, parse, head, unit, old in shapes:
        cohub_cells, old_cells = [], []
        previous: tuple[int, float] | None = None
        for kb in HOSTILE_KB:
            body = unit * (kb * 1024 // len(unit))
            if unit == " ":
                body = "<v" + body
            text = f"{head}{body}\n"
            cohub_cells.append(_seconds(lambda text=text, parse=parse: parse(text)) * 1000 / kb)
            if previous is not None and previous[1] * (kb / previous[0]) ** 2 > BASELINE_BUDGET_S:
                old_cells.append(None)
                continue
            took = _seconds(lambda body=body, old=old: old.sub("", body))
            old_cells.append(took * 1000 / kb)
            previous = (kb, took)
        print(f"  {name:<24} cohub now       " + "".join(f"{ms:>12.3f}" for ms in cohub_cells))
        print(
            f"  {'':<24} old pattern     "
            + "".join("   (skipped)" if ms is None else f"{ms:>12.3f}" for ms in old_cells)
        )


def main() -> None:
    vtt_text, srt_text = make_call()
    rows = [
        ("cohub parse_vtt", best_rate(lambda: len(parse_vtt(vtt_text)))),
        ("cohub parse_srt", best_rate(lambda: len(parse_srt(srt_text)))),
    ]
    try:
        import webvtt

        rows.append(
            ("webvtt-py (peer)", best_rate(lambda: len(webvtt.from_buffer(io.StringIO(vtt_text)))))
        )
    except ImportError:
        rows.append(("webvtt-py (peer)", float("nan")))
    try:
        import srt

        rows.append(("srt (peer)", best_rate(lambda: len(list(srt.parse(srt_text))))))
    except ImportError:
        rows.append(("srt (peer)", float("nan")))
    print(f"Parsing a two-hour call ({CUES} cues), median of {REPEATS} runs")
    for name, rate in rows:
        print(f"  {name:<18} {rate:>12,.0f} cues/s   {CUES / rate * 1000:8.1f} ms per file")
    print("(peers give text only; cohub also splits speakers, strips tags and checks timings)")
    hostile_rows()


if __name__ == "__main__":
    main()
