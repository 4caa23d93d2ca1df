"""A whole organisation's assessment rounds: its list, opening one, answering, results, the
round report, paper answers, actions, and its own frameworks.

Every page goes through ``organisation_view`` with the ``assess.*_org_*``
permission it needs (``assess.rules``), checked on the organisation the URL
names; a round or action is looked up inside that organisation only, and
only among its organisation-wide rounds. Someone who does not belong to the
organisation is told "not found", as for one that does not exist.

The pages are the project round's own (``views.show_*``, the same
templates), reached through a ``Place`` of the organisation. The results
are the same builders with the same minimum group size. Actions from an
organisation-wide round go on the organisation's own action list (ADR 0028).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.views.decorators.http import require_GET, require_POST

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.accounts.models import Organisation
from cohub.apps.assess import services
from cohub.apps.assess.models import AssessmentAction, AssessmentRound
from cohub.apps.assess.peer_views import (
    show_peer_evidence_add,
    show_peer_evidence_remove,
    show_peer_invite,
    show_peer_resend,
    show_peer_reviews,
    show_peer_revoke,
)
from cohub.apps.assess.selectors import (
    organisation_action_get,
    organisation_actions,
    organisation_round_framework_choices,
    organisation_round_get,
    organisation_round_lines,
)
from cohub.apps.assess.views import (
    Place,
    show_action_create,
    show_action_list,
    show_action_update,
    show_answer,
    show_answer_start,
    show_check,
    show_framework_detail,
    show_framework_list,
    show_import,
    show_report,
    show_report_download,
    show_report_pdf_file,
    show_report_pdf_start,
    show_results,
    show_round_list,
    show_round_open,
)
from cohub.apps.projects.access import organisation_view

ROUND = ("org_round_id", organisation_round_get)


@organisation_view("assess.view_org_results")
@require_GET
def round_list(request: AuthenticatedHttpRequest, organisation: Organisation) -> HttpResponse:
    """The organisation's own rounds, where the viewer got to in each, and their results."""
    user = request.user
    return show_round_list(
        request,
        Place.of_organisation(organisation),
        organisation_round_lines(organisation, user),
        {
            "can_open": user.has_perm("assess.open_org_round", organisation),
            "can_answer": user.has_perm("assess.answer_org_round", organisation),
            "can_peer": user.has_perm("assess.manage_org_peer_review", organisation),
            "can_frameworks": user.has_perm("assess.manage_org_frameworks", organisation),
        },
    )


@organisation_view("assess.open_org_round")
def round_open(request: AuthenticatedHttpRequest, organisation: Organisation) -> HttpResponse:
    """Open a round for everyone in the organisation, on the hub's or its own frameworks."""

    def open_round(**fields: Any) -> AssessmentRound:
        return services.organisation_round_open(organisation=organisation, **fields)

    return show_round_open(
        request,
        Place.of_organisation(organisation),
        organisation_round_framework_choices(organisation),
        open_round,
        request.user.has_perm("assess.manage_org_frameworks", organisation),
    )


@organisation_view("assess.answer_org_round", load=ROUND)
@require_GET
def round_answer_start(
    request: AuthenticatedHttpRequest, organisation: Organisation, org_round: AssessmentRound
) -> HttpResponse:
    """Carry on where you left off, or the check page."""
    return show_answer_start(request, Place.of_organisation(organisation), org_round)


@organisation_view("assess.answer_org_round", load=ROUND)
def round_answer(
    request: AuthenticatedHttpRequest,
    organisation: Organisation,
    org_round: AssessmentRound,
    number: int,
) -> HttpResponse:
    """One question a screen, saved on Next and Back, in plain or easy-read words."""
    return show_answer(request, Place.of_organisation(organisation), org_round, number)


@organisation_view("assess.answer_org_round", load=ROUND)
def round_check(
    request: AuthenticatedHttpRequest, organisation: Organisation, org_round: AssessmentRound
) -> HttpResponse:
    """Check your answers, change any, then send them."""
    return show_check(request, Place.of_organisation(organisation), org_round)


@organisation_view("assess.view_org_results", load=ROUND)
@require_GET
def round_results(
    request: AuthenticatedHttpRequest, organisation: Organisation, org_round: AssessmentRound
) -> HttpResponse:
    """The results by group across the organisation, widest gap first."""
    return show_results(
        request,
        Place.of_organisation(organisation),
        org_round,
        {
            "can_act": request.user.has_perm("assess.manage_org_actions", organisation),
            "can_import": request.user.has_perm("assess.open_org_round", organisation),
            "can_peer": request.user.has_perm("assess.manage_org_peer_review", organisation),
        },
    )


# The round report and paper answers (ADR 0035): the project round's, through the Place.


@organisation_view("assess.view_org_results", load=ROUND)
@require_GET
def round_report(
    request: AuthenticatedHttpRequest, organisation: Organisation, org_round: AssessmentRound
) -> HttpResponse:
    """The round's report for people outside the organisation: what the PDF holds, on a page."""
    return show_report(request, Place.of_organisation(organisation), org_round)


@organisation_view("assess.view_org_results", load=ROUND)
@require_GET
def round_report_download(
    request: AuthenticatedHttpRequest, organisation: Organisation, org_round: AssessmentRound
) -> HttpResponse:
    """The round report as a file (HTML, or a PDF drawn in the request), with an audit entry."""
    return show_report_download(request, Place.of_organisation(organisation), org_round)


