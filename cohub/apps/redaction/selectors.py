"""Reads for de-identification: a project's lists, a story's newest check and its suggestions.

Findings hold a story's own words, so pages reach them only through
``story_check``, which asks consent first (ADR 0013) and returns a
``Withheld`` instead when the words may not be read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from cohub.apps.projects.models import Project
from cohub.apps.redaction.models import (
    FindingStatus,
    ListName,
    ProjectTerm,
    RedactionDecision,
    RedactionFinding,
    RedactionRun,
)
from cohub.apps.stories.consent import Withheld
from cohub.apps.stories.models import Story, Transcript
from cohub.apps.stories.selectors import story_transcript
from cohub.pipeline.redact import Kind, Lists, Term


def project_terms(project: Project, list_name: str) -> QuerySet[ProjectTerm]:
    return ProjectTerm.objects.filter(project=project, list_name=list_name).order_by("id")


def project_lists(project: Project) -> Lists:
    """The project's deny and allow lists, as the engine takes them."""
    deny: list[Term] = []
    allow: list[str] = []
    for term in ProjectTerm.objects.filter(project=project).order_by("id"):
        if term.list_name == ListName.DENY:
            deny.append(Term(words=term.words, kind=Kind(term.kind or Kind.ORGANISATION)))
        else:
            allow.append(term.words)
    return Lists(deny=tuple(deny), allow=tuple(allow))


def list_text(project: Project, list_name: str) -> str:
    """A list as the form shows it: one entry a line, deny entries as ``kind: words``."""
    lines = []
    for term in project_terms(project, list_name):
        if list_name == ListName.DENY:
            lines.append(f"{Kind(term.kind or Kind.ORGANISATION).label.lower()}: {term.words}")
        else:
            lines.append(term.words)
    return "\n".join(lines)


@dataclass(frozen=True)
class KindCount:
    kind: Kind
    waiting: int
    total: int


@dataclass
class StoryCheck:
    """What the review page shows: the newest check of the newest words, and its state."""

    story: Story
    transcript: Transcript
    run: RedactionRun | None
    findings: list[RedactionFinding] = field(default_factory=list)
    kinds: list[KindCount] = field(default_factory=list)
    last_decision: RedactionDecision | None = None
    shared: RedactionRun | None = None  # the run whose shareable version is the newest words

    @property
    def accepted(self) -> int:
        return sum(1 for f in self.findings if f.status == FindingStatus.ACCEPTED)

    @property
    def waiting(self) -> int:
        return sum(1 for f in self.findings if f.status == FindingStatus.SUGGESTED)

    @property
    def stale(self) -> bool:
        """The words changed since the check (someone edited them, or shared them)."""
        return self.run is not None and self.run.transcript_id != self.transcript.pk


def story_check(story: Story) -> StoryCheck | Withheld | None:
    """The newest check of a story, or why its words may not be read; None if it has no text."""
    transcript = story_transcript(story)
    if transcript is None or isinstance(transcript, Withheld):
        return transcript
    run = (
        RedactionRun.objects.filter(story=story)
        .select_related("job", "transcript", "shared_transcript")
        .order_by("-created_at", "-id")
        .first()
    )
    shared = RedactionRun.objects.filter(shared_transcript=transcript).first()
    check = StoryCheck(story=story, transcript=transcript, run=run, shared=shared)
    if run is None:
        return check
    check.findings = list(run.findings.order_by("index"))
    counts = (
        run.findings.values("kind")
        .annotate(
            total=Count("id"),
            waiting=Count("id", filter=Q(status=FindingStatus.SUGGESTED)),
        )
        .order_by("kind")
    )
    order = {kind.value: position for position, kind in enumerate(Kind)}
    check.kinds = sorted(
        (KindCount(Kind(row["kind"]), row["waiting"], row["total"]) for row in counts),
        key=lambda item: order[item.kind.value],
    )
    check.last_decision = (
        RedactionDecision.objects.filter(run=run, undone_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )
    return check


def shared_version_counts(story_ids: list[int]) -> dict[int, int]:
    """Story id -> how many shareable versions it has had made (for the story lists)."""
    rows = (
        RedactionRun.objects.filter(story_id__in=story_ids, shared_transcript__isnull=False)
        .values("story_id")
        .annotate(n=Count("id"))
    )
    return {row["story_id"]: row["n"] for row in rows}


def replaced_words(project: Project) -> dict[int, frozenset[str]]:
    """Per story, the words its shareable versions replaced, folded for comparing, in one query.

    A speaker's display name is not part of the words, so a name replaced in
    the text ("Sam" became "[PERSON 1]") would still be printed beside the
    quote; outputs that credit speakers ask here first (``is_replaced``).
    """
    found: dict[int, set[str]] = {}
    rows = RedactionFinding.objects.filter(
        run__story__project=project,
        run__shared_transcript__isnull=False,
        status=FindingStatus.ACCEPTED,
    ).values_list("run__story_id", "text")
    for story_id, text in rows:
        found.setdefault(story_id, set()).add(" ".join(text.split()).casefold())
    return {story_id: frozenset(words) for story_id, words in found.items()}


def is_replaced(name: str, replaced: frozenset[str]) -> bool:
    """Whether ``name``, or any word of it, was replaced in the story's shareable version."""
    folded = " ".join(name.split()).casefold()
    return bool(folded) and (
        folded in replaced or any(word in replaced for word in folded.split() if len(word) > 1)
    )
