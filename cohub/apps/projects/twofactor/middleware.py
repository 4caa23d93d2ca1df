"""Hold a signed-in person at the second step until they pass it (docs/adr/0025).

Facilitators, organisation admins and site administrators
(``projects.sessions.holds_keys``) must use two-step sign-in: signed in with a
password only, they are sent to set it up (no device yet) or to the code page
(they have one) before any other page opens. Anyone else who turned it on
passes the code page too. Until then, only that step and logging out answer
(static files never reach here); everything else sends them to it,
remembering where they were going.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from cohub.apps.projects.twofactor import services

CODE = "projects:two_step_code"
SET_UP = "projects:two_step_set_up"
# Open to a signed-in person who has not passed the second step yet (beside the step itself).
ALWAYS_OPEN = frozenset({"accounts:logout"})


def step_for(user: Any, *, has_device: bool | None = None) -> str:
    """The route that is this person's second step: the code if they have a device, else set-up."""
    if has_device is None:
        has_device = services.uses_two_step(user)
    return CODE if has_device else SET_UP


def step_url(user: Any, next_url: str = "", *, has_device: bool | None = None) -> str:
    """The second step's address, carrying where the person was going."""
    url = reverse(step_for(user, has_device=has_device))
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


class RequireTwoFactorMiddleware:
    """Send a signed-in person who still owes a second step to it, before any other page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        user = request.user
        if not user.is_authenticated or services.is_verified(user):
            return None
        if request.path.startswith(settings.STATIC_URL):
            return None
        match = request.resolver_match
        name = match.view_name if match else ""
        if name in ALWAYS_OPEN:
            return None
        has_device = services.uses_two_step(user)
        if not has_device and not services.must_use(user):
            return None
        if name == step_for(user, has_device=has_device):
            return None
        going = request.get_full_path() if request.method in ("GET", "HEAD") else ""
        target = step_url(user, going, has_device=has_device)
        if getattr(request, "htmx", False):
            # htmx would follow a redirect and put the code page inside the page it updates.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
