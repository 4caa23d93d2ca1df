"""Transcript parsers on tiny inline files: what each format yields, and how it is refused."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from cohub.pipeline.formats import (
    MAX_TRANSCRIPT_BYTES,
    SUPPORTED_EXTENSIONS,
    SegmentData,
    TranscriptFormatError,
    parse_docx,
    parse_srt,
    parse_text,
    parse_transcript,
    parse_vtt,
)


def seg(
    text: str, speaker: str = "", start_ms: int | None = None, end_ms: int | None = None
) -> SegmentData:
    return SegmentData(text=text, speaker=speaker, start_ms=start_ms, end_ms=end_ms)


def make_docx(*blocks: str | list[list[str]]) -> bytes:
    """A .docx built in memory: strings become paragraphs, lists of rows become tables."""
    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
        else:
            table = document.add_table(rows=len(block), cols=len(block[0]))
            for row, values in zip(table.rows, block, strict=True):
                for cell, value in zip(row.cells, values, strict=True):
                    cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- errors and dispatch ---------------------------------------------------------------


def test_error_message_names_line_and_cue() -> None:
    err = TranscriptFormatError("Something is wrong.", line=14, cue=3)
    assert str(err) == "Line 14 (cue 3): Something is wrong."
    assert (err.line, err.cue, err.message) == (14, 3, "Something is wrong.")
    assert str(TranscriptFormatError("Bad.", line=2)) == "Line 2: Bad."
    assert str(TranscriptFormatError("Bad.")) == "Bad."
    assert isinstance(err, ValueError)


def test_supported_extensions() -> None:
    assert SUPPORTED_EXTENSIONS == (".txt", ".vtt", ".srt", ".docx")


@pytest.mark.parametrize("filename", ["notes.pdf", "audio.mp3", "transcript"])
def test_unknown_extension_names_supported_ones(filename: str) -> None:
    with pytest.raises(TranscriptFormatError) as excinfo:
        parse_transcript(b"Alice: hello", filename)
    assert ".txt, .vtt, .srt, .docx" in str(excinfo.value)


def test_extension_is_case_insensitive() -> None:
    assert parse_transcript(b"Alice: hello", "INTERVIEW.TXT") == [seg("hello", "Alice")]


@pytest.mark.parametrize("filename", ["a.txt", "a.vtt", "a.srt", "a.docx"])
@pytest.mark.parametrize("data", [b"", b"  \r\n\n\t "])
def test_empty_file_has_no_transcript_text(filename: str, data: bytes) -> None:
    with pytest.raises(TranscriptFormatError, match="The file has no transcript text"):
        parse_transcript(data, filename)


@pytest.mark.parametrize("filename", ["a.txt", "a.vtt", "a.srt"])
def test_binary_junk_is_not_a_text_file(filename: str) -> None:
    with pytest.raises(TranscriptFormatError, match="This file is not a text file"):
        # No known signature (a picture's is named: tests/pipeline/test_sniff.py).
        parse_transcript(b"\x13\x07junk\x00\x00\x00\rIHDR\x00\x00", filename)


def test_binary_junk_without_nul_bytes_is_not_a_text_file() -> None:
    junk = bytes(range(1, 32)) * 10 + b"\xff\xfe\xfa"
    with pytest.raises(TranscriptFormatError, match="This file is not a text file"):
        parse_transcript(junk, "a.txt")


def test_oversized_file_is_refused_before_parsing() -> None:
    with pytest.raises(TranscriptFormatError, match="over the 20 MB limit"):
        parse_transcript(b"a" * (MAX_TRANSCRIPT_BYTES + 1), "big.txt")


def test_utf8_bom_is_stripped_and_unicode_kept() -> None:
    data = "\ufeffZoë: ça va? 你好 👋".encode()
    assert parse_transcript(data, "a.txt") == [seg("ça va? 你好 👋", "Zoë")]


def test_utf16_with_bom_is_decoded() -> None:
    data = "Alice: hello there".encode("utf-16")
    assert parse_transcript(data, "a.txt") == [seg("hello there", "Alice")]


def test_cp1252_txt_is_read_after_utf8_fails() -> None:
    data = "Renée: it’s fine".encode("cp1252")
    assert parse_transcript(data, "a.txt") == [seg("it’s fine", "Renée")]


def test_utf8_is_preferred_over_cp1252() -> None:
    data = "Renée: café".encode()
    assert parse_transcript(data, "a.txt") == [seg("café", "Renée")]


# --- plain text ------------------------------------------------------------------------


def test_text_paragraphs_and_speakers() -> None:
    text = (
        "Interviewer: How did it start?\n"
        "Maria Lopez: It started   with a letter.\n"
        "It said we had to move.\n"
        "\n"
        "\n"
        "This paragraph has no speaker,\n"
        "and spans two lines.\n"
    )
    assert parse_text(text) == [
        seg("How did it start?", "Interviewer"),
        seg("It started with a letter. It said we had to move.", "Maria Lopez"),
        seg("This paragraph has no speaker, and spans two lines."),
    ]


def test_text_timestamp_prefixes_set_start() -> None:
    text = "[00:01:02] Alice: first\n00:01:05.5 Bob: second\n[1:10] no speaker here"
    assert parse_text(text) == [
        seg("first", "Alice", 62_000),
        seg("second", "Bob", 65_500),
        seg("no speaker here", "", 70_000),
    ]


def test_text_bare_label_names_the_following_paragraph() -> None:
    assert parse_text("Interviewer:\n\nWhat happened next?\n\nAfterwards nobody spoke.") == [
        seg("What happened next?", "Interviewer"),
        seg("Afterwards nobody spoke."),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "10:30 was when we met.",
        "So I said this. Then: nothing happened",
        "Well, you know: it was hard",
        "See https://example.org for more",
        "Here is what she told me afterwards in the hall:",
        "The meeting at 10:30: nobody came",
    ],
)
def test_text_sentences_are_not_taken_for_speaker_labels(line: str) -> None:
    assert parse_text(line) == [seg(line)]


@pytest.mark.parametrize("name", ["Dr. Amaka Obi", "Speaker 1", "Seán O'Neill", "P3 (carer)"])
def test_text_accepts_realistic_speaker_names(name: str) -> None:
    assert parse_text(f"{name}: yes") == [seg("yes", name)]


def test_pasted_empty_text_is_refused() -> None:
    with pytest.raises(TranscriptFormatError, match="no transcript text"):
        parse_text(" \n\n ")


# --- WebVTT ----------------------------------------------------------------------------


def test_vtt_with_two_voice_speakers() -> None:
    text = (
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:04.500\n"
        "<v Roger Bingham>We are in New York City\n\n"
        "00:00:04.500 --> 00:00:06.000\n"
        "<v.loud Neil deGrasse Tyson>Yes &amp; no</v>\n"
    )
    assert parse_vtt(text) == [
        seg("We are in New York City", "Roger Bingham", 1000, 4500),
        seg("Yes & no", "Neil deGrasse Tyson", 4500, 6000),
    ]


def test_vtt_cue_with_several_voices_shares_the_cue_time_by_length() -> None:
    text = (
        "WEBVTT\n\n"
        "a1b2/14-0\n"
        "00:01:00.000 --> 00:01:03.000\n"
        "<v Alice Smith>I think\n"
        "so.</v> <v Bob>Me too.</v>\n"
    )
    assert parse_vtt(text) == [
        # 12 and 8 characters (a space each): Alice has the first 3/5 of the cue.
        seg("I think so.", "Alice Smith", 60_000, 61_650),
        seg("Me too.", "Bob", 61_800, 63_000),
    ]


def test_vtt_zoom_export_with_name_labels() -> None:
    text = (
        "WEBVTT\n\n"
        "1\n00:00:02.140 --> 00:00:05.360\nJane Doe: Thanks for joining.\n\n"
        "2\n00:00:05.900 --> 00:00:07.000\nSam K.: Happy to be here.\n"
    )
    assert parse_vtt(text) == [
        seg("Thanks for joining.", "Jane Doe", 2140, 5360),
        seg("Happy to be here.", "Sam K.", 5900, 7000),
    ]


def test_vtt_blocks_settings_short_times_tags_and_entities() -> None:
    text = (
        "WEBVTT - interview\nKind: captions\n\n"
        "STYLE\n::cue { color: red }\n\n"
        "REGION\nid:fred width:40%\n\n"
        "NOTE this cue was\nchecked by hand\n\n"
        "intro\n"
        "01:02.003 --> 01:04.000 align:start position:10%\n"
        "<c.yellow>Hello</c> <i>there</i>, &lt;friend&gt;&nbsp;<00:01:03.000>again\n"
        "second   line\n"
    )
    assert parse_vtt(text) == [seg("Hello there, <friend> again second line", "", 62_003, 64_000)]


def test_vtt_cue_without_text_is_skipped() -> None:
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\n\n00:02.000 --> 00:03.000\nHi\n"
    assert parse_vtt(text) == [seg("Hi", "", 2000, 3000)]


def test_vtt_via_parse_transcript_handles_crlf_and_bom() -> None:
    data = b"\xef\xbb\xbfWEBVTT\r\n\r\n00:00.000 --> 00:01.000\r\n<v Ana>Ol\xc3\xa1\r\n"
    assert parse_transcript(data, "call.vtt") == [seg("Olá", "Ana", 0, 1000)]


def test_vtt_missing_header_is_reported_at_line_1() -> None:
    with pytest.raises(TranscriptFormatError) as excinfo:
        parse_vtt("00:00:01.000 --> 00:00:02.000\nHello\n")
    assert excinfo.value.line == 1
    assert str(excinfo.value).startswith("Line 1: ")
    assert "WEBVTT" in str(excinfo.value)


def test_vtt_bad_timing_names_line_and_cue() -> None:
    text = (
        "WEBVTT\n\n"
        "NOTE not a cue\n\n"
        "1\n00:00:01.000 --> 00:00:02.000\nOne\n\n"
        "2\n00:00:02.000 --> 00:00:03.000\nTwo\n\n"
        "3\n00:01.000 -> 00:02\nThree\n"
    )
    with pytest.raises(TranscriptFormatError) as excinfo:
        parse_vtt(text)
    assert (excinfo.value.line, excinfo.value.cue) == (14, 3)
    assert str(excinfo.value) == (
        "Line 14 (cue 3): The timing line '00:01.000 -> 00:02' is not valid; "
        "expected 'HH:MM:SS.mmm --> HH:MM:SS.mmm' (the hours are optional)."
    )


def test_vtt_end_before_start_is_an_error() -> None:
    with pytest.raises(TranscriptFormatError, match="ends before it starts") as excinfo:
        parse_vtt("WEBVTT\n\n00:00:05.000 --> 00:00:04.000\nHi\n")
    assert (excinfo.value.line, excinfo.value.cue) == (3, 1)


def test_vtt_block_without_timing_is_an_error() -> None:
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\nHello\n\nthere\n"
    with pytest.raises(TranscriptFormatError, match="has no timing line") as excinfo:
        parse_vtt(text)
    assert (excinfo.value.line, excinfo.value.cue) == (6, 2)


def test_vtt_header_without_cues_has_no_transcript_text() -> None:
    with pytest.raises(TranscriptFormatError, match="The file has no transcript text"):
        parse_vtt("WEBVTT\n\nNOTE nothing here yet\n")


def test_vtt_that_is_not_utf8_is_refused_with_advice() -> None:
    data = "WEBVTT\n\n00:01.000 --> 00:02.000\nRenée\n".encode("cp1252")
    with pytest.raises(TranscriptFormatError, match="not saved as UTF-8"):
        parse_transcript(data, "a.vtt")


# --- SubRip ----------------------------------------------------------------------------


def test_srt_valid() -> None:
    text = (
        "1\n00:00:01,000 --> 00:00:03,500\nAlice: <i>Hello</i> and\nwelcome.\n\n"
        "2\n01:00:00,250 --> 01:00:02,000\nNo speaker here.\n"
    )
    assert parse_srt(text) == [
        seg("Hello and welcome.", "Alice", 1000, 3500),
        seg("No speaker here.", "", 3_600_250, 3_602_000),
    ]


def test_srt_tolerates_crlf_missing_numbers_dots_and_extra_blank_lines() -> None:
    data = (
        b"\r\n\r\n1\r\n00:00:01,000 --> 00:00:02,000  \r\nFirst  \r\n\r\n\r\n\r\n"
        b"00:00:02.500 --> 00:00:03.000\r\nBob: Second\r\n\r\n"
    )
    assert parse_transcript(data, "subs.srt") == [
        seg("First", "", 1000, 2000),
        seg("Second", "Bob", 2500, 3000),
    ]


def test_srt_missing_blank_line_between_cues_starts_next_cue() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\nOne\n2\n00:00:02,000 --> 00:00:03,000\nTwo\n"
    assert parse_srt(text) == [seg("One", "", 1000, 2000), seg("Two", "", 2000, 3000)]


def test_srt_broken_timing_names_line_and_cue() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\nOne\n\n2\n00:00:02 --> 00:00:03,000\nTwo\n"
    with pytest.raises(TranscriptFormatError) as excinfo:
        parse_srt(text)
    assert (excinfo.value.line, excinfo.value.cue) == (6, 2)
    assert str(excinfo.value).startswith(
        "Line 6 (cue 2): The timing line '00:00:02 --> 00:00:03,000' is not valid"
    )


def test_srt_end_before_start_is_an_error() -> None:
    with pytest.raises(TranscriptFormatError, match="ends before it starts") as excinfo:
        parse_srt("1\n00:00:03,000 --> 00:00:02,000\nHi\n")
    assert (excinfo.value.line, excinfo.value.cue) == (2, 1)


def test_srt_stray_text_block_is_an_error() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\nOne\n\nlost words\n"
    with pytest.raises(TranscriptFormatError, match="found 'lost words'") as excinfo:
        parse_srt(text)
    assert (excinfo.value.line, excinfo.value.cue) == (5, 2)


def test_srt_cp1252_file_is_read() -> None:
    data = "1\n00:00:01,000 --> 00:00:02,000\nJosé: olé\n".encode("cp1252")
    assert parse_transcript(data, "a.srt") == [seg("olé", "José", 1000, 2000)]


# --- Word ------------------------------------------------------------------------------


def test_docx_paragraphs_with_speakers() -> None:
    data = make_docx(
        "Interview with the tenants' group",
        "",
        "Interviewer: When did you   move in?",
        "Kofi: In 2019.\nInterviewer: And before that?",
    )
    assert parse_transcript(data, "Interview.DOCX") == [
        seg("Interview with the tenants' group"),
        seg("When did you move in?", "Interviewer"),
        seg("In 2019.", "Kofi"),
        seg("And before that?", "Interviewer"),
    ]


def test_docx_two_column_table_with_header_row() -> None:
    data = make_docx(
        [["Speaker", "Text"], ["Interviewer", "Tell me about the estate."], ["Ana", "It's home."]]
    )
    assert parse_docx(data) == [
        seg("Tell me about the estate.", "Interviewer"),
        seg("It's home.", "Ana"),
    ]


def test_docx_three_column_table_with_times_after_a_paragraph() -> None:
    data = make_docx(
        "Recorded in March.",
        [["00:00:05", "Ana", "Hello."], ["00:01:10", "Ben:", "Hi   there."]],
        "End of recording.",
    )
    assert parse_docx(data) == [
        seg("Recorded in March."),
        seg("Hello.", "Ana", 5000),
        seg("Hi there.", "Ben", 70_000),
        seg("End of recording."),
    ]


def test_docx_with_no_text_has_no_transcript_text() -> None:
    with pytest.raises(TranscriptFormatError, match="The file has no transcript text"):
        parse_docx(make_docx("", "   "))


@pytest.mark.parametrize("data", [b"PK\x03\x04 truncated zip", b"\x13\x07 no signature\x00"])
def test_corrupt_docx_is_not_a_readable_word_document(data: bytes) -> None:
    with pytest.raises(TranscriptFormatError, match=r"not a readable Word document \(\.docx\)"):
        parse_transcript(data, "a.docx")


def test_zip_that_is_not_a_word_document_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(TranscriptFormatError, match="not a readable Word document"):
        parse_docx(buffer.getvalue())
