"""Checking a recording before it is kept: is it really sound or video, and usable?

Plain Python over a file path, with ffmpeg's ``ffprobe`` and ``ffmpeg`` as the
only tools (Debian's ``ffmpeg`` package; ``scripts/ensure-system-deps.sh``
installs it). Nothing here knows Django.

The content decides, never the file's name: the file is looked at through a
link without an extension, so a text file renamed ``story.mp3`` is reported as
not a recording, and an ``.m4a`` that lost its end is reported as damaged
rather than as "not an mp3". Every refusal is a ``MediaError`` whose message
names the file, says what is wrong in plain words and what to do instead.

The whole sound track is decoded once (at most up to the length limit), which
finds what a quick look at the header cannot: a file cut short (it decodes to
much less than it claims), and a recording with nothing in it (volumedetect's
loudest moment is barely above digital silence). Each tool runs with a time
limit and a memory cap, since a hostile file must not hold the server.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

# Louder than this at its loudest moment, and there is something to hear. Digital
# silence measures -91 dB; a quiet room through a phone microphone is about -50 dB,
# and speech peaks well above -30 dB.
SILENT_BELOW_DB = -60.0

# A file decoding to less than this share of the length it claims is damaged,
# once the gap is more than a moment (encoders disagree by a frame or two).
COMPLETE_SHARE = 0.9
COMPLETE_SLACK_S = 1.0

PROBE_TIMEOUT_S = 60
# Decoding runs far faster than real time; this is a ceiling, not an estimate.
SCAN_TIMEOUT_S = 15 * 60
TOOL_MEMORY_BYTES = 2 * 1024**3

_SAMPLE_RATE = 16_000  # the sound track is decoded to this, one channel, to count its length

HASH_CHUNK_BYTES = 1024 * 1024


class MediaProblem(StrEnum):
    """Why a file was refused, for code that reacts differently to each."""

    TOOLS_MISSING = "tools_missing"
    UNREADABLE = "unreadable"
    EMPTY = "empty"
    TOO_BIG = "too_big"
    NOT_MEDIA = "not_media"
    TRANSCRIPT = "transcript"
    NO_SOUND = "no_sound"
    DAMAGED = "damaged"
    TOO_LONG = "too_long"
    SILENT = "silent"


class MediaError(Exception):
    """A file that cannot be used as a recording; ``str()`` is the sentence to show."""

    def __init__(self, problem: MediaProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem


@dataclass(frozen=True)
class MediaLimits:
    """How big and how long a recording may be (``COHUB_RECORDING_MAX_MB`` and ``_MINUTES``)."""

    max_bytes: int
    max_seconds: int


@dataclass(frozen=True)
class MediaInfo:
    """What the checks found in a usable recording."""

    size_bytes: int
    duration_ms: int
    container: str  # ffprobe's format name, e.g. "mp3" or "mov,mp4,m4a,3gp,3g2,mj2"
    audio_codec: str  # e.g. "aac", "opus", "pcm_s16le"
    has_video: bool
    loudest_db: float


def missing_tools() -> list[str]:
    """The ffmpeg programs not found on the PATH; empty when recordings can be checked."""
    return [name for name in ("ffprobe", "ffmpeg") if shutil.which(name) is None]


TOOLS_MISSING_MESSAGE = (
    "This hub cannot take recordings yet, because ffmpeg is not installed on the "
    "server. Ask the person who runs the hub to install it "
    "(on Debian or Ubuntu: apt-get install ffmpeg)."
)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The file's SHA-256 in hex, read a megabyte at a time (never whole into memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def describe_duration(seconds: float) -> str:
    """ "2 hours 5 minutes", "3 minutes", "40 seconds": a length as people say it."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if not hours and not minutes:
        return _plural(secs, "second")
    parts = []
    if hours:
        parts.append(_plural(hours, "hour"))
    if minutes:
        parts.append(_plural(minutes, "minute"))
    return " ".join(parts)


def describe_size(size_bytes: int) -> str:
    megabytes = size_bytes / (1024 * 1024)
    if megabytes >= 1024:
        return f"{megabytes / 1024:.1f} GB"
    if megabytes >= 10:
        return f"{megabytes:.0f} MB"
    return f"{megabytes:.1f} MB"


