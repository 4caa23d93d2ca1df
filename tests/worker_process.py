"""A job worker in a process of its own, for tests that kill it part way through a job.

Kept apart from the test modules because a spawned process imports the module
of the function it runs before Django is set up: this one imports nothing
from cohub at the top.
"""

from __future__ import annotations

import os
from typing import Any


def run_one_job(
    settings_module: str, overrides: dict[str, Any], databases: dict[str, str], job_id: int
) -> None:
    """Set up Django as the test process has it, then run one attempt, as a worker's task does."""
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from django.conf import settings

    for alias, name in databases.items():
        settings.DATABASES[alias]["NAME"] = name
    for name, value in overrides.items():
        setattr(settings, name, value)
    from cohub.apps.jobs.services import job_run

    job_run(job_id)
