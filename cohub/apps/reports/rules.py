import rules

from cohub.apps.projects.predicates import can_read_findings, can_run_project, is_decision_maker

rules.add_perm("reports.view_findings", can_read_findings)
rules.add_perm("reports.export_findings", can_run_project | is_decision_maker)