def _plural(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def check_size(size: int, *, name: str, limits: MediaLimits) -> None:
    """Refuse an empty recording or one over the size limit, before anything else is read.

    Also asked before an upload starts (a resumable upload says its length
    first), so a file that is too big is refused before its first byte is sent.
    """
    if size == 0:
        raise MediaError(MediaProblem.EMPTY, f"{name} is empty: there is nothing in it.")
    if size > limits.max_bytes:
        raise MediaError(
            MediaProblem.TOO_BIG,
            f"{name} is {describe_size(size)}, and recordings can be at most "
            f"{describe_size(limits.max_bytes)}. Split it into shorter parts, or save it "
            "with a lower quality setting, and add the parts one by one.",
        )


def check_recording(path: str | os.PathLike[str], *, name: str, limits: MediaLimits) -> MediaInfo:
    """Look inside ``path`` (shown to people as ``name``) and say whether it is a usable recording.

    Raises ``MediaError`` for a file that is empty, too big, not sound or video at
    all, a transcript, a video without sound, damaged or cut short, too long, or
    silent; and when ffmpeg is not installed.
    """
    if missing_tools():
        raise MediaError(MediaProblem.TOOLS_MISSING, TOOLS_MISSING_MESSAGE)
    try:
        size = os.path.getsize(path)
    except OSError as error:
        raise MediaError(
            MediaProblem.UNREADABLE,
            f"{name} could not be read ({error.strerror or error}). Try adding it again.",
        ) from None
    check_size(size, name=name, limits=limits)
    with _without_extension(path) as neutral:
        probe = _probe(neutral, name=name)
        audio = _first_stream(probe, "audio")
        container = str(probe.get("format", {}).get("format_name") or "")
        if audio is None:
            _refuse_without_sound(probe, name=name, container=container)
        claimed_s = _float(probe.get("format", {}).get("duration")) or _float(
            (audio or {}).get("duration")
        )
        if claimed_s is not None and claimed_s > limits.max_seconds:
            raise _too_long(name, claimed_s, limits)
        decoded_s, loudest_db = _scan(neutral, name=name, limit_s=limits.max_seconds)
    if decoded_s > limits.max_seconds:
        raise _too_long(name, decoded_s, limits)
    if decoded_s <= 0:
        raise MediaError(
            MediaProblem.NO_SOUND,
            f"{name} has a sound track with nothing in it. Check that the right file was chosen.",
        )
    if claimed_s is not None and decoded_s < claimed_s * COMPLETE_SHARE - COMPLETE_SLACK_S:
        raise MediaError(
            MediaProblem.DAMAGED,
            f"{name} seems to be damaged or incomplete: it says it is "
            f"{describe_duration(claimed_s)} long, but only the first "
            f"{describe_duration(decoded_s)} could be played. If it was copied or "
            "downloaded, copy it again and add the new copy.",
        )
    if loudest_db <= SILENT_BELOW_DB:
        raise MediaError(
            MediaProblem.SILENT,
            f"{name} is silent: there is no sound anywhere in its "
            f"{describe_duration(decoded_s)}. Check that the microphone was on and "
            "not muted, and that this is the right file.",
        )
    return MediaInfo(
        size_bytes=size,
        duration_ms=round(decoded_s * 1000),
        container=container[:100],
        audio_codec=str((audio or {}).get("codec_name") or "")[:50],
        has_video=_first_stream(probe, "video", real_pictures=True) is not None,
        loudest_db=loudest_db,
    )


# Internals -----------------------------------------------------------------


@contextlib.contextmanager
def _without_extension(path: str | os.PathLike[str]) -> Iterator[str]:
    """The same file under a name with no extension, so ffmpeg goes by what is inside."""
    with tempfile.TemporaryDirectory(prefix="cohub-media-") as folder:
        link = os.path.join(folder, "recording")
        os.symlink(os.path.abspath(path), link)
        yield link


def _limit_memory() -> None:  # runs in the child between fork and exec
    import resource

    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (TOOL_MEMORY_BYTES, TOOL_MEMORY_BYTES))


def _run(command: list[str], *, timeout_s: float, name: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(  # noqa: S603 (a fixed program, the path as one argument)
            command,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout_s,
            preexec_fn=_limit_memory,  # noqa: PLW1509 (no threads hold locks ffmpeg needs)
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise MediaError(
            MediaProblem.DAMAGED,
            f"{name} took too long to read (more than {describe_duration(timeout_s)}), "
            "so it may be damaged. Try saving it again in a common format such as MP3 or M4A.",
        ) from None
    except FileNotFoundError:
        raise MediaError(MediaProblem.TOOLS_MISSING, TOOLS_MISSING_MESSAGE) from None


# ffmpeg names the container it recognised at the start of its complaint,
# "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x5616...] moov atom not found": a known kind of file
# that is broken, rather than something that is not media at all.
_RECOGNISED = re.compile(r"^\[(?P<format>[\w,]+) @ 0x[0-9a-f]+\]", re.MULTILINE)


def _probe(path: str, *, name: str) -> dict:
    done = _run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path],
        timeout_s=PROBE_TIMEOUT_S,
        name=name,
    )
    try:
        probe = json.loads(done.stdout or "{}")
    except json.JSONDecodeError:
        probe = {}
    if done.returncode == 0 and probe.get("format"):
        return probe
    recognised = _RECOGNISED.search(done.stderr or "")
    if recognised:
        raise MediaError(
            MediaProblem.DAMAGED,
            f"{name} is damaged or incomplete, so it cannot be played (it is "
            f"{_kind_of(recognised['format'])} file, often a copy or upload that stopped "
            "part way). Copy it again from where it was recorded and add the new copy.",
        )
    raise MediaError(
        MediaProblem.NOT_MEDIA,
        f"{name} is not a sound or video recording that cohub can read, whatever its "
        "name says. Choose the recording itself (for example MP3, M4A, WAV, OGG, "
        "WebM or MP4).",
    )


