"""Writes for assessments: loading frameworks, rounds, answers, actions."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from cohub.apps.accounts.models import Organisation
from cohub.apps.assess import scoring
from cohub.apps.assess.groups import member_group, organisation_group
from cohub.apps.assess.models import (
    ActionStatus,
    AnswerKind,
    AssessmentAction,
    AssessmentAnswer,
    AssessmentItem,
    AssessmentResponse,
    AssessmentRound,
    Framework,
    FrameworkVersion,
    ResponseStatus,
)
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import record_event
from cohub.apps.projects.models import Project
from cohub.apps.projects.predicates import belongs_to_organisation

FRAMEWORKS_DIR = Path(__file__).resolve().parent / "frameworks"
ITEM_FIELDS = ("key", "title", "statement", "easy_read", "good_looks_like")
# What a framework file's "organisation" block may reword: the key (and so the answers) stay.
ORGANISATION_ITEM_FIELDS = ("title", "statement", "easy_read", "good_looks_like")


@dataclass(frozen=True)
class FrameworksLoaded:
    """What a load did: the versions it added and those already there."""

    added: list[FrameworkVersion]
    unchanged: list[FrameworkVersion]


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ServiceError(f"{path.name} could not be read as JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ServiceError(f"{path.name} must hold one framework (a JSON object).")
    for name in ("key", "version", "title", "answer_kind", "items"):
        if name not in data:
            raise ServiceError(f"{path.name} has no '{name}'.")
    if data["answer_kind"] not in AnswerKind.values:
        raise ServiceError(f"{path.name}: the kind of answer must be one of {AnswerKind.values}.")
    if data["answer_kind"] != AnswerKind.SCALE and not data.get("choices"):
        raise ServiceError(f"{path.name}: a ladder or matrix needs its choices.")
    keys = [item.get("key") for item in data["items"]]
    if len(set(keys)) != len(keys):
        raise ServiceError(f"{path.name}: two items share a key.")
    for position, item in enumerate(data["items"], start=1):
        missing = [f for f in ITEM_FIELDS if not str(item.get(f, "")).strip()]
        if missing:
            raise ServiceError(f"{path.name}: item {position} has no {', '.join(missing)}.")
        _check_organisation_words(path, f"item {position}", item, ORGANISATION_ITEM_FIELDS)
    _check_organisation_words(path, "the framework", data, ("title", "summary"))
    return data


def _check_organisation_words(
    path: Path, where: str, data: dict[str, Any], fields: tuple[str, ...]
) -> None:
    """An ``organisation`` block rewords some of ``fields`` for a whole organisation's round."""
    words = data.get("organisation")
    if words is None:
        return
    if not isinstance(words, dict) or not words:
        raise ServiceError(f"{path.name}: {where}'s 'organisation' must list the words it changes.")
    unknown = sorted(set(words) - set(fields))
    if unknown:
        raise ServiceError(
            f"{path.name}: {where}'s 'organisation' may only reword {', '.join(fields)}, "
            f"not {', '.join(unknown)}."
        )
    empty = [f for f, text in words.items() if not str(text).strip()]
    if empty:
        raise ServiceError(f"{path.name}: {where}'s 'organisation' has no words for {empty[0]}.")


def _has_organisation_words(data: dict[str, Any]) -> bool:
    return "organisation" in data or any("organisation" in item for item in data["items"])


def _version_rows(
    framework: Framework, data: dict[str, Any], digest: str, *, for_organisation: bool
) -> FrameworkVersion:
    """One wording of a framework file: as written, or with its organisation words in place."""
    top = data.get("organisation", {}) if for_organisation else {}
    version = FrameworkVersion.objects.create(
        framework=framework,
        version=data["version"],
        title=top.get("title", data["title"]),
        summary=top.get("summary", data.get("summary", "")),
        answer_kind=data["answer_kind"],
        choices=list(data.get("choices", [])),
        content_hash=digest,
        for_organisation=for_organisation,
    )
    AssessmentItem.objects.bulk_create(
        AssessmentItem(
            framework_version=version,
            position=position,
            **{
                f: (item.get("organisation", {}) if for_organisation else {}).get(f, item[f])
                for f in ITEM_FIELDS
            },
        )
        for position, item in enumerate(data["items"], start=1)
    )
    return version


def _content_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


