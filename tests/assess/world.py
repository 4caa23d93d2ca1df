"""One assessment round with an action, for the site-wide route walks (route tests, headers)."""

from __future__ import annotations

from typing import Any

from cohub.apps.assess.selectors import round_items, shipped_frameworks
from cohub.apps.assess.services import action_create, frameworks_load, round_open
from cohub.apps.projects.models import Project


def assessment_values(project: Project, actor: Any) -> dict[str, Any]:
    """The URL arguments of the assessment pages: a round, its first question, an action."""
    frameworks_load()
    assessment = round_open(
        project=project, title="First round", versions=shipped_frameworks(), actor=actor
    )
    item = round_items(assessment)[0]
    action = action_create(
        assessment=assessment, item=item, description="Ask people first", actor=actor
    )
    return {"round_id": assessment.pk, "number": 1, "item_id": item.pk, "action_id": action.pk}
