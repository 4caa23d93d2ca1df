"""Who reads the audit log and answers subject access requests: whoever runs the project.

The log says who read which story and when, and a subject access download
holds everything about one person; both are for the people accountable for
the project (facilitators, organisation admins), not everyone who takes part.
"""

import rules

from cohub.apps.projects.predicates import can_run_organisation, can_run_project
from cohub.apps.projects.refusals import describe_permission

rules.add_perm("audit.view_log", can_run_project)
# Checked on the storyteller: everything held about one person, for a subject access request.
rules.add_perm("audit.subject_access", can_run_project)
# Checked on an organisation: its own lines (rounds for all of it, its own frameworks), for
# those who run those rounds.
rules.add_perm("audit.view_org_log", can_run_organisation)

describe_permission("audit.view_log", "read the project's audit log")
describe_permission("audit.subject_access", "download everything held about a storyteller")
describe_permission("audit.view_org_log", "read the organisation's own audit log")
