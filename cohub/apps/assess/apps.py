from django.apps import AppConfig


class AssessConfig(AppConfig):
    """Co-production self- and peer-assessment (issue 8, ADR 0028).

    Hangs off projects: frameworks are data files, a round is answered by each
    member on their own, and results are scored by ``scoring`` (pure Python).
    """

    name = "cohub.apps.assess"
    label = "assess"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cohub.apps.assess.summary import organisation_assessment_notices
        from cohub.apps.projects.summary import register_organisation_notices

        register_organisation_notices(key="assess", notices=organisation_assessment_notices)
