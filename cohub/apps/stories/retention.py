"""Telling facilitators before a story's keep-until date, so nobody is surprised on the day.

A storyteller may agree that we keep their story only until a date; on that
date it is removed (``services.stories_purge_expired``, every six hours).
Someone may want to ask them first whether they would like it kept longer,
so for ``COHUB_KEEP_UNTIL_WARNING_DAYS`` days before (default 14) the project
page says which storytellers' stories are due to go and when, and the
facilitators are emailed once per story and date when this hub sends email.
A ``KeepUntilNotice`` row per story and date is what makes it once: the job
runs several times a day, and a renewed consent with a later date is a new
window that is told again.

The email leaves the hub, where a withdrawal cannot reach it, so it names no
storyteller and no story: only how many, when, and in which project.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cohub.apps.accounts.models import User
from cohub.apps.projects.models import Project, ProjectRole
from cohub.apps.projects.summary import ProjectNotice
from cohub.apps.stories.consent import current_consent
from cohub.apps.stories.models import KeepUntilNotice, Story, Storyteller

logger = logging.getLogger(__name__)


def warning_days() -> int:
    return int(getattr(settings, "COHUB_KEEP_UNTIL_WARNING_DAYS", 14))


@dataclass(frozen=True)
class EndingSoon:
    """One storyteller whose stories reach their keep-until date within the warning window."""

    storyteller: Storyteller
    keep_until: dt.date
    stories: int

    @property
    def days_left(self) -> int:
        return (self.keep_until - timezone.localdate()).days


def stories_ending_soon(
    project: Project | None = None, *, today: dt.date | None = None
) -> list[EndingSoon]:
    """Storytellers (of ``project``, or all) whose keep-until date is today or within the window.

    Read from the current consent of each, so a renewed consent with a later
    date, or none, drops out at once. Soonest first.
    """
    today = today or timezone.localdate()
    last = today + dt.timedelta(days=warning_days())
    tellers = Storyteller.objects.filter(
        withdrawn_at__isnull=True,
        consent_records__keep_until__gte=today,
        consent_records__keep_until__lte=last,
        stories__isnull=False,
    ).distinct()
    if project is not None:
        tellers = tellers.filter(project=project)
    found = []
    for teller in tellers.prefetch_related("consent_records"):
        consent = current_consent(teller)
        if consent is None or consent.withdrawn or consent.keep_until is None:
            continue
        if today <= consent.keep_until <= last:
            found.append(EndingSoon(teller, consent.keep_until, teller.stories.count()))
    return sorted(found, key=lambda e: (e.keep_until, e.storyteller.pseudonym.casefold()))


@dataclass(frozen=True)
class NoticesSent:
    stories: int  # stories newly told about
    emails: int  # emails sent
    failed: int  # emails the mail server refused


def _facilitators(project_id: int) -> list[User]:
    return list(
        User.objects.filter(
            project_memberships__project_id=project_id,
            project_memberships__role=ProjectRole.FACILITATOR,
            is_active=True,
        )
        .exclude(email="")
        .distinct()
    )


def keep_until_notices_send(*, today: dt.date | None = None) -> NoticesSent:
    """Tell facilitators, once per story and date, about stories reaching their date soon.

    The notice on the project page needs no sending (it reads
    ``stories_ending_soon``); this records each story as told and, when the
    hub sends email (``COHUB_EMAIL_ENABLED``), emails each project's
    facilitators one message about its newly due stories. Safe to run any
    number of times. A mail server that fails is logged, and those stories are
    told again on the next run.
    """
    today = today or timezone.localdate()
    fresh: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    for ending in stories_ending_soon(today=today):
        for story_id in Story.objects.filter(storyteller=ending.storyteller).values_list(
            "pk", flat=True
        ):
            try:
                with transaction.atomic():
                    KeepUntilNotice.objects.create(story_id=story_id, keep_until=ending.keep_until)
            except IntegrityError:
                continue  # told already, for this date
            fresh[ending.storyteller.project_id].append((story_id, ending.keep_until))
    emails = failed = 0
    if settings.COHUB_EMAIL_ENABLED:
        for project_id, told in fresh.items():
            sent, broke = _email_facilitators(project_id, told)
            emails += sent
            failed += broke
    return NoticesSent(
        stories=sum(len(told) for told in fresh.values()), emails=emails, failed=failed
    )


def _email_facilitators(project_id: int, told: list[tuple[int, dt.date]]) -> tuple[int, int]:
    project = Project.objects.get(pk=project_id)
    people = _facilitators(project_id)
    if not people:
        return 0, 0
    context = {
        "project": project,
        "count": len(told),
        "first": min(date for _, date in told),
        "days": warning_days(),
    }
    subject = " ".join(render_to_string("stories/email/keep_until_subject.txt", context).split())
    body = render_to_string("stories/email/keep_until.txt", context)
    try:
        send_mail(subject, body, None, [person.email for person in people])
    except (smtplib.SMTPException, OSError):
        logger.warning("The keep-until email for project %s could not be sent", project_id)
        # Told again next run: the mail did not go.
        for story_id, keep_until in told:
            KeepUntilNotice.objects.filter(story_id=story_id, keep_until=keep_until).delete()
        return 0, 1
    for story_id, keep_until in told:
        KeepUntilNotice.objects.filter(story_id=story_id, keep_until=keep_until).update(
            emailed=len(people)
        )
    return 1, 0


def _when(days: int) -> str:
    if days <= 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


def keep_until_notices(project: Project, viewer: Any) -> list[ProjectNotice]:
    """The project page's notice: whose stories reach their keep-until date soon, and when.

    Shown to those who may change a storyteller's consent (they can ask the
    storyteller and record a later date), with a link to each storyteller.
    """
    if not viewer.has_perm("stories.manage_consent", project):
        return []
    ending = stories_ending_soon(project)
    if not ending:
        return []
    lines = tuple(
        (
            e.storyteller.pseudonym,
            f": {e.stories} {'story is' if e.stories == 1 else 'stories are'} removed on "
            f"{e.keep_until.day} {e.keep_until:%B %Y} ({_when(e.days_left)})",
            reverse(
                "stories:storyteller_detail",
                kwargs={"project_slug": project.slug, "storyteller_id": e.storyteller.pk},
            ),
        )
        for e in ending
    )
    return [
        ProjectNotice(
            title="Stories that will be removed soon",
            lines=lines,
            footer="They agreed that we keep their stories until then. If they would like them "
            "kept longer, ask them and record their new consent before that day.",
        )
    ]
