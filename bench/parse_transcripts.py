"""How fast cohub reads a long video-call transcript, next to webvtt-py and srt.

Makes a two-hour, two-speaker call (one cue every ~3 s) as WebVTT and SRT,
parses each many times with cohub's parsers and with the peer libraries, and
prints cues per second for each. Run with `make bench`.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cohub.pipeline.formats import parse_srt, parse_vtt  # noqa: E402

CUES = 2400
REPEATS = 7


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


if __name__ == "__main__":
    main()
