"""Messages in the session of the very request that purged a story are scrubbed too."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from cohub.apps.stories.purge import purged_now, purged_now_reset, session_messages_scrub


class PurgedMessagesMiddleware:
    """Scrub the request's own session after a purge, before it is saved (ADR 0024).

    A purge scrubs every stored session, but the session of the request doing
    it is held in memory and written back after the view returns, with any
    message that was waiting in it (one naming the storyteller, say). Listed
    after the session middleware and before the messages middleware, this runs
    after the messages are stored and before the session is saved.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        purged_now_reset()
        response = self.get_response(request)
        traces = purged_now()
        session = getattr(request, "session", None)
        if traces and session is not None:
            session_messages_scrub(session, traces)
        purged_now_reset()
        return response
