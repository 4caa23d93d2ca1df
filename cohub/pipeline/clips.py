"""Playing recordings and cutting clips: byte ranges, content types, ffmpeg cuts, WebVTT.

Plain Python, no Django. The hub's media view answers HTTP ``Range`` requests
(``parse_range``) so a person can seek in an hour-long recording without
downloading it, with the content type the probe found (``content_type``).
A key quote on a recorded story is a clip: ``cut_clip`` cuts its span out
of the recording with ffmpeg (sound only, Ogg Opus, a short fade at each end
so it does not click), ``join_clips`` plays several back to back with a
short pause between them, and ``playlist_captions``/``playlist_chapters``
write their WebVTT on that joined timeline. ``safe_name`` makes file names
for a download that cannot climb out of the folder they are unpacked in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cohub.pipeline.captions import _clock as _caption_clock
from cohub.pipeline.captions import _vtt_escape
from cohub.pipeline.media import _run
from cohub.pipeline.words import WordTime

# The pause between two clips played one after another, and each clip's fade.
GAP_MS = 700
FADE_S = 0.02
# A caption is at most this long on screen, or this many characters (two short lines).
CAPTION_MS = 6000
CAPTION_CHARS = 84
CUT_TIMEOUT_S = 10 * 60

OGG_OPUS = "audio/ogg"


# --------------------------------------------------------------------------- ranges


class RangeNotSatisfiable(ValueError):
    """The Range asks only for bytes past the end of the file (HTTP 416)."""


_RANGE = re.compile(r"^\s*bytes\s*=\s*(?P<first>\d*)\s*-\s*(?P<last>\d*)\s*$", re.IGNORECASE)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The first and last byte (inclusive) a ``Range`` header asks for, or None for all of it.

    One range only, as media players send: a header we cannot read, or one
    with several ranges, is ignored and the whole file is sent (RFC 9110
    lets a server do that). ``bytes=500-`` is from 500 to the end, and
    ``bytes=-500`` the last 500 bytes. Raises ``RangeNotSatisfiable`` when
    the range starts past the end.
    """
    if not header:
        return None
    match = _RANGE.match(header)
    if match is None:
        return None
    first, last = match["first"], match["last"]
    if not first and not last:
        return None
    if not first:
        length = int(last)
        if length == 0 or size == 0:
            raise RangeNotSatisfiable(header)
        return max(0, size - length), size - 1
    start = int(first)
    if start >= size:
        raise RangeNotSatisfiable(header)
    end = int(last) if last else size - 1
    if end < start:
        return None
    return start, min(end, size - 1)


# --------------------------------------------------------------------------- types

# ffprobe's format names (the first of the list it gives) to what a browser calls them.
_AUDIO_TYPES = {
    "ogg": "audio/ogg",
    "matroska": "audio/webm",
    "webm": "audio/webm",
    "mov": "audio/mp4",
    "mp4": "audio/mp4",
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
    "flac": "audio/flac",
    "aac": "audio/aac",
    "amr": "audio/amr",
    "asf": "audio/x-ms-asf",
}
_VIDEO_TYPES = {
    "matroska": "video/webm",
    "webm": "video/webm",
    "mov": "video/mp4",
    "mp4": "video/mp4",
    "ogg": "video/ogg",
    "avi": "video/x-msvideo",
    "asf": "video/x-ms-asf",
}


def content_type(container: str, *, has_video: bool) -> str:
    """The media type to serve a recording as, from what ffprobe said it is (not its name)."""
    names = [name.strip() for name in container.lower().split(",") if name.strip()]
    table = _VIDEO_TYPES if has_video else _AUDIO_TYPES
    for name in names:
        if name in table:
            return table[name]
    return "application/octet-stream"


# --------------------------------------------------------------------------- cutting


@dataclass(frozen=True)
class ClipSpan:
    """A stretch of one recording to cut: where it is, and when (ms)."""

    path: Path
    start_ms: int
    end_ms: int
    # Stretches (ms in the recording) to cover: replaced words, bleeped or silenced (ADR 0027).
    covers: tuple[tuple[int, int], ...] = ()
    cover: str = "tone"

    @property
    def duration_ms(self) -> int:
        return max(1, self.end_ms - self.start_ms)

    def covers_inside(self) -> list[tuple[float, float]]:
        """The covered stretches that fall in this clip, in seconds from its start."""
        inside = []
        for start, end in self.covers:
            begin, finish = max(start, self.start_ms), min(end, self.end_ms)
            if finish > begin:
                inside.append(((begin - self.start_ms) / 1000, (finish - self.start_ms) / 1000))
        return inside