@transaction.atomic
def frameworks_load(*, directory: Path = FRAMEWORKS_DIR) -> FrameworksLoaded:
    """Load every ``*.json`` framework file; safe to run again.

    A file's ``version`` is the truth: a version already loaded is left alone
    (rounds that used it keep it); a changed file must carry a new version
    number, and then it becomes new rows beside the old.
    """
    added: list[FrameworkVersion] = []
    unchanged: list[FrameworkVersion] = []
    for path in sorted(directory.glob("*.json")):
        data = _read(path)
        digest = _content_hash(data)
        framework, _ = Framework.objects.get_or_create(key=data["key"], organisation=None)
        existing = framework.versions.filter(
            version=data["version"], for_organisation=False
        ).first()
        if existing is not None:
            if existing.content_hash != digest:
                raise ServiceError(
                    f"{path.name} changed but still says version {data['version']}: "
                    "give it a new version number, so rounds that used the old words keep them."
                )
            unchanged.append(existing)
            continue
        version = _version_rows(framework, data, digest, for_organisation=False)
        if _has_organisation_words(data):
            _version_rows(framework, data, digest, for_organisation=True)
        added.append(version)
    return FrameworksLoaded(added=added, unchanged=unchanged)


def _round_create(
    *,
    organisation: Organisation,
    project: Project | None,
    title: str,
    versions: list[FrameworkVersion],
    actor: Any,
    opens_at: dt.datetime | None,
    closes_at: dt.datetime | None,
    min_group_size: int | None,
) -> AssessmentRound:
    """The checks and the write both kinds of round share (a project's, an organisation's)."""
    if not versions:
        raise ServiceError("Choose at least one framework for the round.")
    versions = _worded_for(versions, for_organisation=project is None)
    if any(v.framework.organisation_id not in (None, organisation.pk) for v in versions):
        raise ServiceError("A round asks about the hub's frameworks or your organisation's own.")
    if any(not v.items.exists() for v in versions):
        raise ServiceError("A framework you chose has no questions yet. Add one first.")
    opens_at = opens_at or timezone.now()
    if closes_at is not None and closes_at <= opens_at:
        raise ServiceError("The round must close after it opens. Choose a later closing date.")
    frameworks = sorted(f"{v.framework.key} v{v.version}" for v in versions)
    with transaction.atomic():
        assessment = AssessmentRound.objects.create(
            organisation=organisation,
            project=project,
            title=title.strip() or "Assessment round",
            opens_at=opens_at,
            closes_at=closes_at,
            min_group_size=min_group_size or settings.COHUB_ASSESS_MIN_GROUP,
            opened_by=actor,
        )
        assessment.framework_versions.set(versions)
        record_event(
            actor=actor,
            verb="assessment.open",
            target=assessment,
            project_id=project.pk if project else None,
            organisation_id=organisation.pk,
            data={"frameworks": frameworks} | _organisation_data(assessment),
        )
    return assessment


def _worded_for(
    versions: list[FrameworkVersion], *, for_organisation: bool
) -> list[FrameworkVersion]:
    """Each chosen version in the words of the round's kind, where the framework has them.

    People choose a framework by its project wording; a round of a whole
    organisation asks the same questions (same keys, same answers) worded
    for an organisation, so nobody is asked about "this project" there. A
    framework with no such words (an organisation's own, or one that never
    speaks of a project) is asked as it is.
    """
    worded = []
    for version in versions:
        twin = None
        if version.for_organisation != for_organisation:
            twin = FrameworkVersion.objects.filter(
                framework_id=version.framework_id,
                version=version.version,
                for_organisation=for_organisation,
            ).first()
        worded.append(twin or version)
    return worded


def round_open(
    *,
    project: Project,
    title: str,
    versions: list[FrameworkVersion],
    actor: Any,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    min_group_size: int | None = None,
) -> AssessmentRound:
    """Open a round for ``project`` with the chosen framework versions (kept as they are)."""
    return _round_create(
        organisation=project.organisation,
        project=project,
        title=title,
        versions=versions,
        actor=actor,
        opens_at=opens_at,
        closes_at=closes_at,
        min_group_size=min_group_size,
    )


