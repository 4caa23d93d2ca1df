"""Who opens assessment rounds, answers them, reads results and keeps the action list.

A project's round is checked on the project; an organisation-wide round on
its organisation (the ``*_org_*`` permissions).

Every member answers on their own; results are figures by group (a group
hidden below the round's minimum), so everyone who sees the project may read
them. Opening rounds and keeping the action list is for whoever runs it.
"""

import rules

from cohub.apps.projects.predicates import (
    belongs_to_organisation,
    can_run_organisation,
    can_run_project,
    can_see_project,
    is_project_member,
)
from cohub.apps.projects.refusals import describe_permission

rules.add_perm("assess.open_round", can_run_project)
rules.add_perm("assess.answer_round", is_project_member)
rules.add_perm("assess.view_results", can_see_project)
rules.add_perm("assess.manage_actions", can_run_project)
# An organisation's own frameworks, made from one of its projects (they serve all of them).
rules.add_perm("assess.manage_frameworks", can_run_project)
# Inviting people from outside to review a round, and choosing what they read (ADR 0034).
rules.add_perm("assess.manage_peer_review", can_run_project)

# A round for a whole organisation (ADR 0028), checked on the organisation: its admins and
# the facilitators of any of its projects open it and keep its actions; everyone who
# belongs to it (any of its projects, or the organisation itself) answers and reads it.
rules.add_perm("assess.open_org_round", can_run_organisation)
rules.add_perm("assess.answer_org_round", belongs_to_organisation)
rules.add_perm("assess.view_org_results", belongs_to_organisation)
rules.add_perm("assess.manage_org_actions", can_run_organisation)
# Inviting peer reviewers to an organisation-wide round, and choosing what they read (ADR 0034).
rules.add_perm("assess.manage_org_peer_review", can_run_organisation)
# Its own frameworks, from the organisation's pages: the same people as from a project's.
rules.add_perm("assess.manage_org_frameworks", can_run_organisation)

describe_permission("assess.open_round", "open an assessment round")
describe_permission("assess.answer_round", "answer an assessment round")
describe_permission("assess.view_results", "read an assessment round's results")
describe_permission("assess.manage_actions", "keep the project's list of actions")
describe_permission("assess.manage_frameworks", "make your organisation's own frameworks")
describe_permission("assess.manage_peer_review", "invite peer reviewers to an assessment round")
describe_permission("assess.open_org_round", "open an assessment round for the whole organisation")
describe_permission("assess.answer_org_round", "answer the organisation's assessment rounds")
describe_permission("assess.view_org_results", "read the organisation's assessment results")
describe_permission("assess.manage_org_actions", "keep the organisation's list of actions")
describe_permission(
    "assess.manage_org_peer_review", "invite peer reviewers to the organisation's assessment rounds"
)
describe_permission("assess.manage_org_frameworks", "make the organisation's own frameworks")
