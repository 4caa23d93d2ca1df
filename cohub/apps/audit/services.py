"""Writes of the audit app: exporting the log is itself a line in the log."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cohub.apps.audit.selectors import LogFilter, log_csv_rows, project_entries
from cohub.apps.core.csvsafe import to_csv
from cohub.apps.core.models import record_event
from cohub.apps.projects.models import Project


@transaction.atomic
def audit_log_export_csv(*, project: Project, actor: Any, narrow: LogFilter | None = None) -> str:
    """The project's log (as narrowed) as spreadsheet-safe CSV; records who exported it.

    The export's own line is written after the rows are read, so it is not in
    the file it describes.
    """
    rows = log_csv_rows(project_entries(project, narrow))
    record_event(
        actor=actor,
        verb="audit.export",
        target=project,
        project_id=project.pk,
        data={"format": "csv", "rows": len(rows) - 1},
    )
    return to_csv(rows)
