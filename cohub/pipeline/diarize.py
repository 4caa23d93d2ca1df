"""Telling the voices in a recording apart, offline: who spoke each word.

Plain Python, no Django. :func:`cohub.pipeline.asr.transcribe_media` calls
:func:`assign_speakers` when asked for speakers; nothing else needs to.

How: the speech regions that voice-activity detection found are cut into
overlapping 1.6 s windows; the speaker encoder that the ``resemblyzer``
package ships (a small LSTM, its weights inside the wheel, so nothing
downloads; run in numpy by :mod:`cohub.pipeline.voice_encoder`, so no torch)
turns each window into a voice embedding; windows are grouped
into short pieces, and the pieces are clustered by cosine similarity
(average linkage), into the number of speakers given, or as many as the
voices differ by more than :data:`SAME_VOICE_DISTANCE` when it is
``"auto"``. Each piece is then given to the nearest cluster centre, short
flips are smoothed, and every word takes the speaker of the pieces it
overlaps most; segments are split where the speaker changes.

Speakers are named "Speaker 1", "Speaker 2", ... in order of first speech;
people rename them on the story's speakers page.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from importlib import metadata
from typing import TYPE_CHECKING, Any, Literal

from cohub.pipeline.asr import SAMPLE_RATE, Segment, Word

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Audio = npt.NDArray[np.float32]
    Matrix = npt.NDArray[np.float64]

WINDOW_S = 1.6  # the encoder's window (resemblyzer's partial utterance)
WINDOWS_PER_SECOND = 1  # a window every second (two gave the same DER at twice the cost)
PIECE_S = 1.0  # windows are averaged into pieces about this long
# Cosine distance between average voices above which two groups are different
# people. Set on espeak voices and checked against the resemblyzer paper's
# same/different speaker similarities (same speaker: similarity above ~0.8).
SAME_VOICE_DISTANCE = 0.3
MAX_SPEAKERS = 20
TRUSTED_REGION_S = 1.0  # shorter speech regions are labelled, not clustered
LEAST_SPEECH_SHARE = 0.1
MAX_LINKAGE = 3000  # pieces clustered pairwise (about 50 minutes of speech)


@dataclass(frozen=True)
class Piece:
    """A short stretch of one speech region and the average voice heard in it."""

    start: float
    end: float
    embedding: Any  # unit vector, numpy float array
    region_s: float  # how long the speech region it came from is


def speaker_label(number: int) -> str:
    return f"Speaker {number}"


def _encoder() -> Any:
    """resemblyzer's encoder, run in numpy (see ``voice_encoder``): no torch to import."""
    from cohub.pipeline.voice_encoder import packaged_encoder

    return packaged_encoder()


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """numpy's OpenBLAS on one thread while voices are embedded beside Whisper.

    Whisper (CTranslate2, its own OpenMP) has the other cores; a second BLAS
    thread only waits for them, and spinning OpenBLAS threads made the encoder
    ten times slower on a busy machine. Only OpenBLAS is limited, not Whisper's
    threads.
    """
    from threadpoolctl import ThreadpoolController

    with ThreadpoolController().select(internal_api="openblas").limit(limits=1):
        yield


def _normalised(vectors: Matrix) -> Matrix:
    import numpy as np

    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


# The encoder's input, as resemblyzer's training used it: 40 mel bands of the
# power spectrum, 25 ms windows every 10 ms, 1.6 s (160 frames) per window.
N_FFT = 400
HOP = 160
N_MELS = 40
WINDOW_FRAMES = 160
BATCH = 64  # windows through the encoder at once: bigger batches, fewer steps


