"""The one way views get at a project and its records: resolve, load, check a permission.

Every view under ``/p/<project_slug>/`` is wrapped in ``project_view``, so no
view can forget the check, and tests walk the URL configuration to prove it
and to pin each route to the permission it declares (ADR 0008).

A view may name the record it acts on, and the permission is then checked on
that record rather than on the project, so a rule can look at the record
itself (who made it, what state it is in)::

    @project_view("analysis.manage_themes", load=("theme_id", theme_get))
    def theme_rename(request, project, theme): ...

``theme_get(project, theme_id)`` looks the record up inside the project
only, so an id from another project is never found.

It is also where reads are audited (``core.audit``, ADR 0026): the selectors
note each story whose content they hand the view, and a response that carries
it (2xx) leaves one entry naming the person, the page and the story ids.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import FieldDoesNotExist
from django.db.models import ForeignKey
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from cohub.apps.accounts.models import Organisation
from cohub.apps.core import audit
from cohub.apps.core.permissions import declare_permission, object_name
from cohub.apps.projects.models import Project
from cohub.apps.projects.predicates import belongs_to_organisation
from cohub.apps.projects.refusals import OrganisationRefusal, ProjectRefusal

# ``get(project, pk)``: a selector that finds the record inside the project or raises Http404.
RecordGetter = Callable[[Project, Any], Any]


def _share_project(record: Any, project: Project) -> None:
    """Give the record the project already loaded, so rules reading ``record.project`` are free."""
    try:
        field = record._meta.get_field("project")
    except (AttributeError, FieldDoesNotExist):
        return
    if isinstance(field, ForeignKey) and getattr(record, field.attname, None) == project.pk:
        field.set_cached_value(record, project)


def _load(
    request: HttpRequest,
    project: Project,
    permission: str,
    load: tuple[str, RecordGetter] | None,
    kwargs: dict[str, Any],
) -> Any:
    """The record the permission is checked on (the project, or the one the URL names).

    Puts a loaded record into ``kwargs`` under its name; raises the refusal
    when the permission is not held, the same for a record that does not exist.
    """
    target: Any = project
    if load is not None:
        kwarg, get = load
        try:
            target = get(project, kwargs.pop(kwarg))
        except Http404:
            if not request.user.has_perm(permission, project):
                raise ProjectRefusal(permission, project) from None
            raise
        _share_project(target, project)
        kwargs[object_name(kwarg)] = target
    if not request.user.has_perm(permission, target):
        # The 403 page reads what was refused to say who may do it instead.
        raise ProjectRefusal(permission, project, target)
    return target


def _is_download(response: HttpResponse) -> bool:
    """A file (a recording, a clip, an export) rather than a page or a page's update."""
    kind = response.get("Content-Type", "").split(";")[0].strip()
    return kind not in ("text/html", "application/json")


def project_view(
    permission: str, *, load: tuple[str, RecordGetter] | None = None
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate ``view(request, project, **kwargs)``; anonymous users go to login, others get 403.

    The project comes from the ``project_slug`` URL argument; the view receives
    the Project instead of the slug. With ``load=("story_id", story_get)`` the
    view receives ``story=`` (the record) instead of ``story_id``, and the
    permission is checked on the record. When there is no such record, someone
    the permission refuses on the project gets the same 403 as for a record
    that exists, so ids reveal nothing to people outside the project.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        if load is not None:
            object_name(load[0])  # refuses a badly named URL argument when the view is made

        @wraps(view)
        def wrapper(
            request: HttpRequest, project_slug: str, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            project = get_object_or_404(
                Project.objects.select_related("organisation"), slug=project_slug
            )
            # Opened before the record is loaded: loading a storyteller is reading their details.
            with audit.reading() as reads:
                target = _load(request, project, permission, load, kwargs)
                response = view(request, project, *args, **kwargs)
            if reads and 200 <= response.status_code < 300:
                match = request.resolver_match
                audit.record_read(
                    actor=request.user,
                    verb=audit.DOWNLOADED if _is_download(response) else audit.VIEWED,
                    reads=reads,
                    project_id=project.pk,
                    target=target if load is not None else None,
                    route=match.view_name if match is not None else view.__name__,
                )
            return response

        wrapper.project_permission = permission  # type: ignore[attr-defined]
        declare_permission(wrapper, permission)
        return wrapper

    return decorator


PUBLIC_ATTR = "public_when"


def public_project_view(
    is_public: Callable[[Project], bool],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a page of a project that anyone may read, without logging in, once it is public.

    ``is_public(project)`` is asked on every request; until it says yes the
    page is a 404 for everyone, members included, exactly like a project that
    does not exist, so an address tried early reveals nothing. The view
    receives the Project. It declares no permission (the route table pins it
    as open) and carries ``public_when``, which ``tests/test_url_permissions.py``
    reads to walk such routes as anonymous visitors rather than expect a login.
    Nothing is audited per read: what it shows was published on purpose, and
    publishing is the audited act.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(
            request: HttpRequest, project_slug: str, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            project = get_object_or_404(Project, slug=project_slug)
            if not is_public(project):
                raise Http404("Not found.")
            return view(request, project, *args, **kwargs)

        setattr(wrapper, PUBLIC_ATTR, is_public)
        return wrapper

    return decorator


# ``get(organisation, pk)``: finds the record inside the organisation or raises Http404.
OrganisationRecordGetter = Callable[[Organisation, Any], Any]


def organisation_view(
    permission: str, *, load: tuple[str, OrganisationRecordGetter] | None = None
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate ``view(request, organisation, **kwargs)`` for a page of a whole organisation.

    The organisation comes from the ``organisation_slug`` URL argument, and the
    permission is checked on it (with ``load``, the record is found inside it
    and passed to the view under its name, like ``project_view``). Anonymous
    people go to log in. Someone who does not belong to the organisation
    (``belongs_to_organisation``) and lacks the permission gets a 404, the
    same as for an organisation or a record that does not exist, so neither
    names nor ids reveal anything; someone who belongs to it but lacks the
    permission gets a 403.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        if load is not None:
            object_name(load[0])

        @wraps(view)
        def wrapper(
            request: HttpRequest, organisation_slug: str, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            organisation = get_object_or_404(Organisation, slug=organisation_slug)
            allowed = request.user.has_perm(permission, organisation)
            if not allowed and not belongs_to_organisation(request.user, organisation):
                raise Http404("Not found.")
            if not allowed:  # before the record, so its id reveals nothing either
                raise OrganisationRefusal(permission, organisation)
            if load is not None:
                kwarg, get = load
                kwargs[object_name(kwarg)] = get(organisation, kwargs.pop(kwarg))
            return view(request, organisation, *args, **kwargs)

        wrapper.organisation_permission = permission  # type: ignore[attr-defined]
        declare_permission(wrapper, permission)
        return wrapper

    return decorator
