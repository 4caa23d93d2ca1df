"""The storyteller's own page: reached by a private link or their account, not a project role."""

from django.urls import path

from cohub.apps.reports import storyteller_views as views

app_name = "my_story"

urlpatterns = [
    path("", views.page, name="page"),
    path("easy-read/", views.easy_read, name="easy_read"),
    path("open/<str:link_token>/", views.link_open, name="open"),
    path("quotes/<int:quote_id>/", views.quote_answer, name="quote_answer"),
    path("consent/", views.consent, name="consent"),
    path("withdraw/", views.withdraw, name="withdraw"),
    path("leave/", views.leave, name="leave"),
    path("choose/", views.choose, name="choose"),
]