@organisation_view("assess.view_org_results", load=ROUND)
@require_POST
def round_report_pdf_start(
    request: AuthenticatedHttpRequest, organisation: Organisation, org_round: AssessmentRound
) -> HttpResponse:
    """Start drawing the report's PDF: a job of no project, naming the organisation."""
    return show_report_pdf_start(request, Place.of_organisation(organisation), org_round)


@organisation_view("assess.view_org_results", load=ROUND)
@require_GET
def round_report_pdf_file(
    request: AuthenticatedHttpRequest,
    organisation: Organisation,
    org_round: AssessmentRound,
    job_id: int,
) -> HttpResponse:
    """The finished PDF, only while the report would still be drawn the same."""
    return show_report_pdf_file(request, Place.of_organisation(organisation), org_round, job_id)


@organisation_view("assess.open_org_round", load=ROUND)
def round_import(
    request: AuthenticatedHttpRequest, organisation: Organisation, org_round: AssessmentRound
) -> HttpResponse:
    """Bring in answers given on paper, for whoever may open the organisation's rounds."""
    return show_import(request, Place.of_organisation(organisation), org_round)


@organisation_view("assess.manage_org_actions", load=ROUND)
def action_create(
    request: AuthenticatedHttpRequest,
    organisation: Organisation,
    org_round: AssessmentRound,
    item_id: int,
) -> HttpResponse:
    """Make a question of the round an action on the organisation's list."""
    return show_action_create(request, Place.of_organisation(organisation), org_round, item_id)


@organisation_view("assess.view_org_results")
@require_GET
def action_list(request: AuthenticatedHttpRequest, organisation: Organisation) -> HttpResponse:
    """What the organisation said it would do about its organisation-wide rounds."""
    return show_action_list(
        request,
        Place.of_organisation(organisation),
        list(organisation_actions(organisation)),
        request.user.has_perm("assess.manage_org_actions", organisation),
    )


@organisation_view("assess.manage_org_actions", load=("org_action_id", organisation_action_get))
@require_POST
def action_update(
    request: AuthenticatedHttpRequest, organisation: Organisation, org_action: AssessmentAction
) -> HttpResponse:
    """Move an action of the organisation's list on."""
    return show_action_update(request, Place.of_organisation(organisation), org_action)


# Peer review of an organisation-wide round (ADR 0034): the project round's pages; the
# organisation chooses what its reviewers read.


@organisation_view("assess.manage_org_peer_review", load=ROUND)
@require_GET
def peer_reviews(
    request: AuthenticatedHttpRequest, organisation: Organisation, org_round: AssessmentRound
) -> HttpResponse:
    """The round's peer reviewers and where each has got; what is shared with them."""
    return show_peer_reviews(request, Place.of_organisation(organisation), org_round)


@organisation_view("assess.manage_org_peer_review", load=ROUND)
def peer_invite(
    request: AuthenticatedHttpRequest, organisation: Organisation, org_round: AssessmentRound
) -> HttpResponse:
    """Invite a reviewer from another organisation; their link is shown once."""
    return show_peer_invite(request, Place.of_organisation(organisation), org_round)


@organisation_view("assess.manage_org_peer_review", load=ROUND)
@require_POST
def peer_resend(
    request: AuthenticatedHttpRequest,
    organisation: Organisation,
    org_round: AssessmentRound,
    org_peer_review_id: int,
) -> HttpResponse:
    """A new link for a reviewer of the round: the old one stops working."""
    return show_peer_resend(
        request, Place.of_organisation(organisation), org_round, org_peer_review_id
    )


@organisation_view("assess.manage_org_peer_review", load=ROUND)
@require_POST
def peer_revoke(
    request: AuthenticatedHttpRequest,
    organisation: Organisation,
    org_round: AssessmentRound,
    org_peer_review_id: int,
) -> HttpResponse:
    """Stop a reviewer's link working at once."""
    return show_peer_revoke(
        request, Place.of_organisation(organisation), org_round, org_peer_review_id
    )


@organisation_view("assess.manage_org_peer_review", load=ROUND)
def peer_evidence_add(
    request: AuthenticatedHttpRequest, organisation: Organisation, org_round: AssessmentRound
) -> HttpResponse:
    """Write something, in the organisation's words, for the round's reviewers to read."""
    return show_peer_evidence_add(request, Place.of_organisation(organisation), org_round)


@organisation_view("assess.manage_org_peer_review", load=ROUND)
@require_POST
def peer_evidence_remove(
    request: AuthenticatedHttpRequest,
    organisation: Organisation,
    org_round: AssessmentRound,
    org_evidence_id: int,
) -> HttpResponse:
    """Stop sharing a piece of evidence with the round's reviewers."""
    return show_peer_evidence_remove(
        request, Place.of_organisation(organisation), org_round, org_evidence_id
    )


@organisation_view("assess.manage_org_frameworks")
def framework_list(request: AuthenticatedHttpRequest, organisation: Organisation) -> HttpResponse:
    """The organisation's own frameworks, for its rounds and every one of its projects'."""
    return show_framework_list(request, Place.of_organisation(organisation), organisation)


@organisation_view("assess.manage_org_frameworks")
def framework_detail(
    request: AuthenticatedHttpRequest, organisation: Organisation, framework_id: int
) -> HttpResponse:
    """One of the organisation's own frameworks: its questions, and adding one."""
    return show_framework_detail(
        request, Place.of_organisation(organisation), organisation, framework_id
    )
