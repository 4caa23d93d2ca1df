"""Real recordings for tests, made on the spot with ffmpeg's test sources and espeak-ng.

Nothing is mocked: these are files ffmpeg itself wrote, so the checks meet
exactly what a phone or a video call would hand them (a header, a codec, a
length). Each helper writes into the folder it is given and returns the path.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-nostdin", *args], check=True)


def speech(folder: Path, name: str = "story.wav", text: str = "", voice: str = "en") -> Path:
    """Someone speaking (espeak-ng), written as WAV or, by the name's extension, re-encoded."""
    text = text or (
        "My name is Robin. After the flood I lost my flat, and the council sent me "
        "from one office to another. What helped in the end was a neighbour."
    )
    path = folder / name
    wav = path if path.suffix == ".wav" else folder / f"{path.stem}-source.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(wav), text], check=True)
    if wav != path:
        _ffmpeg("-i", str(wav), str(path))
    return path


def tone(folder: Path, name: str = "tone.mp3", seconds: float = 3) -> Path:
    path = folder / name
    _ffmpeg("-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", str(path))
    return path


def silence(folder: Path, name: str = "silence.wav", seconds: float = 3) -> Path:
    path = folder / name
    _ffmpeg("-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", str(seconds), str(path))
    return path


def pictures_only(folder: Path, name: str = "no-sound.mp4", seconds: float = 2) -> Path:
    path = folder / name
    _ffmpeg("-f", "lavfi", "-i", f"testsrc=duration={seconds}:size=64x64:rate=5", str(path))
    return path


def cut_short(source: Path, folder: Path, name: str, keep: float = 0.4) -> Path:
    """The first ``keep`` share of a file's bytes, as an upload that stopped part way leaves it."""
    data = source.read_bytes()
    path = folder / name
    path.write_bytes(data[: int(len(data) * keep)])
    return path
