"""Who may read findings, and who may take them out of the hub.

The people who decide what the findings say may take them away: everyone
who codes as an equal (co-producers, community reporters, facilitators and
organisation admins). Decision-makers read the findings in the hub; they do
not export them, so what leaves the project is chosen by those who made it.
"""

import rules

from cohub.apps.projects.predicates import can_code, can_read_findings
from cohub.apps.projects.refusals import describe_permission

rules.add_perm("reports.view_findings", can_read_findings)
rules.add_perm("reports.export_findings", can_code)

describe_permission("reports.view_findings", "read the findings")
describe_permission("reports.export_findings", "export the findings")
