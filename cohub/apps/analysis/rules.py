"""Analysis permissions: project roles, and the state of the theme acted on.

Views that act on one theme check ``analysis.manage_themes`` on the theme
(``project_view(..., load=("theme_id", theme_get))``), so a merged theme,
which lives on only as history, is refused there; on the project the same
permission answers for themes in general (ADR 0008).
"""

from __future__ import annotations

from typing import Any

import rules

from cohub.apps.analysis.models import BoardNote, CodingAction, CodingEvent, Theme
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


# Undoing a change asks for what making it asked: a round's opening, closing and grouping
# are a facilitator's; a note is its writer's (or a facilitator's); the rest any coder's.
ROUND_EVENTS = frozenset(
    {CodingAction.ROUND_OPEN, CodingAction.ROUND_CLOSE, CodingAction.ROUND_GROUP}
)
NOTE_EVENTS = frozenset({CodingAction.NOTE_ADD, CodingAction.NOTE_REMOVE})


@rules.predicate
def is_round_event(user: Any, obj: Any) -> bool:
    return isinstance(obj, CodingEvent) and obj.action in ROUND_EVENTS


@rules.predicate
def is_note_event(user: Any, obj: Any) -> bool:
    return isinstance(obj, CodingEvent) and obj.action in NOTE_EVENTS


@rules.predicate
def made_the_change(user: Any, obj: Any) -> bool:
    return isinstance(obj, CodingEvent) and obj.actor_id == getattr(user, "pk", None)


rules.add_perm(
    "analysis.undo_coding_change",
    (is_round_event & can_run_project)
    | (is_note_event & ((can_code & made_the_change) | can_run_project))
    | (~is_round_event & ~is_note_event & can_code),
)
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
describe_permission(
    "analysis.undo_coding_change",
    "undo and redo changes to the coding",
    on_record=(
        "A visioning round's changes are undone by a facilitator; a note's by whoever "
        "wrote it, or a facilitator."
    ),
)
