from django.urls import path

from cohub.apps.reports import views

app_name = "reports"

urlpatterns = [
    path("findings/", views.findings, name="findings"),
    path("findings.csv", views.findings_csv, name="findings_csv"),
]
