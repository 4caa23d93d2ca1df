"""Word (.docx) transcripts: paragraphs with ``Name: text`` labels, or simple tables."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table, _Row
from lxml import etree

from cohub.pipeline.formats.base import (
    SegmentData,
    TranscriptFormatError,
    check_size,
    clean_speaker,
    normalise_whitespace,
    parse_clock,
    require_text,
    segments_from_paragraphs,
    split_speaker_label,
)

MAX_DOCX_UNPACKED_BYTES = 200 * 1024 * 1024
_READ_CHUNK_BYTES = 1024 * 1024

NOT_DOCX_MESSAGE = (
    "This file is not a readable Word document (.docx). If it is an older .doc file, open "
    "it in Word and save it as .docx; otherwise check that the file is not damaged."
)

_HEADER_WORDS = frozenset(
    {
        "speaker",
        "name",
        "who",
        "time",
        "timestamp",
        "start",
        "text",
        "transcript",
        "utterance",
        "speech",
        "content",
        "dialogue",
    }
)


def _check_archive(data: bytes) -> bytes:
    """Refuse zip bombs before python-docx unpacks every part into memory.

    The sizes a zip declares can lie: a part that claims a few bytes may
    inflate to gigabytes, and python-docx reads each part in one call, which
    inflates all of it before cutting it to the declared size. So each part is
    read here in small pieces (never past its declared size) and the document
    is packed again with honest sizes; python-docx reads that copy.
    """
    clean = io.BytesIO()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            unpacked = sum(info.file_size for info in infos)
            if unpacked > MAX_DOCX_UNPACKED_BYTES:
                raise TranscriptFormatError(
                    "This Word document unpacks to more than "
                    f"{MAX_DOCX_UNPACKED_BYTES // (1024 * 1024)} MB, which is too large to "
                    "import. Remove images or split it into smaller documents."
                )
            with zipfile.ZipFile(clean, "w", zipfile.ZIP_STORED) as repacked:
                for info in infos:
                    if info.is_dir():
                        continue
                    pieces = []
                    with archive.open(info) as part:
                        while piece := part.read(_READ_CHUNK_BYTES):
                            pieces.append(piece)
                    repacked.writestr(info.filename, b"".join(pieces))
    except TranscriptFormatError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        OSError,
        RuntimeError,  # an encrypted part
        NotImplementedError,  # a compression method Word never uses
        ValueError,
    ):
        raise TranscriptFormatError(NOT_DOCX_MESSAGE) from None
    return clean.getvalue()


def _row_cells(row: _Row) -> list[str]:
    """Cell texts with horizontally merged cells counted once, as the reader sees them.

    python-docx repeats a merged cell for every grid column it spans; the underlying
    ``<w:tc>`` element is what tells the repeats apart from equal neighbours.
    """
    seen: list[object] = []
    texts: list[str] = []
    for cell in row.cells:
        if any(element is cell._tc for element in seen):
            continue
        seen.append(cell._tc)
        texts.append(cell.text)
    return texts


def _is_header_row(cells: list[str]) -> bool:
    names = [normalise_whitespace(cell).rstrip(":").lower() for cell in cells]
    return all(name in _HEADER_WORDS for name in names if name) and any(names)


def _table_segments(table: Table) -> Iterator[SegmentData]:
    """Rows of ``[speaker, text]`` or ``[time, speaker, text]`` (time in any column).

    Rows that do not fit, such as layout tables, are read cell by cell as paragraphs.
    """
    for row_no, row in enumerate(table.rows):
        cells = _row_cells(row)
        if row_no == 0 and _is_header_row(cells):
            continue
        start_ms: int | None = None
        rest = cells
        if len(cells) in (2, 3):
            for position, cell in enumerate(cells):
                if (start_ms := parse_clock(cell)) is not None:
                    rest = cells[:position] + cells[position + 1 :]
                    break
        if len(rest) == 2:
            speaker = clean_speaker(rest[0]) if rest[0].strip() else ""
            if speaker is not None:
                if text := normalise_whitespace(rest[1]):
                    yield SegmentData(text=text, speaker=speaker, start_ms=start_ms)
                continue
        elif len(rest) == 1 and start_ms is not None:
            label = split_speaker_label(rest[0])
            speaker, text = label if label is not None and label[1] else ("", rest[0])
            if text := normalise_whitespace(text):
                yield SegmentData(text=text, speaker=speaker, start_ms=start_ms)
            continue
        yield from segments_from_paragraphs(
            [cell.split("\n") for cell in cells], allow_timestamps=True
        )


def parse_docx(data: bytes) -> list[SegmentData]:
    """Read paragraphs and tables in document order; headers, footers and notes are left out.

    Each non-empty paragraph is a segment, split further where soft line breaks start new
    ``Name: text`` turns. Word documents carry no end times.
    """
    check_size(len(data))
    data = _check_archive(data)
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = list(document.iter_inner_content())
    except (
        zipfile.BadZipFile,
        zlib.error,
        KeyError,
        ValueError,
        OSError,
        etree.LxmlError,
        PackageNotFoundError,
    ):
        raise TranscriptFormatError(NOT_DOCX_MESSAGE) from None

    segments: list[SegmentData] = []
    paragraphs: list[list[str]] = []
    for block in blocks:
        if isinstance(block, Table):
            segments.extend(segments_from_paragraphs(paragraphs, allow_timestamps=True))
            paragraphs = []
            segments.extend(_table_segments(block))
        else:
            paragraphs.append(block.text.split("\n"))
    segments.extend(segments_from_paragraphs(paragraphs, allow_timestamps=True))
    return require_text(segments)