def organisation_round_open(
    *,
    organisation: Organisation,
    title: str,
    versions: list[FrameworkVersion],
    actor: Any,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    min_group_size: int | None = None,
) -> AssessmentRound:
    """Open a round for the whole of ``organisation`` (ADR 0028).

    Everyone who belongs to it answers (``assess.answer_org_round``): a member
    of any of its projects, or of the organisation itself, once each, as the
    group ``groups.organisation_group`` works out. Only its admins and the
    facilitators of its projects open one (``assess.open_org_round``, asked
    here too, so no caller can skip it). The frameworks are the hub's or the
    organisation's own, as for a project's round.
    """
    if actor is None or not actor.has_perm("assess.open_org_round", organisation):
        raise ServiceError(
            f"Only {organisation.name}'s admins, and people who facilitate one of its "
            "projects, may open a round for the whole organisation."
        )
    return _round_create(
        organisation=organisation,
        project=None,
        title=title,
        versions=versions,
        actor=actor,
        opens_at=opens_at,
        closes_at=closes_at,
        min_group_size=min_group_size,
    )


def _item_choices(item: AssessmentItem) -> list[str]:
    version = item.framework_version
    if version.answer_kind == AnswerKind.SCALE:
        return [*scoring.SCALE]
    return list(version.choices)


def _group_of(assessment: AssessmentRound, respondent: Any) -> str | None:
    """The group the respondent answers as now: in the project, or across the organisation."""
    if assessment.project is not None:
        return member_group(assessment.project, respondent)
    return organisation_group(assessment.organisation, respondent)


def _organisation_data(assessment: AssessmentRound) -> dict[str, int]:
    """The audit entry's pointer to the organisation, for a round that belongs to no project
    (its entry has no project to be found by)."""
    return {} if assessment.project_id else {"organisation": assessment.organisation_id}


def answer_save(
    *,
    assessment: AssessmentRound,
    respondent: Any,
    item: AssessmentItem,
    value: str,
    comment: str = "",
) -> AssessmentAnswer:
    """Keep one answer in the respondent's draft, so they can stop and carry on later."""
    if not assessment.framework_versions.filter(pk=item.framework_version_id).exists():
        raise ServiceError("That question is not part of this round.")
    now = timezone.now()
    if assessment.closes_at is not None and assessment.closes_at <= now:
        raise ServiceError("This round has closed, so answers can no longer be changed.")
    try:
        step = scoring.scale_step(value, _item_choices(item))
    except ValueError:
        raise ServiceError("Choose one of the answers given, or \u201cdon't know\u201d.") from None
    stored = scoring.DONT_KNOW if step is None else _item_choices(item)[step - 1]
    with transaction.atomic():
        response, _ = AssessmentResponse.objects.get_or_create(
            round=assessment,
            respondent=respondent,
            defaults={"group": _group_of(assessment, respondent) or ""},
        )
        if response.status == ResponseStatus.SUBMITTED:
            raise ServiceError("You have already sent your answers to this round.")
        answer, _ = AssessmentAnswer.objects.update_or_create(
            response=response,
            item=item,
            defaults={"value": stored, "comment": comment.strip()},
        )
    return answer


def response_submit(*, assessment: AssessmentRound, respondent: Any) -> AssessmentResponse:
    """Send a respondent's answers: from then on they count in the results.

    Nothing goes into the audit trail: who sent answers, and when, would say
    more about a small group than its hidden figures do.
    """
    response = AssessmentResponse.objects.filter(round=assessment, respondent=respondent).first()
    if response is None or not response.answers.exists():
        raise ServiceError("Answer at least one question before sending.")
    if (
        response.status != ResponseStatus.SUBMITTED
        and assessment.closes_at is not None
        and assessment.closes_at <= timezone.now()
    ):
        raise ServiceError("This round has closed, so answers can no longer be sent.")
    if response.status != ResponseStatus.SUBMITTED:
        response.status = ResponseStatus.SUBMITTED
        response.submitted_at = timezone.now()
        response.save(update_fields=["status", "submitted_at"])
    return response


def _may_own(assessment: AssessmentRound, user: Any) -> bool:
    """An action's owner takes part where the round was: its project, or its organisation."""
    if user is None:
        return True
    if assessment.project is not None:
        return assessment.project.memberships.filter(user=user).exists()
    return bool(belongs_to_organisation(user, assessment.organisation))


def _owner_refusal(assessment: AssessmentRound) -> str:
    if assessment.project is not None:
        return "The owner must take part in the project."
    return "The owner must belong to the organisation: one of its projects, or itself."


