from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cohub.apps.reports"
    label = "reports"

    def ready(self) -> None:
        from cohub.apps.reports.playlist import playlists_purge
        from cohub.apps.stories.purge import register_purger

        # Joined clips and downloads are files, not rows: withdrawal removes them here.
        register_purger(playlists_purge)