def _kind_of(format_name: str) -> str:
    first = format_name.split(",")[0]
    known = {"mov": "an MP4 or M4A", "matroska": "a WebM or MKV", "ogg": "an Ogg"}
    return known.get(first, f"a {first.upper()}")


# ffprobe gives a still picture (album art, a thumbnail) as a video stream too.
_PICTURE_CODECS = {"mjpeg", "png", "bmp", "gif", "webp", "tiff"}
_TRANSCRIPT_FORMATS = {"webvtt", "srt", "ass", "subviewer", "subviewer1", "microdvd"}


def _first_stream(probe: dict, kind: str, *, real_pictures: bool = False) -> dict | None:
    for stream in probe.get("streams", []):
        if stream.get("codec_type") != kind:
            continue
        if real_pictures and (
            stream.get("disposition", {}).get("attached_pic")
            or stream.get("codec_name") in _PICTURE_CODECS
        ):
            continue
        return dict(stream)
    return None


def _refuse_without_sound(probe: dict, *, name: str, container: str) -> None:
    formats = set(container.split(","))
    if formats & _TRANSCRIPT_FORMATS or _first_stream(probe, "subtitle") is not None:
        raise MediaError(
            MediaProblem.TRANSCRIPT,
            f"{name} is a transcript file, not a recording. Add it with "
            "'Import a transcript file' instead.",
        )
    if _first_stream(probe, "video") is not None:
        raise MediaError(
            MediaProblem.NO_SOUND,
            f"{name} has pictures but no sound, so there is nothing to transcribe. "
            "Check that the sound was recorded, or choose the file that has it.",
        )
    raise MediaError(
        MediaProblem.NOT_MEDIA,
        f"{name} has no sound in it that cohub can read. Choose the recording itself "
        "(for example MP3, M4A, WAV, OGG, WebM or MP4).",
    )


_SAMPLES = re.compile(r"n_samples:\s*(\d+)")
_MAX_VOLUME = re.compile(r"max_volume:\s*(-?[\d.]+|-inf) dB")


def _scan(path: str, *, name: str, limit_s: int) -> tuple[float, float]:
    """Decode the first sound track to the end (or just past the limit): its length and peak."""
    done = _run(
        [
            "ffmpeg",
            "-hide_banner",
            "-nostats",
            "-nostdin",
            "-v",
            "info",
            "-i",
            path,
            "-map",
            "0:a:0",
            "-t",
            str(limit_s + 1),
            "-ac",
            "1",
            "-ar",
            str(_SAMPLE_RATE),
            "-af",
            "volumedetect",
            "-f",
            "null",
            "-",
        ],
        timeout_s=SCAN_TIMEOUT_S,
        name=name,
    )
    samples = _SAMPLES.search(done.stderr or "")
    if done.returncode != 0 or samples is None:
        raise MediaError(
            MediaProblem.DAMAGED,
            f"{name} is damaged: its sound could not be played all the way through. "
            "If it was copied or downloaded, copy it again and add the new copy.",
        )
    volume = _MAX_VOLUME.search(done.stderr or "")
    loudest = -91.0 if volume is None or volume[1] == "-inf" else float(volume[1])
    return int(samples[1]) / _SAMPLE_RATE, loudest


def _too_long(name: str, seconds: float, limits: MediaLimits) -> MediaError:
    return MediaError(
        MediaProblem.TOO_LONG,
        f"{name} is {describe_duration(seconds)} long, and recordings can be at most "
        f"{describe_duration(limits.max_seconds)}. Split it into shorter parts and add "
        "them one by one.",
    )


def _float(value: object) -> float | None:
    try:
        number = float(str(value))
    except (TypeError, ValueError):
        return None
    return number if number == number and number >= 0 else None  # NaN is not a length
