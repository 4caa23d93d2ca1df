"""Make the demo's recorded story once: two espeak-ng voices, then cohub's own transcript.

    PYTHONPATH=. .venv/bin/python scripts/make-demo-recording.py

Writes ``cohub/demo/data/kofi-voice-note.ogg`` (Ogg Opus, mono, small enough
to ship) and ``kofi-voice-note.json``: what cohub's pipeline heard in it
(``cohub.pipeline.asr.transcribe_media`` with two speakers), each part with
its words' times. ``cohub demo`` loads both and never runs speech-to-text,
so it stays quick and needs no model. Run this again only to change the
conversation; the result is committed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = ROOT / "cohub" / "demo" / "data"
NAME = "kofi-voice-note"
VOICES = ("en-gb", "en-us+f3")  # Kofi, then Rae: clearly different, as in bench/transcribe.py

# (voice, words): a community reporter (Rae, voice 1) talks with Kofi (voice 0).
CONVERSATION = [
    (1, "Thank you for talking to me, Kofi. What happened when you first asked for help?"),
    (
        0,
        "I went to my doctor in March. She was kind, but the crisis team had a waiting list "
        "of twelve weeks. Nobody rang me in all that time.",
    ),
    (1, "What helped you most in the end?"),
    (
        0,
        "A peer worker called Dev. He had been through it himself. He phoned me every Friday, "
        "just to ask how I was, and that made me feel like a person again.",
    ),
    (1, "If you could change one thing, what would it be?"),
    (
        0,
        "Tell people what happens next. Even a text message to say you are still on the list "
        "would help.",
    ),
]


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=120)  # noqa: S603 (ours)


def make_audio(folder: Path) -> Path:
    parts = []
    for number, (voice, words) in enumerate(CONVERSATION):
        wav = folder / f"{number:02d}.wav"
        _run("espeak-ng", "-v", VOICES[voice], "-s", "155", "-w", str(wav), words)
        parts.append(wav)
    inputs: list[str] = []
    chains = []
    for index, wav in enumerate(parts):
        inputs += ["-i", str(wav)]
        chains.append(f"[{index}:a]aresample=48000,apad=pad_dur=0.6[a{index}]")
    joined = "".join(f"[a{i}]" for i in range(len(parts)))
    graph = ";".join([*chains, f"{joined}concat=n={len(parts)}:v=0:a=1[out]"])
    target = TARGET / f"{NAME}.ogg"
    _run(
        "ffmpeg", "-v", "error", "-nostdin", "-y", *inputs, "-filter_complex", graph,
        "-map", "[out]", "-ac", "1", "-c:a", "libopus", "-b:a", "20k", "-vbr", "on",
        "-application", "voip", str(target),
    )  # fmt: skip
    return target


def transcribe(audio: Path) -> dict:
    from cohub.pipeline import asr

    heard = asr.transcribe_media(audio, speakers=2)
    made_by = heard.provenance()
    made_by.pop("model_path", None)  # a path on the machine that made it
    return {
        "made_by": made_by,
        "segments": [
            {
                "start_ms": round(segment.start * 1000),
                "end_ms": round(segment.end * 1000),
                "speaker": segment.speaker or "",
                "text": segment.text,
                "words": [
                    {
                        "start_ms": round(word.start * 1000),
                        "end_ms": round(word.end * 1000),
                        "text": word.text.strip(),
                        "probability": round(float(word.probability), 3),
                    }
                    for word in segment.words
                    if word.text.strip()
                ],
            }
            for segment in heard.segments
        ],
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="cohub-demo-") as name:
        audio = make_audio(Path(name))
    heard = transcribe(audio)
    (TARGET / f"{NAME}.json").write_text(json.dumps(heard, indent=1) + "\n", encoding="utf-8")
    size = audio.stat().st_size
    print(f"{audio.name}: {size / 1024:.0f} KB; {len(heard['segments'])} parts heard")
    for segment in heard["segments"]:
        print(f"  {segment['speaker']}: {segment['text']}")


if __name__ == "__main__":
    main()
