from django.apps import AppConfig


class RedactionConfig(AppConfig):
    name = "cohub.apps.redaction"
    label = "redaction"

    def ready(self) -> None:
        # The job kind that finds personal details, and the purger of its jobs.
        from cohub.apps.redaction import jobs, services  # noqa: F401
        from cohub.apps.redaction.audio import covered_play_source
        from cohub.apps.stories.playback import register_play_source

        # The story page plays others a copy with replaced words covered (ADR 0027).
        register_play_source(covered_play_source)
