"""A whole organisation's assessment pages, under ``/o/<organisation_slug>/`` (ADR 0028).

Each takes the same arguments, in the same order, as the project round's page
of the same name, so the shared templates name either as ``place.<page>``.
"""

from django.urls import path

from cohub.apps.assess import org_views

app_name = "org_assess"

urlpatterns = [
    path("assessments/", org_views.round_list, name="round_list"),
    path("assessments/new/", org_views.round_open, name="round_open"),
    path(
        "assessments/<int:org_round_id>/answer/",
        org_views.round_answer_start,
        name="round_answer_start",
    ),
    path(
        "assessments/<int:org_round_id>/answer/<int:number>/",
        org_views.round_answer,
        name="round_answer",
    ),
    path("assessments/<int:org_round_id>/check/", org_views.round_check, name="round_check"),
    path("assessments/<int:org_round_id>/results/", org_views.round_results, name="round_results"),
    path("assessments/<int:org_round_id>/report/", org_views.round_report, name="round_report"),
    path(
        "assessments/<int:org_round_id>/report/download/",
        org_views.round_report_download,
        name="round_report_download",
    ),
    path(
        "assessments/<int:org_round_id>/report/pdf/",
        org_views.round_report_pdf_start,
        name="round_report_pdf_start",
    ),
    path(
        "assessments/<int:org_round_id>/report/pdf/<int:job_id>/",
        org_views.round_report_pdf_file,
        name="round_report_pdf_file",
    ),
    path("assessments/<int:org_round_id>/import/", org_views.round_import, name="round_import"),
    path(
        "assessments/<int:org_round_id>/items/<int:item_id>/action/",
        org_views.action_create,
        name="action_create",
    ),
    # Peer review of an organisation-wide round (ADR 0034).
    path(
        "assessments/<int:org_round_id>/peer-review/",
        org_views.peer_reviews,
        name="peer_reviews",
    ),
    path(
        "assessments/<int:org_round_id>/peer-review/invite/",
        org_views.peer_invite,
        name="peer_invite",
    ),
    path(
        "assessments/<int:org_round_id>/peer-review/<int:org_peer_review_id>/new-link/",
        org_views.peer_resend,
        name="peer_resend",
    ),
    path(
        "assessments/<int:org_round_id>/peer-review/<int:org_peer_review_id>/revoke/",
        org_views.peer_revoke,
        name="peer_revoke",
    ),
    path(
        "assessments/<int:org_round_id>/peer-review/evidence/",
        org_views.peer_evidence_add,
        name="peer_evidence_add",
    ),
    path(
        "assessments/<int:org_round_id>/peer-review/evidence/<int:org_evidence_id>/remove/",
        org_views.peer_evidence_remove,
        name="peer_evidence_remove",
    ),
    path("assessments/frameworks/", org_views.framework_list, name="framework_list"),
    path(
        "assessments/frameworks/<int:framework_id>/",
        org_views.framework_detail,
        name="framework_detail",
    ),
    path("actions/", org_views.action_list, name="action_list"),
    path("actions/<int:org_action_id>/", org_views.action_update, name="action_update"),
]
