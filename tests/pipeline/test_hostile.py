"""Files made to hurt the hub: they parse to what they say, or are refused in plain words.

How long these take is measured in bench/parse_transcripts.py (tests hold no timing
thresholds); here each hostile shape is checked to give the right answer at the size
that once stalled a server, so a change that breaks the tag patterns is caught.
"""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from cohub.pipeline.formats import (
    TranscriptFormatError,
    parse_docx,
    parse_srt,
    parse_text,
    parse_transcript,
    parse_vtt,
)
from cohub.pipeline.formats.limits import (
    MAX_DOCX_ELEMENTS,
    MAX_DOCX_ENTRIES,
    MAX_DOCX_PARAGRAPHS,
    MAX_STORY_CHARACTERS,
    MAX_STORY_PARTS,
)

SRT_CUE = "1\n00:00:01,000 --> 00:00:02,000\n"
VTT_CUE = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n"
HOSTILE_BYTES = 96 * 1024  # the size of the SRT that stalled all eight server threads


def _repeat(unit: str) -> str:
    return unit * (HOSTILE_BYTES // len(unit))


# --- unclosed tags: kept as the text they are, closed tags after them still stripped --


@pytest.mark.parametrize("unit", ["<i ", "<font ", "<b\t", "{\\"])
def test_srt_unclosed_tags_are_kept_as_text(unit: str) -> None:
    junk = _repeat(unit)
    [segment] = parse_srt(f"{SRT_CUE}{junk}<i>words</i>\n")
    assert segment.text == " ".join(f"{junk}words".split())
    assert (segment.start_ms, segment.end_ms) == (1000, 2000)


@pytest.mark.parametrize("unit", ["<v ", "<v.", "<c ", "<c.", "<lang ", "<1"])
def test_vtt_unclosed_tags_are_kept_as_text(unit: str) -> None:
    junk = _repeat(unit)
    [segment] = parse_vtt(f"{VTT_CUE}{junk}<c.loud>words</c>\n")
    assert segment.text == " ".join(f"{junk}words".split())
    assert segment.speaker == ""


def test_vtt_voice_tag_with_a_long_run_of_spaces_is_still_a_voice() -> None:
    spaces = " " * HOSTILE_BYTES
    [segment] = parse_vtt(f"{VTT_CUE}<v{spaces}Sam>hello</v>\n")
    assert (segment.speaker, segment.text) == ("Sam", "hello")


def test_vtt_unclosed_voice_with_a_long_run_of_spaces_is_text() -> None:
    [segment] = parse_vtt(f"{VTT_CUE}<v{' ' * HOSTILE_BYTES}Sam hello\n")
    assert (segment.speaker, segment.text) == ("", "<v Sam hello")


def test_vtt_many_voices_in_one_cue_each_become_a_part() -> None:
    text = VTT_CUE + "".join(f"<v Sam>{n}</v><v Kit>{n}</v>" for n in range(2000)) + "\n"
    segments = parse_vtt(text)
    assert len(segments) == 4000
    assert [(s.speaker, s.text) for s in segments[-2:]] == [("Sam", "1999"), ("Kit", "1999")]


# --- absurd times: refused by line and cue, never stored --------------------------------


@pytest.mark.parametrize(
    ("timing", "problem"),
    [
        ("10000000000000000:00:01.000 --> 10000000000000000:00:02.000", "10000000000000000 hours"),
        ("100:00:00.000 --> 100:00:01.000", "100 hours"),
        ("00:75:00.000 --> 00:76:00.000", "75 minutes"),
        ("00:00:60.000 --> 00:00:61.000", "60 seconds"),
        ("00:00:01.000 --> 0100:00:00.000", "100 hours"),
    ],
)
def test_vtt_impossible_times_name_the_line_and_cue(timing: str, problem: str) -> None:
    text = f"WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nFine.\n\n{timing}\nToo late.\n"
    with pytest.raises(TranscriptFormatError) as excinfo:
        parse_vtt(text)
    assert (excinfo.value.line, excinfo.value.cue) == (6, 2)
    assert str(excinfo.value).startswith(
        f"Line 6 (cue 2): The timing line '{timing}' has {problem}"
    )


def test_srt_hour_of_ten_to_the_sixteen_names_the_line_and_cue() -> None:
    text = f"{SRT_CUE}One\n\n2\n10000000000000000:00:00,000 --> 10000000000000000:00:05,000\nTwo\n"
    with pytest.raises(TranscriptFormatError) as excinfo:
        parse_srt(text)
    assert (excinfo.value.line, excinfo.value.cue) == (6, 2)
    assert "10000000000000000 hours; cue times must be under 100 hours" in str(excinfo.value)


def test_thousands_of_digits_in_an_hour_are_refused_not_crashed() -> None:
    hours = "9" * 10_000  # int() refuses strings this long with a bare ValueError
    with pytest.raises(TranscriptFormatError, match=r"^Line 2 \(cue 1\): .* 99999999999999999999"):
        parse_srt(f"1\n{hours}:00:00,000 --> {hours}:00:01,000\nHi\n")


def test_the_last_possible_time_is_kept() -> None:
    [segment] = parse_vtt("WEBVTT\n\n99:59:58.000 --> 99:59:59.999\nStill here.\n")
    assert segment.end_ms == ((99 * 60 + 59) * 60 + 59) * 1000 + 999


# --- a story's size -------------------------------------------------------------------


def test_too_many_parts_are_refused_with_the_limit_and_what_to_do() -> None:
    text = "\n\n".join(f"Sam: line {n}" for n in range(MAX_STORY_PARTS + 1))
    with pytest.raises(TranscriptFormatError) as excinfo:
        parse_transcript(text.encode(), "long.txt")
    assert str(excinfo.value) == (
        "This transcript has 20,001 parts, more than the 20,000 one story can hold. Split the "
        "file into smaller files (one per hour, say) and import each as its own story."
    )


def test_exactly_the_most_parts_are_kept() -> None:
    text = "\n\n".join(f"Sam: line {n}" for n in range(MAX_STORY_PARTS))
    assert len(parse_text(text)) == MAX_STORY_PARTS


def test_too_many_characters_are_refused_with_the_limit() -> None:
    words = "word " * (MAX_STORY_CHARACTERS // 5 + 1)
    with pytest.raises(TranscriptFormatError, match=r"more than the 2,000,000 one story can hold"):
        parse_transcript(f"Sam: {words}".encode(), "long.txt")


def test_too_many_cues_are_refused_in_subtitles_too() -> None:
    cues = "".join(
        f"{n + 1}\n00:00:01,000 --> 00:00:02,000\nWord {n}\n\n" for n in range(MAX_STORY_PARTS + 1)
    )
    with pytest.raises(TranscriptFormatError, match="20,001 parts"):
        parse_srt(cues)


# --- Word documents that unpack to far more than they look ------------------------------


def _docx_with_body(body_xml: bytes) -> bytes:
    """A real .docx whose body gets ``body_xml`` added, deflated as Word would."""
    document = docx.Document()
    document.add_paragraph("Sam: hello")
    original = io.BytesIO()
    document.save(original)
    out = io.BytesIO()
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + body_xml, 1)
            target.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_docx_of_forty_thousand_paragraphs_is_refused_before_reading() -> None:
    data = _docx_with_body(b"<w:p><w:r><w:t>a</w:t></w:r></w:p>" * (MAX_DOCX_PARAGRAPHS + 1))
    assert len(data) < 100 * 1024
    with pytest.raises(TranscriptFormatError) as excinfo:
        parse_docx(data)
    assert str(excinfo.value) == (
        "This Word document has more than 40,000 paragraphs, which is more than one "
        "transcript needs. Split it into smaller documents (one per hour, say) and import "
        "each as its own story."
    )


def test_docx_with_more_parts_than_one_story_holds_is_refused() -> None:
    data = _docx_with_body(b"<w:p><w:r><w:t>a</w:t></w:r></w:p>" * MAX_STORY_PARTS)
    with pytest.raises(TranscriptFormatError, match="20,001 parts"):
        parse_docx(data)


def test_docx_of_a_million_empty_elements_is_refused_before_reading() -> None:
    data = _docx_with_body(b"<w:p>" + b"<w:r/>" * MAX_DOCX_ELEMENTS + b"</w:p>")
    with pytest.raises(TranscriptFormatError, match="has more than 500,000 pieces of markup"):
        parse_docx(data)


def test_docx_that_unpacks_past_twenty_mb_of_text_is_refused() -> None:
    data = _docx_with_body(b"<w:p><w:r><w:t>" + b"a" * (21 * 1024 * 1024) + b"</w:t></w:r></w:p>")
    with pytest.raises(TranscriptFormatError, match="unpacks to more than 20 MB of text"):
        parse_docx(data)


def test_docx_holding_thousands_of_files_is_refused() -> None:
    buffer = io.BytesIO(_docx_with_body(b""))
    with zipfile.ZipFile(buffer, "a") as archive:
        for n in range(MAX_DOCX_ENTRIES):
            archive.writestr(f"word/media/image{n}.png", b"")
    with pytest.raises(TranscriptFormatError, match=r"holds 1,0\d\d files inside it"):
        parse_docx(buffer.getvalue())


def test_docx_pictures_are_not_read_and_do_not_stop_the_words() -> None:
    buffer = io.BytesIO(_docx_with_body(b""))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(
            "word/media/huge.png", b"\0" * (30 * 1024 * 1024), compress_type=zipfile.ZIP_DEFLATED
        )
    assert [(s.speaker, s.text) for s in parse_docx(buffer.getvalue())] == [("Sam", "hello")]
