"""A transcript file whose content is not what its name says is refused with both named."""

from __future__ import annotations

import io

import docx
import pytest

from cohub.pipeline.formats import TranscriptFormatError, parse_transcript
from cohub.pipeline.formats.sniff import DOCX, QDPX, ZIP, sniff


def word_document(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zip_of(**files: bytes) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(100)
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256))
M4A = b"\x00\x00\x00\x20ftypM4A " + bytes(64)
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64)


@pytest.mark.parametrize(
    ("name", "data", "holds", "advice"),
    [
        ("notes.txt", word_document("Kit: hello"), "a Word document (.docx)", "end in .docx"),
        ("captions.vtt", word_document("Kit: hello"), "a Word document (.docx)", "end in .docx"),
        ("story.txt", PDF, "a PDF document", "cannot read PDF files"),
        ("story.srt", PNG, "a PNG picture", "not a picture"),
        ("story.docx", PNG, "a PNG picture", "not a picture"),
        ("story.txt", MP3, "an MP3 recording", "'Add a recording' page"),
        ("story.docx", M4A, "an MP4 or M4A recording", "'Add a recording' page"),
        ("story.docx", DOC, "an older Word (.doc) or Office file", "save it as .docx"),
        ("story.txt", zip_of(**{"a.txt": b"words"}), "a zip archive", "Unpack it"),
    ],
)
def test_a_file_whose_content_disagrees_with_its_name_is_refused(name, data, holds, advice):
    with pytest.raises(TranscriptFormatError) as refused:
        parse_transcript(data, name)
    message = str(refused.value)
    suffix = name[name.rindex(".") :]
    assert message.startswith(f"This file's name ends in {suffix}, but it holds {holds}.")
    assert advice in message


def test_plain_text_named_docx_is_told_to_be_renamed_txt():
    with pytest.raises(TranscriptFormatError, match="holds plain text.*end in .txt"):
        parse_transcript(b"Kit: I waited all winter.", "story.docx")


def test_a_damaged_word_document_is_reported_as_damaged_not_as_a_zip():
    damaged = word_document("Kit: hello")[:200]
    with pytest.raises(TranscriptFormatError, match="not a readable Word document"):
        parse_transcript(damaged, "story.docx")


def test_files_that_are_what_they_say_are_read():
    assert parse_transcript(word_document("Kit: hello there"), "a.docx")[0].text == "hello there"
    assert parse_transcript(b"Kit: %PDF is a word here", "a.txt")[0].text == "%PDF is a word here"


def test_zips_are_told_apart_by_their_parts():
    assert sniff(word_document("x")) is DOCX
    assert sniff(zip_of(**{"project.qde": b"<Project/>"})) is QDPX
    assert sniff(zip_of(**{"other.xml": b"<x/>"})) is ZIP
    assert sniff(b"Kit: words") is None
