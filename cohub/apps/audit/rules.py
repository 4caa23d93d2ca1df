"""Who reads a project's audit log: whoever runs the project (facilitators, organisation admins).

The log says who read which story and when; it is for the people accountable
for the project, not for everyone who takes part in it.
"""

import rules

from cohub.apps.projects.predicates import can_run_project
from cohub.apps.projects.refusals import describe_permission

rules.add_perm("audit.view_log", can_run_project)

describe_permission("audit.view_log", "read the project's audit log")
