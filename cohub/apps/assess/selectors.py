"""Reads for assessments: frameworks and their items."""

from __future__ import annotations

from django.db.models import QuerySet

from cohub.apps.assess.models import AssessmentItem, Framework, FrameworkVersion


def shipped_frameworks() -> list[FrameworkVersion]:
    """The newest version of each framework the hub ships, by key."""
    found = []
    for framework in Framework.objects.filter(organisation=None).order_by("key"):
        latest = framework.latest_version()
        if latest is not None:
            found.append(latest)
    return found


def framework_version(key: str) -> FrameworkVersion | None:
    """The newest version of the shipped framework ``key``, or None."""
    framework = Framework.objects.filter(key=key, organisation=None).first()
    return framework.latest_version() if framework else None


def version_items(version: FrameworkVersion) -> QuerySet[AssessmentItem]:
    return version.items.order_by("position")
