from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cohub.apps.reports"
    label = "reports"
