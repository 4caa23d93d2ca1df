from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cohub.apps.reports"
    label = "reports"

    def ready(self) -> None:
        from cohub.apps.reports.playlist import playlists_purge
        from cohub.apps.reports.services import report_pdfs_purge
        from cohub.apps.stories.purge import register_purger

        # Joined clips, downloads and report PDFs are files, not rows: withdrawal removes
        # them here.
        register_purger(playlists_purge)
        register_purger(report_pdfs_purge)
