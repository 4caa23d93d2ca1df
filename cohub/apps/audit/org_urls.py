"""An organisation's own audit log, under ``/o/<organisation_slug>/``: the lines that belong
to no project of it (its rounds for the whole organisation, its own frameworks)."""

from django.urls import path

from cohub.apps.audit import views

app_name = "org_audit"

urlpatterns = [
    path("audit-log/", views.organisation_log, name="log"),
    path("audit-log.csv", views.organisation_log_csv, name="log_csv"),
]
