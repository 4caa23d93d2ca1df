from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The project's audit log and subject access downloads (issue 7 items 4 and 5, ADR 0026).

    Last in the chain of apps: a subject access download gathers from every
    app before it. The audit trail itself (``core.Event``) and the noting of
    reads (``core.audit``) live in core, so every app can write to them.
    """

    name = "cohub.apps.audit"
    label = "audit"
