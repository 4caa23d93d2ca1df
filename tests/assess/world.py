"""One assessment round with an action, for the site-wide route walks (route tests, headers)."""

from __future__ import annotations

from typing import Any

from cohub.apps.assess.selectors import round_items, shipped_frameworks
from cohub.apps.assess.services import action_create, frameworks_load, round_open
from cohub.apps.projects.models import Project


def assessment_values(project: Project, actor: Any) -> dict[str, Any]:
    """The URL arguments of the assessment pages: a round, a question of it, an action,
    a peer reviewer's invitation (and its link's token), evidence shared with them, and one
    of the organisation's own frameworks; and a round for the whole organisation with an
    action on its list, a peer reviewer's invitation and evidence shared with them."""
    frameworks_load()
    assessment = round_open(
        project=project, title="First round", versions=shipped_frameworks(), actor=actor
    )
    from cohub.apps.assess.services import organisation_round_open

    # A round for the whole organisation (ADR 0028), on the same frameworks. It asks some of
    # them in the organisation's words (other questions), so ``item`` is the first question
    # both rounds ask: ``item_id`` names a question of either round's pages.
    org_round = organisation_round_open(
        organisation=project.organisation,
        title="Across the organisation",
        versions=shipped_frameworks(),
        actor=actor,
    )
    in_org_round = {org_item.pk for org_item in round_items(org_round)}
    item = next(i for i in round_items(assessment) if i.pk in in_org_round)
    action = action_create(
        assessment=assessment, item=item, description="Ask people first", actor=actor
    )
    from cohub.apps.assess.peer_services import peer_evidence_add, peer_review_invite

    invited = peer_review_invite(
        assessment=assessment, name="Asha Rao", organisation="Northside Trust", actor=actor
    )
    evidence = peer_evidence_add(
        assessment=assessment,
        title="Who chairs the steering group",
        text="Since May a member with lived experience co-chairs it.",
        items=[item],
        actor=actor,
    )
    from cohub.apps.assess.services import framework_create, framework_item_add

    own = framework_create(
        organisation=project.organisation, title="How we work with families", actor=actor
    )
    framework_item_add(
        framework=own.framework,
        title="Paid for their time",
        statement="People who take part are paid for their time, on the day.",
        easy_read="We pay you for your time.",
        good_looks_like="Payment is offered before the day and made on it.",
        actor=actor,
    )
    # An action on the organisation's list, from its round.
    org_action = action_create(
        assessment=org_round, item=item, description="Pay people on the day", actor=actor
    )
    org_invited = peer_review_invite(
        assessment=org_round, name="Ben Ode", organisation="Eastside Trust", actor=actor
    )
    org_evidence = peer_evidence_add(
        assessment=org_round,
        title="Who sits on the council's panel",
        text="Two residents with lived experience sit on the panel that agrees the budget.",
        items=[item],
        actor=actor,
    )
    return {
        "organisation_slug": project.organisation.slug,
        "org_round_id": org_round.pk,
        "org_action_id": org_action.pk,
        "org_peer_review_id": org_invited.peer_review.pk,
        "org_evidence_id": org_evidence.pk,
        "round_id": assessment.pk,
        "framework_id": own.framework_id,
        "number": 1,
        "item_id": item.pk,
        "action_id": action.pk,
        "peer_review_id": invited.peer_review.pk,
        "peer_token": invited.token,
        "evidence_id": evidence.pk,
    }


def answered_assessment_values(project: Project, actor: Any) -> dict[str, Any]:
    """``assessment_values`` with sent answers from two groups large enough to show and one
    too small, so the results page draws every kind of chart and a hidden group."""
    from cohub.apps.assess.models import AssessmentRound
    from cohub.apps.assess.selectors import item_choices
    from cohub.apps.assess.services import answer_save, response_submit
    from cohub.apps.projects.models import Participation, ProjectRole, TakingPart
    from tests.factories import make_member

    values = assessment_values(project, actor)
    assessment = AssessmentRound.objects.get(pk=values["round_id"])
    groups = [
        (ProjectRole.MEMBER, TakingPart.LIVED_EXPERIENCE, 0),
        (ProjectRole.MEMBER, TakingPart.LIVED_EXPERIENCE, 1),
        (ProjectRole.MEMBER, TakingPart.LIVED_EXPERIENCE, 0),
        (ProjectRole.MEMBER, TakingPart.PROFESSIONAL, -1),
        (ProjectRole.MEMBER, TakingPart.PROFESSIONAL, -2),
        (ProjectRole.MEMBER, TakingPart.PROFESSIONAL, -1),
        (ProjectRole.DECISION_MAKER, TakingPart.PROFESSIONAL, -1),
    ]
    items = round_items(assessment)
    for role, taking_part, pick in groups:
        person = make_member(project, role)
        Participation.objects.create(project=project, user=person, taking_part=taking_part)
        for item in items:
            answer_save(
                assessment=assessment,
                respondent=person,
                item=item,
                value=item_choices(item)[pick],
                comment="It depends who you ask." if pick == 0 else "",
            )
        response_submit(assessment=assessment, respondent=person)
    return values
