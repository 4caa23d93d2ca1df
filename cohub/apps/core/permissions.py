"""Views say which permission they need, on which object; tests read what they said.

Every view that checks a permission carries it as ``view.view_permission``,
set by the decorator that does the check (``project_view``, ``object_view``)
or, for a view that checks it on objects it finds itself, by
``checks_permission``. ``tests/test_route_permissions.py`` pins every route
to that attribute and then denies each permission in turn, so a declaration
that drifts from what the view really checks fails a test (ADR 0008).

This module is in ``core`` so that apps which know no project (jobs) can use
it; the project-aware decorator is ``cohub.apps.projects.access.project_view``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

View = TypeVar("View", bound=Callable[..., HttpResponse])

PERMISSION_ATTR = "view_permission"
REFUSAL_ATTR = "view_refusal"


def declare_permission(view: Callable[..., Any], permission: str, *, refusal: int = 403) -> None:
    """Record on ``view`` the permission it checks and the status a refusal gets."""
    setattr(view, PERMISSION_ATTR, permission)
    setattr(view, REFUSAL_ATTR, refusal)


def declared_permission(view: Callable[..., Any]) -> str | None:
    """The permission ``view`` declares, or None for a view open to anyone (logged in)."""
    return getattr(view, PERMISSION_ATTR, None)


def declared_refusal(view: Callable[..., Any]) -> int:
    """403 for most views; 404 where a refusal must not reveal that the object exists."""
    return getattr(view, REFUSAL_ATTR, 403)


def object_name(url_kwarg: str) -> str:
    """The keyword a view receives its loaded object as: ``highlight_id`` -> ``highlight``."""
    if not url_kwarg.endswith("_id"):
        raise ValueError(f"Load objects from an '<name>_id' URL argument, not {url_kwarg!r}.")
    return url_kwarg.removesuffix("_id")


def checks_permission(permission: str) -> Callable[[View], View]:
    """Say that a view checks ``permission`` itself, on objects it finds (not from the URL).

    For the rare view that cannot name its object up front (starting a project
    checks ``projects.add_project`` on each organisation it offers). The
    route tests hold the view to it: denying ``permission`` must refuse it.
    """

    def decorator(view: View) -> View:
        declare_permission(view, permission)
        return view

    return decorator


def object_view(
    permission: str, *, load: tuple[str, Callable[[int], Any]]
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Load the URL's object, check ``permission`` on it, and pass it to the view.

    For objects that belong to no page people can see they are refused from
    (a job): anonymous people go to log in, and anyone refused gets a 404,
    the same as for an id that does not exist, so ids reveal nothing.
    ``load=("job_id", job_get)`` calls ``job_get(job_id)``, which raises
    ``Http404`` when there is no such object, and the view receives ``job=``.
    """
    kwarg, get = load
    name = object_name(kwarg)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            target = get(kwargs.pop(kwarg))
            if not request.user.has_perm(permission, target):
                raise Http404("Not found.")
            kwargs[name] = target
            return view(request, *args, **kwargs)

        declare_permission(wrapper, permission, refusal=404)
        return wrapper

    return decorator
