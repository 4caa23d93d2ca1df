"""Writing timed segments out as WebVTT, SubRip, plain text or JSON.

The writers are the mirror of :mod:`cohub.pipeline.formats` (which reads the
same formats), so what ``cohub transcribe`` writes imports back into a
project with its speakers and times. Speakers use each format's own way:
``<v Name>`` voice spans in WebVTT, ``Name: text`` in SubRip and plain text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Protocol

FORMATS = ("vtt", "srt", "json", "txt")


class TimedLine(Protocol):
    """What the writers need of a segment (``asr.Segment`` has it)."""

    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...
    @property
    def text(self) -> str: ...
    @property
    def speaker(self) -> str | None: ...


def _clock(seconds: float, separator: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _one_line(text: str) -> str:
    """Cue text on one line: a blank line would end the cue early in both formats."""
    return " ".join(text.split())


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(segments: Sequence[TimedLine]) -> str:
    lines = ["WEBVTT", ""]
    for segment in segments:
        lines.append(f"{_clock(segment.start, '.')} --> {_clock(segment.end, '.')}")
        text = _vtt_escape(_one_line(segment.text))
        if segment.speaker:
            speaker = _vtt_escape(_one_line(segment.speaker))
            text = f"<v {speaker}>{text}</v>"
        lines.extend([text, ""])
    return "\n".join(lines)


def _with_speaker(segment: TimedLine) -> str:
    text = _one_line(segment.text)
    return f"{_one_line(segment.speaker)}: {text}" if segment.speaker else text


def to_srt(segments: Sequence[TimedLine]) -> str:
    lines: list[str] = []
    for number, segment in enumerate(segments, start=1):
        lines.append(str(number))
        lines.append(f"{_clock(segment.start, ',')} --> {_clock(segment.end, ',')}")
        lines.extend([_with_speaker(segment), ""])
    return "\n".join(lines)


def to_txt(segments: Sequence[TimedLine]) -> str:
    """One line per segment; a blank line between speakers' turns, as people write them."""
    paragraphs: list[str] = []
    previous: str | None = None
    for segment in segments:
        if paragraphs and segment.speaker and segment.speaker == previous:
            paragraphs[-1] += " " + _one_line(segment.text)
        else:
            paragraphs.append(_with_speaker(segment))
        previous = segment.speaker
    return "\n\n".join(paragraphs) + ("\n" if paragraphs else "")


def to_json(segments: Sequence[TimedLine]) -> str:
    """A list of ``{"start", "end", "speaker", "text"}``, times in seconds."""
    rows = [
        {
            "start": segment.start,
            "end": segment.end,
            "speaker": segment.speaker,
            "text": segment.text,
        }
        for segment in segments
    ]
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


WRITERS: dict[str, Callable[[Sequence[TimedLine]], str]] = {
    "vtt": to_vtt,
    "srt": to_srt,
    "json": to_json,
    "txt": to_txt,
}


def write(segments: Sequence[TimedLine], fmt: str) -> str:
    """The segments in ``fmt`` (one of :data:`FORMATS`)."""
    return WRITERS[fmt](segments)
