"""De-identification permissions.

Checking a story and deciding what to replace is for those who gather and
correct stories (``stories.change_story``): the decisions write a new
version of the words. The project's deny and allow lists shape every
check in the project, so they are a facilitator's (or organisation admin's),
as is hearing a recording with its replaced words still in it.
"""

from __future__ import annotations

import rules

from cohub.apps.projects.predicates import can_gather, can_run_project
from cohub.apps.projects.refusals import describe_permission

rules.add_perm("redaction.review_story", can_gather)
rules.add_perm("redaction.manage_lists", can_run_project)
# Once words are replaced, the story page plays everyone else a copy with them covered.
rules.add_perm("redaction.hear_original", can_run_project)

describe_permission(
    "redaction.review_story", "check stories for personal details and make shareable versions"
)
describe_permission(
    "redaction.hear_original", "hear a recording as it was made, before words were covered"
)
describe_permission(
    "redaction.manage_lists", "change the project's lists of words to replace or keep"
)
