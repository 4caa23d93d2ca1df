"""Who may see a job and try it again.

A job that belongs to no project is its starter's (and superusers'). A job
that belongs to a project answers to that project's rules, which the projects
app supplies (``jobs/policy.py``): its starter loses sight of it on leaving
the project, and whoever runs the project sees every one of its jobs.
"""

from __future__ import annotations

from typing import Any

import rules

from cohub.apps.jobs.policy import project_job_allowed


@rules.predicate
def started_job(user: Any, job: Any) -> bool:
    return job is not None and user.is_authenticated and job.created_by_id == user.pk


@rules.predicate
def is_project_job(user: Any, job: Any) -> bool:
    return job is not None and job.project_id is not None


@rules.predicate
def project_allows_job(user: Any, job: Any) -> bool:
    return project_job_allowed(user, job)


may_see_job = rules.is_superuser | (~is_project_job & started_job) | project_allows_job

rules.add_perm("jobs.view_job", may_see_job)
# Trying a failed job again is for whoever could see it fail.
rules.add_perm("jobs.retry_job", may_see_job)
