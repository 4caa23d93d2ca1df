"""Transcript files waiting for an import job, kept in Django's default storage.

A big import runs as a job on a worker, not inside the web request, so the
uploaded bytes must outlive the request somewhere the worker can read: the
default storage (``MEDIA_ROOT``, under the data directory). They are
storytellers' words, so they are kept only until the job has read them, and a
withdrawal deletes them even if the job has not run yet.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from cohub.apps.jobs.models import Job, JobStatus

IMPORT_BATCH = "stories.import_batch"

_FOLDER = "pending-imports"


@dataclass(frozen=True)
class StoredUpload:
    """One waiting file: where it is stored, and the name the person gave it."""

    path: str
    name: str

    def to_param(self) -> dict[str, str]:
        return {"path": self.path, "name": self.name}

    @classmethod
    def from_param(cls, value: dict[str, Any]) -> StoredUpload:
        return cls(path=str(value["path"]), name=str(value["name"]))

    def read(self, size: int = -1, /) -> bytes:
        try:
            with default_storage.open(self.path, "rb") as handle:
                data: bytes = handle.read(size)
        except FileNotFoundError:
            raise FileNotFoundError(
                2, "it was deleted before the import ran, as happens when the storyteller withdraws"
            ) from None
        return data


def uploads_store(files: Sequence[tuple[str, bytes]]) -> list[StoredUpload]:
    """Save each ``(name, data)`` under one new folder; the names on disk say nothing."""
    folder = f"{_FOLDER}/{uuid.uuid4().hex}"
    stored = []
    for number, (name, data) in enumerate(files, start=1):
        # The person's file name may name someone, so it stays in the job row only.
        suffix = PurePath(name).suffix.lower()[:10]
        path = default_storage.save(f"{folder}/{number}{suffix}", ContentFile(data))
        stored.append(StoredUpload(path=path, name=name))
    return stored


def uploads_delete(stored: Iterable[StoredUpload]) -> None:
    for upload in stored:
        default_storage.delete(upload.path)


def uploads_discard_for_storyteller(storyteller_id: int) -> int:
    """Delete the files of imports for this storyteller that have not finished.

    Called on withdrawal: the job may not have run yet. It is removed with its
    files (a worker that picks it up finds nothing to do; one already running
    has its consent check refuse the import). Returns the number of files deleted.
    """
    waiting = Job.objects.filter(
        kind=IMPORT_BATCH,
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
        params__storyteller_id=storyteller_id,
    )
    stored = [StoredUpload.from_param(value) for job in waiting for value in job.params["files"]]
    # After the withdrawal commits, and retried until done (ADR 0024).
    from cohub.apps.stories.purge import files_delete_on_commit

    files_delete_on_commit(names=[upload.path for upload in stored])
    # Their parameters list the files by the names people gave them.
    waiting.delete()
    return len(stored)
