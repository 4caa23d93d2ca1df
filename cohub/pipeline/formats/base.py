"""Shared pieces of the transcript parsers: the result type, the error, decoding and speakers.

Everything here is pure (strings and bytes in, dataclasses out) so the parsers can be
tested on tiny inline inputs and reused for pasted text.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cohub.pipeline.formats.limits import (
    MAX_CUE_HOURS,
    MAX_STORY_CHARACTERS,
    MAX_STORY_PARTS,
    MAX_TRANSCRIPT_BYTES,
)
from cohub.pipeline.words import WordTime

MAX_SPEAKER_LENGTH = 40

NO_TEXT_MESSAGE = "The file has no transcript text."

NOT_TEXT_MESSAGE = (
    "This file is not a text file; it looks like binary data. Check that you chose the right "
    "file, or export the transcript as .txt, .vtt, .srt or .docx."
)


@dataclass(frozen=True)
class SegmentData:
    """One stretch of speech as read from a transcript file, before it is stored.

    ``words`` are its word times when something heard them (speech-to-text) or
    when they were stored before (a correction); storing fits them to ``text``
    (``cohub.pipeline.words.fit_words``), and a timed part without them gets
    its time shared out over its words.
    """

    text: str
    speaker: str = ""
    start_ms: int | None = None
    end_ms: int | None = None
    words: tuple[WordTime, ...] = ()


class TranscriptFormatError(ValueError):
    """Raised with a plain-language message saying what is wrong and where.

    The message is shown to the person who uploaded the file, so it names the line (and
    the cue, for subtitle formats) they need to look at in their own editor.
    """

    def __init__(self, message: str, *, line: int | None = None, cue: int | None = None) -> None:
        self.message = message
        self.line = line
        self.cue = cue
        super().__init__(_with_location(message, line=line, cue=cue))


def _with_location(message: str, *, line: int | None, cue: int | None) -> str:
    if line is not None and cue is not None:
        return f"Line {line} (cue {cue}): {message}"
    if line is not None:
        return f"Line {line}: {message}"
    if cue is not None:
        return f"Cue {cue}: {message}"
    return message


def check_size(size: int) -> None:
    """Refuse oversized input before any parsing work is spent on it."""
    if size > MAX_TRANSCRIPT_BYTES:
        limit_mb = MAX_TRANSCRIPT_BYTES // (1024 * 1024)
        raise TranscriptFormatError(
            f"The file is {size / (1024 * 1024):.1f} MB, which is over the {limit_mb} MB "
            "limit for transcripts. Split it into smaller files and upload them separately."
        )


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _looks_binary(text: str) -> bool:
    """A stray control character is tolerated; many of them mean this was never text."""
    return len(_CONTROL_CHARS.findall(text)) > max(1, len(text) // 100)


def decode_text(data: bytes, *, allow_cp1252: bool) -> str:
    """Decode an uploaded text transcript, trying UTF-8 first.

    UTF-16 is accepted only with a byte-order mark (Windows "Unicode" saves write one).
    ``allow_cp1252`` lets older Windows-made TXT and SRT files through; WebVTT is UTF-8 by
    definition, so a VTT that fails UTF-8 is reported rather than guessed at.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise TranscriptFormatError(NOT_TEXT_MESSAGE) from None
    elif b"\x00" in data:
        raise TranscriptFormatError(NOT_TEXT_MESSAGE)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            try:
                legacy = data.decode("cp1252")
            except UnicodeDecodeError:
                raise TranscriptFormatError(NOT_TEXT_MESSAGE) from None
            if _looks_binary(legacy):
                raise TranscriptFormatError(NOT_TEXT_MESSAGE) from None
            if not allow_cp1252:
                raise TranscriptFormatError(
                    f"This file is not saved as UTF-8 text (the first problem is at byte "
                    f"{exc.start + 1}). Open it in a text editor, save it with UTF-8 encoding "
                    "and upload it again."
                ) from None
            text = legacy
    if _looks_binary(text):
        raise TranscriptFormatError(NOT_TEXT_MESSAGE)
    return text.removeprefix("\ufeff")


def split_lines(text: str) -> list[str]:
    r"""Split on CRLF, CR and LF only.

    ``str.splitlines`` also breaks on form feeds and U+2028, which would put our line
    numbers out of step with what the person sees in their editor.
    """
    return re.split(r"\r\n|\r|\n", text)


def normalise_whitespace(text: str) -> str:
    return " ".join(text.split())


