"""Plain text transcripts, from a .txt upload or pasted into the browser."""

from __future__ import annotations

from cohub.pipeline.formats.base import (
    SegmentData,
    check_size,
    require_text,
    segments_from_paragraphs,
    split_lines,
)


def text_to_segments(text: str) -> list[SegmentData]:
    """Parse without the emptiness check, so callers can word that error for their source."""
    paragraphs: list[list[str]] = [[]]
    for line in split_lines(text.removeprefix("\ufeff")):
        if line.strip():
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return segments_from_paragraphs(paragraphs, allow_timestamps=True)


def parse_text(text: str) -> list[SegmentData]:
    """Paragraphs (split by blank lines) become segments; ``Name: text`` lines set speakers.

    Optional ``[00:01:02]`` prefixes, or ``00:01:02`` before a speaker label, give start
    times; plain text carries no end times.
    """
    check_size(len(text.encode("utf-8", errors="surrogatepass")))
    return require_text(text_to_segments(text), "There is no transcript text.")
