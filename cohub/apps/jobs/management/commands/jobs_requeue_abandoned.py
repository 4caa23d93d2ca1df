"""Queue again the jobs a stopped worker left half-done (run before or beside db_worker)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cohub.apps.jobs.models import JobStatus
from cohub.apps.jobs.services import job_requeue_abandoned


class Command(BaseCommand):
    help = (
        "Queue again running jobs whose worker died (attempt older than its time limit); "
        "fail those with no attempts left."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all-running",
            action="store_true",
            help="Treat every running job as abandoned. Only when no worker is running, "
            "e.g. just before starting the only worker.",
        )

    def handle(self, *args: Any, all_running: bool, **options: Any) -> None:
        changed = job_requeue_abandoned(all_running=all_running)
        requeued = sum(1 for job in changed if job.status == JobStatus.QUEUED)
        failed = len(changed) - requeued
        self.stdout.write(f"Queued again: {requeued}. Failed, no attempts left: {failed}.")
