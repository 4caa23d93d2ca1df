from django.urls import path

from cohub.apps.stories.views import (
    editing,
    recordings,
    speakers,
    stories,
    storytellers,
    uploads,
)

app_name = "stories"

urlpatterns = [
    path("storytellers/", storytellers.storyteller_list, name="storyteller_list"),
    path("storytellers/new/", storytellers.storyteller_create, name="storyteller_create"),
    path(
        "storytellers/<int:storyteller_id>/",
        storytellers.storyteller_detail,
        name="storyteller_detail",
    ),
    path(
        "storytellers/<int:storyteller_id>/edit/",
        storytellers.storyteller_edit,
        name="storyteller_edit",
    ),
    path(
        "storytellers/<int:storyteller_id>/consent/",
        storytellers.consent_update,
        name="consent_update",
    ),
    path(
        "storytellers/<int:storyteller_id>/withdraw/",
        storytellers.consent_withdraw,
        name="consent_withdraw",
    ),
    path(
        "storytellers/<int:storyteller_id>/link/",
        storytellers.storyteller_link,
        name="storyteller_link",
    ),
    path("stories/", stories.story_list, name="story_list"),
    path("stories/new/", stories.story_create, name="story_create"),
    path("stories/import/", stories.story_import, name="story_import"),
    path("stories/add-recording/", recordings.recording_add, name="recording_add"),
    path("stories/record/", recordings.recording_record, name="recording_record"),
    # The tus endpoint for recordings sent in pieces (ADR 0019).
    path("stories/uploads/", uploads.upload_create_view, name="upload_create"),
    path("stories/uploads/<slug:upload_id>/", uploads.upload_detail, name="upload_detail"),
    path(
        "stories/<int:story_id>/recording/status/",
        recordings.recording_status,
        name="recording_status",
    ),
    path(
        "stories/<int:story_id>/recording/media/",
        recordings.recording_media,
        name="recording_media",
    ),
    path(
        "stories/<int:story_id>/recording/transcribe/",
        recordings.recording_transcribe_view,
        name="recording_transcribe",
    ),
    path("stories/<int:story_id>/delete/", stories.story_delete, name="story_delete"),
    path("stories/<int:story_id>/edit/", editing.story_edit, name="story_edit"),
    path("stories/<int:story_id>/edit/words/", editing.story_text_edit, name="story_text_edit"),
    path(
        "stories/<int:story_id>/edit/parts/<int:index>/",
        editing.story_part_edit,
        name="story_part_edit",
    ),
    path(
        "stories/<int:story_id>/edit/undo/<int:edit_id>/",
        editing.story_edit_undo,
        name="story_edit_undo",
    ),
    path("stories/<int:story_id>/speakers/", speakers.speaker_list, name="speaker_list"),
    path(
        "stories/<int:story_id>/speakers/<int:speaker_id>/",
        speakers.speaker_edit,
        name="speaker_edit",
    ),
]
