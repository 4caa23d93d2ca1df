from django.urls import path

from cohub.apps.analysis import views, views_story

app_name = "analysis"

urlpatterns = [
    path("stories/<int:story_id>/", views_story.story_detail, name="story_detail"),
    path(
        "stories/<int:story_id>/highlights/",
        views_story.highlight_create,
        name="highlight_create",
    ),
    path("highlights/<int:highlight_id>/", views.highlight_edit, name="highlight_edit"),
    path("highlights/<int:highlight_id>/delete/", views.highlight_delete, name="highlight_delete"),
    path("highlights/<int:highlight_id>/themes/", views.highlight_tag, name="highlight_tag"),
    path(
        "highlights/<int:highlight_id>/themes/<int:theme_id>/remove/",
        views.highlight_untag,
        name="highlight_untag",
    ),
    path("themes/", views.theme_list, name="theme_list"),
    path("themes/merge/", views.theme_merge, name="theme_merge"),
    path("themes/<int:theme_id>/", views.theme_detail, name="theme_detail"),
    path("coding-log/", views.coding_log, name="coding_log"),
    path("coding-log/<int:event_id>/undo/", views.coding_event_undo, name="coding_event_undo"),
]
