"""Writes for reports: exports leave a line in the audit trail.

An export copies quotes out of cohub, where consent can no longer reach them,
so who exported what, and when, is worth recording.
"""

from __future__ import annotations

from django.db import transaction

from cohub.apps.accounts.models import User
from cohub.apps.core import audit
from cohub.apps.core.csvsafe import to_csv
from cohub.apps.core.models import record_event
from cohub.apps.projects.models import Project
from cohub.apps.reports.findings import findings_csv_rows, project_findings
from cohub.apps.stories.ways_out import EXPORT


@transaction.atomic
def findings_export_csv(*, project: Project, actor: User | None) -> str:
    """The project's quotes and codes as spreadsheet-safe CSV text; records the export.

    ``actor`` is None for a system action (the command line without ``--as``).
    The entry names the stories whose words went out, by id (``core.audit``),
    and stands for the read too, so the page's own audit writes no second one.
    """
    with audit.reading() as reads:
        findings = project_findings(project, way=EXPORT)
    rows = findings_csv_rows(findings)
    record_event(
        actor=actor,
        verb="findings.export",
        target=project,
        project_id=project.pk,
        data={
            "format": "csv",
            "quotes": findings.quote_count,
            "rows": len(rows) - 1,
            **reads.as_data(),
        },
    )
    return to_csv(rows)
