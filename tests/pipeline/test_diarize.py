"""Telling two voices apart in a real (synthetic) dialogue, and the clustering on fixed data."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from cohub import cli
from cohub.pipeline import diarize
from cohub.pipeline.asr import (
    FasterWhisperEngine,
    Transcription,
    decode_audio,
    speech_regions,
    transcribe_media,
)
from tests.pipeline.speech import Turn, dialogue, speak

LINES = [
    (0, "Thank you for talking with me today. Can you tell me about your first visit?"),
    (1, "Yes. I went to the clinic in March and I waited for a very long time."),
    (0, "How did that make you feel?"),
    (1, "Honestly, I felt forgotten. Nobody explained what would happen next."),
]


@pytest.fixture(scope="module")
def engine():
    return FasterWhisperEngine()


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    target = tmp_path_factory.mktemp("dialogue") / "interview.wav"
    return target, dialogue(LINES, target)


@pytest.fixture(scope="module")
def heard(recorded, engine):
    """The dialogue transcribed without speakers, with its audio and speech regions."""
    target, _ = recorded
    audio = decode_audio(target)
    return audio, speech_regions(audio), transcribe_media(target, engine=engine)


@pytest.fixture(scope="module")
def two(heard) -> Transcription:
    audio, regions, plain = heard
    segments, parameters = diarize.assign_speakers(
        audio, plain.segments, regions=regions, speakers=2
    )
    return replace(plain, segments=tuple(segments), parameters={"diarization": parameters})


def _truth(turns: list[Turn], start: float, end: float) -> int:
    """The voice that spoke most of the time from ``start`` to ``end``."""
    overlaps = [max(0.0, min(end, t.end) - max(start, t.start)) for t in turns]
    return turns[max(range(len(turns)), key=overlaps.__getitem__)].voice


def _right_share(result: Transcription, turns: list[Turn]) -> float:
    """The share of word time given to the right voice (speaker names mapped by first speech)."""
    names = {}
    right = total = 0.0
    for segment in result.segments:
        for word in segment.words:
            voice = _truth(turns, word.start, word.end)
            names.setdefault(segment.speaker, voice)
            length = max(word.end - word.start, 0.01)
            total += length
            right += length if names[segment.speaker] == voice else 0.0
    return right / total


def test_each_voice_gets_its_own_speaker(two, recorded):
    _, turns = recorded
    assert two.speakers == ["Speaker 1", "Speaker 2"]
    assert _right_share(two, turns) >= 0.9
    first = next(s for s in two.segments if "visit" in s.text.lower())
    second = next(s for s in two.segments if "clinic" in s.text.lower())
    assert (first.speaker, second.speaker) == ("Speaker 1", "Speaker 2")
    assert two.parameters["diarization"]["speakers_found"] == 2


def test_segments_stay_in_order_with_words_inside(two):
    previous = 0.0
    for segment in two.segments:
        assert previous <= segment.start < segment.end
        assert segment.text == " ".join(word.text for word in segment.words)
        for word in segment.words:
            assert segment.start <= word.start <= word.end <= segment.end
        previous = segment.end


def test_how_many_speakers_is_estimated(heard, recorded, engine, tmp_path):
    audio, regions, plain = heard
    segments, parameters = diarize.assign_speakers(
        audio, plain.segments, regions=regions, speakers="auto"
    )
    guessed = replace(plain, segments=tuple(segments))
    assert guessed.speakers == ["Speaker 1", "Speaker 2"]
    assert _right_share(guessed, recorded[1]) >= 0.9
    assert parameters["speakers_asked"] == "auto"

    alone = speak(LINES[1][1], tmp_path / "alone.wav")
    one = transcribe_media(alone, engine=engine, speakers="auto")
    assert one.speakers == ["Speaker 1"]
    assert {s.speaker for s in one.segments} == {"Speaker 1"}


def test_voices_embedded_beside_whisper_match_the_ones_embedded_after(heard):
    """The overlap must change when the voices are embedded, never what comes out."""
    audio, regions, _ = heard
    after = diarize.embed_pieces(audio, regions)
    fractions: list[float] = []
    beside = diarize.start_embedding(audio, regions).pieces(progress=fractions.append)
    assert [(p.start, p.end) for p in beside] == [(p.start, p.end) for p in after]
    for mine, theirs in zip(beside, after, strict=True):
        assert np.allclose(mine.embedding, theirs.embedding, atol=1e-5)
    assert all(0.0 <= fraction <= 1.0 for fraction in fractions)


def test_progress_comes_from_the_calling_thread_while_voices_are_embedded(recorded, engine):
    """A job's progress callback writes to the database: it must not be called from elsewhere."""
    import threading

    callers: set[int] = set()
    seen: list[float] = []

    def note(progress):
        callers.add(threading.get_ident())
        seen.append(progress.fraction)

    result = transcribe_media(recorded[0], engine=engine, speakers=2, progress=note)
    assert callers == {threading.get_ident()}
    assert seen[-1] == 1.0 and seen == sorted(seen)
    assert result.speakers == ["Speaker 1", "Speaker 2"]


