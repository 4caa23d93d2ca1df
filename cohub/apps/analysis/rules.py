"""Analysis permissions: project roles, and the state of the theme acted on.

Views that act on one theme check ``analysis.manage_themes`` on the theme
(``project_view(..., load=("theme_id", theme_get))``), so a merged theme,
which lives on only as history, is refused there; on the project the same
permission answers for themes in general (ADR 0008).
"""

from __future__ import annotations

from typing import Any

import rules

from cohub.apps.analysis.models import BoardNote, Theme
from cohub.apps.projects.predicates import can_code, can_run_project
from cohub.apps.projects.refusals import describe_permission


@rules.predicate
def theme_is_current(user: Any, obj: Any) -> bool:
    """Not merged into another theme (anything that is not a theme passes)."""
    return not isinstance(obj, Theme) or obj.merged_into_id is None


@rules.predicate
def wrote_note(user: Any, obj: Any) -> bool:
    """The note is theirs (given the project, true: anyone may remove their own notes)."""
    return not isinstance(obj, BoardNote) or obj.author_id == getattr(user, "pk", None)


rules.add_perm("analysis.view_codebook", can_code)
rules.add_perm("analysis.code_story", can_code)
rules.add_perm("analysis.change_review_sheet", can_code)
rules.add_perm("analysis.manage_themes", can_code & theme_is_current)
rules.add_perm("analysis.view_coding_log", can_code)
rules.add_perm("analysis.remove_board_note", (can_code & wrote_note) | can_run_project)
rules.add_perm("analysis.run_visioning_round", can_run_project)

describe_permission("analysis.view_codebook", "see the codebook")
describe_permission("analysis.code_story", "mark quotes and code stories")
describe_permission("analysis.change_review_sheet", "write review sheets")
describe_permission(
    "analysis.manage_themes",
    "add, rename and merge themes",
    on_record="A theme merged into another lives on only as history and cannot change.",
)
describe_permission("analysis.view_coding_log", "see the coding log")
describe_permission(
    "analysis.remove_board_note",
    "take notes off the workshop board",
    on_record="A note can be taken off by whoever wrote it, or by a facilitator.",
)
describe_permission("analysis.run_visioning_round", "open, close and group visioning rounds")
