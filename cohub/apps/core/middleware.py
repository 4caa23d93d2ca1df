"""Headers every page the hub draws carries (docs/adr/0025).

People use shared and library computers: a page or download that shows a story
must not stay in the browser's cache, or on a proxy, for the next person to
find with the Back button. So every response that passes through Django, pages,
exports, recordings and the board's feed alike, says ``Cache-Control: no-store``.
Static files are served by WhiteNoise before this middleware runs, so they stay
cacheable (they are the same for everyone and carry no story).

The Permissions-Policy header lets only the hub itself use the microphone
(recording in the browser) and nothing use the camera, location or payments.
Django's SecurityMiddleware sets HSTS (over HTTPS), nosniff, the referrer policy
and the cross-origin opener policy; django-csp sets the Content Security Policy.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control


class SecurityHeadersMiddleware:
    """``Cache-Control: no-store`` and ``Permissions-Policy`` on every dynamic response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # no-store alone is what browsers and proxies honour; private and no-cache
        # are for older caches that know only those. max-age=0 replaces any other.
        patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        response.headers.pop("Expires", None)
        response.headers.setdefault("Permissions-Policy", settings.COHUB_PERMISSIONS_POLICY)
        return response


class RequestSizeMiddleware:
    """Refuse a request whose body is bigger than any upload the hub takes, unread.

    Django streams an uploaded file to a temporary file as it arrives, and only
    then does the view see its size: a 2 GB upload would fill 2 GB of disk before
    being refused, behind any server that does not cap bodies itself (``cohub
    serve`` does, at the same limit). Checking the declared length first refuses it
    before one byte of the body is read. The length cannot be understated: Django
    reads no further than it says.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.COHUB_REQUEST_MAX_BYTES
        if length > limit:
            page = render_to_string(
                "413.html", {"size": _megabytes(length), "limit": _megabytes(limit)}
            )
            return HttpResponse(page, status=413)
        return self.get_response(request)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"
