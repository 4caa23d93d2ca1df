"""Who may take a whole project out to another analysis tool.

A .qdpx file holds every story's words that consent lets out, not only the
chosen quotes, so it is for whoever runs the project (facilitators and
organisation admins). The spreadsheet of quotes and codes holds what the
findings CSV holds, so it goes with ``reports.export_findings``.
"""

import rules

from cohub.apps.projects.predicates import can_run_project
from cohub.apps.projects.refusals import describe_permission

rules.add_perm("exchange.export_project", can_run_project)
# Importing adds storytellers, stories, quotes and themes at once: the same people.
rules.add_perm("exchange.import_project", can_run_project)

describe_permission("exchange.export_project", "export the project for other analysis tools")
describe_permission("exchange.import_project", "import from other analysis tools")