@functools.lru_cache(maxsize=1)
def mel_filters() -> Matrix:
    """Slaney-style mel filter bank (the one librosa builds by default), made here.

    librosa's own takes seconds to import and compile on first use, in every
    transcription process; this is the same formula in a few lines of numpy.
    """
    import numpy as np

    def to_mel(hz: Matrix) -> Matrix:
        linear = hz / (200.0 / 3)
        log = 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
        return np.where(hz >= 1000.0, log, linear)

    def to_hz(mel: Matrix) -> Matrix:
        linear = mel * (200.0 / 3)
        log = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0))
        return np.where(mel >= 15.0, log, linear)

    frequencies = np.linspace(0, SAMPLE_RATE / 2, 1 + N_FFT // 2)
    edges = to_hz(np.linspace(to_mel(np.array(0.0)), to_mel(np.array(SAMPLE_RATE / 2)), N_MELS + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - frequencies[None, :]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights.astype(np.float32)


def mel_frames(clip: Audio) -> Matrix:
    """Mel power spectrogram frames (time x 40) of 16 kHz audio, centred, zero-padded."""
    import numpy as np

    padded = np.pad(clip.astype(np.float32), (N_FFT // 2, N_FFT // 2))
    count = 1 + (len(padded) - N_FFT) // HOP
    index = np.arange(N_FFT)[None, :] + HOP * np.arange(count)[:, None]
    window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)
    power = np.abs(np.fft.rfft(padded[index] * window, axis=1)) ** 2
    return (power @ mel_filters().T).astype(np.float32)


def _louder(clip: Audio, target_dbfs: float = -30.0) -> Audio:
    """Raise quiet speech to the level the encoder was trained on; never turn it down."""
    import numpy as np

    level = float(np.mean(clip.astype(np.float64) ** 2))
    if level <= 0:
        return clip
    change = target_dbfs - 10 * np.log10(level)
    return clip * np.float32(10 ** (change / 20)) if change > 0 else clip


def embed_pieces(
    audio: Audio,
    regions: Sequence[tuple[float, float]],
    *,
    progress: Callable[[float], None] = lambda done: None,
) -> list[Piece]:
    """Voice embeddings for the speech in ``regions``, one per piece of about a second.

    Every region is cut into 1.6 s windows, one a second (a region
    shorter than a window is padded with silence, as the encoder expects);
    windows from all regions go through the encoder together in fixed-size
    batches; each piece averages the windows centred in it.
    """
    import numpy as np

    step = round(SAMPLE_RATE / WINDOWS_PER_SECOND / HOP)
    windows: list[Matrix] = []
    owners: list[tuple[int, float]] = []  # (region index, window centre in seconds)
    for number, (start, end) in enumerate(regions):
        clip = audio[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]
        if clip.size < SAMPLE_RATE // 4:
            continue
        frames = mel_frames(_louder(clip))
        if len(frames) < WINDOW_FRAMES:
            frames = np.pad(frames, ((0, WINDOW_FRAMES - len(frames)), (0, 0)))
        last = len(frames) - WINDOW_FRAMES
        firsts = list(range(0, last + 1, step))
        if firsts[-1] != last:
            firsts.append(last)
        for first in firsts:
            windows.append(frames[first : first + WINDOW_FRAMES])
            centre = start + min((first + WINDOW_FRAMES / 2) * HOP / SAMPLE_RATE, end - start)
            owners.append((number, centre))
    if not windows:
        progress(1.0)
        return []

    encoder = _encoder()
    vectors: list[Matrix] = []
    with _one_blas_thread():
        for first in range(0, len(windows), BATCH):
            batch = np.stack(windows[first : first + BATCH]).astype(np.float32)
            vectors.append(encoder(batch))
            progress(min(1.0, (first + len(batch)) / len(windows)))
    embeddings = np.concatenate(vectors)
    region_of = np.array([owner[0] for owner in owners])
    centres = np.array([owner[1] for owner in owners])

    pieces: list[Piece] = []
    for number, (start, end) in enumerate(regions):
        mine = np.flatnonzero(region_of == number)
        if not len(mine):
            continue
        count = max(1, round((end - start) / PIECE_S))
        edges = np.linspace(start, end, count + 1)
        for index in range(count):
            inside = mine[(centres[mine] >= edges[index]) & (centres[mine] < edges[index + 1])]
            if index == count - 1:
                inside = mine[centres[mine] >= edges[index]]
            if not len(inside):
                middle = (edges[index] + edges[index + 1]) / 2
                inside = mine[[int(np.argmin(np.abs(centres[mine] - middle)))]]
            vector = _normalised(embeddings[inside].mean(axis=0))
            pieces.append(Piece(float(edges[index]), float(edges[index + 1]), vector, end - start))
    return pieces


def average_linkage(vectors: Matrix) -> list[tuple[int, int, float]]:
    """Average-linkage merges on cosine distance, lowest first: ``(a, b, height)``.

    ``a`` and ``b`` are the indices of one vector in each of the two groups
    merged, ``height`` the mean cosine distance between the groups' members
    (the same heights as scipy's ``linkage(method="average", metric="cosine")``;
    a test compares them). Written here, with the nearest-neighbour chain
    (each step one numpy pass over a row of the distance matrix), because
    importing ``scipy.cluster`` pulls in ``scipy.spatial`` and costs about
    0.3 s of CPU in every transcription, more than the clustering itself.
    """
    import numpy as np

    unit = _normalised(np.asarray(vectors, dtype=np.float64))
    count = len(unit)
    distance = np.clip(1.0 - unit @ unit.T, 0.0, 2.0)
    np.fill_diagonal(distance, np.inf)
    size = np.ones(count)
    alive = np.ones(count, dtype=bool)
    merges: list[tuple[int, int, float]] = []
    chain: list[int] = []
    while len(merges) < count - 1:
        if not chain:
            chain.append(int(np.flatnonzero(alive)[0]))
        here = chain[-1]
        row = distance[here]
        nearest = int(np.argmin(row))
        # On a tie, prefer the group before in the chain, or the chain can cycle.
        if len(chain) > 1 and row[chain[-2]] <= row[nearest]:
            nearest = chain[-2]
        if len(chain) < 2 or nearest != chain[-2]:
            chain.append(nearest)
            continue
        del chain[-2:]
        merges.append((here, nearest, float(row[nearest])))
        # Lance-Williams for average linkage: the new group's distance to any other
        # is the size-weighted mean of its two parts' distances.
        merged = (size[here] * row + size[nearest] * distance[nearest]) / (
            size[here] + size[nearest]
        )
        distance[nearest, :] = merged
        distance[:, nearest] = merged
        distance[nearest, nearest] = np.inf
        distance[here, :] = np.inf
        distance[:, here] = np.inf
        size[nearest] += size[here]
        alive[here] = False
    merges.sort(key=lambda merge: merge[2])
    return merges


def flat_clusters(
    count: int,
    merges: Sequence[tuple[int, int, float]],
    *,
    clusters: int | None = None,
    threshold: float | None = None,
) -> Any:
    """A group number (1, 2, ...) for each of ``count`` vectors, from :func:`average_linkage`.

    Either the lowest merges until ``clusters`` groups are left, or every merge
    at or below ``threshold`` (groups that differ by more stay apart).
    """
    import numpy as np

    parent = list(range(count))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for done, (first, second, height) in enumerate(merges):
        if clusters is not None and done >= count - clusters:
            break
        if threshold is not None and height > threshold:
            break
        parent[root(first)] = root(second)
    numbers: dict[int, int] = {}
    return np.array([numbers.setdefault(root(i), len(numbers) + 1) for i in range(count)])


def cluster(
    embeddings: Matrix,
    *,
    speakers: int | Literal["auto"],
    durations: Sequence[float] | None = None,
    threshold: float = SAME_VOICE_DISTANCE,
) -> list[int]:
    """A cluster number (0, 1, ...) for each embedding.

    Average-linkage clustering on cosine distance over the pieces from speech
    regions long enough to trust (a lone "Yes." gives the encoder too little
    to go on), cut at ``speakers`` clusters or, for ``"auto"``, where groups
    differ by more than ``threshold``. Then every piece, trusted or not, goes
    to its nearest cluster centre, which also undoes early merges that average
    linkage cannot. With ``"auto"``, a voice heard for under
    :data:`LEAST_SPEECH_SHARE` of the speech (and under 5 s) is folded into
    the nearest other voice: a cough or a laugh is not a person.
    """
    import numpy as np

    embeddings = np.asarray(embeddings, dtype=np.float64)
    count = len(embeddings)
    if count == 0:
        return []
    if count == 1 or speakers == 1:
        return [0] * count
    weights = np.ones(count) if durations is None else np.asarray(durations, dtype=float)
    trusted = np.flatnonzero(weights >= TRUSTED_REGION_S)
    if len(trusted) < 2:
        trusted = np.arange(count)
    # Linkage needs every pair's distance: for a long recording, cluster an even
    # sample of the pieces and give the rest to the nearest centre.
    if len(trusted) > MAX_LINKAGE:
        trusted = trusted[np.linspace(0, len(trusted) - 1, MAX_LINKAGE).round().astype(int)]
    sample = embeddings[trusted]
    merges = average_linkage(sample)
    if speakers == "auto":
        labels = flat_clusters(len(sample), merges, threshold=threshold)
    else:
        labels = flat_clusters(len(sample), merges, clusters=min(speakers, len(sample)))
    centres = _normalised(np.array([sample[labels == g].mean(axis=0) for g in sorted(set(labels))]))
    nearest = np.argmax(embeddings @ centres.T, axis=1)
    if speakers == "auto":
        spans = np.ones(count) * PIECE_S
        total = spans.sum()
        while len(centres) > 1:
            heard = np.array([spans[nearest == c].sum() for c in range(len(centres))])
            smallest = int(np.argmin(heard))
            if heard[smallest] >= min(LEAST_SPEECH_SHARE * total, 5.0):
                break
            centres = np.delete(centres, smallest, axis=0)
            nearest = np.argmax(embeddings @ centres.T, axis=1)
    return [int(n) for n in nearest]


def smooth(labels: Sequence[int], *, shortest: int = 2) -> list[int]:
    """Fold runs shorter than ``shortest`` pieces into their neighbours when both agree.

    One odd second between two stretches of the same voice is the encoder
    unsure (a cough, a laugh), not a one-second interruption.
    """
    result = list(labels)
    index = 0
    while index < len(result):
        end = index
        while end + 1 < len(result) and result[end + 1] == result[index]:
            end += 1
        before = result[index - 1] if index > 0 else None
        after = result[end + 1] if end + 1 < len(result) else None
        if end - index + 1 < shortest and before is not None and before == after:
            for position in range(index, end + 1):
                result[position] = before
        index = end + 1
    return result


def _speaker_of(word: Word, starts: Matrix, ends: Matrix, labels: Sequence[int]) -> int:
    """The label of the piece the word overlaps most, or of the nearest piece."""
    import numpy as np

    overlap = np.minimum(ends, word.end) - np.maximum(starts, word.start)
    best = int(np.argmax(overlap))
    if overlap[best] <= 0:
        gap = np.maximum(starts - word.end, word.start - ends)
        best = int(np.argmin(gap))
    return labels[best]


def _split_by_speaker(segment: Segment, speakers: Sequence[str]) -> list[Segment]:
    result: list[Segment] = []
    current: list[Word] = []
    current_speaker = speakers[0]
    for word, speaker in zip(segment.words, speakers, strict=True):
        if current and speaker != current_speaker:
            result.append(_segment(current, current_speaker))
            current = []
        current.append(word)
        current_speaker = speaker
    if current:
        result.append(_segment(current, current_speaker))
    return result


def _segment(words: Sequence[Word], speaker: str) -> Segment:
    return Segment(
        start=words[0].start,
        end=max(w.end for w in words),
        text=" ".join(w.text for w in words),
        words=tuple(words),
        speaker=speaker,
    )


class Embedding:
    """Voice embeddings being made in a thread of their own, while Whisper transcribes.

    The voices need only the audio and where the speech is, not the words, so
    they need not wait for them: loading the encoder and embedding every
    window overlap the transcription, and on two cores most of their cost
    disappears into the moments Whisper leaves a core idle.
    """

    def __init__(self, audio: Audio, regions: Sequence[tuple[float, float]]) -> None:
        self.fraction = 0.0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cohub-voices")
        self._future = self._pool.submit(embed_pieces, audio, regions, progress=self._progress)
        self._pool.shutdown(wait=False)

    def _progress(self, done: float) -> None:
        self.fraction = done

    def pieces(self, *, progress: Callable[[float], None] = lambda done: None) -> list[Piece]:
        """The pieces, once made; ``progress`` is called from this (the caller's) thread."""
        while True:
            try:
                return self._future.result(timeout=0.25)
            except FutureTimeout:
                progress(self.fraction)


def start_embedding(audio: Audio, regions: Sequence[tuple[float, float]]) -> Embedding:
    """Begin embedding the voices in ``regions``; hand the result to :func:`assign_speakers`."""
    return Embedding(audio, regions)


def assign_speakers(
    audio: Audio,
    segments: Sequence[Segment],
    *,
    regions: Sequence[tuple[float, float]],
    speakers: int | Literal["auto"],
    progress: Callable[[float], None] = lambda done: None,
    embedding: Embedding | None = None,
) -> tuple[list[Segment], dict[str, Any]]:
    """``segments`` with a speaker on each, split where the speaker changes.

    Returns the segments and the parameters to record in the provenance.
    ``embedding``, from :func:`start_embedding` on the same audio and regions,
    is used instead of embedding the voices here.
    """
    import numpy as np

    if speakers != "auto" and not 1 <= speakers <= MAX_SPEAKERS:
        raise ValueError(f"speakers must be between 1 and {MAX_SPEAKERS}, or 'auto'")
    parameters: dict[str, Any] = {
        "method": "resemblyzer voice embeddings (numpy), average-linkage cosine clustering",
        "resemblyzer_version": metadata.version("resemblyzer"),
        "speakers_asked": speakers,
        "window_s": WINDOW_S,
        "windows_per_second": WINDOWS_PER_SECOND,
        "piece_s": PIECE_S,
        "same_voice_distance": SAME_VOICE_DISTANCE if speakers == "auto" else None,
    }
    report = lambda done: progress(done * 0.9)  # noqa: E731
    if embedding is not None:
        pieces = embedding.pieces(progress=report)
    else:
        pieces = embed_pieces(audio, regions, progress=report)
    if not pieces:
        labelled = [replace(segment, speaker=speaker_label(1)) for segment in segments]
        progress(1.0)
        return labelled, {**parameters, "speakers_found": 1 if labelled else 0}
    embeddings = np.array([piece.embedding for piece in pieces])
    labels = smooth(cluster(embeddings, speakers=speakers, durations=[p.region_s for p in pieces]))
    # Number the speakers in order of first speech, as a reader expects.
    order: dict[int, str] = {}
    for label in labels:
        order.setdefault(label, speaker_label(len(order) + 1))
    starts = np.array([piece.start for piece in pieces])
    ends = np.array([piece.end for piece in pieces])
    result: list[Segment] = []
    for segment in segments:
        if not segment.words:
            continue
        names = [order[_speaker_of(word, starts, ends, labels)] for word in segment.words]
        result.extend(_split_by_speaker(segment, names))
    progress(1.0)
    found = len({s.speaker for s in result})
    return result, {**parameters, "speakers_found": found}
