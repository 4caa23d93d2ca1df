"""Reads of a project's audit log: its entries, filtered, and each in plain words.

Entries hold ids and kinds only (``core.audit``): a line says "Story 12",
never the story's title, so the log reads the same after a withdrawal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from cohub.apps.accounts.models import Organisation, User
from cohub.apps.core import audit
from cohub.apps.core.models import Event
from cohub.apps.projects.models import Project

SUBJECT_ACCESS = "subject_access.download"

# What each action is, in words. An action not named here shows as written.
ACTION_WORDS: dict[str, str] = {
    audit.VIEWED: "Read story content on a page",
    audit.DOWNLOADED: "Downloaded or played story content",
    audit.EXPORTED: "Exported story content",
    "findings.export": "Exported the findings",
    "report.export": "Exported the findings report",
    "report.version_create": "Saved a version of the report for one audience",
    "report.version_delete": "Removed a version of the report",
    "exchange.export": "Exported the project for other analysis tools",
    "exchange.import": "Imported from another analysis tool",
    "audit.export": "Exported the audit log",
    "subject_access.download": "Downloaded everything held about a storyteller",
    "project.create": "Started the project",
    "project.update": "Changed the project's details",
    "storyteller.create": "Added a storyteller",
    "storyteller.update": "Changed a storyteller's details",
    "consent.record": "Recorded consent",
    "consent.withdraw": "Withdrew consent",
    "consent.narrow_by_storyteller": "The storyteller took back part of their consent",
    "storyteller_link.create": "Made a private link for a storyteller",
    "storyteller_link.revoke": "Stopped a storyteller's private link",
    "storyteller_link.open": "The storyteller opened their private link",
    "storyteller_link.refused": "A stopped or expired storyteller link was tried",
    "quote_check.answer": "The storyteller answered about a quote",
    "consent.expired": "Removed stories whose keep-until date passed",
    "story.create": "Added a story",
    "story.update": "Changed a story",
    "story.delete": "Deleted a story",
    "speaker.update": "Changed a speaker",
    "membership.add": "Added someone to the project",
    "membership.remove": "Removed someone from the project",
    "invitation.create": "Invited someone",
    "invitation.cancel": "Cancelled an invitation",
    "invitation.accept": "Accepted an invitation",
    "participation.set": "Said how they take part",
    "story.undo": "Undid a change to a story",
    "transcript.revise": "Corrected a story's words",
    "transcript.recognise": "Wrote out a recording",
    "review_sheet.update": "Changed a review sheet",
    "redaction.check": "Checked a story for personal details",
    "redaction.decide": "Decided on personal details",
    "redaction.undo": "Undid a decision on personal details",
    "redaction.share": "Made a shareable version",
    "redaction.lists": "Changed the project's name lists",
    "job.retry": "Retried a background job",
    "job.rerun": "Ran a background job again",
    "assessment.open": "Opened an assessment round",
    "assessment.import": "Imported answers to an assessment round",
    "assessment_report.export": "Downloaded an assessment round's report",
    "assessment_framework.create": "Made one of the organisation's own frameworks",
    "assessment_framework.item_add": "Added a question to one of the organisation's frameworks",
    "assessment_action.create": "Made an assessment item an action",
    "assessment_action.update": "Changed an action from an assessment",
    "peer_review.invite": "Invited a peer reviewer from another organisation",
    "peer_review.resend": "Sent a peer reviewer a new link",
    "peer_review.revoke": "Withdrew a peer reviewer's link",
    "peer_review.open": "A peer reviewer opened their link",
    "peer_review.submit": "A peer reviewer sent their review",
    "peer_evidence.add": "Shared evidence with peer reviewers",
    "peer_evidence.remove": "Stopped sharing evidence with peer reviewers",
}

# What kind of record an entry is about, in words.
KIND_WORDS: dict[str, str] = {
    "projects.project": "The project",
    "stories.storyteller": "Storyteller",
    "stories.story": "Story",
    "stories.speaker": "Speaker",
    "stories.recording": "Recording",
    "analysis.highlight": "Key quote",
    "analysis.theme": "Theme",
    "analysis.reviewsheet": "Review sheet",
    "analysis.suggestionrun": "Theme suggestions",
    "analysis.boardnote": "Board note",
    "reports.reportversion": "Report version",
    "analysis.visioninground": "Visioning round",
    "redaction.redactionrun": "Check for personal details",
    "accounts.user": "Person",
    "jobs.job": "Background job",
    "assess.assessmentround": "Assessment round",
    "assess.assessmentaction": "Action",
    "assess.frameworkversion": "Framework version",
    "accounts.organisation": "The organisation",
    "assess.peerreview": "Peer review",
    "assess.peerevidence": "Evidence for peer reviewers",
}

PART_WORDS = {
    audit.PART_PROFILE: "a storyteller's details",
    audit.PART_STORY: "notes and details",
    audit.PART_TRANSCRIPT: "transcript",
    audit.PART_QUOTES: "quotes",
    audit.PART_RECORDING: "recording",
    audit.PART_CLIPS: "clips",
}

PAGE_SIZE = 50
# Records a log is about as a whole, named without their number.
WHOLE = frozenset({"projects.project", "accounts.organisation"})


def action_words(verb: str) -> str:
    return ACTION_WORDS.get(verb, verb.replace(".", ": ").replace("_", " ").capitalize())


def kind_words(target_type: str) -> str:
    if not target_type:
        return ""
    return KIND_WORDS.get(target_type, target_type.rpartition(".")[2].capitalize())


@dataclass(frozen=True)
class LogFilter:
    """What the log is narrowed to; empty fields narrow nothing."""

    person: User | None = None
    system: bool = False
    action: str = ""
    kind: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def project_events(project: Project) -> QuerySet[Event]:
    """Every line of the project's log."""
    return Event.objects.filter(project_id=project.pk)