def action_create(
    *,
    assessment: AssessmentRound,
    item: AssessmentItem,
    description: str,
    owner: Any = None,
    due: dt.date | None = None,
    actor: Any = None,
) -> AssessmentAction:
    """Turn an item into an action on the project's list (or, for an organisation-wide
    round, on the organisation's: ADR 0028)."""
    if not description.strip():
        raise ServiceError("Say what will be done.", field="description")
    if not assessment.framework_versions.filter(pk=item.framework_version_id).exists():
        raise ServiceError("That question is not part of this round.")
    if not _may_own(assessment, owner):
        raise ServiceError(_owner_refusal(assessment), field="owner")
    with transaction.atomic():
        action = AssessmentAction.objects.create(
            round=assessment, item=item, description=description.strip(), owner=owner, due=due
        )
        record_event(
            actor=actor,
            verb="assessment_action.create",
            target=action,
            project_id=assessment.project_id,
            organisation_id=assessment.organisation_id,
            data={"item": item.key, "round": assessment.pk} | _organisation_data(assessment),
        )
    return action


def action_update(
    *,
    action: AssessmentAction,
    actor: Any,
    status: str | None = None,
    owner: Any = None,
    due: dt.date | None = None,
    change_owner_and_due: bool = False,
) -> AssessmentAction:
    """Move an action on (to do, under way, done); with ``change_owner_and_due``, reassign it.

    The trail keeps what changed (status, owner id, due date), never the words.
    """
    changed: dict[str, Any] = {}
    if status is not None and status != action.status:
        if status not in ActionStatus.values:
            raise ServiceError("Choose to do, under way or done.", field="status")
        changed["status"] = status
    if change_owner_and_due:
        if not _may_own(action.round, owner):
            raise ServiceError(_owner_refusal(action.round), field="owner")
        if (owner.pk if owner else None) != action.owner_id:
            changed["owner"] = owner
        if due != action.due:
            changed["due"] = due
    if not changed:
        return action
    with transaction.atomic():
        for name, value in changed.items():
            setattr(action, name, value)
        action.save(update_fields=[*changed, "updated_at"])
        record_event(
            actor=actor,
            verb="assessment_action.update",
            target=action,
            project_id=action.round.project_id,
            organisation_id=action.round.organisation_id,
            data={
                name: (value.pk if hasattr(value, "pk") else str(value) if value else None)
                for name, value in changed.items()
            },
        )
    return action


@dataclass(frozen=True)
class AnswersImported:
    """What an import added: how many people and answers."""

    respondents: int
    answers: int


def answers_import(*, assessment: AssessmentRound, text: str, actor: Any) -> AnswersImported:
    """Answers given on paper or in another survey tool, from CSV, counted as sent.

    The columns are the command line's (``respondent,group,item,answer``); the
    item is a question's key in this round and the answer one of that
    question's own (a scale label, a rung, a cell) or "don't know". The
    respondent is the file's reference for a person (a number on a paper
    form), kept only to tell people apart and refuse the same person twice;
    it must not be a name. A bad row is refused with its line number and
    nothing is imported.

    The group is the file's, for an organisation-wide round too: a paper
    respondent has no account, so no project roles or "taking part" to read a
    group from, and is not one of the organisation's people; the references are
    the round's own, so one organisation's P1 and a project's P1 never meet.
    """
    import csv
    import io

    items: dict[str, AssessmentItem] = {}
    for item in AssessmentItem.objects.filter(framework_version__rounds=assessment).select_related(
        "framework_version"
    ):
        if item.key in items:
            raise ServiceError(
                f"Two frameworks of this round share the question key {item.key!r}, "
                "so a file cannot say which it means."
            )
        items[item.key] = item
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    columns = ",".join(scoring.ANSWER_COLUMNS)
    if header is None or [h.strip().lower() for h in header] != list(scoring.ANSWER_COLUMNS):
        raise ServiceError(f"Line 1: the first line must name the columns {columns}.")
    already = set(
        AssessmentResponse.objects.filter(round=assessment)
        .exclude(paper_respondent="")
        .values_list("paper_respondent", flat=True)
    )
    people: dict[str, str] = {}
    rows: list[tuple[str, AssessmentItem, str]] = []
    seen: set[tuple[str, str]] = set()
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(scoring.ANSWER_COLUMNS):
            raise ServiceError(f"Line {line}: expected 4 values ({columns}), found {len(row)}.")
        respondent, group, key, answer = (cell.strip() for cell in row)
        if not respondent or len(respondent) > 120:
            raise ServiceError(f"Line {line}: give the respondent a short reference (a number).")
        if respondent in already:
            raise ServiceError(f"Line {line}: {respondent!r} was imported into this round before.")
        if group not in scoring.GROUPS:
            raise ServiceError(
                f"Line {line}: group {group!r} is not one of {', '.join(scoring.GROUPS)}."
            )
        if people.setdefault(respondent, group) != group:
            raise ServiceError(f"Line {line}: {respondent!r} was in another group on a line above.")
        found = items.get(key)
        if found is None:
            raise ServiceError(f"Line {line}: {key!r} is not a question of this round.")
        choices = _item_choices(found)
        try:
            step = scoring.scale_step(answer, choices)
        except ValueError:
            allowed = ", ".join([*choices, scoring.DONT_KNOW])
            raise ServiceError(f"Line {line}: {answer!r} is not one of: {allowed}.") from None
        if (respondent, key) in seen:
            raise ServiceError(f"Line {line}: {respondent!r} answered {key!r} on a line above.")
        seen.add((respondent, key))
        rows.append((respondent, found, scoring.DONT_KNOW if step is None else choices[step - 1]))
    if not rows:
        raise ServiceError("The file holds no answers.")
    now = timezone.now()
    with transaction.atomic():
        responses = {
            reference: AssessmentResponse.objects.create(
                round=assessment,
                respondent=None,
                paper_respondent=reference,
                group=group,
                status=ResponseStatus.SUBMITTED,
                submitted_at=now,
            )
            for reference, group in people.items()
        }
        AssessmentAnswer.objects.bulk_create(
            AssessmentAnswer(response=responses[reference], item=item, value=value)
            for reference, item, value in rows
        )
        record_event(
            actor=actor,
            verb="assessment.import",
            target=assessment,
            project_id=assessment.project_id,
            organisation_id=assessment.organisation_id,
            data={"respondents": len(responses), "answers": len(rows)}
            | _organisation_data(assessment),
        )
    return AnswersImported(respondents=len(responses), answers=len(rows))


