from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "cohub.apps.stories"
    label = "stories"

    def ready(self) -> None:
        from cohub.apps.projects.summary import register_project_count, register_project_notices
        from cohub.apps.stories import selectors
        from cohub.apps.stories.purge import register_purger
        from cohub.apps.stories.recordings import recordings_purge
        from cohub.apps.stories.retention import keep_until_notices

        register_project_count(
            key="storytellers",
            label="Storytellers",
            order=10,
            count=selectors.active_storyteller_count,
        )
        register_project_count(
            key="stories", label="Stories", order=20, count=selectors.story_count
        )
        register_project_notices(key="keep_until", notices=keep_until_notices)
        # A recording's file is not a row: deletion and withdrawal remove it here.
        register_purger(recordings_purge)
