"""resemblyzer's speaker encoder, run in numpy: the same weights and sums, without torch.

Why: in a transcription, importing torch and resemblyzer (which pulls in
librosa) cost about 4 s of CPU time, more than embedding every voice in an
interview; on two cores that alone kept cohub with speakers slower than a
plain ``WhisperModel.transcribe`` (issue 10's goal is 1.3x faster). The
network is small (three LSTM layers of 256 units over 40 mel bands, then a
linear layer), so numpy runs it at the same speed, and it starts in a few
milliseconds.

The weights are read from the ``pretrained.pt`` file inside the resemblyzer
wheel, which is saved in torch's legacy format (a few pickles followed by
the raw tensor bytes). It is read here by a restricted unpickler that knows
only the handful of names such a file uses (tensors, float storages, an
ordered dict): unlike ``torch.load``, a file that names anything else is
refused instead of being run. ``tests/pipeline/test_voice_encoder.py``
checks the embeddings against resemblyzer's own ``VoiceEncoder`` on torch.
"""

from __future__ import annotations

import functools
import importlib.util
import pickle
import struct
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]

LAYERS = 3
HIDDEN = 256
MEL_BANDS = 40
LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


class WeightsError(Exception):
    """The encoder's weights file is missing or not what we expect; ``str()`` says which."""


