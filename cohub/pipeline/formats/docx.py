"""Word (.docx) transcripts: paragraphs with ``Name: text`` labels, or simple tables."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

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
from cohub.pipeline.formats.limits import (
    MAX_DOCX_ELEMENTS,
    MAX_DOCX_ENTRIES,
    MAX_DOCX_PARAGRAPHS,
    MAX_DOCX_XML_BYTES,
)

_READ_CHUNK_BYTES = 1024 * 1024
_WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PARAGRAPH_TAG = f"{{{_WORD_NS}}}p"

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


def _is_xml_part(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels"))


def _too_large(what: str) -> TranscriptFormatError:
    return TranscriptFormatError(
        f"This Word document {what}, which is more than one transcript needs. Split it "
        "into smaller documents (one per hour, say) and import each as its own story."
    )


def _read_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """Inflate one part in small pieces, stopping as soon as it passes ``budget`` bytes."""
    pieces = []
    size = 0
    with archive.open(info) as part:
        while piece := part.read(_READ_CHUNK_BYTES):
            size += len(piece)
            if size > budget:
                raise _too_large(f"unpacks to more than {MAX_DOCX_XML_BYTES // 2**20} MB of text")
            pieces.append(piece)
    return b"".join(pieces)


@dataclass
class _Tally:
    """Paragraphs and elements counted so far, across all the XML parts of one document."""

    paragraphs: int = 0
    elements: int = 0

    def count(self, xml: bytes) -> None:
        """Count one part as a stream, refusing a bomb before python-docx builds it.

        python-docx builds the whole tree and a proxy per paragraph; a few kilobytes
        of zip can hold millions of empty paragraphs. Each element is dropped once
        counted, so memory stays flat however many there are.
        """
        events = etree.iterparse(
            io.BytesIO(xml), events=("end",), resolve_entities=False, no_network=True
        )
        for _, element in events:
            self.elements += 1
            if element.tag == _PARAGRAPH_TAG:
                self.paragraphs += 1
            if self.paragraphs > MAX_DOCX_PARAGRAPHS:
                raise _too_large(f"has more than {MAX_DOCX_PARAGRAPHS:,} paragraphs")
            if self.elements > MAX_DOCX_ELEMENTS:
                raise _too_large(f"has more than {MAX_DOCX_ELEMENTS:,} pieces of markup")
            element.clear()
            while (previous := element.getprevious()) is not None:
                previous.getparent().remove(previous)


def _check_archive(data: bytes) -> bytes:
    """Refuse zip bombs before python-docx unpacks every part into memory.

    The sizes a zip declares can lie: a part that claims a few bytes may
    inflate to gigabytes, and python-docx reads each part in one call, which
    inflates all of it before cutting it to the declared size. So each XML part
    is read here in small pieces, counting the real bytes against one budget for
    the whole document, and its paragraphs are counted; the document is packed
    again with honest sizes and python-docx reads that copy. Pictures and other
    binary parts are never read, so they are packed as empty files and cost nothing.
    """
    clean = io.BytesIO()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_DOCX_ENTRIES:
                raise _too_large(f"holds {len(infos):,} files inside it")
            budget = MAX_DOCX_XML_BYTES
            tally = _Tally()
            with zipfile.ZipFile(clean, "w", zipfile.ZIP_STORED) as repacked:
                for info in infos:
                    if info.is_dir():
                        continue
                    if not _is_xml_part(info.filename):
                        repacked.writestr(info.filename, b"")
                        continue
                    xml = _read_part(archive, info, budget)
                    budget -= len(xml)
                    tally.count(xml)
                    repacked.writestr(info.filename, xml)
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
        etree.LxmlError,
    ):
        raise TranscriptFormatError(NOT_DOCX_MESSAGE) from None
    return clean.getvalue()


def _row_cells(row: _Row) -> list[str]:
    """Cell texts with horizontally merged cells counted once, as the reader sees them.

    python-docx repeats a merged cell for every grid column it spans; the underlying
    ``<w:tc>`` element is what tells the repeats apart from equal neighbours.
    """
    seen: set[object] = set()  # lxml elements hash by identity; the set keeps them alive
    texts: list[str] = []
    for cell in row.cells:
        if cell._tc in seen:
            continue
        seen.add(cell._tc)
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
