"""The findings page and its CSV download."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project, Sector
from cohub.apps.reports.findings import (
    LEVEL_CHOICES,
    WITHHELD,
    clean_filter,
    findings_narrow,
    project_findings,
)
from cohub.apps.reports.services import findings_export_csv


@project_view("reports.view_findings")
@require_GET
def findings(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Themes with their counts and quotes; consent decides which words and names show."""
    level, sector = clean_filter(
        level=request.GET.get("level", ""), sector=request.GET.get("sector", "")
    )
    result = findings_narrow(project_findings(project), level=level, sector=sector)
    return render(
        request,
        "reports/findings.html",
        {
            "project": project,
            "findings": result,
            "themes_with_quotes": sum(1 for t in result.themes if t.quote_count),
            "level": level,
            "sector": sector,
            "filtered": bool(level or sector),
            "level_choices": LEVEL_CHOICES,
            "sector_choices": Sector.choices,
            "sector_labels": dict(Sector.choices),
            "withheld_message": WITHHELD,
        },
    )


@project_view("reports.export_findings")
@require_GET
def findings_csv(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Every quote with its codes, one row per quote per theme, as a spreadsheet download."""
    text = findings_export_csv(project=project, actor=request.user)
    filename = f"{project.slug}-findings-{timezone.localdate():%Y-%m-%d}.csv"
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
