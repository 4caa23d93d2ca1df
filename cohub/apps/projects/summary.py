"""The small numbers on a project's overview, each supplied by the app that owns it, and the
panels of an organisation's overview, the same way.

Projects come before every app that fills them, so those apps register a
counter here at start-up (``AppConfig.ready``) and the overview asks each
one; no app's relation names are looked up from this one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cohub.apps.accounts.models import Organisation
from cohub.apps.projects.models import Project


@dataclass(frozen=True)
class ProjectCount:
    key: str
    label: str
    order: int
    count: Callable[[Project], int]


_counts: dict[str, ProjectCount] = {}


def register_project_count(
    *, key: str, label: str, order: int, count: Callable[[Project], int]
) -> None:
    """``count(project)`` is shown on the overview as ``label``; lower ``order`` comes first."""
    _counts[key] = ProjectCount(key=key, label=label, order=order, count=count)


def project_counts(project: Project) -> list[tuple[str, str, int]]:
    """``(key, label, number)`` for every registered counter, in order."""
    return [
        (entry.key, entry.label, entry.count(project))
        for entry in sorted(_counts.values(), key=lambda e: (e.order, e.key))
    ]


@dataclass(frozen=True)
class ProjectNotice:
    """Something on a project's overview that someone should act on soon."""

    title: str
    # Each line: its words, and where its link goes ("" for none); the link is the line's start.
    lines: tuple[tuple[str, str, str], ...]  # (linked words, the rest, url)
    footer: str = ""


NoticeSource = Callable[[Project, Any], list[ProjectNotice]]
_notices: dict[str, NoticeSource] = {}


def register_project_notices(*, key: str, notices: NoticeSource) -> None:
    """``notices(project, viewer)`` says what the overview should tell this viewer, if anything.

    The app decides who may see its notices (it knows its own permissions).
    """
    _notices[key] = notices


def project_notices(project: Project, viewer: Any) -> list[ProjectNotice]:
    """Every registered app's notices for this viewer, in the order the apps registered."""
    return [notice for source in _notices.values() for notice in source(project, viewer)]


OrganisationNoticeSource = Callable[[Organisation, Any], list[ProjectNotice]]
_organisation_notices: dict[str, OrganisationNoticeSource] = {}


def register_organisation_notices(*, key: str, notices: OrganisationNoticeSource) -> None:
    """``notices(organisation, viewer)``: what an organisation's overview tells this viewer.

    As for a project: the app decides who may see what (the viewer belongs to
    the organisation, or the page would not show; more may be asked).
    """
    _organisation_notices[key] = notices


def organisation_notices(organisation: Organisation, viewer: Any) -> list[ProjectNotice]:
    """Every registered app's panels for the organisation's overview, in registration order."""
    return [
        notice
        for source in _organisation_notices.values()
        for notice in source(organisation, viewer)
    ]
