"""Resumable uploads of recordings: the server side of the tus protocol, v1.0.0 (ADR 0019).

A phone on a bus loses its connection; a recording can be a gigabyte. So the
browser (``tus-js-client``) says how big the file is, then sends it in pieces,
and after a cut asks how much arrived and goes on from there. Nothing that
arrived is lost, and nothing is written twice. These are the writes; the
HTTP side (headers, status codes) is ``views/uploads.py``.

The rules, in the order they are checked:

- Starting an upload needs the storyteller's consent to "record" (checked
  again before every piece, and by ``story_add_recording`` at the end), and a
  length within the recording size limit: a file that is too big is refused
  before its first byte is sent.
- Each piece says where it starts (``Upload-Offset``). It is appended only if
  that is exactly how much has arrived, so a piece sent twice (a retry after
  a lost answer) is refused with the real offset instead of being written
  again. The bytes are copied from the request to the file 64 KB at a time,
  never whole into memory. When the connection drops part way through a
  piece, what arrived is kept and the next try starts from there.
- The file's size on disk *is* how much has arrived: one answer, which the
  lock on the file keeps true while a piece is being written.
- A finished upload becomes a story only through ``story_add_recording``
  (``recording_add_uploaded``), with the same checks, dedupe, consent and
  transcription job as a file sent in one go. A refusal there (not a
  recording, silent, a repeat) removes the upload: nothing is kept.
- An upload left unfinished is removed a day after its last piece
  (``uploads_expire``, a periodic job); a withdrawal removes the storyteller's
  at once.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import fcntl
import logging
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cohub.apps.accounts.models import User
from cohub.apps.core.errors import ConsentError, ServiceError
from cohub.apps.projects.models import Project
from cohub.apps.stories.consent import require_consent
from cohub.apps.stories.models import RecordingUpload, Storyteller
from cohub.apps.stories.purge import files_delete_on_commit
from cohub.apps.stories.recordings import RecordingAdded, recording_limits, story_add_recording
from cohub.apps.stories.scopes import ConsentScope
from cohub.pipeline.media import MediaError, check_size

log = logging.getLogger(__name__)

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = ("creation", "termination", "expiration")

# An unfinished upload is kept this long after its last piece arrived.
UPLOAD_EXPIRY = dt.timedelta(hours=24)
# One person's unfinished uploads in one project: enough for a day of interviews,
# few enough that nobody fills the disk by starting uploads and leaving them.
MAX_OPEN_UPLOADS = 10
_COPY_CHUNK = 64 * 1024
_METADATA_MAX = 4000


class Readable(Protocol):
    """Where a piece's bytes come from: the request (``HttpRequest.read``), or any file."""

    def read(self, size: int = ..., /) -> bytes: ...


