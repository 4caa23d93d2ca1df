from django.urls import path

from cohub.apps.jobs import views

app_name = "jobs"

urlpatterns = [
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/status.json", views.job_status, name="status"),
    path("<int:pk>/retry/", views.job_retry_view, name="retry"),
]
