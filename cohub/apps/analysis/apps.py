from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "cohub.apps.analysis"
    label = "analysis"

    def ready(self) -> None:
        # Registers the purger that removes coding-log rows with their story.
        from cohub.apps.analysis import services  # noqa: F401
