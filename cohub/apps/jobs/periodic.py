"""Queue periodic jobs from inside every worker process.

Periodic kinds are declared once, with ``register(..., every=...)``. Whatever
starts a worker (``python manage.py db_worker``, ``cohub worker``, ``cohub
serve``) runs this app's ``db_worker`` command, which checks for due runs at
start and then on a thread about once a minute. The thread only inserts Job
rows; the runs themselves go through the queue like any other job, with
retries and a row to show for them.
"""

from __future__ import annotations

import logging
import threading

from django.db import connection

from cohub.apps.jobs.models import Job
from cohub.apps.jobs.services import jobs_queue_due_periodic

logger = logging.getLogger(__name__)

CHECK_EVERY_S = 60


def queue_due_periodic_jobs() -> list[Job]:
    """Queue due periodic runs; a failure is logged, never raised into the worker."""
    try:
        return jobs_queue_due_periodic()
    except Exception:  # a locked or unreachable database: the next check tries again
        logger.exception("Could not queue the periodic jobs that are due")
        return []


class PeriodicScheduler:
    """A daemon thread that queues due periodic runs every ``check_every_s`` seconds."""

    def __init__(self, *, check_every_s: float = CHECK_EVERY_S) -> None:
        self.check_every_s = check_every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="cohub-periodic", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self.check_every_s):
            try:
                queue_due_periodic_jobs()
            finally:
                connection.close()  # this thread's own connection; don't hold it between checks