# An organisation's own frameworks (issue 8 item 1) -----------------------------------


def _version_data(version: FrameworkVersion, items: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "key": version.framework.key,
        "version": version.version,
        "title": version.title,
        "summary": version.summary,
        "answer_kind": version.answer_kind,
        "items": items,
    }


def _unique_framework_key(organisation: Any, title: str) -> str:
    base = slugify(title)[:50] or "framework"
    key, number = base, 2
    while Framework.objects.filter(organisation=organisation, key=key).exists():
        key, number = f"{base}-{number}", number + 1
    return key


@transaction.atomic
def framework_create(
    *, organisation: Any, title: str, summary: str = "", actor: Any
) -> FrameworkVersion:
    """Start an organisation's own framework: version 1, answered on the agreement scale.

    It has no questions yet; it is offered when opening a round once it has one.
    """
    title = " ".join(title.split())
    if not title:
        raise ServiceError("Give the framework a name.", field="title")
    framework = Framework.objects.create(
        key=_unique_framework_key(organisation, title), organisation=organisation
    )
    version = FrameworkVersion(
        framework=framework,
        version=1,
        title=title,
        summary=summary.strip(),
        answer_kind=AnswerKind.SCALE,
    )
    version.content_hash = _content_hash(_version_data(version, []))
    version.save()
    record_event(
        actor=actor,
        verb="assessment_framework.create",
        target=version,
        organisation_id=organisation.pk,
        data={"organisation": organisation.pk, "key": framework.key},
    )
    return version


def _items_of(version: FrameworkVersion) -> list[dict[str, str]]:
    return [
        {f: getattr(item, f) for f in ITEM_FIELDS} for item in version.items.order_by("position")
    ]