def test_cli_json_names_the_speakers(recorded, capsys):
    code = cli.main(["transcribe", "--speakers", "2", "--format", "json", str(recorded[0])])
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert {row["speaker"] for row in rows} == {"Speaker 1", "Speaker 2"}


# Pure parts, on fixed data -------------------------------------------------------------


def _voices(seed: int = 7) -> tuple[np.ndarray, list[int]]:
    """Noisy copies of two well-separated unit vectors, like two people's embeddings."""
    rng = np.random.default_rng(seed)
    centres = np.eye(2, 16)
    truth = [0, 0, 1, 1, 0, 1, 1, 0, 0, 1]
    points = centres[truth] + rng.normal(0, 0.08, (len(truth), 16))
    return points / np.linalg.norm(points, axis=1, keepdims=True), truth


def test_cluster_finds_the_two_voices():
    points, truth = _voices()
    for speakers in (2, "auto"):
        labels = diarize.cluster(points, speakers=speakers)
        assert len(set(labels)) == 2
        mapping = {label: voice for label, voice in zip(labels, truth, strict=True)}
        assert [mapping[label] for label in labels] == truth


def test_cluster_folds_a_rare_voice_into_the_others_when_guessing():
    points, _ = _voices()
    odd = np.zeros((1, 16))
    odd[0, 5] = 1.0
    labels = diarize.cluster(np.vstack([points, odd]), speakers="auto")
    assert len(set(labels)) == 2


def _same_grouping(ours, theirs) -> bool:
    """Two labellings put the same items together, whatever the numbers."""
    pairs = set(zip(ours, theirs, strict=True))
    return len(pairs) == len(set(ours)) == len(set(theirs))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_our_average_linkage_is_scipys(seed):
    from scipy.cluster.hierarchy import fcluster, linkage

    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 1, (4, 12))
    points = centres[rng.integers(0, 4, 60)] + rng.normal(0, 0.4, (60, 12))
    tree = linkage(points, method="average", metric="cosine")
    merges = diarize.average_linkage(points)
    assert np.allclose([height for _, _, height in merges], tree[:, 2], atol=1e-9)
    for clusters in (1, 2, 3, 4, 7):
        ours = diarize.flat_clusters(len(points), merges, clusters=clusters)
        assert len(set(ours)) == clusters
        assert _same_grouping(ours, fcluster(tree, t=clusters, criterion="maxclust"))
    for threshold in (0.05, 0.3, 0.6):
        ours = diarize.flat_clusters(len(points), merges, threshold=threshold)
        assert _same_grouping(ours, fcluster(tree, t=threshold, criterion="distance"))


def test_smoothing_removes_one_piece_flips_only():
    assert diarize.smooth([0, 0, 1, 0, 0]) == [0, 0, 0, 0, 0]
    assert diarize.smooth([0, 0, 1, 1, 0, 0]) == [0, 0, 1, 1, 0, 0]
    assert diarize.smooth([0, 1, 2, 2]) == [0, 1, 2, 2]


def test_our_mel_frames_match_the_ones_the_encoder_was_trained_on():
    """resemblyzer computes them with librosa; ours must give the encoder the same input."""
    from resemblyzer import wav_to_mel_spectrogram

    clip = np.random.default_rng(3).normal(0, 0.1, 16_000 * 2).astype(np.float32)
    theirs = wav_to_mel_spectrogram(clip)
    ours = diarize.mel_frames(clip)
    assert ours.shape == theirs.shape
    assert np.allclose(ours, theirs, rtol=1e-3, atol=1e-6)
