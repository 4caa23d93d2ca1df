"""Who may see a job that belongs to a project: that project's rules decide.

The jobs app knows no domain app, so a job names its project by id only and
this app cannot tell a facilitator from a stranger. The projects app, which
knows the roles, hands its rule over here when its rules load
(``cohub/apps/projects/rules.py``). Until it does, a project job is visible to
superusers alone: refusing is the safe default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q


@dataclass(frozen=True)
class ProjectJobPolicy:
    """``allows(user, job)`` answers for one project job; ``visible(user)`` is the same as a filter.

    The two must agree: the jobs selector uses the filter, views use the rule,
    and ``tests/jobs/test_rules.py`` compares them.
    """

    allows: Callable[[Any, Any], bool]
    visible: Callable[[Any], Q]


_policy: ProjectJobPolicy | None = None


def set_project_job_policy(policy: ProjectJobPolicy) -> None:
    global _policy  # one policy for the process, set at start-up
    _policy = policy


def project_job_allowed(user: Any, job: Any) -> bool:
    return _policy is not None and _policy.allows(user, job)


def project_jobs_visible(user: Any) -> Q:
    """Jobs of projects, among those the user may see (none without a policy)."""
    if _policy is None:
        return Q(pk__in=[])
    return Q(project_id__isnull=False) & _policy.visible(user)