# A covered stretch is a 1 kHz tone at a tenth of full scale (-20 dBFS), or silence.
COVER_TONE_HZ = 1000
COVER_TONE_LEVEL = 0.1
COVERS = ("tone", "silence")


def _covering(index: int, span: ClipSpan) -> tuple[str, str]:
    """Filters that cover the span's redacted stretches: (after the source, a tone source).

    The voice is turned to nothing while ``between(t,a,b)`` holds (``volume``'s
    timeline option), and for a tone a generated 1 kHz sine, sounding only
    then, is mixed in. Inside ``aevalsrc``'s quoted expression the commas are
    escaped once more, as ffmpeg's filter-graph parser asks.
    """
    inside = span.covers_inside()
    if not inside:
        return "", ""
    during = "+".join(f"between(t,{a:.3f},{b:.3f})" for a, b in inside)
    muted = f",volume=0:enable='{during}'"
    if span.cover != "tone":
        return muted, ""
    gate = f"gt({during},0)".replace(",", "\\,")
    tone = (
        f"aevalsrc='{COVER_TONE_LEVEL}*sin(2*PI*{COVER_TONE_HZ}*t)*{gate}'"
        f":s=48000:d={span.duration_ms / 1000:.3f},"
        f"aformat=sample_fmts=fltp:channel_layouts=mono[tone{index}];"
    )
    return muted, tone


class ClipError(RuntimeError):
    """ffmpeg could not cut or join the clips; the message says so plainly."""


def _input(span: ClipSpan) -> list[str]:
    # -ss before -i seeks quickly, and decoding (we re-encode) keeps it exact.
    return [
        "-ss",
        f"{span.start_ms / 1000:.3f}",
        "-t",
        f"{span.duration_ms / 1000:.3f}",
        "-i",
        str(span.path),
    ]


def _shape(index: int, span: ClipSpan, *, pad_ms: int) -> str:
    seconds = span.duration_ms / 1000
    fade = min(FADE_S, seconds / 4)
    muted, tone = _covering(index, span)
    source = f"[{index}:a:0]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=mono{muted}"
    if tone:
        source = (
            f"{tone}{source}[voice{index}];"
            f"[voice{index}][tone{index}]amix=inputs=2:normalize=0:duration=first"
        )
    chain = (
        f"{source},"
        f"afade=t=in:d={fade:.3f},afade=t=out:st={max(0.0, seconds - fade):.3f}:d={fade:.3f}"
    )
    if pad_ms:
        chain += f",apad=pad_dur={pad_ms / 1000:.3f}"
    return chain


def _encode(arguments: list[str], target: Path) -> None:
    command = [
        "ffmpeg",
        "-v",
        "error",
        "-nostdin",
        "-y",
        *arguments,
        "-vn",
        "-c:a",
        "libopus",
        "-b:a",
        "48k",
        "-f",
        "ogg",
        str(target),
    ]
    done = _run(command, timeout_s=CUT_TIMEOUT_S, name="The recording")
    if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        raise ClipError(
            "The clip could not be cut from the recording: "
            + ((done.stderr or "").strip().splitlines() or ["ffmpeg gave no reason"])[-1]
        )


def cut_clip(span: ClipSpan, target: Path) -> Path:
    """Cut ``span`` to ``target`` as Ogg Opus (sound only: pictures may show faces)."""
    _encode(
        [*_input(span), "-filter_complex", _shape(0, span, pad_ms=0) + "[out]", "-map", "[out]"],
        target,
    )
    return target


def join_clips(spans: Sequence[ClipSpan], target: Path, *, gap_ms: int = GAP_MS) -> Path:
    """All ``spans`` one after another, ``gap_ms`` of quiet between them, as one Ogg Opus file.

    The timeline matches ``playlist_timeline``: clip *n* starts after every
    clip before it and a gap after each.
    """
    if not spans:
        raise ClipError("There are no clips to join.")
    arguments: list[str] = []
    chains: list[str] = []
    for index, span in enumerate(spans):
        arguments.extend(_input(span))
        last = index == len(spans) - 1
        chains.append(_shape(index, span, pad_ms=0 if last else gap_ms) + f"[c{index}]")
    joined = "".join(f"[c{i}]" for i in range(len(spans)))
    graph = ";".join([*chains, f"{joined}concat=n={len(spans)}:v=0:a=1[out]"])
    _encode([*arguments, "-filter_complex", graph, "-map", "[out]"], target)
    return target


