from django.urls import path

from cohub.apps.redaction import views

app_name = "redaction"

urlpatterns = [
    path("personal-details/", views.lists, name="lists"),
    path("stories/<int:story_id>/personal-details/", views.review, name="review"),
    path("stories/<int:story_id>/personal-details/check/", views.start, name="start"),
    path("stories/<int:story_id>/personal-details/decide/", views.decide, name="decide"),
    path(
        "stories/<int:story_id>/personal-details/decide-kind/",
        views.decide_kind,
        name="decide_kind",
    ),
    path("stories/<int:story_id>/personal-details/undo/", views.undo, name="undo"),
    path("stories/<int:story_id>/personal-details/share/", views.share, name="share"),
]
