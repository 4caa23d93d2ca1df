import rules

from cohub.apps.accounts.predicates import is_organisation_admin
from cohub.apps.projects.predicates import can_run_project, can_see_project

rules.add_perm("projects.view_project", can_see_project)
rules.add_perm("projects.change_project", can_run_project)
rules.add_perm("projects.manage_members", can_run_project)
# Object: the organisation the new project belongs to.
rules.add_perm("projects.add_project", is_organisation_admin)
