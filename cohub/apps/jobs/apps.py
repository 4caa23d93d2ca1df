from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "cohub.apps.jobs"
    label = "jobs"

    def ready(self) -> None:
        # Each app's jobs.py registers its job kinds (see registry.register).
        autodiscover_modules("jobs")
