"""Downloads for other tools: the project as .qdpx, its codebook as .qdc, quotes as XLSX."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.exchange.services import (
    codes_export_csv,
    export_filename,
    qdc_export,
    qdpx_export,
    quotes_export_xlsx,
)
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@project_view("exchange.export_project")
@require_GET
def project_qdpx(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """The project for NVivo, ATLAS.ti, MAXQDA or QualCoder, with what consent lets out."""
    exported = qdpx_export(project=project, actor=request.user)
    return _download(exported.content, "application/zip", export_filename(project, "qdpx"))


@project_view("exchange.export_project")
@require_GET
def project_qdc(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """The codebook alone: theme names and descriptions, no words of any story."""
    exported = qdc_export(project=project, actor=request.user)
    return _download(exported.content, "application/xml", export_filename(project, "qdc"))


@project_view("reports.export_findings")
@require_GET
def quotes_xlsx(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """The findings CSV's rows, and the codes with their counts, as a workbook."""
    content = quotes_export_xlsx(project=project, actor=request.user)
    return _download(content, XLSX, export_filename(project, "xlsx"))


@project_view("reports.export_findings")
@require_GET
def codes_csv(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Each theme with its description and counts (no quotes' words)."""
    text = codes_export_csv(project=project, actor=request.user)
    return _download(text, "text/csv; charset=utf-8", export_filename(project, "codes.csv"))
