from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("accounts/", include("cohub.apps.accounts.urls")),
    path("", include("cohub.apps.projects.urls")),
    path("p/<slug:project_slug>/", include("cohub.apps.stories.urls")),
    path("p/<slug:project_slug>/", include("cohub.apps.analysis.urls")),
    path("p/<slug:project_slug>/", include("cohub.apps.reports.urls")),
    path("jobs/", include("cohub.apps.jobs.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
