"""Which handler runs each kind of job.

Apps register kinds in a ``jobs.py`` module (imported by ``JobsConfig.ready``)
or in their own ``AppConfig.ready``::

    from cohub.apps.jobs.registry import register

    @register("stories.transcribe", label="Transcribing a recording", timeout_s=3600)
    def transcribe(job: Job, progress: Progress) -> dict:
        progress(10, "Decoding the audio")
        ...
        return {"transcript_id": transcript.pk}

The handler gets the ``Job`` row (read ``job.params``) and a ``progress``
callback, and returns a JSON-serialisable dict stored as ``job.result``.
Raising marks the attempt failed; the job is retried up to ``max_attempts``.
Handlers may run more than once for one job (retries, a restarted worker), so
they must be safe to repeat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from cohub.apps.jobs.models import Job

Progress: TypeAlias = Callable[[int, str], None]
Handler: TypeAlias = Callable[["Job", Progress], "dict | None"]

DEFAULT_TIMEOUT_S = 30 * 60


class UnknownJobKind(LookupError):
    """No handler is registered for this kind (a typo, or a worker running older code)."""


@dataclass(frozen=True)
class JobKind:
    kind: str
    handler: Handler
    label: str
    max_attempts: int
    timeout_s: float
    retry_backoff_s: float


_kinds: dict[str, JobKind] = {}


def register(
    kind: str,
    *,
    label: str = "",
    max_attempts: int = 3,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    retry_backoff_s: float = 10,
) -> Callable[[Handler], Handler]:
    """Register ``handler`` for ``kind``; returns the handler unchanged.

    ``label`` is what people see ("Transcribing a recording"); it defaults to
    the kind. ``timeout_s`` stops an attempt that runs too long and also tells
    how long a ``running`` job may go quiet before it counts as abandoned by a
    dead worker. Retry ``n`` waits ``retry_backoff_s * 2 ** (n - 1)`` seconds
    where the queue supports delays (the database queue does).
    """
    if not kind or len(kind) > 80:
        raise ImproperlyConfigured(f"Job kind must be 1-80 characters, not {kind!r}.")
    if max_attempts < 1:
        raise ImproperlyConfigured(f"Job kind {kind!r}: max_attempts must be at least 1.")
    if timeout_s <= 0:
        raise ImproperlyConfigured(f"Job kind {kind!r}: timeout_s must be positive.")

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


def _qualified_name(handler: Handler) -> str:
    module = getattr(handler, "__module__", "?")
    name = getattr(handler, "__qualname__", repr(handler))
    return f"{module}.{name}"