# --------------------------------------------------------------------------- WebVTT


@dataclass(frozen=True)
class PlaylistClip:
    """One clip of a playlist: its words (times in the recording), its span, what to call it."""

    start_ms: int
    end_ms: int
    words: tuple[WordTime, ...]
    text: str
    credit: str
    title: str

    @property
    def duration_ms(self) -> int:
        return max(1, self.end_ms - self.start_ms)


def playlist_timeline(clips: Sequence[PlaylistClip], *, gap_ms: int = GAP_MS) -> list[int]:
    """Where each clip starts on the joined timeline, in ms."""
    starts: list[int] = []
    position = 0
    for clip in clips:
        starts.append(position)
        position += clip.duration_ms + gap_ms
    return starts


def _vtt_clock(ms: int) -> str:
    return _caption_clock(ms / 1000, ".")


def _one_line(text: str) -> str:
    return _vtt_escape(" ".join(text.split()))


def _caption_groups(clip: PlaylistClip) -> list[tuple[int, int, str]]:
    """The clip's words in screen-sized groups, times relative to the clip's start."""
    words = [w for w in clip.words if w.end_ms > clip.start_ms and w.start_ms < clip.end_ms]
    if not words:
        return [(0, clip.duration_ms, clip.text)]
    groups: list[tuple[int, int, str]] = []
    current: list[WordTime] = []
    for word in words:
        if current and (
            word.end_ms - current[0].start_ms > CAPTION_MS
            or len(" ".join(w.text for w in current)) + len(word.text) + 1 > CAPTION_CHARS
        ):
            groups.append(_group(current, clip))
            current = []
        current.append(word)
    groups.append(_group(current, clip))
    return groups


def _group(words: Sequence[WordTime], clip: PlaylistClip) -> tuple[int, int, str]:
    start = max(0, words[0].start_ms - clip.start_ms)
    end = min(clip.duration_ms, max(start + 1, words[-1].end_ms - clip.start_ms))
    return start, end, " ".join(w.text for w in words)


def clip_captions(clip: PlaylistClip, *, offset_ms: int = 0) -> list[str]:
    """The cue lines of one clip's captions, starting at ``offset_ms`` on the timeline."""
    lines: list[str] = []
    for start, end, text in _caption_groups(clip):
        lines.append(f"{_vtt_clock(offset_ms + start)} --> {_vtt_clock(offset_ms + end)}")
        speaker = _one_line(clip.credit)
        lines.append(f"<v {speaker}>{_one_line(text)}</v>" if speaker else _one_line(text))
        lines.append("")
    return lines


def playlist_captions(clips: Sequence[PlaylistClip], *, gap_ms: int = GAP_MS) -> str:
    """WebVTT captions for the clips played back to back (``join_clips``)."""
    lines = ["WEBVTT", ""]
    for clip, start in zip(clips, playlist_timeline(clips, gap_ms=gap_ms), strict=True):
        lines.extend(clip_captions(clip, offset_ms=start))
    return "\n".join(lines)


def playlist_chapters(clips: Sequence[PlaylistClip], *, gap_ms: int = GAP_MS) -> str:
    """WebVTT chapters: one per clip, named by number, who speaks and the story's title."""
    lines = ["WEBVTT", ""]
    for number, (clip, start) in enumerate(
        zip(clips, playlist_timeline(clips, gap_ms=gap_ms), strict=True), start=1
    ):
        lines.append(f"clip-{number}")
        lines.append(f"{_vtt_clock(start)} --> {_vtt_clock(start + clip.duration_ms)}")
        lines.append(_one_line(chapter_title(number, clip)))
        lines.append("")
    return "\n".join(lines)


def chapter_title(number: int, clip: PlaylistClip) -> str:
    """ "Clip 2: Sky, from “Waiting for the council”" """
    credit = f"{clip.credit}, from " if clip.credit else "From "
    return f"Clip {number}: {credit}“{clip.title}”"


# --------------------------------------------------------------------------- names

_UNSAFE = re.compile(r"[^a-z0-9]+")


def safe_name(text: str, *, fallback: str = "clip", longest: int = 40) -> str:
    """A file name part made only of lower-case letters, digits and dashes: never a path.

    Accents are folded ("Zoë" is "zoe"); anything else (slashes, dots, spaces,
    control characters) becomes a dash, so ``../../etc`` is ``etc``.
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cleaned = _UNSAFE.sub("-", folded.lower()).strip("-")[:longest].strip("-")
    return cleaned or fallback
