"""A Word document whose zip headers lie about part sizes cannot exhaust memory."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
import zlib

import docx
import pytest

from cohub.pipeline.formats import TranscriptFormatError, parse_transcript

REAL_BYTES = 64 * 1024 * 1024
DECLARED_BYTES = 1000


def _lying_docx() -> bytes:
    """A real .docx whose document part claims 1,000 bytes but inflates to 64 MB."""
    document = docx.Document()
    document.add_paragraph("Sam: hello")
    original = io.BytesIO()
    document.save(original)
    source = zipfile.ZipFile(original)

    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = b"\0" * (1024 * 1024)
    bomb = b"".join(compressor.compress(block) for _ in range(REAL_BYTES // len(block)))
    bomb += compressor.flush()

    out = io.BytesIO()
    central = []
    for info in source.infolist():
        if info.filename == "word/document.xml":
            method, raw, crc = 8, bomb, zlib.crc32(b"\0" * DECLARED_BYTES)
            size = DECLARED_BYTES
        else:
            raw = source.read(info.filename)
            method, crc, size = 0, zlib.crc32(raw), len(raw)
        name = info.filename.encode()
        offset = out.tell()
        out.write(
            struct.pack(
                "<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(raw), size, len(name), 0
            )
        )
        out.write(name + raw)
        central.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                method,
                0,
                0,
                crc,
                len(raw),
                size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
    start = out.tell()
    out.write(b"".join(central))
    out.write(
        struct.pack(
            "<4s4H2LH",
            b"PK\x05\x06",
            0,
            0,
            len(central),
            len(central),
            out.tell() - start,
            start,
            0,
        )
    )
    return out.getvalue()


def test_part_that_lies_about_its_size_is_never_inflated_whole():
    data = _lying_docx()
    assert len(data) < 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(TranscriptFormatError):
            parse_transcript(data, "interview.docx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024
