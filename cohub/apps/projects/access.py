"""The one way views get at a project: resolve it from the URL and check a permission.

Every view under ``/p/<project_slug>/`` is wrapped in ``project_view``, so no
view can forget the check, and a test walks the URL configuration to prove it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from cohub.apps.projects.models import Project


def project_view(permission: str) -> Callable:
    """Decorate ``view(request, project, **kwargs)``; anonymous users go to login, others get 403.

    The project comes from the ``project_slug`` URL argument; the view receives
    the Project instead of the slug.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(
            request: HttpRequest, project_slug: str, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            project = get_object_or_404(
                Project.objects.select_related("organisation"), slug=project_slug
            )
            if not request.user.has_perm(permission, project):
                raise PermissionDenied
            return view(request, project, *args, **kwargs)

        wrapper.project_permission = permission  # type: ignore[attr-defined]
        return wrapper

    return decorator
