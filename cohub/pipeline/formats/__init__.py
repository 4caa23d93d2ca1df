"""Pure transcript-format parsers: uploaded bytes or pasted text in, segments out.

No Django here; the stories services call :func:`parse_transcript` and store the result.
"""

from __future__ import annotations

from pathlib import PurePath

from cohub.pipeline.formats.base import (
    MAX_TRANSCRIPT_BYTES,
    NO_TEXT_MESSAGE,
    SegmentData,
    TranscriptFormatError,
    check_size,
    decode_text,
    require_text,
)
from cohub.pipeline.formats.docx import parse_docx
from cohub.pipeline.formats.sniff import DOCX, ZIP, Content, sniff
from cohub.pipeline.formats.srt import parse_srt
from cohub.pipeline.formats.txt import parse_text, text_to_segments
from cohub.pipeline.formats.vtt import parse_vtt

__all__ = [
    "MAX_TRANSCRIPT_BYTES",
    "SUPPORTED_EXTENSIONS",
    "SegmentData",
    "TranscriptFormatError",
    "parse_docx",
    "parse_srt",
    "parse_text",
    "parse_transcript",
    "parse_vtt",
]

SUPPORTED_EXTENSIONS = (".txt", ".vtt", ".srt", ".docx")


def parse_transcript(data: bytes, filename: str) -> list[SegmentData]:
    """Pick the parser by extension (case-insensitive) and parse the uploaded bytes.

    Raises :class:`TranscriptFormatError` for an unsupported extension, an oversized,
    empty or binary file, a file whose content is not what its name says, or a format
    error, always with a message fit to show the uploader.
    """
    extension = PurePath(filename).suffix.lower()
    if extension not in SUPPORTED_EXTENSIONS:
        shown = f"'{extension}' files" if extension else "Files without an extension"
        raise TranscriptFormatError(
            f"{shown} cannot be imported as transcripts. Supported formats are "
            f"{', '.join(SUPPORTED_EXTENSIONS)}."
        )
    check_size(len(data))
    if not data.strip():
        raise TranscriptFormatError(NO_TEXT_MESSAGE)
    content = sniff(data)
    if extension == ".docx":
        # A damaged Word document still starts like a zip: parse_docx names the damage.
        if content is not None and content not in (DOCX, ZIP):
            raise _disagrees(extension, content)
        if content is None and _reads_as_text(data):
            raise TranscriptFormatError(
                "This file's name ends in .docx, but it holds plain text, not a Word "
                "document. Rename it to end in .txt and import it again."
            )
        return parse_docx(data)
    if content is not None:
        raise _disagrees(extension, content)
    if extension == ".vtt":
        return parse_vtt(decode_text(data, allow_cp1252=False))
    if extension == ".srt":
        return parse_srt(decode_text(data, allow_cp1252=True))
    return require_text(text_to_segments(decode_text(data, allow_cp1252=True)))


def _disagrees(extension: str, content: Content) -> TranscriptFormatError:
    return TranscriptFormatError(
        f"This file's name ends in {extension}, but it holds {content.what}. {content.advice}"
    )


def _reads_as_text(data: bytes) -> bool:
    try:
        decode_text(data, allow_cp1252=True)
    except TranscriptFormatError:
        return False
    return True
