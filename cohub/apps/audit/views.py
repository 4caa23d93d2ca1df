"""The project's audit log page and its CSV download; a storyteller's subject access download."""

from __future__ import annotations

import tempfile
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.audit.forms import LogFilterForm
from cohub.apps.audit.selectors import PAGE_SIZE, describe, project_entries
from cohub.apps.audit.services import audit_log_export_csv, subject_access_write
from cohub.apps.core import audit
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project
from cohub.apps.stories.models import Storyteller
from cohub.apps.stories.selectors import storyteller_get


def _filter_query(form: LogFilterForm) -> str:
    """The filter's answers as a query string, for the page links and the CSV link."""
    if not form.is_bound:
        return ""
    kept = {k: v for k, v in form.data.items() if k in form.fields and v}
    return urlencode(kept)


@project_view("audit.view_log")
@require_GET
def audit_log(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Who did what, and who read which story, newest first; filtered, 50 a page."""
    form = LogFilterForm(request.GET or None, project=project)
    narrow = form.narrow() if form.is_bound else None
    page = Paginator(project_entries(project, narrow), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/log.html",
        {
            "project": project,
            "form": form,
            "page": page,
            "lines": [describe(entry) for entry in page.object_list],
            "query": _filter_query(form),
            "filtered": narrow is not None and narrow != type(narrow)(),
        },
    )


@project_view("audit.view_log")
@require_GET
def audit_log_csv(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """The log as filtered on the page, every entry (not just one page), as a spreadsheet."""
    form = LogFilterForm(request.GET or None, project=project)
    narrow = form.narrow() if form.is_bound else None
    text = audit_log_export_csv(project=project, actor=request.user, narrow=narrow)
    filename = f"{project.slug}-audit-log-{timezone.localdate():%Y-%m-%d}.csv"
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


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
