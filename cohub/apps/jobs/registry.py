"""Which handler runs each kind of job, and how it reports what it made.

Apps register kinds in a ``jobs.py`` module (imported by ``JobsConfig.ready``)
or in their own ``AppConfig.ready``::

    from cohub.apps.jobs.registry import Outcome, Provenance, register

    @register(
        "stories.transcribe",
        label="Transcribing a recording",
        timeout_s=3600,
        isolated=True,  # native model code: run it in a child process we can kill
        memory_mb=4096,
    )
    def transcribe(job: Job, progress: Progress) -> Outcome:
        progress(10, "Decoding the audio")
        ...
        return Outcome(
            result={"transcript_id": transcript.pk},
            provenance=Provenance(
                engine="faster-whisper",
                model_name="small.en",
                model_version=file_digest(model_dir),
                parameters={"beam_size": 5, "language": "en"},
                seed=0,
                input_hash=media.sha256,
            ),
        )

The handler gets the ``Job`` row (read ``job.params``) and a ``progress``
callback. It returns an ``Outcome`` (or, when there is nothing to explain, a
plain JSON-serialisable dict, or ``None``); each success is kept as a new
``JobResult`` version. Raising marks the attempt failed; the job is retried up
to ``max_attempts``. Handlers may run more than once for one job (retries, a
restarted worker, a re-run), so they must be safe to repeat.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from cohub.apps.jobs.models import Job

Progress: TypeAlias = Callable[[int, str], None]

DEFAULT_TIMEOUT_S = 30 * 60

# An isolated attempt may take this long to start its child process (import
# Django and the app's code) before its own time limit starts counting.
CHILD_START_LIMIT_S = 60

# A running attempt counts as abandoned by a dead worker once it has run
# longer than its kind's limits plus this margin (see ``JobKind.lease_s``).
LEASE_GRACE_S = 2 * 60


class UnknownJobKind(LookupError):
    """No handler is registered for this kind (a typo, or a worker running older code)."""


@dataclass(frozen=True)
class Provenance:
    """What produced a result, so it can be explained and reproduced later.

    ``model_version`` is a release number where the model has one, or
    ``file_digest(path)`` of the weights where it does not (a user-supplied
    model directory). ``parameters`` are the settings that change the output
    (language, beam size, number of clusters), not every argument.
    ``input_hash`` defaults to the job's own ``input_hash``; set it when the
    handler fingerprints what it actually read.
    """

    engine: str = ""
    model_name: str = ""
    model_version: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    seed: int | None = None
    input_hash: str = ""


@dataclass(frozen=True)
class Outcome:
    """A handler's answer: the result to store and how it was made."""

    result: Mapping[str, Any]
    provenance: Provenance = field(default_factory=Provenance)


Handler: TypeAlias = Callable[["Job", Progress], "Outcome | dict | None"]


def file_digest(path: str | Path) -> str:
    """``"sha256:<hex>"`` of a file, or of every file in a directory (names included).

    For ``Provenance.model_version`` when a model has no version of its own:
    the same weights always give the same digest, on any machine.
    """
    path = Path(path)
    if path.is_file():
        with path.open("rb") as handle:
            return "sha256:" + hashlib.file_digest(handle, "sha256").hexdigest()
    digest = hashlib.sha256()
    for member in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(member.relative_to(path).as_posix().encode() + b"\0")
        digest.update(file_digest(member).encode() + b"\0")
    return "sha256:" + digest.hexdigest()


@dataclass(frozen=True)
class JobKind:
    kind: str
    handler: Handler
    label: str
    max_attempts: int
    timeout_s: float
    retry_backoff_s: float
    isolated: bool = False
    memory_mb: int | None = None
    every: timedelta | None = None

    @property
    def lease_s(self) -> float:
        """How long an attempt may run before it is presumed abandoned by a dead worker."""
        start = CHILD_START_LIMIT_S if self.isolated else 0
        return self.timeout_s + start + LEASE_GRACE_S


_kinds: dict[str, JobKind] = {}


def register(
    kind: str,
    *,
    label: str = "",
    max_attempts: int = 3,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    retry_backoff_s: float = 10,
    isolated: bool = False,
    memory_mb: int | None = None,
    every: timedelta | None = None,
) -> Callable[[Handler], Handler]:
    """Register ``handler`` for ``kind``; returns the handler unchanged.

    ``label`` is what people see ("Transcribing a recording"); it defaults to
    the kind. ``timeout_s`` stops an attempt that runs too long and also tells
    how long a ``running`` job may go quiet before it counts as abandoned by a
    dead worker. Retry ``n`` waits ``retry_backoff_s * 2 ** (n - 1)`` seconds
    where the queue supports delays (the database queue does).

    ``isolated=True`` runs each attempt in a child process that the worker
    kills at ``timeout_s`` or when it uses more than ``memory_mb`` of memory;
    use it for model inference and anything else in native code, which a
    signal cannot interrupt. Other kinds run in the worker itself.

    ``every`` makes the kind periodic: every worker queues one run per period
    (the kind takes no parameters), see ``services.jobs_queue_due_periodic``.
    """
    if not kind or len(kind) > 80:
        raise ImproperlyConfigured(f"Job kind must be 1-80 characters, not {kind!r}.")
    if max_attempts < 1:
        raise ImproperlyConfigured(f"Job kind {kind!r}: max_attempts must be at least 1.")
    if timeout_s <= 0:
        raise ImproperlyConfigured(f"Job kind {kind!r}: timeout_s must be positive.")
    if memory_mb is not None and (not isolated or memory_mb <= 0):
        raise ImproperlyConfigured(
            f"Job kind {kind!r}: memory_mb must be positive and needs isolated=True "
            "(only a child process can be held to a memory limit)."
        )
    if every is not None and every < timedelta(minutes=1):
        raise ImproperlyConfigured(f"Job kind {kind!r}: every must be at least a minute.")

    def decorator(handler: Handler) -> Handler:
        existing = _kinds.get(kind)
        if existing is not None and _qualified_name(existing.handler) != _qualified_name(handler):
            raise ImproperlyConfigured(
                f"Job kind {kind!r} is already registered to {_qualified_name(existing.handler)}."
            )
        _kinds[kind] = JobKind(
            kind=kind,
            handler=handler,
            label=label or kind,
            max_attempts=max_attempts,
            timeout_s=timeout_s,
            retry_backoff_s=retry_backoff_s,
            isolated=isolated,
            memory_mb=memory_mb,
            every=every,
        )
        return handler

    return decorator


def get(kind: str) -> JobKind:
    try:
        return _kinds[kind]
    except KeyError:
        raise UnknownJobKind(f"No handler is registered for job kind {kind!r}.") from None


def find(kind: str) -> JobKind | None:
    return _kinds.get(kind)


def label_for(kind: str) -> str:
    """What to call a kind on screen; an unregistered kind shows as itself."""
    found = _kinds.get(kind)
    return found.label if found is not None else kind


def registered_kinds() -> list[str]:
    return sorted(_kinds)


def periodic_kinds() -> list[JobKind]:
    """Kinds registered with ``every``, in name order."""
    return [_kinds[name] for name in sorted(_kinds) if _kinds[name].every is not None]


def _qualified_name(handler: Handler) -> str:
    module = getattr(handler, "__module__", "?")
    name = getattr(handler, "__qualname__", repr(handler))
    return f"{module}.{name}"