def organisation_events(organisation: Organisation) -> QuerySet[Event]:
    """Every line of the organisation's own log: what belongs to no project of it (its
    rounds for the whole organisation, its own frameworks). A project's lines stay on
    that project's log, for the people who run it."""
    return Event.objects.filter(organisation_id=organisation.pk, project_id__isnull=True)


def narrowed(events: QuerySet[Event], narrow: LogFilter | None = None) -> QuerySet[Event]:
    """A log's entries, newest first, narrowed by ``narrow`` (dates inclusive)."""
    entries = events.select_related("actor")
    narrow = narrow or LogFilter()
    if narrow.person is not None:
        entries = entries.filter(actor=narrow.person)
    elif narrow.system:
        entries = entries.filter(actor__isnull=True)
    if narrow.action:
        entries = entries.filter(verb=narrow.action)
    if narrow.kind:
        entries = entries.filter(target_type=narrow.kind)
    if narrow.since is not None:
        entries = entries.filter(created_at__gte=_day_start(narrow.since))
    if narrow.until is not None:
        entries = entries.filter(created_at__lt=_day_start(narrow.until + dt.timedelta(days=1)))
    return entries.order_by("-created_at", "-id")


def project_entries(project: Project, narrow: LogFilter | None = None) -> QuerySet[Event]:
    """The project's audit entries, newest first, narrowed by ``narrow``."""
    return narrowed(project_events(project), narrow)


def log_people(events: QuerySet[Event]) -> QuerySet[User]:
    """Everyone named in a log (members who left too), for the filter."""
    ids = events.filter(actor__isnull=False).values("actor_id")
    return User.objects.filter(pk__in=ids).order_by("display_name", "email")


def log_actions(events: QuerySet[Event]) -> list[tuple[str, str]]:
    verbs = events.values_list("verb", flat=True).distinct()
    return sorted(((v, action_words(v)) for v in set(verbs)), key=lambda pair: pair[1])


def log_kinds(events: QuerySet[Event]) -> list[tuple[str, str]]:
    kinds = events.exclude(target_type="").values_list("target_type", flat=True).distinct()
    return sorted(((k, kind_words(k)) for k in set(kinds)), key=lambda pair: pair[1])


@dataclass(frozen=True)
class LogLine:
    """One entry as the log page and its CSV show it: words, and the ids it holds."""

    entry: Event
    who: str
    what: str
    about: str
    details: str
    page: str
    stories: list[int]
    storytellers: list[int]


def _who(entry: Event) -> str:
    if entry.actor is not None:
        return str(entry.actor)
    if entry.actor_id is None and entry.data.get("via") == "command line":
        return "The command line"
    # The storyteller on their own page (ADR 0032), who has no account with us.
    if entry.actor_id is None and (
        str(entry.data.get("via", "")).startswith("storyteller") or entry.data.get("via") == "link"
    ):
        return "The storyteller, by their private link"
    if entry.actor_id is None and entry.verb.startswith("storyteller_link."):
        return "Someone with the storyteller's private link"
    return "The hub itself, or someone whose account was removed"


def _page(route: str) -> str:
    """ "analysis:review_sheet" -> "review sheet" """
    return route.rpartition(":")[2].replace("_", " ") if ":" in route else route


def describe(entry: Event) -> LogLine:
    data: dict[str, Any] = entry.data if isinstance(entry.data, dict) else {}
    stories = [s for s in data.get("stories", []) if isinstance(s, int)]
    tellers = [s for s in data.get("storytellers", []) if isinstance(s, int)]
    parts = [PART_WORDS.get(p, str(p)) for p in data.get("parts", [])]
    details = []
    if parts:
        details.append(", ".join(parts).capitalize())
    if len(stories) > 1:
        details.append(f"{len(stories)} stories")
    about = kind_words(entry.target_type)
    if about and entry.target_type not in WHOLE and entry.target_id:
        about = f"{about} {entry.target_id}"
    return LogLine(
        entry=entry,
        who=_who(entry),
        what=action_words(entry.verb),
        about=about,
        details="; ".join(details),
        page=_page(str(data.get("route", ""))),
        stories=stories,
        storytellers=tellers,
    )


def log_csv_rows(entries: QuerySet[Event]) -> list[list[Any]]:
    """Every entry as a spreadsheet row (the header first); ids only, no story content."""
    rows: list[list[Any]] = [
        [
            "entry",
            "when (UTC)",
            "who",
            "action",
            "what",
            "record kind",
            "record id",
            "page or command",
            "story ids",
            "storyteller ids",
            "details",
        ]
    ]
    for entry in entries.iterator(chunk_size=500):
        line = describe(entry)
        rows.append(
            [
                entry.pk,
                entry.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
                line.who,
                entry.verb,
                line.what,
                entry.target_type,
                entry.target_id,
                str(entry.data.get("route", "")) if isinstance(entry.data, dict) else "",
                " ".join(map(str, line.stories)),
                " ".join(map(str, line.storytellers)),
                line.details,
            ]
        )
    return rows
