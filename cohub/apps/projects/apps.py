from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "cohub.apps.projects"
    label = "projects"
