"""Story and storyteller permissions: project roles, and the storyteller acted on.

Community reporters gather: they register storytellers, record consent and
bring in stories. Deleting a story is a facilitator's decision (or an
organisation admin's), because it takes away work others may be coding.

Withdrawing consent is the storyteller's right and must not wait for a
facilitator, so a community reporter may record it too, for the storytellers
they work with: those they registered, whose stories they gathered, or whose
consent they recorded before. On the project (list pages, the role table) the
record check answers for storytellers in general (ADR 0008).
"""

from __future__ import annotations

from typing import Any

import rules

from cohub.apps.projects.predicates import (
    can_code,
    can_gather,
    can_run_project,
    is_community_reporter,
)
from cohub.apps.projects.refusals import describe_permission
from cohub.apps.stories.models import RecordingUpload, Storyteller


@rules.predicate
def works_with_storyteller(user: Any, obj: Any) -> bool:
    """``user`` registered this storyteller, gathered one of their stories or recorded consent.

    Anything that is not a storyteller passes, so on the project the rule
    answers for storytellers in general.
    """
    if not isinstance(obj, Storyteller):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        obj.created_by_id == user.pk
        or obj.stories.filter(created_by=user).exists()
        or obj.consent_records.filter(recorded_by=user).exists()
    )


@rules.predicate
def started_the_upload(user: Any, obj: Any) -> bool:
    """``user`` started this upload of a recording: nobody else may add to it or see it.

    Anything that is not an upload passes, so on the project the rule answers
    for adding stories in general.
    """
    if not isinstance(obj, RecordingUpload):
        return True
    return bool(getattr(user, "is_authenticated", False) and obj.created_by_id == user.pk)


# The object is the project, or the storyteller or story a page acts on
# (``project_of`` finds its project).
rules.add_perm("stories.view_storyteller", can_gather)
rules.add_perm("stories.manage_storyteller", can_gather)
rules.add_perm("stories.manage_consent", can_gather)
rules.add_perm(
    "stories.withdraw_consent", can_run_project | (is_community_reporter & works_with_storyteller)
)
# A private link to the storyteller's own page (ADR 0032) is a facilitator's to make or stop.
rules.add_perm("stories.share_storyteller_link", can_run_project)
# A recording sent in pieces (ADR 0019) is continued only by whoever started it.
rules.add_perm("stories.add_story", can_gather & started_the_upload)
rules.add_perm("stories.delete_story", can_run_project)
rules.add_perm("stories.view_story", can_code)
# Who speaks, and as what, decides whose consent governs a name: those who gathered it know.
rules.add_perm("stories.change_speaker", can_gather)
# Correcting a story's words and details is for those who gathered it, like adding it.
rules.add_perm("stories.change_story", can_gather)

describe_permission("stories.view_storyteller", "see storytellers' profiles")
describe_permission("stories.manage_storyteller", "register storytellers and change their profiles")
describe_permission("stories.manage_consent", "record what storytellers agree to")
describe_permission(
    "stories.withdraw_consent",
    "withdraw a storyteller's consent",
    on_record="Community reporters may do it for the storytellers they registered, "
    "whose stories they gathered or whose consent they recorded.",
)
describe_permission(
    "stories.share_storyteller_link", "make or stop a storyteller's private link to their page"
)
describe_permission("stories.add_story", "add stories")
describe_permission("stories.delete_story", "delete stories")
describe_permission("stories.view_story", "read stories")
describe_permission("stories.change_speaker", "say who speaks in a story")
describe_permission("stories.change_story", "correct a story's title, date and words")
