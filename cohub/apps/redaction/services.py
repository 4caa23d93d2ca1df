"""Writes for de-identification: check a story, decide each suggestion, make the shareable version.

The engine (``cohub.pipeline.redact``) only suggests. A person accepts,
rejects or changes each suggestion (or all of one kind at once), and every
such decision is a ``RedactionDecision`` that Undo reverses. Accepted
suggestions become a new transcript version through the stories app's
``transcript_revise``, so key quotes follow it like any correction
(ADR 0005, ADR 0023).

Every write needs the storyteller's consent to transcription (the words are
read to do it) and takes the storyteller lock, then the run's: a withdrawal
that lands first wins. A decision says what the person saw (``seen``); a
stale request, made from a page someone else has changed since, is refused,
and the same request twice changes nothing the second time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from cohub.apps.accounts.models import User
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import record_event
from cohub.apps.jobs.models import Job, JobStatus
from cohub.apps.jobs.services import job_enqueue
from cohub.apps.projects.models import Project
from cohub.apps.redaction.audio import covered_recording, story_audio_covers
from cohub.apps.redaction.models import (
    FindingStatus,
    ListName,
    ProjectTerm,
    RedactionDecision,
    RedactionFinding,
    RedactionRun,
    RunStatus,
)
from cohub.apps.redaction.selectors import project_lists
from cohub.apps.stories.consent import require_consent
from cohub.apps.stories.models import Recording, Speaker, Story, Storyteller, Transcript
from cohub.apps.stories.purge import Traces, register_purger, register_scrubber
from cohub.apps.stories.scopes import ConsentScope
from cohub.apps.stories.services import Revision, transcript_revise
from cohub.pipeline.formats import SegmentData
from cohub.pipeline.redact import Finding, Kind, Lists, Term, kind_from_word

FIND = "redaction.find"
MAX_TERMS = 500
MAX_REPLACEMENT = 80


def _user(actor: User | None) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def _lock_storyteller(story: Story) -> Storyteller:
    """The storyteller row locked, and their consent to transcription checked under the lock."""
    storyteller = Storyteller.objects.select_for_update().get(pk=story.storyteller_id)
    require_consent(storyteller, ConsentScope.TRANSCRIBE)
    return storyteller


def _newest(story: Story) -> Transcript:
    transcript = Transcript.objects.filter(story=story).order_by("-version").first()
    if transcript is None:
        raise ServiceError("This story has no words to check.")
    return transcript


# ---------------------------------------------------------------------------
# Checking a story


@dataclass(frozen=True)
class CheckStarted:
    run: RedactionRun
    job: Job | None
    created: bool


@transaction.atomic
def redaction_check_start(*, story: Story, actor: User | None) -> CheckStarted:
    """Queue the engine over the story's newest words; the check already waiting if there is one."""
    _lock_storyteller(story)
    story = Story.objects.select_for_update().get(pk=story.pk)
    transcript = _newest(story)
    waiting = RedactionRun.objects.filter(
        story=story, transcript=transcript, status=RunStatus.WAITING
    ).first()
    if waiting is not None and (waiting.job is None or waiting.job.status != JobStatus.FAILED):
        return CheckStarted(run=waiting, job=waiting.job, created=False)
    if waiting is not None:
        redaction_check_failed(run_id=waiting.pk)  # its job gave up: start afresh
    run = RedactionRun.objects.create(story=story, transcript=transcript, created_by=_user(actor))
    job = job_enqueue(
        kind=FIND,
        params={"run_id": run.pk, "story_id": story.pk},
        project_id=story.project_id,
        created_by=actor,
        input_hash=f"redaction-run-{run.pk}",
    )
    run.job = job
    run.save(update_fields=["job"])
    record_event(
        actor=actor,
        verb="redaction.check",
        target=story,
        project_id=story.project_id,
        data={"run_id": run.pk, "version": transcript.version},
    )
    return CheckStarted(run=run, job=job, created=True)


_ROLE_LABEL = re.compile(r"^(?:speaker|participant|interviewer|facilitator|p|q|a)\s*\d*$", re.I)


