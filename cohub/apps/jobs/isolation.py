"""Run one attempt of an isolated kind in a child process the worker can kill.

Model inference runs in native code: a signal alarm only interrupts Python
between bytecodes, so a stuck ``ctranslate2`` or ``torch`` call would hold the
worker for ever, and a memory leak would take the whole machine down. Here the
worker (the parent) starts a fresh interpreter with ``spawn`` (no inherited
database connections, locks or threads), which sets up Django itself, runs
the handler and reports back over a pipe. The parent:

- stores the child's progress on the Job row (the parent is the only writer
  of the row, as for in-process kinds);
- kills the child (SIGTERM, then SIGKILL after a short grace) once it has run
  past the kind's ``timeout_s`` or its resident memory passes ``memory_mb``;
- turns a child that died (a crash in native code, the kernel's OOM killer)
  into a failed attempt, so the usual retry policy applies.

The child also caps its own address space (``RLIMIT_AS``) well above
``memory_mb``: a backstop against one huge allocation that could outrun the
parent's polling. It is generous because model libraries reserve far more
address space than they touch.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import pickle
import signal
import time
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any

from cohub.apps.jobs import registry
from cohub.apps.jobs.registry import Outcome, Progress, Provenance

if TYPE_CHECKING:
    from cohub.apps.jobs.models import Job

logger = logging.getLogger(__name__)

POLL_S = 0.1  # how often the parent looks at the child's memory
TERM_GRACE_S = 2  # between SIGTERM and SIGKILL
EXIT_WAIT_S = 10  # for a child that said it is done to actually exit
ADDRESS_SPACE_FACTOR = 4  # RLIMIT_AS backstop: memory_mb times this, above the start-up size
_PR_SET_PDEATHSIG = 1
_STORAGE_SETTINGS = ("STORAGES", "MEDIA_ROOT")


class JobTimeout(Exception):  # the name is shown on the job page, so no "Error" suffix
    """An attempt ran past its kind's ``timeout_s``."""


class JobMemoryLimit(Exception):
    """An isolated attempt used more memory than its kind's ``memory_mb``."""


class JobCrashed(Exception):
    """The child process running an attempt died without saying how it ended."""


class JobChildFailed(Exception):
    """The handler raised in the child; the message is already ``"Type: message"``."""


@dataclass(frozen=True)
class _ChildSpec:
    job_id: int
    job_pickle: bytes  # unpickled only after django.setup(): a model needs the app registry
    kind: str
    handler_module: str
    settings_module: str
    database_names: dict[str, str]
    storage_settings: dict[str, Any]
    memory_mb: int | None
    parent_pid: int


def run_in_child(*, job: Job, job_kind: registry.JobKind, progress: Progress) -> Outcome:
    """Run ``job_kind``'s handler for ``job`` in a child process; return its outcome.

    Raises ``JobTimeout``, ``JobMemoryLimit``, ``JobCrashed`` or
    ``JobChildFailed``; the caller records them as a failed attempt. If the
    worker itself is stopped meanwhile, the child is killed too.
    """
    from django.conf import settings
    from django.db import connections

    spec = _ChildSpec(
        job_id=job.pk,
        job_pickle=pickle.dumps(job),
        kind=job_kind.kind,
        handler_module=job_kind.handler.__module__,
        settings_module=os.environ.get("DJANGO_SETTINGS_MODULE", "") or settings.SETTINGS_MODULE,
        # The test runner renames databases after settings load; pass on what we use.
        database_names={
            alias: str(connections[alias].settings_dict["NAME"]) for alias in connections
        },
        # Where files live too (a test points them at its own folder): the child must
        # read the recording the worker's caller stored.
        storage_settings={name: getattr(settings, name) for name in _STORAGE_SETTINGS},
        memory_mb=job_kind.memory_mb,
        parent_pid=os.getpid(),
    )
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child_main, args=(spec, sender), name=f"cohub-job-{job.pk}", daemon=True
    )
    child.start()
    sender.close()  # the child holds the only writing end, so its death reads as EOF
    finished = False
    try:
        outcome = _watch(child, receiver, job_kind, progress)
        finished = True
        return outcome
    finally:
        receiver.close()
        _stop(child, finished=finished)


