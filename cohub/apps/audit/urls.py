from django.urls import path

from cohub.apps.audit import views

app_name = "audit"

urlpatterns = [
    path("audit-log/", views.audit_log, name="log"),
    path("audit-log.csv", views.audit_log_csv, name="log_csv"),
    path(
        "storytellers/<int:storyteller_id>/what-we-hold/",
        views.subject_access,
        name="subject_access",
    ),
]
