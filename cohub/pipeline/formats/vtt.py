"""WebVTT captions, including Zoom and Microsoft Teams transcript exports.

Parsed by hand rather than with webvtt-py because errors must name the line and cue the
person has to fix, and because voice spans (``<v Name>``) decide how a cue is split.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

from cohub.pipeline.formats.base import (
    NO_TEXT_MESSAGE,
    SegmentData,
    TranscriptFormatError,
    check_size,
    normalise_whitespace,
    require_text,
    segments_from_paragraphs,
    split_lines,
    timing_to_ms,
)
from cohub.pipeline.words import split_cue_time

_HEADER = re.compile(r"^WEBVTT(?:[ \t].*)?$")
_SKIPPED_BLOCK = re.compile(r"^(?:NOTE|STYLE|REGION)(?:[ \t].*)?$")
_TIMESTAMP = r"(?:(\d+):)?(\d{2}):(\d{2})[.,](\d{3})"
_TIMING = re.compile(rf"^\s*{_TIMESTAMP}\s*-->\s*{_TIMESTAMP}(?:\s+.*)?\s*$")
_TIMING_LIKE = re.compile(r"-->|^\s*\d+:\d")
_EXPECTED_TIMING = "'HH:MM:SS.mmm --> HH:MM:SS.mmm' (the hours are optional)"

# Tag patterns are written so that matching stays linear in the text: a tag's body is
# ``[^<>]*``, so a failed attempt stops at the next "<" instead of scanning to the end
# of the cue, and no two repeated pieces can match the same characters (so nothing
# backtracks). ``[^>]*`` here made a cue of repeated "<v " take time growing with the
# square of its length; see bench/parse_transcripts.py.
_VOICE = re.compile(r"<v(?:\.[^\s<>]*)?(?:[ \t\n](?P<name>[^<>]*))?>|</v\s*>", re.IGNORECASE)
_OTHER_TAGS = re.compile(r"</?(?:c|i|b|u|ruby|rt|lang)(?:[.\s][^<>]*)?>|<\d[\d:.]*>", re.IGNORECASE)


def parse_timing(line: str, *, line_no: int, cue_no: int) -> tuple[int, int]:
    return timing_to_ms(line, _TIMING, _EXPECTED_TIMING, line_no=line_no, cue_no=cue_no)


def _clean(text: str) -> str:
    return html.unescape(_OTHER_TAGS.sub("", text))


def cue_text_to_segments(text: str, *, start_ms: int, end_ms: int) -> list[SegmentData]:
    """Split a cue at each voice span; text outside voices may carry ``Name: text`` labels.

    Teams writes one ``<v Name>`` per speaker and sometimes several in a cue; each becomes
    its own segment, and the cue's time is shared between them by length, since the file
    gives no finer timing.
    """
    pieces: list[tuple[str | None, str]] = []
    voice: str | None = None
    position = 0
    for match in _VOICE.finditer(text):
        pieces.append((voice, text[position : match.start()]))
        position = match.end()
        is_closing = match.group(0).startswith("</")
        voice = None if is_closing else normalise_whitespace(html.unescape(match["name"] or ""))
    pieces.append((voice, text[position:]))

    segments: list[SegmentData] = []
    for speaker, raw in pieces:
        cleaned = _clean(raw)
        if speaker is None:
            found = segments_from_paragraphs([cleaned.split("\n")], allow_timestamps=False)
        elif body := normalise_whitespace(cleaned):
            found = [SegmentData(text=body, speaker=speaker)]
        else:
            found = []
        segments.extend(found)
    # Several voices in one cue share its time by how much each says, so their
    # words are not all timed over the whole cue.
    times = split_cue_time([s.text for s in segments], start_ms, end_ms)
    return [
        replace(s, start_ms=begin, end_ms=finish)
        for s, (begin, finish) in zip(segments, times, strict=True)
    ]


def _is_blank(line: str) -> bool:
    return not line.strip()


def parse_vtt(text: str) -> list[SegmentData]:
    """Read a WebVTT file into segments with start and end times.

    A cue with timing but no text is skipped; anything the parser cannot place (a bad
    timing line, a block with no timing line) is an error naming its line and cue.
    """
    check_size(len(text.encode("utf-8", errors="surrogatepass")))
    lines = split_lines(text.removeprefix("\ufeff"))
    if not _HEADER.match(lines[0].rstrip()):
        if not "".join(lines).strip():
            raise TranscriptFormatError(NO_TEXT_MESSAGE)
        raise TranscriptFormatError(
            "A WebVTT file must start with the word 'WEBVTT' on its first line. Check that "
            "this is a .vtt caption file, or add 'WEBVTT' and a blank line at the top.",
            line=1,
        )

    count = len(lines)
    index = 1
    while index < count and not _is_blank(lines[index]):
        index += 1

    segments: list[SegmentData] = []
    cue_no = 0
    while index < count:
        line = lines[index]
        if _is_blank(line):
            index += 1
            continue
        if _SKIPPED_BLOCK.match(line.rstrip()):
            while index < count and not _is_blank(lines[index]):
                index += 1
            continue

        cue_no += 1
        timing_index = index
        if not _TIMING_LIKE.search(line):
            timing_index = index + 1
            if (
                timing_index >= count
                or _is_blank(lines[timing_index])
                or not _TIMING_LIKE.search(lines[timing_index])
            ):
                raise TranscriptFormatError(
                    f"This block ('{line.strip()}') has no timing line. Each cue needs one "
                    "such as '00:00:01.000 --> 00:00:04.000'; if the text belongs to the cue "
                    "above, remove the blank line before it.",
                    line=index + 1,
                    cue=cue_no,
                )
        start_ms, end_ms = parse_timing(
            lines[timing_index], line_no=timing_index + 1, cue_no=cue_no
        )

        index = timing_index + 1
        text_lines: list[str] = []
        while index < count and not _is_blank(lines[index]) and "-->" not in lines[index]:
            text_lines.append(lines[index])
            index += 1
        segments.extend(
            cue_text_to_segments("\n".join(text_lines), start_ms=start_ms, end_ms=end_ms)
        )

    if cue_no == 0:
        raise TranscriptFormatError(f"{NO_TEXT_MESSAGE[:-1]}: it has a WEBVTT header but no cues.")
    return require_text(segments)
