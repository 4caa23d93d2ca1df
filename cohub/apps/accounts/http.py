"""The request type for views that only signed-in people reach."""

from __future__ import annotations

from django.http import HttpRequest

from cohub.apps.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """An ``HttpRequest`` whose ``user`` is a signed-in ``User``, for type checking only.

    Annotate views behind ``login_required``, ``LoginRequiredMixin`` or
    ``project_view`` with it: those send anonymous people to the login page
    first. Nothing creates one; Django still passes a plain ``HttpRequest``.
    """

    user: User
