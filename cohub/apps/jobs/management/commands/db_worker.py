"""django-tasks-db's ``db_worker``, which also queues cohub's periodic jobs.

This app sits before ``django_tasks_db`` in ``INSTALLED_APPS``, so Django
picks this command for ``python manage.py db_worker``: the command the docs
tell deployers to run, and the one ``cohub worker`` and ``cohub serve`` start.
Everything else is the upstream worker, unchanged.
"""

from __future__ import annotations

import os
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from cohub.apps.jobs.periodic import PeriodicScheduler, queue_due_periodic_jobs


class Command(DatabaseWorkerCommand):
    help = (
        "Run a database background worker. It also queues periodic jobs when they are due "
        "(at start, then about once a minute)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # At start, so `db_worker --batch` from cron runs periodic work too.
        queue_due_periodic_jobs()
        scheduler = None
        reloading_parent = options.get("reload") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if not options.get("batch") and not reloading_parent:
            scheduler = PeriodicScheduler()
            scheduler.start()
        try:
            super().handle(*args, **options)
        finally:
            if scheduler is not None:
                scheduler.stop()
