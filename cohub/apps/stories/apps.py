from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "cohub.apps.stories"
    label = "stories"
