from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.urls import reverse

if TYPE_CHECKING:
    from cohub.apps.accounts.models import Organisation
    from cohub.apps.projects.summary import ProjectNotice


class AuditConfig(AppConfig):
    """The project's audit log and subject access downloads (issue 7 items 4 and 5, ADR 0026).

    Last in the chain of apps: a subject access download gathers from every
    app before it. The audit trail itself (``core.Event``) and the noting of
    reads (``core.audit``) live in core, so every app can write to them.
    """

    name = "cohub.apps.audit"
    label = "audit"

    def ready(self) -> None:
        from cohub.apps.projects.summary import register_organisation_notices

        register_organisation_notices(key="audit", notices=organisation_log_notice)


def organisation_log_notice(organisation: Organisation, viewer: Any) -> list[ProjectNotice]:
    """A line on the organisation's own page, for those who may read its own log."""
    from cohub.apps.projects.summary import ProjectNotice

    if not viewer.has_perm("audit.view_org_log", organisation):
        return []
    url = reverse("org_audit:log", args=[organisation.slug])
    return [
        ProjectNotice(
            title="Accountability",
            lines=(("The audit log", ": who did what outside the projects", url),),
        )
    ]
