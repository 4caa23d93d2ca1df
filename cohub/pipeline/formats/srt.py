"""SubRip (.srt) subtitles.

Parsed by hand, line by line, so errors can name the line and cue, and so the common
defects of hand-edited files (missing numbers, '.' for ',', missing or extra blank lines)
are read rather than refused.
"""

from __future__ import annotations

import re
from dataclasses import replace

from cohub.pipeline.formats.base import (
    SegmentData,
    TranscriptFormatError,
    check_size,
    require_text,
    segments_from_paragraphs,
    split_lines,
    timing_to_ms,
)
from cohub.pipeline.words import split_cue_time

_TIMESTAMP = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIMESTAMP}\s*-->\s*{_TIMESTAMP}(?:\s+.*)?\s*$")
_TIMING_LIKE = re.compile(r"-->|^\s*\d+:\d")
_INDEX = re.compile(r"^\s*\d+\s*$")
_EXPECTED_TIMING = "'HH:MM:SS,mmm --> HH:MM:SS,mmm'"
# A tag's body stops at the next "<" (and an override at the next "{"), so a failed
# match never rescans the rest of the line: linear time on any input, where
# ``[^>]*`` made a line of repeated "<i " quadratic (see bench/parse_transcripts.py).
_TAGS = re.compile(r"</?(?:i|b|u|s|font)(?:\s[^<>]*)?>|\{\\[^{}]*\}", re.IGNORECASE)


def _parse_timing(line: str, *, line_no: int, cue_no: int) -> tuple[int, int]:
    return timing_to_ms(line, _TIMING, _EXPECTED_TIMING, line_no=line_no, cue_no=cue_no)


def _is_blank(line: str) -> bool:
    return not line.strip()


def parse_srt(text: str) -> list[SegmentData]:
    """Read SubRip cues into segments with start and end times and ``Name: text`` speakers.

    A cue with timing but no text is skipped. When a blank line between cues is missing,
    a timing line inside cue text starts the next cue (taking the number above it along).
    """
    check_size(len(text.encode("utf-8", errors="surrogatepass")))
    lines = split_lines(text.removeprefix("\ufeff"))
    count = len(lines)
    segments: list[SegmentData] = []
    cue_no = 0
    index = 0
    while index < count:
        line = lines[index]
        if _is_blank(line):
            index += 1
            continue

        cue_no += 1
        if _INDEX.match(line):
            if index + 1 >= count or _is_blank(lines[index + 1]):
                raise TranscriptFormatError(
                    f"Cue number '{line.strip()}' is not followed by a timing line such as "
                    "'00:00:01,000 --> 00:00:04,000'.",
                    line=index + 1,
                    cue=cue_no,
                )
            index += 1
        elif not _TIMING_LIKE.search(line):
            raise TranscriptFormatError(
                f"Expected a cue number or a timing line such as '00:00:01,000 --> "
                f"00:00:04,000' but found '{line.strip()}'. If this text belongs to the cue "
                "above, remove the blank line before it.",
                line=index + 1,
                cue=cue_no,
            )
        start_ms, end_ms = _parse_timing(lines[index], line_no=index + 1, cue_no=cue_no)

        index += 1
        text_lines: list[str] = []
        while index < count and not _is_blank(lines[index]):
            if _TIMING.match(lines[index]):
                if text_lines and _INDEX.match(text_lines[-1]):
                    text_lines.pop()
                    index -= 1
                break
            text_lines.append(_TAGS.sub("", lines[index]))
            index += 1
        found = segments_from_paragraphs([text_lines], allow_timestamps=False)
        # Several speakers in one cue share its time by how much each says.
        times = split_cue_time([s.text for s in found], start_ms, end_ms)
        segments.extend(
            replace(s, start_ms=begin, end_ms=finish)
            for s, (begin, finish) in zip(found, times, strict=True)
        )
    return require_text(segments)
