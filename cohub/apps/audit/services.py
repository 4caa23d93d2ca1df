"""Writes of the audit app: exporting the log, or what we hold about someone, is a line in it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction

from cohub.apps.accounts.models import Organisation
from cohub.apps.audit.selectors import (
    SUBJECT_ACCESS,
    LogFilter,
    log_csv_rows,
    narrowed,
    organisation_events,
    project_entries,
)
from cohub.apps.audit.subject_access import (
    download_name,
    subject_access_data,
    write_subject_access_zip,
)
from cohub.apps.core.csvsafe import to_csv
from cohub.apps.core.models import Event, record_event
from cohub.apps.projects.models import Project
from cohub.apps.stories.models import Storyteller


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


def organisation_log_export_csv(
    *, organisation: Organisation, actor: Any, narrow: LogFilter | None = None
) -> str:
    """The organisation's own log (as narrowed) as CSV; its export is a line of that log."""
    rows = log_csv_rows(narrowed(organisation_events(organisation), narrow))
    record_event(
        actor=actor,
        verb="audit.export",
        target=organisation,
        organisation_id=organisation.pk,
        data={"format": "csv", "rows": len(rows) - 1},
    )
    return to_csv(rows)


@dataclass(frozen=True)
class SubjectAccessResult:
    """What a subject access download wrote: its file name, its files, and the audit entry."""

    filename: str
    files: list[str]
    event: Event


def subject_access_write(
    *, storyteller: Storyteller, actor: Any, out: IO[bytes], via: str = "web"
) -> SubjectAccessResult:
    """Write everything held about ``storyteller`` to ``out`` as a zip; record who took it.

    The entry names the storyteller and their stories by id only, like every
    audit entry, and stands for the read: the download is the fullest read
    there is. Not atomic on purpose: it only reads, and the entry is written
    once the file is whole.
    """
    data = subject_access_data(storyteller, generated_by=actor)
    files = write_subject_access_zip(data, out)
    event = record_event(
        actor=actor,
        verb=SUBJECT_ACCESS,
        target=storyteller,
        project_id=storyteller.project_id,
        data={
            "via": via,
            "route": "audit:subject_access" if via == "web" else "cohub subject-access",
            "stories": sorted(story["id"] for story in data["stories"]),
            "storytellers": [storyteller.pk],
            "files": len(files),
        },
    )
    return SubjectAccessResult(filename=download_name(storyteller), files=files, event=event)
