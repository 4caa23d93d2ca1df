"""Real speech for the speech-to-text tests, made at test time with espeak-ng.

Synthetic voices are clear enough for Whisper tiny.en to get most words right,
and two espeak voices differ enough to tell apart, so the tests exercise the
real model on real audio without shipping recordings.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

VOICES = ("en-gb", "en-us+f3")


def speak(text: str, target: Path, *, voice: str = VOICES[0], speed: int = 150) -> Path:
    """``text`` spoken by espeak-ng into the WAV file ``target``."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise RuntimeError(
            "espeak-ng is needed for the speech tests: run scripts/ensure-system-deps.sh"
        )
    subprocess.run(
        [espeak, "-v", voice, "-s", str(speed), "-w", str(target), text],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return target


def silence(target: Path, *, seconds: float = 2.0, rate: int = 16_000) -> Path:
    """A WAV file of digital silence."""
    with wave.open(str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\0\0" * int(seconds * rate))
    return target


def ffmpeg(*args: str) -> None:
    """Run Debian's ffmpeg quietly (tests use it to make other formats)."""
    binary = shutil.which("ffmpeg")
    if binary is None:
        raise RuntimeError("ffmpeg is needed: run scripts/ensure-system-deps.sh")
    subprocess.run(
        [binary, "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
        capture_output=True,
        timeout=60,
    )


@dataclass(frozen=True)
class Turn:
    """One turn of a made-up dialogue: who spoke, what, and when (seconds)."""

    voice: int
    text: str
    start: float
    end: float


def dialogue(
    lines: Sequence[tuple[int, str]],
    target: Path,
    *,
    gap: float = 0.5,
    voices: Sequence[str] = VOICES,
    speed: int = 150,
) -> list[Turn]:
    """Speak ``(voice number, text)`` lines one after another into one WAV file.

    Returns the turns with their true times, so a test or benchmark can check
    who was heard when.
    """
    turns: list[Turn] = []
    frames: list[bytes] = []
    rate = 0
    position = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for number, (voice, text) in enumerate(lines):
            part = speak(text, Path(folder) / f"{number}.wav", voice=voices[voice], speed=speed)
            with wave.open(str(part), "rb") as sound:
                rate = sound.getframerate()
                assert sound.getnchannels() == 1 and sound.getsampwidth() == 2
                data = sound.readframes(sound.getnframes())
            length = len(data) / 2 / rate
            turns.append(Turn(voice, text, round(position, 3), round(position + length, 3)))
            frames.extend([data, b"\0\0" * int(gap * rate)])
            position += length + int(gap * rate) / rate
    with wave.open(str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(frames))
    return turns
