"""Reads for reports: the saved versions of a project's report."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from cohub.apps.projects.models import Project
from cohub.apps.reports.models import ReportVersion


def report_versions(project: Project) -> QuerySet[ReportVersion]:
    """The project's saved versions, newest first, with their themes."""
    return ReportVersion.objects.filter(project=project).prefetch_related("themes")


def report_version_get(project: Project, report_version_id: int) -> ReportVersion:
    """One saved version, found only inside ``project`` (else 404)."""
    return get_object_or_404(report_versions(project), pk=report_version_id)