_LABEL = re.compile(r"^(?P<name>[^:]{1,80}?)\s*:(?:\s+(?P<text>\S.*)|\s*)$")
_NAME_CHARS = re.compile(r"^[^\W\d_][\w .'’()\-&/#@]*$")
_TITLES = frozenset({"mrs", "prof", "rev", "sgt", "col", "capt", "hon"})


def clean_speaker(name: str) -> str | None:
    """Return the tidied speaker name, or None when this does not look like a name.

    Speaker labels are guessed from free text, so the test is conservative: a short run of
    words starting with a letter, no sentence punctuation, and full stops only after short
    abbreviations ("Dr.", "J."), which keeps "So I said this. Then: ..." as speech.
    """
    name = normalise_whitespace(name).rstrip(":").strip()
    if not name or len(name) > MAX_SPEAKER_LENGTH or not _NAME_CHARS.match(name):
        return None
    words = name.split(" ")
    if len(words) > 5:
        return None
    for word in words:
        if "." in word and not all(
            len(part) <= 2 or part.lower() in _TITLES for part in word.split(".") if part
        ):
            return None
    return name


def split_speaker_label(line: str) -> tuple[str, str] | None:
    """Split ``"Name: text"`` into ``(name, text)``; ``text`` is "" for a bare ``"Name:"``.

    The colon must be followed by whitespace or the end of the line, so times ("10:30")
    and URLs are never taken for labels. A bare label is held to three words because a
    sentence that ends in a colon ("Here is what she told me:") is common.
    """
    match = _LABEL.match(line.strip())
    if match is None:
        return None
    name = clean_speaker(match["name"])
    if name is None:
        return None
    text = match["text"] or ""
    if not text and len(name.split(" ")) > 3:
        return None
    return name, text


_CLOCK = re.compile(
    r"^[\[(]?(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,2}):(?P<s>\d{2})(?:[.,](?P<frac>\d{1,3}))?[\])]?$"
)


def parse_clock(value: str) -> int | None:
    """Milliseconds for a loose clock time such as "1:02", "00:01:02" or "[00:01:02.5]"."""
    match = _CLOCK.match(value.strip())
    if match is None:
        return None
    minutes, seconds = int(match["m"]), int(match["s"])
    if seconds >= 60 or (match["h"] is not None and minutes >= 60):
        return None
    hours = int(match["h"] or 0)
    millis = int((match["frac"] or "0").ljust(3, "0"))
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis


_TIMESTAMP_PREFIX = re.compile(
    r"^(?P<stamp>[\[(]\s*[\d:.,]+\s*[\])]|\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)\s+(?P<rest>\S.*)$"
)


def _split_timestamp_prefix(line: str) -> tuple[int, str] | None:
    """Read ``[00:01:02] ...`` or ``00:01:02 Name: ...``.

    A bare time is only taken as a timestamp when a speaker label follows it, so that
    "10:30 was when we met" stays as spoken text.
    """
    match = _TIMESTAMP_PREFIX.match(line.strip())
    if match is None:
        return None
    start_ms = parse_clock(match["stamp"].replace(" ", ""))
    if start_ms is None:
        return None
    bracketed = match["stamp"][0] in "[("
    if not bracketed and split_speaker_label(match["rest"]) is None:
        return None
    return start_ms, match["rest"]


@dataclass
class _Turn:
    speaker: str
    start_ms: int | None
    parts: list[str]

    def to_segment(self) -> SegmentData | None:
        text = normalise_whitespace(" ".join(self.parts))
        if not text:
            return None
        return SegmentData(text=text, speaker=self.speaker, start_ms=self.start_ms)