def packaged_weights() -> Path:
    """Where the resemblyzer wheel keeps its encoder's weights (found without importing it).

    Importing resemblyzer imports torch and librosa, the cost this module exists to avoid.
    """
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        raise WeightsError(
            "The speaker encoder is not installed. Reinstall cohub "
            "(it comes with the resemblyzer package)."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "pretrained.pt"
    if not path.is_file():
        raise WeightsError(f"The speaker encoder's weights are missing from {path.parent}.")
    return path


# ---------------------------------------------------------------- reading torch's legacy format


@dataclass
class _Storage:
    dtype: np.dtype[Any]
    count: int
    data: npt.NDArray[Any] | None = None


@dataclass
class _Tensor:
    storage: _Storage
    offset: int
    shape: tuple[int, ...]
    strides: tuple[int, ...]

    def array(self) -> Matrix:
        if self.storage.data is None:
            raise WeightsError("A tensor in the weights file has no data.")
        flat = self.storage.data[self.offset :]
        size = flat.dtype.itemsize
        view = np.lib.stride_tricks.as_strided(
            flat, shape=self.shape, strides=tuple(s * size for s in self.strides)
        )
        return np.array(view, dtype=np.float32)


_STORAGE_TYPES: dict[str, np.dtype[Any]] = {
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
}


def _rebuild_tensor(
    storage: _Storage, offset: int, shape: tuple[int, ...], strides: tuple[int, ...], *_: Any
) -> _Tensor:
    return _Tensor(storage, offset, tuple(shape), tuple(strides))


class _Marker:
    """Stands for a storage class named in the pickle (only its dtype matters)."""

    def __init__(self, dtype: np.dtype[Any]) -> None:
        self.dtype = dtype


class _WeightsUnpickler(pickle.Unpickler):
    def __init__(self, handle: IO[bytes]) -> None:
        super().__init__(handle)
        self.storages: dict[str, _Storage] = {}

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if module == "torch" and name in _STORAGE_TYPES:
            return _Marker(_STORAGE_TYPES[name])
        if (module, name) == ("collections", "OrderedDict"):
            return OrderedDict
        raise WeightsError(f"The weights file names {module}.{name}, which we do not load.")

    def persistent_load(self, saved_id: Any) -> Any:
        if not (isinstance(saved_id, tuple) and saved_id and saved_id[0] == "storage"):
            raise WeightsError("The weights file holds something other than tensors.")
        marker, key, _location, count = saved_id[1:5]
        if not isinstance(marker, _Marker):
            raise WeightsError("The weights file holds a kind of storage we do not load.")
        if key not in self.storages:
            self.storages[key] = _Storage(marker.dtype, int(count))
        return self.storages[key]


def _arrays(value: Any) -> Any:
    if isinstance(value, _Tensor):
        return value.array()
    if isinstance(value, dict):
        return {k: _arrays(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_arrays(v) for v in value)
    return value


def read_legacy_checkpoint(path: Path) -> dict[str, Any]:
    """The contents of a file written by ``torch.save`` in its legacy format, as numpy arrays."""
    with path.open("rb") as handle:
        try:
            magic = pickle.loads(_one_pickle(handle))  # noqa: S301 (plain ints only)
        except Exception as error:
            raise WeightsError(f"{path.name} is not a weights file we can read.") from error
        if magic != LEGACY_MAGIC:
            raise WeightsError(f"{path.name} is not in the weights format we read.")
        _one_pickle(handle)  # the protocol version
        _one_pickle(handle)  # the saving machine's sizes and byte order
        unpickler = _WeightsUnpickler(handle)
        result = unpickler.load()
        keys = _WeightsUnpickler(handle).load()
        for key in keys:
            storage = unpickler.storages[key]
            (count,) = struct.unpack("<q", handle.read(8))
            size = count * storage.dtype.itemsize
            raw = handle.read(size)
            if len(raw) != size:
                raise WeightsError(f"{path.name} ends too early: it has been cut short.")
            storage.data = np.frombuffer(raw, dtype=storage.dtype)
    return dict(_arrays(result))


def _one_pickle(handle: IO[bytes]) -> bytes:
    """Read one small pickle of plain values (ints, a dict of them) and return its bytes."""
    start = handle.tell()
    _PlainUnpickler(handle).load()
    end = handle.tell()
    handle.seek(start)
    return handle.read(end - start)


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise WeightsError(f"The weights file names {module}.{name} where plain values belong.")


# ---------------------------------------------------------------- the network


class VoiceEncoder:
    """Turns 1.6 s mel windows (batch x 160 frames x 40 bands) into unit voice vectors.

    The same computation as resemblyzer's ``VoiceEncoder.forward``: a
    three-layer LSTM (gates in torch's order: input, forget, cell, output),
    its last hidden state through a linear layer and a ReLU, L2-normalised.
    """

    def __init__(self, weights: Path | None = None) -> None:
        state = read_legacy_checkpoint(weights or packaged_weights()).get("model_state")
        if not isinstance(state, dict):
            raise WeightsError("The weights file has no model in it.")
        try:
            self.layers = [
                _prepared(
                    state[f"lstm.weight_ih_l{k}"],
                    state[f"lstm.weight_hh_l{k}"],
                    state[f"lstm.bias_ih_l{k}"] + state[f"lstm.bias_hh_l{k}"],
                )
                for k in range(LAYERS)
            ]
            self.linear = np.ascontiguousarray(state["linear.weight"].T)
            self.linear_bias = state["linear.bias"]
        except KeyError as missing:
            raise WeightsError(f"The weights file has no {missing} in it.") from None
        if self.layers[0][0].shape != (MEL_BANDS, 4 * HIDDEN):
            raise WeightsError("The weights file holds a differently shaped model.")

    def __call__(self, mels: Matrix) -> Matrix:
        batch, steps, _ = mels.shape
        # Time first, so each step's slice is one contiguous block.
        sequence = np.ascontiguousarray(mels.astype(np.float32).transpose(1, 0, 2))
        hidden = np.zeros((batch, HIDDEN), dtype=np.float32)
        gates = np.empty((batch, 4 * HIDDEN), dtype=np.float32)
        squashed = np.empty((batch, 3 * HIDDEN), dtype=np.float32)
        cell_out = np.empty((batch, HIDDEN), dtype=np.float32)
        for input_weights, hidden_weights, bias in self.layers:
            # Every step's input part at once; only the recurrent part goes step by step.
            inputs = (sequence.reshape(steps * batch, -1) @ input_weights + bias).reshape(
                steps, batch, 4 * HIDDEN
            )
            hidden = np.zeros((batch, HIDDEN), dtype=np.float32)
            cell = np.zeros((batch, HIDDEN), dtype=np.float32)
            outputs = np.empty((steps, batch, HIDDEN), dtype=np.float32)
            for step in range(steps):
                np.matmul(hidden, hidden_weights, out=gates)
                gates += inputs[step]
                # Gates are ordered input, forget, output, cell here, and the first three
                # come pre-halved (see _prepared): sigmoid(x) = (tanh(x / 2) + 1) / 2.
                np.tanh(gates[:, : 3 * HIDDEN], out=squashed)
                squashed += 1.0
                squashed *= 0.5
                np.tanh(gates[:, 3 * HIDDEN :], out=cell_out)
                cell_out *= squashed[:, :HIDDEN]
                cell *= squashed[:, HIDDEN : 2 * HIDDEN]
                cell += cell_out
                np.tanh(cell, out=cell_out)
                np.multiply(squashed[:, 2 * HIDDEN :], cell_out, out=outputs[step])
                hidden = outputs[step]
            sequence = outputs
        raw = np.maximum(hidden @ self.linear + self.linear_bias, 0.0)
        norms = np.linalg.norm(raw, axis=1, keepdims=True)
        return (raw / np.maximum(norms, 1e-9)).astype(np.float32)


def _prepared(
    input_weights: Matrix, hidden_weights: Matrix, bias: Matrix
) -> tuple[Matrix, Matrix, Matrix]:
    """One LSTM layer's weights, transposed for ``x @ W``, its gates reordered and scaled.

    torch orders the gates input, forget, cell, output; putting the three
    sigmoid gates side by side lets one ``tanh`` call serve them, and halving
    their rows here saves halving them at every step.
    """
    order = np.r_[0:HIDDEN, HIDDEN : 2 * HIDDEN, 3 * HIDDEN : 4 * HIDDEN, 2 * HIDDEN : 3 * HIDDEN]
    scale = np.ones(4 * HIDDEN, dtype=np.float32)
    scale[: 3 * HIDDEN] = 0.5
    return (
        np.ascontiguousarray((input_weights[order] * scale[:, None]).T, dtype=np.float32),
        np.ascontiguousarray((hidden_weights[order] * scale[:, None]).T, dtype=np.float32),
        (bias[order] * scale).astype(np.float32),
    )


@functools.lru_cache(maxsize=1)
def packaged_encoder() -> VoiceEncoder:
    """The encoder with resemblyzer's packaged weights, loaded once per process."""
    return VoiceEncoder()
