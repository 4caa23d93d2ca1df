"""The findings page and its CSV download."""

from __future__ import annotations

from dataclasses import replace

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cohub.apps.accounts.http import AuthenticatedHttpRequest
from cohub.apps.analysis.models import ChangeLevel
from cohub.apps.projects.access import project_view
from cohub.apps.projects.models import Project, Sector
from cohub.apps.reports.findings import (
    WITHHELD,
    FindingQuote,
    Findings,
    ThemeFinding,
    project_findings,
)
from cohub.apps.reports.services import findings_export_csv

NOT_SET = "not_set"
LEVEL_CHOICES = [*ChangeLevel.choices, (NOT_SET, "Not set")]


def _matches(quote: FindingQuote, level: str, sector: str) -> bool:
    if level == NOT_SET and quote.change_level:
        return False
    if level and level != NOT_SET and quote.change_level != level:
        return False
    return not sector or sector in quote.sectors


def _narrow(findings: Findings, level: str, sector: str) -> Findings:
    """Keep only the quotes that match the filters, so every count reflects them."""
    if not level and not sector:
        return findings

    def keep(theme: ThemeFinding) -> ThemeFinding:
        return replace(theme, quotes=[q for q in theme.quotes if _matches(q, level, sector)])

    themes = sorted(
        (keep(t) for t in findings.themes), key=lambda t: (-t.quote_count, t.name.lower())
    )
    untagged = keep(findings.untagged)
    quotes = {q.highlight_id: q for t in [*themes, untagged] for q in t.quotes}
    return Findings(
        project=findings.project,
        themes=themes,
        untagged=untagged,
        story_count=len({q.story_id for q in quotes.values()}),
        quote_count=len(quotes),
    )


@project_view("reports.view_findings")
@require_GET
def findings(request: AuthenticatedHttpRequest, project: Project) -> HttpResponse:
    """Themes with their counts and quotes; consent decides which words and names show."""
    level = request.GET.get("level", "")
    if level not in {value for value, _ in LEVEL_CHOICES}:
        level = ""
    sector = request.GET.get("sector", "")
    if sector not in Sector.values:
        sector = ""
    result = _narrow(project_findings(project), level, sector)
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