def segments_from_paragraphs(
    paragraphs: Iterable[Sequence[str]], *, allow_timestamps: bool
) -> list[SegmentData]:
    """Turn paragraphs (each a list of lines) into speaker turns.

    A paragraph is one segment unless its lines carry speaker labels, in which case each
    labelled line starts a new segment and unlabelled lines continue the one before. A
    paragraph without a label gets no speaker: guessing that the last speaker carried on
    would misattribute narration and headings. A bare ``"Name:"`` line names the speaker
    of the text that follows it.
    """
    segments: list[SegmentData] = []
    pending_speaker = ""
    pending_start: int | None = None

    def flush(turn: _Turn | None) -> None:
        if turn is not None and (segment := turn.to_segment()) is not None:
            segments.append(segment)

    for lines in paragraphs:
        turn: _Turn | None = None
        for line in lines:
            if not line.strip():
                continue
            start_ms: int | None = None
            body = line
            if allow_timestamps and (stamped := _split_timestamp_prefix(line)) is not None:
                start_ms, body = stamped
            label = split_speaker_label(body)
            if label is not None and not label[1]:
                flush(turn)
                turn = None
                pending_speaker, pending_start = label[0], start_ms
                continue
            if label is not None or start_ms is not None:
                flush(turn)
                speaker, text = label if label is not None else (pending_speaker, body)
                turn = _Turn(speaker=speaker, start_ms=start_ms, parts=[text])
                pending_speaker, pending_start = "", None
            elif turn is None:
                turn = _Turn(speaker=pending_speaker, start_ms=pending_start, parts=[body])
                pending_speaker, pending_start = "", None
            else:
                turn.parts.append(body)
        flush(turn)
    return segments


def require_text(segments: list[SegmentData], message: str = NO_TEXT_MESSAGE) -> list[SegmentData]:
    """The last step of every parser: refuse a transcript with no text, or too much for a story."""
    if not segments:
        raise TranscriptFormatError(message)
    check_story_limits(segments)
    return segments


def check_story_limits(segments: Sequence[SegmentData]) -> None:
    """Refuse more parts or characters than one story may hold (see ``limits``)."""
    if len(segments) > MAX_STORY_PARTS:
        raise TranscriptFormatError(
            f"This transcript has {len(segments):,} parts, more than the {MAX_STORY_PARTS:,} "
            "one story can hold. Split the file into smaller files (one per hour, say) and "
            "import each as its own story."
        )
    characters = sum(len(segment.text) for segment in segments)
    if characters > MAX_STORY_CHARACTERS:
        raise TranscriptFormatError(
            f"This transcript has {characters:,} characters of text, more than the "
            f"{MAX_STORY_CHARACTERS:,} one story can hold. Split the file into smaller files "
            "(one per hour, say) and import each as its own story."
        )


def timing_to_ms(
    line: str, pattern: re.Pattern[str], expected: str, *, line_no: int, cue_no: int
) -> tuple[int, int]:
    """Read a cue's ``start --> end`` line (VTT or SRT) as milliseconds, or say what is wrong.

    ``pattern`` captures hours (optional, any number of digits), minutes, seconds and
    the fraction for each of the two times. The pattern is loose about the numbers so
    that an impossible time ("75 minutes", "10000000000000000 hours") is refused here
    with a message saying which number is wrong, not as a line that does not match.
    """
    match = pattern.match(line)
    if match is None:
        raise TranscriptFormatError(
            f"The timing line '{line.strip()}' is not valid; expected {expected}.",
            line=line_no,
            cue=cue_no,
        )
    groups = match.groups()
    times = []
    for hours, minutes, seconds, fraction in (groups[:4], groups[4:]):
        problem = _clock_problem(hours, minutes, seconds)
        if problem is not None:
            raise TranscriptFormatError(
                f"The timing line '{line.strip()}' has {problem}.", line=line_no, cue=cue_no
            )
        times.append(_clock_to_ms(hours, minutes, seconds, fraction))
    start, end = times
    if end < start:
        raise TranscriptFormatError(
            f"The cue ends before it starts ('{line.strip()}'); the second time must not be "
            "earlier than the first.",
            line=line_no,
            cue=cue_no,
        )
    return start, end


def _clock_problem(hours: str | None, minutes: str, seconds: str) -> str | None:
    """What is impossible about one cue time, worded to follow "The timing line ... has"."""
    # Compare digit strings before int(): a line of thousands of digits must not cost
    # a huge conversion (Python refuses those with a ValueError of its own).
    significant = (hours or "").lstrip("0")
    if len(significant) > len(str(MAX_CUE_HOURS)) or int(significant or 0) > MAX_CUE_HOURS:
        shown = significant if len(significant) <= 20 else f"{significant[:20]}..."
        return (
            f"{shown} hours; cue times must be under {MAX_CUE_HOURS + 1} hours. Check the "
            "hours in this line, or split a longer recording into separate files"
        )
    if int(minutes) >= 60:
        return f"{int(minutes)} minutes; minutes go up to 59"
    if int(seconds) >= 60:
        return f"{int(seconds)} seconds; seconds go up to 59"
    return None


def _clock_to_ms(hours: str | None, minutes: str, seconds: str, fraction: str) -> int:
    millis = int(fraction.ljust(3, "0"))
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + millis
