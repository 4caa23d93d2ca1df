"""The tus endpoint (v1.0.0: core, creation, termination, expiration) for recordings.

Only HTTP lives here: reading the tus headers, answering with the status codes
and headers the protocol names, in our own words where a person may read them
(tus-js-client hands the answer's text to the page). Every write is a service
in ``stories/resumable.py``. Each request is checked like any page: the
project's ``stories.add_story``, and for an upload, that this person started
it (the same rule, on the upload).

The request body of a piece is read from the connection in small pieces and
appended to the file, never read whole: nothing here touches ``request.body``.
CSRF protection stays on; the page's script sends the token in a header.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import http_date

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project
from cohub.apps.stories.models import RecordingUpload
from cohub.apps.stories.recordings import recording_limits
from cohub.apps.stories.resumable import (
    TUS_EXTENSIONS,
    TUS_VERSION,
    UploadRefused,
    upload_append,
    upload_create,
    upload_delete,
    upload_offset,
)
from cohub.apps.stories.selectors import upload_get

OFFSET_CONTENT_TYPE = "application/offset+octet-stream"


def _answer(status: int, text: str = "", **headers: str) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _refused(error: UploadRefused) -> HttpResponse:
    extra = {} if error.offset is None else {"Upload_Offset": str(error.offset)}
    return _answer(error.status, str(error), **extra)


def _options() -> HttpResponse:
    return _answer(
        204,
        Tus_Version=TUS_VERSION,
        Tus_Extension=",".join(TUS_EXTENSIONS),
        Tus_Max_Size=str(recording_limits().max_bytes),
    )


def _version_refused(request: AuthenticatedHttpRequest) -> HttpResponse | None:
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        return _answer(
            412,
            "This address takes recordings sent by the tus protocol, version 1.0.0.",
            Tus_Version=TUS_VERSION,
        )
    return None


def _number(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


def _expires(upload: RecordingUpload) -> str:
    return http_date(upload.expires_at.timestamp())


@project_view("stories.add_story")
def upload_create_view(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """POST: start an upload (tus creation). OPTIONS: what this endpoint supports."""
    if request.method == "OPTIONS":
        return _options()
    if request.method != "POST":
        return _answer(405, "Start an upload with POST.", Allow="POST, OPTIONS")
    refused = _version_refused(request)
    if refused is not None:
        return refused
    if "Upload-Defer-Length" in request.headers:
        return _answer(400, "Say how big the recording is before sending it.")
    length = _number(request.headers.get("Upload-Length"))
    if length is None:
        return _answer(400, "Say how big the recording is (Upload-Length) before sending it.")
    try:
        upload = upload_create(
            project=project,
            actor=request.user,
            length=length,
            metadata=request.headers.get("Upload-Metadata", ""),
        )
    except UploadRefused as error:
        return _refused(error)
    location = request.build_absolute_uri(
        reverse(
            "stories:upload_detail",
            kwargs={"project_slug": project.slug, "upload_id": upload.token},
        )
    )
    return _answer(201, Location=location, Upload_Expires=_expires(upload))


@project_view("stories.add_story", load=("upload_id", upload_get))
def upload_detail(
    request: AuthenticatedHttpRequest, project: Project, upload: RecordingUpload
) -> HttpResponse:
    """HEAD: how much has arrived. PATCH: the next piece. DELETE: cancel (tus termination)."""
    if request.method == "OPTIONS":
        return _options()
    if request.method not in ("HEAD", "PATCH", "DELETE"):
        return _answer(405, "Use HEAD, PATCH or DELETE here.", Allow="HEAD, PATCH, DELETE, OPTIONS")
    refused = _version_refused(request)
    if refused is not None:
        return refused
    if request.method == "HEAD":
        headers = {
            "Upload_Offset": str(upload_offset(upload)),
            "Upload_Length": str(upload.length),
            "Upload_Expires": _expires(upload),
        }
        if upload.metadata:
            headers["Upload_Metadata"] = upload.metadata
        return _answer(200, **headers)
    if request.method == "DELETE":
        upload_delete(upload=upload)
        return _answer(204)
    if request.content_type != OFFSET_CONTENT_TYPE:
        return _answer(415, f"Send each piece as {OFFSET_CONTENT_TYPE}.")
    offset = _number(request.headers.get("Upload-Offset"))
    size = _number(request.META.get("CONTENT_LENGTH"))
    if offset is None:
        return _answer(400, "Say where this piece starts (Upload-Offset).")
    if size is None:
        return _answer(400, "Say how long this piece is (Content-Length).")
    try:
        appended = upload_append(upload=upload, offset=offset, stream=request, content_length=size)
    except UploadRefused as error:
        return _refused(error)
    return _answer(204, Upload_Offset=str(appended.offset), Upload_Expires=_expires(upload))
