"""What a file really holds, from its first bytes, for when its name says otherwise.

A transcript is picked by its extension, but people rename files, phones save
photos as ``.txt`` and an older Word file keeps its ``.doc`` inside a ``.docx``
name. Read by the wrong parser, such a file gives a puzzling error at best and,
for a PDF named ``.txt``, a "story" of PDF syntax at worst. So the bytes are
looked at first, and a file whose content disagrees with its name is refused
with both named and what to do about it.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class Content:
    what: str  # "a PDF document": fits "but it holds ..."
    advice: str


RECORDING_ADVICE = (
    "Recordings are added on the project's 'Add a recording' page, not imported as transcripts."
)
PICTURE_ADVICE = "Check that you chose the right file: a transcript is words, not a picture."

_SIGNATURES: tuple[tuple[int, bytes, Content], ...] = (
    (
        0,
        b"%PDF-",
        Content(
            "a PDF document",
            "cohub cannot read PDF files: open it, copy its words into a .txt file or save "
            "it as .docx, and import that.",
        ),
    ),
    (
        0,
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        Content(
            "an older Word (.doc) or Office file",
            "Open it in Word or LibreOffice, save it as .docx, and import that.",
        ),
    ),
    (
        0,
        b"{\\rtf",
        Content(
            "a rich text (.rtf) document",
            "Open it in a word processor, save it as .docx or .txt, and import that.",
        ),
    ),
    (0, b"\x89PNG\r\n\x1a\n", Content("a PNG picture", PICTURE_ADVICE)),
    (0, b"\xff\xd8\xff", Content("a JPEG photo", PICTURE_ADVICE)),
    (0, b"GIF87a", Content("a GIF picture", PICTURE_ADVICE)),
    (0, b"GIF89a", Content("a GIF picture", PICTURE_ADVICE)),
    (0, b"OggS\x00", Content("an Ogg recording", RECORDING_ADVICE)),
    (0, b"fLaC", Content("a FLAC recording", RECORDING_ADVICE)),
    (0, b"ID3\x02", Content("an MP3 recording", RECORDING_ADVICE)),
    (0, b"ID3\x03", Content("an MP3 recording", RECORDING_ADVICE)),
    (0, b"ID3\x04", Content("an MP3 recording", RECORDING_ADVICE)),
    (0, b"\x1a\x45\xdf\xa3", Content("a WebM or Matroska recording", RECORDING_ADVICE)),
    (4, b"ftyp", Content("an MP4 or M4A recording", RECORDING_ADVICE)),
    (8, b"WAVE", Content("a WAV recording", RECORDING_ADVICE)),
)

DOCX = Content("a Word document (.docx)", "Rename it to end in .docx and import it again.")
ZIP = Content(
    "a zip archive", "Unpack it and import the transcripts inside it (.txt, .vtt, .srt or .docx)."
)
QDPX = Content(
    "a REFI-QDA project (.qdpx)",
    "Projects from other analysis tools are brought in with `cohub import-qdpx`.",
)


def sniff(data: bytes) -> Content | None:
    """What the bytes hold, when their first bytes say so; None for text or the unknown."""
    for offset, signature, content in _SIGNATURES:
        if data[offset : offset + len(signature)] == signature:
            return content
    if data.startswith(b"PK\x03\x04"):
        return _zip_content(data)
    return None


def _zip_content(data: bytes) -> Content:
    """Tell a Word document from other zips by its parts' names (nothing is unpacked)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return ZIP
    if "word/document.xml" in names:
        return DOCX
    if "project.qde" in names:
        return QDPX
    return ZIP