def story_lists(story: Story) -> Lists:
    """The project's lists, plus the names the hub already knows are personal in this story.

    The storyteller's real name and the names speakers were given ("Sam", "Dr
    Patel") are always found; roles ("Interviewer", "Speaker 2") are not names.
    """
    lists = project_lists(story.project)
    known: list[Term] = []
    names = {story.storyteller.real_name}
    for speaker in Speaker.objects.filter(story=story):
        names |= {speaker.label, speaker.display_name}
    for name in sorted(n.strip() for n in names if n and n.strip()):
        if _ROLE_LABEL.match(name) or len(name) < 2:
            continue
        known.append(Term(words=name, kind=Kind.PERSON))
    return Lists(deny=lists.deny + tuple(known), allow=lists.allow)


def _within_parts(transcript: Transcript, findings: Sequence[Finding]) -> list[Finding]:
    """Findings cut at the boundaries between parts, so each lies inside one part."""
    bounds = list(transcript.segments.order_by("index").values_list("char_start", "char_end"))
    out: list[Finding] = []
    for finding in findings:
        for start, end in bounds:
            a, b = max(start, finding.start), min(end, finding.end)
            if a < b:
                text = transcript.text[a:b]
                out.append(
                    Finding(
                        a,
                        b,
                        finding.kind,
                        text,
                        finding.source,
                        finding.score,
                        finding.replacement,
                    )  # fmt: skip
                )
    return out


@transaction.atomic
def redaction_findings_store(
    *, run: RedactionRun, findings: Sequence[Finding], engine_settings: dict[str, Any]
) -> RedactionRun:
    """Keep what the engine found as suggestions; a second call for the same run writes nothing."""
    run = RedactionRun.objects.select_for_update().get(pk=run.pk)
    if run.status == RunStatus.DONE:
        return run
    run.findings.all().delete()
    RedactionFinding.objects.bulk_create(
        RedactionFinding(
            run=run,
            index=index,
            char_start=finding.start,
            char_end=finding.end,
            kind=finding.kind.value,
            text=finding.text[:500],
            replacement=finding.replacement[:MAX_REPLACEMENT],
            suggested_replacement=finding.replacement[:MAX_REPLACEMENT],
            source=finding.source[:40],
            score=finding.score,
        )
        for index, finding in enumerate(findings)
    )
    run.status = RunStatus.DONE
    run.finished_at = timezone.now()
    run.engine_settings = engine_settings
    run.save(update_fields=["status", "finished_at", "engine_settings"])
    return run


def redaction_check_run(run_id: int) -> dict[str, Any]:
    """The job's work: run the engine over the run's transcript and store the suggestions.

    Safe to repeat: a run already done is left as it is. Consent is checked
    before the words are read and again when the findings are stored.
    """
    from cohub.pipeline.redact import redactor

    run = (
        RedactionRun.objects.select_related("story__storyteller", "story__project", "transcript")
        .filter(pk=run_id)
        .first()
    )
    if run is None:
        return {"removed": True}  # deleted or withdrawn since it was queued
    require_consent(run.story.storyteller, ConsentScope.TRANSCRIBE)
    if run.status != RunStatus.DONE:
        engine = redactor()
        lists = story_lists(run.story)
        findings = _within_parts(run.transcript, engine.find(run.transcript.text, lists))
        with transaction.atomic():
            _lock_storyteller(run.story)
            run = redaction_findings_store(
                run=run,
                findings=findings,
                engine_settings={**engine.settings(), **lists.settings()},
            )
    return {"run_id": run.pk, "story_id": run.story_id, "findings": run.findings.count()}


def redaction_check_failed(*, run_id: int) -> None:
    """Mark a run whose job gave up, so the page offers to check again."""
    RedactionRun.objects.filter(pk=run_id, status=RunStatus.WAITING).update(status=RunStatus.FAILED)


# ---------------------------------------------------------------------------
# Deciding


@dataclass(frozen=True)
class Decided:
    """What a decision did: ``decision`` is None when nothing needed changing."""

    run: RedactionRun
    decision: RedactionDecision | None
    findings: list[RedactionFinding]

    @property
    def changed(self) -> bool:
        return self.decision is not None


def _state(finding: RedactionFinding) -> dict[str, str]:
    return {"status": finding.status, "replacement": finding.replacement}


