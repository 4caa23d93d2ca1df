"""The project's audit log page and its CSV download, the same for an organisation's own
lines; a storyteller's subject access download."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.accounts.models import Organisation
from cohub.apps.audit.forms import LogFilterForm
from cohub.apps.audit.selectors import (
    PAGE_SIZE,
    describe,
    narrowed,
    organisation_events,
    project_events,
)
from cohub.apps.audit.services import (
    audit_log_export_csv,
    organisation_log_export_csv,
    subject_access_write,
)
from cohub.apps.core import audit
from cohub.apps.core.models import Event
from cohub.apps.projects.access import organisation_view, project_view
from cohub.apps.projects.models import Project
from cohub.apps.stories.models import Storyteller
from cohub.apps.stories.selectors import storyteller_get


def _filter_query(form: LogFilterForm) -> str:
    """The filter's answers as a query string, for the page links and the CSV link."""
    if not form.is_bound:
        return ""
    kept = {k: v for k, v in form.data.items() if k in form.fields and v}
    return urlencode(kept)


@dataclass(frozen=True)
class Log:
    """Whose log a page shows: a project's, or an organisation's own lines (no project's)."""

    name: str
    base: str
    events: QuerySet[Event]
    log_url: str
    csv_url: str
    slug: str


def _log_of_project(project: Project) -> Log:
    return Log(
        name=project.name,
        base="project_base.html",
        events=project_events(project),
        log_url=reverse("audit:log", args=[project.slug]),
        csv_url=reverse("audit:log_csv", args=[project.slug]),
        slug=project.slug,
    )


def _log_of_organisation(organisation: Organisation) -> Log:
    return Log(
        name=organisation.name,
        base="organisation_base.html",
        events=organisation_events(organisation),
        log_url=reverse("org_audit:log", args=[organisation.slug]),
        csv_url=reverse("org_audit:log_csv", args=[organisation.slug]),
        slug=organisation.slug,
    )


def _show_log(request: AuthenticatedHttpRequest, log: Log, context: dict[str, Any]) -> HttpResponse:
    """Who did what, and who read which story, newest first; filtered, 50 a page."""
    form = LogFilterForm(request.GET or None, events=log.events)
    narrow = form.narrow() if form.is_bound else None
    entries = narrowed(log.events, narrow)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/log.html",
        {
            **context,
            "place": log,  # the frame and addresses, as the pages shared with organisations
            "form": form,
            "page": page,
            "lines": [describe(entry) for entry in page.object_list],
            "query": _filter_query(form),
            "filtered": narrow is not None and narrow != type(narrow)(),
        },
    )


def _csv_response(text: str, slug: str) -> HttpResponse:
    filename = f"{slug}-audit-log-{timezone.localdate():%Y-%m-%d}.csv"
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@project_view("audit.view_log")
@require_GET
def audit_log(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Who did what in the project, and who read which story, newest first."""
    return _show_log(request, _log_of_project(project), {"project": project})


@project_view("audit.view_log")
@require_GET
def audit_log_csv(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """The log as filtered on the page, every entry (not just one page), as a spreadsheet."""
    form = LogFilterForm(request.GET or None, events=project_events(project))
    narrow = form.narrow() if form.is_bound else None
    text = audit_log_export_csv(project=project, actor=request.user, narrow=narrow)
    return _csv_response(text, project.slug)


@organisation_view("audit.view_org_log")
@require_GET
def organisation_log(request: AuthenticatedHttpRequest, organisation: Organisation) -> HttpResponse:
    """What was done in the organisation outside its projects: its rounds for the whole
    organisation (opened, answers brought in, reports downloaded, peer reviewers, actions)
    and its own frameworks."""
    return _show_log(request, _log_of_organisation(organisation), {"organisation": organisation})


@organisation_view("audit.view_org_log")
@require_GET
def organisation_log_csv(
    request: AuthenticatedHttpRequest, organisation: Organisation
) -> HttpResponse:
    """The organisation's own log as filtered on its page, as a spreadsheet."""
    form = LogFilterForm(request.GET or None, events=organisation_events(organisation))
    narrow = form.narrow() if form.is_bound else None
    text = organisation_log_export_csv(organisation=organisation, actor=request.user, narrow=narrow)
    return _csv_response(text, organisation.slug)


@project_view("audit.subject_access", load=("storyteller_id", storyteller_get))
def subject_access(
    request: AuthenticatedHttpRequest, project: Project, storyteller: Storyteller
) -> HttpResponse:
    """GET: what the download holds, and its button. POST: the download itself (a zip).

    A POST, so that a link followed by a browser's preloader or a crawler never
    makes one: each download is a line in the audit log.
    """
    if request.method != "POST":
        return render(
            request,
            "audit/subject_access_page.html",
            {
                "project": project,
                "storyteller": storyteller,
                "story_count": storyteller.stories.count(),
            },
        )
    out = tempfile.TemporaryFile()  # noqa: SIM115  # FileResponse closes it once sent
    result = subject_access_write(storyteller=storyteller, actor=request.user, out=out)
    audit.reads_recorded()  # its own entry says more than a page's would
    out.seek(0)
    response = FileResponse(
        out, as_attachment=True, filename=result.filename, content_type="application/zip"
    )
    response["Cache-Control"] = "no-store"
    return response  # type: ignore[return-value]  # a streamed file; project_view passes it on
