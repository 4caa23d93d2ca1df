"""Hold a signed-in person at the second step until they pass it (docs/adr/0025).

A person who has turned two-step sign-in on must give a code after their
password before any other page opens. Until they have done so, only the step
itself and logging out answer; everything else sends them to it, remembering
where they were going.
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


def needs_second_step(user: Any) -> bool:
    """Whether this signed-in, not yet verified person must pass a second step first."""
    return services.uses_two_step(user)


def step_for(user: Any) -> str:
    """The route that is this person's second step: the code if they have a device, else set-up."""
    return CODE if services.uses_two_step(user) else SET_UP


def step_url(user: Any, next_url: str = "") -> str:
    """The second step's address, carrying where the person was going."""
    url = reverse(step_for(user))
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
        if name in ALWAYS_OPEN or not needs_second_step(user):
            return None
        step = step_for(user)
        if name == step:
            return None
        going = request.get_full_path() if request.method in ("GET", "HEAD") else ""
        target = step_url(user, going)
        if getattr(request, "htmx", False):
            # htmx would follow a redirect and put the code page inside the page it updates.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
