from django.urls import path

from cohub.apps.reports import change_views, storyteller_views, views

app_name = "reports"

urlpatterns = [
    path("findings/", views.findings, name="findings"),
    path("findings/checks/", storyteller_views.quote_checks_overview, name="quote_checks"),
    path("findings.csv", views.findings_csv, name="findings_csv"),
    path("clips/", views.playlist, name="playlist"),
    path("clips/captions.vtt", views.playlist_captions, name="playlist_captions"),
    path("clips/chapters.vtt", views.playlist_chapters, name="playlist_chapters"),
    path("clips/playlist.ogg", views.playlist_audio, name="playlist_audio"),
    path("clips/download/", views.playlist_download, name="playlist_download"),
    path("clips/download/<int:job_id>/", views.playlist_zip, name="playlist_zip"),
    path("report/", views.report, name="report"),
    path("report/download/", views.report_download, name="report_download"),
    path("report/pdf/", views.report_pdf_start, name="report_pdf_start"),
    path("report/pdf/<int:job_id>/", views.report_pdf_file, name="report_pdf_file"),
    path("report/versions/", views.report_versions_page, name="report_versions"),
    path("report/versions/<int:report_version_id>/", views.report_version, name="report_version"),
    path(
        "report/versions/<int:report_version_id>/download/",
        views.report_version_download,
        name="report_version_download",
    ),
    path(
        "report/versions/<int:report_version_id>/delete/",
        views.report_version_delete,
        name="report_version_delete",
    ),
    path("changes/", change_views.changes, name="changes"),
    path("changes/new/", change_views.change_new, name="change_new"),
    path("changes/<int:change_id>/", change_views.change_edit, name="change_edit"),
    path("changes/publish/", change_views.changes_publish, name="changes_publish"),
    path("changes/unpublish/", change_views.changes_unpublish, name="changes_unpublish"),
]