def _watch(
    child: BaseProcess, receiver: Connection, job_kind: registry.JobKind, progress: Progress
) -> Outcome:
    deadline = time.monotonic() + registry.CHILD_START_LIMIT_S
    started = False
    while True:
        if job_kind.memory_mb is not None and child.pid is not None:
            used = _resident_mb(child.pid)
            if used is not None and used > job_kind.memory_mb:
                raise JobMemoryLimit(f"used more than {job_kind.memory_mb} MB of memory.")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            if started:
                raise JobTimeout(f"stopped after the {job_kind.timeout_s:g} second time limit.")
            raise JobTimeout(
                f"the process for it did not start within {registry.CHILD_START_LIMIT_S} seconds."
            )
        wait([receiver, child.sentinel], timeout=min(POLL_S, remaining))
        if receiver.poll():
            try:
                message = receiver.recv()
            except EOFError:
                message = None
            if message is None:
                pass  # the child closed the pipe; its exit is handled below
            elif message[0] == "started":
                started = True
                deadline = time.monotonic() + job_kind.timeout_s
                continue
            elif message[0] == "progress":
                progress(message[1], message[2])
                continue
            elif message[0] == "done":
                return Outcome(result=message[1], provenance=Provenance(**message[2]))
            elif message[0] == "memory":
                raise JobMemoryLimit(f"used more than {job_kind.memory_mb} MB of memory.")
            elif message[0] == "failed":
                raise JobChildFailed(message[1])
        if not child.is_alive():
            child.join()
            raise JobCrashed(_describe_exit(child.exitcode))


def _stop(child: BaseProcess, *, finished: bool) -> None:
    """End the child for certain: ask, then kill, as a stuck native call ignores the asking.

    A child that reported its outcome is exiting on its own; give it a moment.
    """
    if finished:
        child.join(EXIT_WAIT_S)
    if child.is_alive():
        child.terminate()
        child.join(TERM_GRACE_S)
    if child.is_alive():
        child.kill()
        child.join()
    child.close()


def _describe_exit(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (the system may have run out of memory)" if name == "SIGKILL" else ""
        return f"the process running it was stopped by {name}{hint}."
    return f"the process running it stopped unexpectedly (exit code {exitcode})."


def _resident_mb(pid: int) -> float | None:
    """Resident memory of ``pid`` in MB, from /proc (Linux); None where unknown."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            resident_pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return resident_pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


# The child -----------------------------------------------------------------


def _child_main(spec: _ChildSpec, sender: Connection) -> None:
    """Entry point of the child: set up Django, run the handler, report back."""
    # Ctrl+C reaches the whole process group; the worker decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(spec.parent_pid)
    try:
        outcome = _child_run(spec, sender)
        sender.send(("done", dict(outcome.result), asdict(outcome.provenance)))
    except MemoryError:
        sender.send(("memory",))
    except BaseException as exc:
        logger.exception("Job %s (kind=%s) failed in its child process", spec.job_id, spec.kind)
        sender.send(("failed", _describe(exc)))
    finally:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        sender.close()


def _describe(exc: BaseException) -> str:
    try:
        from cohub.apps.jobs.services import describe_error

        return describe_error(exc)
    except Exception:  # Django itself did not start: say what stopped it, plainly
        return f"{type(exc).__name__}: {str(exc).strip()}"[:2000]


def _child_run(spec: _ChildSpec, sender: Connection) -> Outcome:
    import importlib

    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = spec.settings_module
    django.setup()
    from django.conf import settings

    for alias, name in spec.database_names.items():
        settings.DATABASES[alias]["NAME"] = name
    for setting, value in spec.storage_settings.items():
        setattr(settings, setting, value)
    importlib.import_module(spec.handler_module)  # kinds registered outside an app's jobs.py
    from cohub.apps.jobs.services import clean_outcome

    job_kind = registry.get(spec.kind)
    job = pickle.loads(spec.job_pickle)  # noqa: S301 (our own parent pickled it)
    if spec.memory_mb is not None:
        _cap_address_space(spec.memory_mb)

    def progress(percent: int, message: str = "") -> None:
        sender.send(("progress", percent, message))

    sender.send(("started",))
    return clean_outcome(job_kind.handler(job, progress))


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to kill us if the worker dies, so no orphan keeps a model in memory."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before we asked
        os._exit(1)


def _cap_address_space(memory_mb: int) -> None:
    import resource

    try:
        with open("/proc/self/statm") as statm:
            size_now = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return
    limit = size_now + ADDRESS_SPACE_FACTOR * memory_mb * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