class UploadRefused(ServiceError):
    """An upload request that cannot be done; ``status`` is the HTTP answer, ``offset`` the truth.

    ``offset`` is set where the client should hear how much has arrived (a
    piece that started at the wrong place).
    """

    def __init__(self, message: str, *, status: int, offset: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.offset = offset


TUS_SCRIPT = "vendor/tus-js-client/tus.min.js"


def resumable_script() -> str:
    """The static path of tus-js-client when it is installed (``make run`` does), else "".

    Without it the file picker still sends the file with the form, and the
    recorder page says that recording in the browser is not available here.
    """
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import staticfiles_storage

    if finders.find(TUS_SCRIPT) or staticfiles_storage.exists(TUS_SCRIPT):
        return TUS_SCRIPT
    return ""


def uploads_dir() -> Path:
    folder = Path(settings.COHUB_UPLOADS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload_path(upload: RecordingUpload) -> Path:
    """Where the upload's bytes are; its name says nothing about whose they are."""
    return Path(settings.COHUB_UPLOADS_DIR) / upload.token


def upload_offset(upload: RecordingUpload) -> int:
    """How many bytes have arrived: the size of the file they are appended to."""
    try:
        return upload_path(upload).stat().st_size
    except FileNotFoundError:
        return 0


def upload_is_complete(upload: RecordingUpload) -> bool:
    return upload_offset(upload) == upload.length


def parse_metadata(header: str) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64(value)`` pairs; a bad one is refused."""
    if len(header) > _METADATA_MAX:
        raise UploadRefused("The details sent with the recording are too long.", status=400)
    values: dict[str, str] = {}
    for pair in filter(None, (part.strip() for part in header.split(","))):
        key, _, encoded = pair.partition(" ")
        try:
            values[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise UploadRefused(
                f"The detail '{key[:40]}' sent with the recording could not be read.", status=400
            ) from None
    return values


def _storyteller_for(project: Project, value: str) -> Storyteller:
    try:
        pk = int(value)
    except ValueError:
        pk = 0
    storyteller = Storyteller.objects.filter(
        project=project, pk=pk, withdrawn_at__isnull=True
    ).first()
    if storyteller is None:
        raise UploadRefused("Choose whose story this is before sending the recording.", status=400)
    return storyteller


@transaction.atomic
def upload_create(
    *, project: Project, actor: User, length: int, metadata: str = ""
) -> RecordingUpload:
    """Start an upload of ``length`` bytes; ``metadata`` names the storyteller and the file.

    Refused before any byte is sent when the storyteller is not in the project
    or has not agreed that we record their story, when the length is over the
    size limit (or nothing), or when the person already has too many
    unfinished uploads here.
    """
    values = parse_metadata(metadata)
    name = (values.get("filename") or values.get("name") or "recording").strip()[:255]
    storyteller = _storyteller_for(project, values.get("storyteller", ""))
    try:
        require_consent(storyteller, ConsentScope.RECORD)
    except ConsentError as error:
        raise UploadRefused(str(error), status=403) from None
    if length < 0:
        raise UploadRefused("The length of the recording was not given.", status=400)
    try:
        check_size(length, name=name, limits=recording_limits())
    except MediaError as error:
        raise UploadRefused(str(error), status=413 if length else 400) from None
    now = timezone.now()
    open_uploads = RecordingUpload.objects.filter(
        project=project, created_by=actor, expires_at__gt=now
    ).count()
    if open_uploads >= MAX_OPEN_UPLOADS:
        raise UploadRefused(
            f"You have {open_uploads} recordings here that have not finished sending. "
            "Finish or cancel one of them first, or wait a day and they are removed.",
            status=429,
        )
    upload = RecordingUpload.objects.create(
        token=secrets.token_hex(16),
        project=project,
        storyteller=storyteller,
        created_by=actor,
        filename=name,
        filetype=values.get("filetype", "")[:100],
        length=length,
        metadata=metadata,
        expires_at=now + UPLOAD_EXPIRY,
    )
    # Created empty and owned by the hub: every piece is appended to it.
    path = upload_path(upload)
    uploads_dir()
    with open(path, "xb"):
        pass
    os.chmod(path, 0o600)
    return upload


@dataclass(frozen=True)
class Appended:
    """What a piece did: how many bytes it added and how many have arrived in all."""

    received: int
    offset: int
    complete: bool


def upload_append(
    *, upload: RecordingUpload, offset: int, stream: Readable, content_length: int
) -> Appended:
    """Append one piece, read from ``stream``, that the client says starts at ``offset``.

    The file is locked while the piece is written, so two requests for the
    same upload cannot interleave their bytes: the second is refused and
    asks again. A connection that drops mid-piece keeps what arrived.
    """
    storyteller = Storyteller.objects.get(pk=upload.storyteller_id)
    try:
        require_consent(storyteller, ConsentScope.RECORD)
    except ConsentError as error:
        upload_delete(upload=upload)
        raise UploadRefused(f"{error} What was sent has been deleted.", status=403) from None
    path = upload_path(upload)
    try:
        handle = open(path, "ab")  # noqa: SIM115 (closed below, after the lock is taken)
    except FileNotFoundError:
        raise UploadRefused(
            "This upload is no longer here: it was removed. Send the recording again.",
            status=410,
        ) from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UploadRefused(
                "Another piece of this recording is arriving right now. Wait a moment.",
                status=409,
                offset=upload_offset(upload),
            ) from None
        current = os.fstat(handle.fileno()).st_size
        if offset != current:
            raise UploadRefused(
                f"This piece starts at byte {offset}, but {current} bytes have arrived. "
                "Send from there.",
                status=409,
                offset=current,
            )
        if content_length > upload.length - current:
            raise UploadRefused(
                "This piece goes past the end of the recording, so none of it was kept.",
                status=413,
                offset=current,
            )
        received = _copy(stream, handle, content_length)
        handle.flush()
        os.fsync(handle.fileno())
        now = os.fstat(handle.fileno()).st_size
    moment = timezone.now()
    RecordingUpload.objects.filter(pk=upload.pk).update(
        updated_at=moment, expires_at=moment + UPLOAD_EXPIRY
    )
    upload.expires_at = moment + UPLOAD_EXPIRY
    return Appended(received=received, offset=now, complete=now == upload.length)


def _copy(stream: Readable, handle: BinaryIO, length: int) -> int:
    copied = 0
    while copied < length:
        try:
            chunk = stream.read(min(_COPY_CHUNK, length - copied))
        except OSError:
            # The connection dropped: keep what arrived; the client asks where to go on.
            log.info("an upload's connection dropped after %s bytes of a piece", copied)
            break
        if not chunk:
            break
        handle.write(chunk)
        copied += len(chunk)
    return copied


def upload_delete(*, upload: RecordingUpload) -> None:
    """Cancel an upload (tus termination): its row and every byte that arrived."""
    path = upload_path(upload)
    RecordingUpload.objects.filter(pk=upload.pk).delete()
    path.unlink(missing_ok=True)


@contextlib.contextmanager
def upload_finished_path(upload: RecordingUpload) -> Iterator[Path]:
    """The path to a finished upload's file; refused while bytes are still missing."""
    received = upload_offset(upload)
    if received != upload.length:
        raise ServiceError(
            f"Only part of {upload.filename} has arrived ({received} of {upload.length} bytes). "
            "Keep this page open until it has all been sent."
        )
    yield upload_path(upload)


def recording_add_uploaded(
    *,
    upload: RecordingUpload,
    storyteller: Storyteller,
    actor: User,
    title: str = "",
    recorded_on: dt.date | None = None,
    speakers: int | str | None = "auto",
) -> RecordingAdded:
    """Add a finished upload as a story, through ``story_add_recording`` like any recording.

    The upload goes either way once the recording is looked at: kept as the
    story's recording, or refused (not a recording, silent, a repeat, no
    consent) with nothing kept. An unexpected failure keeps it, so a person
    can try again without sending it again.
    """
    if upload.created_by_id != actor.pk or upload.project_id != storyteller.project_id:
        raise ServiceError("That recording was sent by someone else, or to another project.")
    with upload_finished_path(upload) as path:
        try:
            added = story_add_recording(
                project=storyteller.project,
                storyteller=storyteller,
                actor=actor,
                path=path,
                filename=upload.filename,
                title=title,
                recorded_on=recorded_on,
                speakers=speakers,
            )
        except (MediaError, ServiceError):
            upload_delete(upload=upload)
            raise
    upload_delete(upload=upload)
    return added


def recording_uploads_discard_for_storyteller(storyteller_id: int) -> int:
    """Remove every unfinished upload for this storyteller (on withdrawal); returns how many.

    The files go once the withdrawal commits, with the rows.
    """
    uploads = list(RecordingUpload.objects.filter(storyteller_id=storyteller_id))
    paths = [upload_path(upload) for upload in uploads]
    RecordingUpload.objects.filter(pk__in=[upload.pk for upload in uploads]).delete()
    files_delete_on_commit(paths=paths)
    return len(uploads)


def uploads_expire(*, now: dt.datetime | None = None) -> int:
    """Remove uploads whose last piece came more than a day ago, and files no upload owns.

    A file with no row (its project was deleted, or a process died between the
    two) is removed once it too is older than a day. Returns how many uploads
    and files went.
    """
    now = now or timezone.now()
    removed = 0
    for upload in RecordingUpload.objects.filter(expires_at__lte=now):
        upload_delete(upload=upload)
        removed += 1
    folder = Path(settings.COHUB_UPLOADS_DIR)
    if folder.is_dir():
        known = set(RecordingUpload.objects.values_list("token", flat=True))
        cutoff = (now - UPLOAD_EXPIRY).timestamp()
        for path in folder.iterdir():
            if path.is_file() and path.name not in known and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
    return removed
