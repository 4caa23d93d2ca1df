from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cohub.apps.core"
    label = "core"
