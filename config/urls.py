from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("accounts/", include("cohub.apps.accounts.urls")),
    path("", include("cohub.apps.projects.urls")),
    path("p/<slug:project_slug>/", include("cohub.apps.stories.urls")),
    path("p/<slug:project_slug>/", include("cohub.apps.redaction.urls")),
    path("p/<slug:project_slug>/", include("cohub.apps.analysis.urls")),
    path("p/<slug:project_slug>/", include("cohub.apps.reports.urls")),
    path("p/<slug:project_slug>/", include("cohub.apps.audit.urls")),
    path("p/<slug:project_slug>/", include("cohub.apps.exchange.urls")),
    path("p/<slug:project_slug>/", include("cohub.apps.assess.urls")),
    # A whole organisation's assessment rounds (ADR 0028).
    path("o/<slug:organisation_slug>/", include("cohub.apps.assess.org_urls")),
    path("o/<slug:organisation_slug>/", include("cohub.apps.audit.org_urls")),
    path("jobs/", include("cohub.apps.jobs.urls")),
    # A peer reviewer's own pages, opened by their link alone (ADR 0034).
    path("peer/", include("cohub.apps.assess.peer_urls")),
    # A storyteller's own page (ADR 0032): a private link or their account, no project role.
    path("my-story/", include("cohub.apps.reports.storyteller_urls")),
    # A project's "You said, we did", open to anyone once published (ADR 0033).
    path("you-said-we-did/", include("cohub.apps.reports.public_urls")),
]

# The 403 page says who may do what was refused, worked out from the rules.
handler403 = "cohub.apps.projects.forbidden.permission_denied"
