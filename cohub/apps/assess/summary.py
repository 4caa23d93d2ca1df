"""What an organisation's own page says about its assessments (``projects.summary``).

The page is for everyone who belongs to the organisation; each line here is
one they could open: answering and results (``assess.answer_org_round``,
``assess.view_org_results``), and its own frameworks only for those who may
make them.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from cohub.apps.accounts.models import Organisation
from cohub.apps.assess.models import ActionStatus
from cohub.apps.assess.selectors import organisation_actions, organisation_round_lines
from cohub.apps.projects.summary import ProjectNotice


def organisation_assessment_notices(organisation: Organisation, viewer: Any) -> list[ProjectNotice]:
    """The organisation's open rounds, where the viewer got to in each, and its action list."""
    if not viewer.has_perm("assess.view_org_results", organisation):
        return []
    slug = organisation.slug
    can_answer = viewer.has_perm("assess.answer_org_round", organisation)
    lines: list[tuple[str, str, str]] = []
    for line in organisation_round_lines(organisation, viewer):
        if not line.is_open:
            continue
        title = f"\u201c{line.round.title}\u201d"
        if line.sent or not can_answer:
            url = reverse("org_assess:round_results", args=[slug, line.round.pk])
            lines.append((f"Results of {title}", f": {line.sent_count} sent so far", url))
        else:
            url = reverse("org_assess:round_answer_start", args=[slug, line.round.pk])
            done = f"you have answered {line.answered} of {line.items}"
            lines.append((f"Answer {title}", f": {done}", url))
    lines.append(
        (
            "Every round for the whole organisation",
            "",
            reverse("org_assess:round_list", args=[slug]),
        )
    )
    open_actions = organisation_actions(organisation).exclude(status=ActionStatus.DONE).count()
    lines.append(
        (
            "The action list",
            f": {open_actions} not done yet" if open_actions else ": nothing waiting",
            reverse("org_assess:action_list", args=[slug]),
        )
    )
    if viewer.has_perm("assess.manage_org_frameworks", organisation):
        lines.append(
            (
                "Your own frameworks",
                ": questions of the organisation's own, for any round",
                reverse("org_assess:framework_list", args=[slug]),
            )
        )
    return [ProjectNotice(title=f"Assessments across {organisation.name}", lines=tuple(lines))]