def _lock_run(run: RedactionRun) -> RedactionRun:
    _lock_storyteller(run.story)
    run = RedactionRun.objects.select_for_update().select_related("story").get(pk=run.pk)
    if run.shared_transcript_id is not None:
        raise ServiceError(
            "The shareable version has already been made from this check. "
            "To change it, check the story again."
        )
    if run.status != RunStatus.DONE:
        raise ServiceError("This check has not finished yet.")
    return run


def _clean_replacement(value: str) -> str:
    words = " ".join(value.split())
    if not words:
        raise ServiceError("Write what should go in place of these words, or reject them.")
    if len(words) > MAX_REPLACEMENT:
        raise ServiceError(
            f"A replacement can be up to {MAX_REPLACEMENT} characters long. Shorten it."
        )
    return words


def _apply(
    run: RedactionRun,
    actor: User | None,
    verb: str,
    summary: str,
    targets: list[tuple[RedactionFinding, dict[str, str]]],
) -> Decided:
    changes = []
    now = timezone.now()
    changed: list[RedactionFinding] = []
    for finding, after in targets:
        before = _state(finding)
        if before == after:
            continue
        finding.status = after["status"]
        finding.replacement = after["replacement"]
        finding.decided_by = _user(actor)
        finding.decided_at = now
        finding.save(update_fields=["status", "replacement", "decided_by", "decided_at"])
        changes.append({"finding": finding.pk, "before": before, "after": after})
        changed.append(finding)
    if not changes:
        return Decided(run=run, decision=None, findings=[])
    decision = RedactionDecision.objects.create(
        run=run, verb=verb, summary=summary[:200], changes=changes, actor=_user(actor)
    )
    record_event(
        actor=actor,
        verb=f"redaction.{verb}",
        target=run.story,
        project_id=run.story.project_id,
        data={"run_id": run.pk, "decision_id": decision.pk, "findings": len(changes)},
    )
    return Decided(run=run, decision=decision, findings=changed)


_VERBS = {
    FindingStatus.ACCEPTED: ("accept", "Replaced"),
    FindingStatus.REJECTED: ("reject", "Kept"),
}


@transaction.atomic
def finding_decide(
    *,
    finding: RedactionFinding,
    actor: User | None,
    status: str,
    replacement: str | None = None,
    seen_status: str,
    seen_replacement: str,
) -> Decided:
    """Accept or reject one suggestion, or accept it with other words in its place.

    ``seen_*`` is the state the person's page showed. The same request twice
    changes nothing the second time; a request from a page that someone else
    has changed since is refused, so nobody undoes a decision they never saw.
    """
    if status not in (FindingStatus.ACCEPTED, FindingStatus.REJECTED):
        raise ServiceError("Choose to replace these words or to keep them.")
    run = _lock_run(finding.run)
    finding = RedactionFinding.objects.select_for_update().get(pk=finding.pk, run=run)
    words = finding.replacement if replacement is None else _clean_replacement(replacement)
    after = {"status": str(status), "replacement": words}
    if _state(finding) == after:
        return Decided(run=run, decision=None, findings=[])
    if _state(finding) != {"status": seen_status, "replacement": seen_replacement}:
        raise ServiceError(
            "Someone else decided about these words after you opened the page. "
            "Reload the page to see what they chose."
        )
    verb, word = _VERBS[FindingStatus(status)]
    if replacement is not None and words != finding.replacement:
        verb, summary = "change", f"Replaced {finding.kind_member.words} with {words}"
    else:
        summary = f"{word} {finding.kind_member.words}"
    return _apply(run, actor, verb, summary, [(finding, after)])


@transaction.atomic
def findings_decide_kind(
    *, run: RedactionRun, actor: User | None, kind: str, status: str
) -> Decided:
    """Accept (or reject) every suggestion of one kind still waiting for a decision."""
    if status not in (FindingStatus.ACCEPTED, FindingStatus.REJECTED):
        raise ServiceError("Choose to replace these words or to keep them.")
    try:
        member = Kind(kind)
    except ValueError as exc:
        raise ServiceError("That kind of personal detail is not one the check finds.") from exc
    run = _lock_run(run)
    waiting = list(
        RedactionFinding.objects.select_for_update()
        .filter(run=run, kind=member.value, status=FindingStatus.SUGGESTED)
        .order_by("index")
    )
    verb, word = _VERBS[FindingStatus(status)]
    targets = [(f, {"status": str(status), "replacement": f.replacement}) for f in waiting]
    summary = f"{word} all {len(waiting)} {member.plural}"
    return _apply(run, actor, f"{verb}_kind", summary, targets)


