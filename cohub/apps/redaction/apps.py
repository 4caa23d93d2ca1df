from django.apps import AppConfig


class RedactionConfig(AppConfig):
    name = "cohub.apps.redaction"
    label = "redaction"

    def ready(self) -> None:
        # The job kind that finds personal details, and the purger of its jobs.
        from cohub.apps.redaction import jobs, services  # noqa: F401