@transaction.atomic
def framework_item_add(
    *,
    framework: Framework,
    title: str,
    statement: str,
    easy_read: str,
    good_looks_like: str,
    key: str = "",
    actor: Any,
) -> FrameworkVersion:
    """Add a question to an organisation's framework; returns the version that now holds it.

    A version no round has used yet takes the question as it is. Once a round
    has used the newest version, a new version is made (its questions copied,
    this one added), so that round keeps the words its members answered.
    """
    if framework.organisation_id is None:
        raise ServiceError("The frameworks the hub ships cannot be changed here.")
    fields = {
        "title": " ".join(title.split()),
        "statement": statement.strip(),
        "easy_read": easy_read.strip(),
        "good_looks_like": good_looks_like.strip(),
    }
    words = {
        "title": "Give the question a short title.",
        "statement": "Write the statement people agree or disagree with.",
        "easy_read": "Write the statement in easy-read words too.",
        "good_looks_like": "Say what good looks like, to guide people.",
    }
    for name, value in fields.items():
        if not value:
            raise ServiceError(words[name], field=name)
    item_key = slugify(key.strip() or fields["title"])[:80]
    if not item_key:
        raise ServiceError("Give the question a key of letters or numbers.", field="key")
    latest = Framework.objects.select_for_update().get(pk=framework.pk).latest_version()
    if latest is None:
        raise ServiceError("That framework has no version to add to.")
    items = _items_of(latest)
    if any(item["key"] == item_key for item in items):
        raise ServiceError(
            f"A question with the key \u201c{item_key}\u201d is already in this framework. "
            "Choose another key.",
            field="key",
        )
    items.append({"key": item_key, **fields})
    if latest.rounds.exists():
        version = FrameworkVersion.objects.create(
            framework=framework,
            version=latest.version + 1,
            title=latest.title,
            summary=latest.summary,
            answer_kind=latest.answer_kind,
            choices=list(latest.choices),
            content_hash="",
        )
        AssessmentItem.objects.bulk_create(
            AssessmentItem(framework_version=version, position=position, **item)
            for position, item in enumerate(items, start=1)
        )
    else:
        version = latest
        AssessmentItem.objects.create(framework_version=version, position=len(items), **items[-1])
    version.content_hash = _content_hash(_version_data(version, items))
    version.save(update_fields=["content_hash", "updated_at"])
    record_event(
        actor=actor,
        verb="assessment_framework.item_add",
        target=version,
        organisation_id=framework.organisation_id,
        data={"key": framework.key, "version": version.version, "item": item_key},
    )
    return version


ROUND_REPORT_FORMATS = ("pdf", "html")


@dataclass(frozen=True)
class RoundReportFile:
    content: bytes
    content_type: str
    filename: str


def round_report_export(
    *, assessment: AssessmentRound, actor: Any, fmt: str, via: str = "web"
) -> RoundReportFile:
    """The round report as a file that leaves the hub (PDF or HTML), with an audit entry.

    The entry says which round, in which format and by which way (the hub or
    the command line); never a figure or a comment.
    """
    from cohub.apps.assess.report import (
        build_round_report,
        round_report_filename,
        round_report_html_document,
        round_report_pdf,
    )

    if fmt not in ROUND_REPORT_FORMATS:
        raise ServiceError(
            f"A round report is made as {' or '.join(ROUND_REPORT_FORMATS)}, not {fmt!r}."
        )
    report = build_round_report(assessment)
    if fmt == "pdf":
        content = round_report_pdf(report)
        content_type = "application/pdf"
    else:
        content = round_report_html_document(report).encode("utf-8")
        content_type = "text/html; charset=utf-8"
    with transaction.atomic():
        record_event(
            actor=actor,
            verb="assessment_report.export",
            target=assessment,
            project_id=assessment.project_id,
            organisation_id=assessment.organisation_id,
            data={"format": fmt, "via": via, "items": len(report.panels)}
            | _organisation_data(assessment),
        )
    return RoundReportFile(
        content=content,
        content_type=content_type,
        filename=round_report_filename(report, fmt=fmt),
    )


ROUND_REPORT_PDF_FOLDER = "assess-report-pdfs"


def round_report_pdf_name(round_id: int, job_id: int, digest: str) -> str:
    return f"{ROUND_REPORT_PDF_FOLDER}/{round_id}/report-{job_id}-{digest}.pdf"


def round_report_pdf_make(
    *,
    assessment: AssessmentRound,
    actor: Any,
    job_id: int,
    progress: Callable[[int, str], None],
) -> dict[str, object]:
    """Draw the round report's PDF and keep it (the job's work); audited like a download.

    Kept under a digest of the report's HTML, so the download hands it out only
    while the report would still be drawn the same (no answer sent since, the
    same day).
    """
    from cohub.apps.assess.report import (
        build_round_report,
        round_report_digest,
        round_report_filename,
        round_report_pdf,
    )

    progress(10, "Reading the answers sent so far")
    report = build_round_report(assessment)
    digest = round_report_digest(report)
    progress(30, "Drawing the PDF")
    content = round_report_pdf(report)
    name = round_report_pdf_name(assessment.pk, job_id, digest)
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(content))
    with transaction.atomic():
        record_event(
            actor=actor,
            verb="assessment_report.export",
            target=assessment,
            project_id=assessment.project_id,
            organisation_id=assessment.organisation_id,
            data={"format": "pdf", "via": "job", "items": len(report.panels)}
            | _organisation_data(assessment),
        )
    progress(100, "The PDF is ready")
    return {
        "digest": digest,
        "filename": round_report_filename(report, fmt="pdf"),
        "bytes": len(content),
    }