@dataclass(frozen=True)
class Undone:
    decision: RedactionDecision
    findings: int


@transaction.atomic
def redaction_decision_undo(*, decision: RedactionDecision, actor: User | None) -> Undone:
    """Put back what one decision changed, if nobody has changed those suggestions since."""
    run = _lock_run(decision.run)
    decision = RedactionDecision.objects.select_for_update().get(pk=decision.pk, run=run)
    if decision.undone_at is not None:
        return Undone(decision=decision, findings=0)
    ids = [change["finding"] for change in decision.changes]
    findings = {
        f.pk: f for f in RedactionFinding.objects.select_for_update().filter(run=run, pk__in=ids)
    }
    for change in decision.changes:
        finding = findings.get(change["finding"])
        if finding is None or _state(finding) != change["after"]:
            raise ServiceError(
                "Those suggestions have been decided again since, so that cannot be undone "
                "on its own. Change them one by one instead."
            )
    for change in decision.changes:
        finding = findings[change["finding"]]
        finding.status = change["before"]["status"]
        finding.replacement = change["before"]["replacement"]
        finding.save(update_fields=["status", "replacement"])
    decision.undone_at = timezone.now()
    decision.undone_by = _user(actor)
    decision.save(update_fields=["undone_at", "undone_by"])
    record_event(
        actor=actor,
        verb="redaction.undo",
        target=run.story,
        project_id=run.story.project_id,
        data={"run_id": run.pk, "decision_id": decision.pk, "findings": len(findings)},
    )
    return Undone(decision=decision, findings=len(findings))


# ---------------------------------------------------------------------------
# The shareable version


@dataclass(frozen=True)
class Shared:
    run: RedactionRun
    revision: Revision | None  # None when this run's version had already been made
    replaced: int


@transaction.atomic
def redaction_share(*, run: RedactionRun, actor: User | None) -> Shared:
    """Write the accepted replacements as the story's next version; quotes follow it.

    Refused while a suggestion waits for a decision, or when the words have
    changed since they were checked (the check would point at the wrong
    words). Made once per check: the same request again changes nothing.
    """
    _lock_storyteller(run.story)
    run = RedactionRun.objects.select_for_update().select_related("story").get(pk=run.pk)
    if run.shared_transcript_id is not None:
        return Shared(run=run, revision=None, replaced=0)
    if run.status != RunStatus.DONE:
        raise ServiceError("This check has not finished yet.")
    if _newest(run.story).pk != run.transcript_id:
        raise ServiceError(
            "The words have changed since they were checked. Check the story again first."
        )
    findings = list(run.findings.order_by("char_start"))
    waiting = sum(1 for f in findings if f.status == FindingStatus.SUGGESTED)
    if waiting:
        raise ServiceError(
            f"{waiting} suggestion{'s' if waiting != 1 else ''} still "
            f"wait{'s' if waiting == 1 else ''} for a decision. Decide each one first."
        )
    accepted = [f for f in findings if f.status == FindingStatus.ACCEPTED]
    if not accepted:
        raise ServiceError(
            "No words were chosen to replace, so the words can be shared as they are."
        )
    segments = []
    for row in run.transcript.segments.select_related("speaker").order_by("index"):
        pieces, at = [], row.char_start
        for finding in accepted:
            if finding.char_start >= row.char_start and finding.char_end <= row.char_end:
                pieces.append(run.transcript.text[at : finding.char_start])
                pieces.append(finding.replacement)
                at = finding.char_end
        pieces.append(run.transcript.text[at : row.char_end])
        segments.append(
            SegmentData(
                text="".join(pieces),
                speaker=row.speaker.label if row.speaker else "",
                start_ms=row.start_ms,
                end_ms=row.end_ms,
            )
        )
    revision = transcript_revise(
        story=run.story,
        actor=actor,
        reason=f"Shareable version: {len(accepted)} personal details replaced",
        segments=segments,
        based_on_version=run.transcript.version,
    )
    run.shared_transcript = revision.transcript
    run.shared_by = _user(actor)
    run.shared_at = timezone.now()
    run.save(update_fields=["shared_transcript", "shared_by", "shared_at"])
    record_event(
        actor=actor,
        verb="redaction.share",
        target=run.story,
        project_id=run.story.project_id,
        data={
            "run_id": run.pk,
            "from_version": run.transcript.version,
            "version": revision.transcript.version,
            "replaced": len(accepted),
        },
    )
    # The story page plays others a copy with these words covered: start making it now.
    recording = Recording.objects.filter(story_id=run.story_id).select_related("story").first()
    if recording is not None:
        covers = story_audio_covers(run.story)
        if covers:
            covered_recording(recording, covers, actor=actor)
    return Shared(run=run, revision=revision, replaced=len(accepted))


