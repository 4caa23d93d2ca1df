from django.urls import path

from cohub.apps.assess import peer_views, views

app_name = "assess"

urlpatterns = [
    path("assessments/", views.round_list, name="round_list"),
    path("assessments/new/", views.round_open, name="round_open"),
    path("assessments/<int:round_id>/answer/", views.round_answer_start, name="round_answer_start"),
    path(
        "assessments/<int:round_id>/answer/<int:number>/",
        views.round_answer,
        name="round_answer",
    ),
    path("assessments/<int:round_id>/check/", views.round_check, name="round_check"),
    path("assessments/<int:round_id>/results/", views.round_results, name="round_results"),
    path("assessments/<int:round_id>/report/", views.round_report, name="round_report"),
    path(
        "assessments/<int:round_id>/report/download/",
        views.round_report_download,
        name="round_report_download",
    ),
    path(
        "assessments/<int:round_id>/report/pdf/",
        views.round_report_pdf_start,
        name="round_report_pdf_start",
    ),
    path(
        "assessments/<int:round_id>/report/pdf/<int:job_id>/",
        views.round_report_pdf_file,
        name="round_report_pdf_file",
    ),
    path("assessments/<int:round_id>/import/", views.round_import, name="round_import"),
    path(
        "assessments/<int:round_id>/items/<int:item_id>/action/",
        views.action_create,
        name="action_create",
    ),
    path("assessments/<int:round_id>/peer-review/", peer_views.peer_reviews, name="peer_reviews"),
    path(
        "assessments/<int:round_id>/peer-review/invite/",
        peer_views.peer_invite,
        name="peer_invite",
    ),
    path(
        "assessments/<int:round_id>/peer-review/<int:peer_review_id>/new-link/",
        peer_views.peer_resend,
        name="peer_resend",
    ),
    path(
        "assessments/<int:round_id>/peer-review/<int:peer_review_id>/revoke/",
        peer_views.peer_revoke,
        name="peer_revoke",
    ),
    path(
        "assessments/<int:round_id>/peer-review/evidence/",
        peer_views.peer_evidence_add,
        name="peer_evidence_add",
    ),
    path(
        "assessments/<int:round_id>/peer-review/evidence/<int:evidence_id>/remove/",
        peer_views.peer_evidence_remove,
        name="peer_evidence_remove",
    ),
    path("assessments/frameworks/", views.framework_list, name="framework_list"),
    path(
        "assessments/frameworks/<int:framework_id>/",
        views.framework_detail,
        name="framework_detail",
    ),
    path("actions/", views.action_list, name="action_list"),
    path("actions/<int:action_id>/", views.action_update, name="action_update"),
]
