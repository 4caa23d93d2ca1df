"""Who may read findings, and who may take them out of the hub.

The people who decide what the findings say may take them away: everyone
who codes as an equal (co-producers, community reporters, facilitators and
organisation admins). Decision-makers read the findings in the hub; they do
not export them, so what leaves the project is chosen by those who made it.

The findings report follows the same two rules (its pages are read like the
findings, its PDF and file are exports); a version tailored for one audience
is chosen by whoever runs the project, who speaks for it to that audience.
"""

import rules

from cohub.apps.projects.predicates import (
    can_code,
    can_read_findings,
    can_run_project,
    is_decision_maker,
)
from cohub.apps.projects.refusals import describe_permission

rules.add_perm("reports.view_findings", can_read_findings)
rules.add_perm("reports.export_findings", can_code)
rules.add_perm("reports.tailor_report", can_run_project)

describe_permission("reports.view_findings", "read the findings")
describe_permission("reports.export_findings", "export the findings")
describe_permission("reports.tailor_report", "tailor a version of the report for an audience")

# "You said, we did": whoever runs the project and the decision-makers who act
# on the findings record what will change and what was done; everyone who reads
# the findings reads the changes (with reports.view_findings).
rules.add_perm("reports.record_change", can_run_project | is_decision_maker)
describe_permission("reports.record_change", "record what will change because of the findings")

# Opening the public "You said, we did" page (ADR 0033) speaks for the project to
# everyone, so it is for whoever runs the project, as tailoring a report is.
rules.add_perm("reports.publish_changes", can_run_project)
describe_permission(
    "reports.publish_changes", "publish or take down the public “You said, we did” page"
)