# ---------------------------------------------------------------------------
# The project's lists


@dataclass(frozen=True)
class ListsSaved:
    deny: int
    allow: int


def _parse_lines(text: str, *, deny: bool) -> list[tuple[str, str]]:
    entries: list[tuple[str, str]] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = " ".join(raw.split())
        if not line or line.startswith("#"):
            continue
        kind = ""
        words = line
        if deny:
            head, sep, rest = line.partition(":")
            if sep and rest.strip():
                try:
                    kind = kind_from_word(head).value
                    words = rest.strip()
                except ValueError:
                    if " " not in head.strip():
                        raise ServiceError(
                            f"Line {number}: '{head.strip()}' is not a kind of personal detail. "
                            "Start the line with one of: "
                            + ", ".join(k.label.lower() for k in Kind)
                            + ", or leave the kind out."
                        ) from None
            kind = kind or Kind.ORGANISATION.value
        if len(words) > 200:
            raise ServiceError(f"Line {number} is longer than 200 characters. Shorten it.")
        if words.casefold() in seen:
            continue
        seen.add(words.casefold())
        entries.append((words, kind))
    if len(entries) > MAX_TERMS:
        raise ServiceError(f"A list can have up to {MAX_TERMS} entries.")
    return entries


@transaction.atomic
def project_lists_update(
    *, project: Project, actor: User | None, deny_text: str, allow_text: str
) -> ListsSaved:
    """Replace the project's deny and allow lists with the lines given (one entry a line)."""
    deny = _parse_lines(deny_text, deny=True)
    allow = _parse_lines(allow_text, deny=False)
    Project.objects.select_for_update(no_key=True).filter(pk=project.pk).exists()
    ProjectTerm.objects.filter(project=project).delete()
    ProjectTerm.objects.bulk_create(
        [
            ProjectTerm(
                project=project, list_name=ListName.DENY, words=w, kind=k, created_by=_user(actor)
            )
            for w, k in deny
        ]
        + [
            ProjectTerm(project=project, list_name=ListName.ALLOW, words=w, created_by=_user(actor))
            for w, _ in allow
        ]
    )
    record_event(
        actor=actor,
        verb="redaction.lists",
        target=project,
        project_id=project.pk,
        data={"deny": len(deny), "allow": len(allow)},
    )
    return ListsSaved(deny=len(deny), allow=len(allow))


@register_purger
def redaction_purge(story_ids: list[int]) -> None:
    """The checks' jobs go with their stories (the runs and findings go by cascade)."""
    Job.objects.filter(kind=FIND, params__story_id__in=story_ids).delete()
    RedactionRun.objects.filter(story_id__in=story_ids).delete()


@register_scrubber
def redaction_terms_scrub(traces: Traces) -> None:
    """On withdrawal, a project list entry that is the storyteller's own name goes too.

    Facilitators add nicknames and real names to the deny list so checks find
    them; once that person withdraws, the entry is their personal data, kept
    for nobody.
    """
    if not traces.withdrawal or not traces.personal:
        return
    own = {name.casefold() for name in traces.personal}
    terms = ProjectTerm.objects.filter(project_id__in=traces.project_ids)
    ProjectTerm.objects.filter(
        pk__in=[t.pk for t in terms if t.words.strip().casefold() in own]
    ).delete()
