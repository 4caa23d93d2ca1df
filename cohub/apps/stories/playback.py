"""Sending a stored recording in pieces: HTTP Range answers for recordings and clips.

A browser's ``<audio>`` asks for a recording a range of bytes at a time,
and seeking asks for a range further on; without a 206 answer it cannot
jump to a line an hour in. Nothing here checks permission or consent: the
view calling it has done both. Every answer says ``Cache-Control: no-store``,
since a story's sound must not stay in a shared cache or the browser's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from cohub.pipeline.clips import RangeNotSatisfiable, parse_range

_PIECE = 256 * 1024


def _pieces(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        left = length
        while left > 0:
            piece = handle.read(min(_PIECE, left))
            if not piece:
                break
            left -= len(piece)
            yield piece
    finally:
        handle.close()


def ranged_response(
    request: HttpRequest,
    *,
    open_file: Callable[[], IO[bytes]],
    size: int,
    content_type: str,
    filename: str = "",
    attachment: bool = False,
) -> HttpResponse:
    """200 with the whole file, 206 with the range asked for, or 416 for a range past the end.

    ``open_file`` is called only when bytes are sent, and the file is closed
    when the answer is done. ``filename`` (already safe) names a download.
    """
    try:
        wanted = parse_range(request.headers.get("Range"), size)
    except RangeNotSatisfiable:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        _no_store(refused)
        return refused
    start, end = wanted if wanted is not None else (0, size - 1)
    length = max(0, end - start + 1)
    if request.method == "HEAD":
        response: HttpResponse | StreamingHttpResponse = HttpResponse(
            status=206 if wanted else 200, content_type=content_type
        )
    else:
        response = StreamingHttpResponse(
            _pieces(open_file(), start, length),
            status=206 if wanted else 200,
            content_type=content_type,
        )
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if wanted is not None:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    if filename:
        kind = "attachment" if attachment else "inline"
        response["Content-Disposition"] = f'{kind}; filename="{filename}"'
    _no_store(response)
    return response  # type: ignore[return-value]


def _no_store(response: HttpResponse | StreamingHttpResponse) -> None:
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"


# ---------------------------------------------------------------------------
# What the story page plays: the recording, unless a later app says otherwise


@dataclass(frozen=True)
class PlaySource:
    """A stored file to play in the recording's place; ``ready`` False: not made yet."""

    name: str
    content_type: str
    ready: bool


# (story, recording, user, project) -> a file to play instead, or None for the recording.
PlaySourceFinder = Callable[[Any, Any, Any, Any], PlaySource | None]
_finders: list[PlaySourceFinder] = []


def register_play_source(finder: PlaySourceFinder) -> PlaySourceFinder:
    """Let a later app (de-identification) swap what the story page plays.

    Stories cannot import the apps built on it, so the copy with replaced
    words covered is found through this hook, like the purgers (``purge``).
    """
    if finder not in _finders:
        _finders.append(finder)
    return finder


def play_source(story: Any, recording: Any, user: Any, project: Any) -> PlaySource | None:
    for finder in _finders:
        found = finder(story, recording, user, project)
        if found is not None:
            return found
    return None
