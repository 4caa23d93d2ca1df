"""Project permissions, and the rule for jobs that belong to a project."""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from cohub.apps.accounts.predicates import is_organisation_admin
from cohub.apps.jobs.policy import ProjectJobPolicy, set_project_job_policy
from cohub.apps.jobs.rules import started_job
from cohub.apps.projects.predicates import (
    belongs_to_organisation,
    can_run_project,
    can_see_project,
    facilitates_in_organisation,
)
from cohub.apps.projects.refusals import describe_permission
from cohub.apps.projects.selectors import projects_run_by, projects_visible_to

rules.add_perm("projects.view_project", can_see_project)
rules.add_perm("projects.change_project", can_run_project)
rules.add_perm("projects.manage_members", can_run_project)
# Object: the organisation the new project belongs to. Its admins, and anyone
# who already facilitates one of its projects, may start another there.
rules.add_perm("projects.add_project", is_organisation_admin | facilitates_in_organisation)
# Object: an organisation. Its own page is for everyone who belongs to it.
rules.add_perm("projects.view_organisation", belongs_to_organisation)


# A project's job (its object is the Job; the project is found from its
# ``project_id``): whoever runs the project sees all of them, and whoever
# started one sees it while they still take part in the project.
may_see_project_job = can_run_project | (started_job & can_see_project)


def _project_jobs_visible(user: Any) -> Q:
    return Q(project_id__in=projects_run_by(user).values("pk")) | Q(
        created_by=user, project_id__in=projects_visible_to(user).values("pk")
    )


set_project_job_policy(
    ProjectJobPolicy(allows=may_see_project_job.test, visible=_project_jobs_visible)
)

describe_permission("projects.view_project", "see this project")
describe_permission("projects.change_project", "change the project's details")
describe_permission("projects.manage_members", "invite people and change their roles")
describe_permission("projects.add_project", "start a project")
describe_permission("projects.view_organisation", "see this organisation's page")
