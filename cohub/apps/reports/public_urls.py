"""The public "You said, we did" pages (ADR 0033): no login, a 404 until the project publishes."""

from django.urls import path

from cohub.apps.reports import change_views

app_name = "you_said"

urlpatterns = [
    path("<slug:project_slug>/", change_views.public_changes, name="page"),
]
