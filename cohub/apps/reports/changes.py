""" "You said, we did": the changes a project makes because of its findings.

Reads and writes for ``ChangeAction``. A change links to themes and quotes by
id only; whoever shows a change's quotes takes them from the findings, which
ask consent, and the count of quotes it answers is of the quotes still there
(a withdrawn story's quotes leave the link table with the story).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from cohub.apps.accounts.models import User
from cohub.apps.analysis.models import Highlight, Theme
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import record_event
from cohub.apps.projects.models import Project
from cohub.apps.reports.findings import project_findings
from cohub.apps.reports.models import ChangeAction, ChangeStatus


def project_changes(project: Project) -> QuerySet[ChangeAction]:
    """The project's changes with their themes and the number of quotes each answers."""
    return (
        ChangeAction.objects.filter(project=project)
        .annotate(quote_count=Count("quotes", distinct=True))
        .prefetch_related("themes")
    )


def theme_quotes(project: Project, themes: Iterable[Theme]) -> list[Highlight]:
    """The quotes the findings file under ``themes``: the ones a change answering them answers.

    Read through the findings, so a merged theme's quotes count under the
    theme it went into, as everywhere else.
    """
    wanted = {t.pk for t in themes}
    ids = {
        quote.highlight_id
        for theme in project_findings(project).themes
        if theme.theme_id in wanted
        for quote in theme.quotes
    }
    return list(Highlight.objects.filter(pk__in=ids))


def change_get(project: Project, change_id: int) -> ChangeAction:
    """One change, found only inside ``project`` (else 404)."""
    return get_object_or_404(ChangeAction.objects.filter(project=project), pk=change_id)


def changes_by_status(project: Project) -> list[tuple[str, str, list[ChangeAction]]]:
    """(status, its label, its changes) in the order a reader follows them; empty groups too."""
    changes = list(project_changes(project))
    return [
        (value, label, [c for c in changes if c.status == value])
        for value, label in ChangeStatus.choices
    ]


def _clean(
    *,
    project: Project,
    title: str,
    status: str,
    reason: str,
    themes: Iterable[Theme],
    quotes: Iterable[Highlight],
) -> tuple[str, list[Theme], list[Highlight]]:
    title = title.strip()
    if not title:
        raise ServiceError("Say what will change.", field="title")
    if status not in ChangeStatus.values:
        raise ServiceError(f"There is no status {status!r}.", field="status")
    if status == ChangeStatus.NOT_DOING and not reason.strip():
        raise ServiceError("Say why it is not being done.", field="reason")
    themes, quotes = list(themes), list(quotes)
    if any(theme.project_id != project.pk for theme in themes):
        raise ServiceError("Choose themes of this project only.", field="themes")
    quote_ids = [q.pk for q in quotes]
    if (
        quote_ids
        and Highlight.objects.filter(pk__in=quote_ids)
        .exclude(transcript__story__project=project)
        .exists()
    ):
        raise ServiceError("Choose quotes of this project only.", field="quotes")
    return title, themes, quotes


@transaction.atomic
def change_create(
    *,
    project: Project,
    actor: User | None,
    title: str,
    owner: str = "",
    due: dt.date | None = None,
    status: str = ChangeStatus.PLANNED,
    reason: str = "",
    what_was_done: str = "",
    themes: Iterable[Theme] = (),
    quotes: Iterable[Highlight] = (),
) -> ChangeAction:
    """Record what will change because of the findings, and which themes and quotes it answers."""
    title, themes, quotes = _clean(
        project=project, title=title, status=status, reason=reason, themes=themes, quotes=quotes
    )
    change = ChangeAction.objects.create(
        project=project,
        title=title,
        owner=owner.strip(),
        due=due,
        status=status,
        reason=reason.strip(),
        what_was_done=what_was_done.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    change.themes.set(themes)
    change.quotes.set(quotes)
    record_event(
        actor=actor,
        verb="change.create",
        target=change,
        project_id=project.pk,
        data={
            "status": status,
            "themes": sorted(t.pk for t in themes),
            "quotes": sorted(q.pk for q in quotes),
        },
    )
    return change


@transaction.atomic
def change_update(
    *,
    change: ChangeAction,
    actor: User | None,
    title: str,
    owner: str = "",
    due: dt.date | None = None,
    status: str = ChangeStatus.PLANNED,
    reason: str = "",
    what_was_done: str = "",
    themes: Iterable[Theme] = (),
    quotes: Iterable[Highlight] | None = None,
) -> ChangeAction:
    """Change what a change says; a move of its status is its own line in the audit trail.

    ``quotes`` None keeps the quotes it answers (the form chooses themes only).
    """
    project = change.project
    kept = list(change.quotes.all()) if quotes is None else quotes
    title, themes, quote_list = _clean(
        project=project, title=title, status=status, reason=reason, themes=themes, quotes=kept
    )
    before = change.status
    change.title = title
    change.owner = owner.strip()
    change.due = due
    change.status = status
    change.reason = reason.strip() if status == ChangeStatus.NOT_DOING else ""
    change.what_was_done = what_was_done.strip()
    change.save()
    change.themes.set(themes)
    change.quotes.set(quote_list)
    record_event(
        actor=actor,
        verb="change.update",
        target=change,
        project_id=project.pk,
        data={"themes": sorted(t.pk for t in themes), "quotes": sorted(q.pk for q in quote_list)},
    )
    if before != status:
        record_event(
            actor=actor,
            verb="change.status",
            target=change,
            project_id=project.pk,
            data={"from": before, "to": status},
        )
    return change
