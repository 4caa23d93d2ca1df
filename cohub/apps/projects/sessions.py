"""Who holds the keys to everything, and the shorter sessions they get (docs/adr/0025).

Facilitators and organisation admins (and site administrators) can read every
story of their projects. A computer left logged in as one of them is the
worst leak a shared computer can give, so their session ends after
``COHUB_FACILITATOR_IDLE_MINUTES`` (default 30) with nothing done, instead of
at the end of the working day. This is the one declared rule for "who needs
the stronger protection"; two-factor sign-in uses it too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import LazyObject, empty

from cohub.apps.accounts.models import OrganisationMembership, OrganisationRole
from cohub.apps.projects.models import ProjectMembership, ProjectRole

_CACHE = "_cohub_runs_projects"
# When the idle time last started again (seconds since the epoch), kept in the session.
_REFRESHED = "_cohub_idle_from"
# The idle time starts again at most this often: every start is a write of the session.
REFRESH_EVERY_S = 60


def holds_keys(user: Any) -> bool:
    """Is ``user`` a facilitator or organisation admin anywhere, or a site administrator?

    Answered once per request (kept on the user object, which lives as long as it).
    """
    if not getattr(user, "is_authenticated", False):
        return False
    # request.user is a lazy object, wrapped again by django-otp's middleware: the answer
    # is kept on the user object itself.
    while isinstance(user, LazyObject):
        lazy: Any = user
        if lazy._wrapped is empty:
            lazy._setup()
        user = lazy._wrapped
    if _CACHE not in user.__dict__:
        user.__dict__[_CACHE] = bool(
            user.is_superuser
            or user.is_staff
            or ProjectMembership.objects.filter(user=user, role=ProjectRole.FACILITATOR).exists()
            or OrganisationMembership.objects.filter(
                user=user, role=OrganisationRole.ADMIN
            ).exists()
        )
    return bool(user.__dict__[_CACHE])


class IdleTimeoutMiddleware:
    """Sessions of people who hold the keys end after a short time with nothing done.

    A request of theirs sets the session to expire that many seconds later,
    so the time counts from the last thing they did, to within a minute:
    the expiry is set again only when the last setting is at least
    ``REFRESH_EVERY_S`` old, since each setting saves the session (a write on
    every request, a board's poll every two seconds included, otherwise).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if holds_keys(request.user):
            session = request.session
            now = int(time.time())
            idle = settings.COHUB_FACILITATOR_IDLE_SECONDS
            since = session.get(_REFRESHED)
            if (
                not isinstance(since, int)
                or now - since >= REFRESH_EVERY_S
                or session.get_expiry_age() != idle
            ):
                session[_REFRESHED] = now
                session.set_expiry(idle)
        return self.get_response(request)
