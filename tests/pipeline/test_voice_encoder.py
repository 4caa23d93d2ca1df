"""Our numpy run of resemblyzer's speaker encoder gives resemblyzer's own embeddings."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from cohub.pipeline import voice_encoder
from tests.pipeline.speech import speak


def _resemblyzer_embeddings(mels: np.ndarray) -> np.ndarray:
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from resemblyzer import VoiceEncoder

    reference = VoiceEncoder(device="cpu", verbose=False)
    with torch.no_grad():
        return reference(torch.from_numpy(mels)).numpy()


def test_our_encoder_gives_resemblyzers_embeddings_on_real_speech(tmp_path):
    from cohub.pipeline import diarize
    from cohub.pipeline.asr import decode_audio

    audio = decode_audio(
        speak("The bus was late again, so I missed my appointment.", tmp_path / "a.wav")
    )
    frames = diarize.mel_frames(audio)
    windows = np.stack([frames[start : start + 160] for start in range(0, len(frames) - 160, 40)])
    noise = np.random.default_rng(5).random((3, 160, 40), dtype=np.float32)
    mels = np.concatenate([windows, noise]).astype(np.float32)
    ours = voice_encoder.packaged_encoder()(mels)
    theirs = _resemblyzer_embeddings(mels)
    assert ours.shape == theirs.shape == (len(mels), 256)
    assert np.allclose(ours, theirs, atol=1e-5)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_telling_voices_apart_imports_neither_torch_nor_resemblyzer(tmp_path):
    """The point of our encoder: a transcription with speakers never pays for torch.

    Nor for scipy: importing scipy.cluster costs about 0.3 s of CPU in every job process.
    """
    from tests.pipeline.speech import dialogue

    target = tmp_path / "two.wav"
    dialogue(
        [
            (0, "Could you tell me how it started?"),
            (1, "It started with a letter from the council."),
        ],
        target,
    )
    script = (
        "import sys\n"
        "from cohub.pipeline import diarize\n"
        "from pathlib import Path\nfrom cohub.pipeline.asr import decode_audio, speech_regions\n"
        f"audio = decode_audio(Path({str(target)!r}))\n"
        "pieces = diarize.embed_pieces(audio, speech_regions(audio))\n"
        "assert pieces\n"
        "diarize.cluster([p.embedding for p in pieces], speakers='auto')\n"
        "heavy = ('torch', 'resemblyzer', 'librosa', 'scipy')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    root = Path(__file__).resolve().parents[2]
    found = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert found.stdout.strip() == "[]"


def test_a_weights_file_that_names_other_code_is_refused_not_run(tmp_path):
    class Sneaky:
        def __reduce__(self):
            return (print, ("this must never run",))

    path = tmp_path / "pretrained.pt"
    with path.open("wb") as handle:
        for value in (voice_encoder.LEGACY_MAGIC, 1001, {"little_endian": True}):
            pickle.dump(value, handle, protocol=2)
        pickle.dump({"model_state": Sneaky()}, handle, protocol=2)
    with pytest.raises(voice_encoder.WeightsError, match=r"\.print, which we do not load"):
        voice_encoder.read_legacy_checkpoint(path)


def test_a_cut_short_weights_file_is_refused(tmp_path):
    whole = voice_encoder.packaged_weights().read_bytes()
    path = tmp_path / "pretrained.pt"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(voice_encoder.WeightsError, match="cut short"):
        voice_encoder.VoiceEncoder(path)
