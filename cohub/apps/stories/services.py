"""Writes for storytellers, consent, stories and review sheets."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from cohub.apps.accounts.models import User
from cohub.apps.core import dates
from cohub.apps.core.cleaning import clean_choices, clean_topics
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import record_event
from cohub.apps.jobs.models import Job
from cohub.apps.jobs.services import job_enqueue
from cohub.apps.projects.models import Project, Sector
from cohub.apps.stories.consent import consent_now, current_consent, require_consent
from cohub.apps.stories.models import (
    PSEUDONYM_LENGTH,
    ConsentRecord,
    Segment,
    Speaker,
    SpeakerPart,
    Story,
    StoryEdit,
    StoryEditKind,
    StorySource,
    Storyteller,
    StorytellerRole,
    Transcript,
)
from cohub.apps.stories.personal import PROFILE_FIELDS, WITHDRAWN_PSEUDONYM, withdrawn_values
from cohub.apps.stories.resumable import recording_uploads_discard_for_storyteller
from cohub.apps.stories.revisions import follow_revision
from cohub.apps.stories.scopes import GATHERING_SCOPES, ConsentScope
from cohub.apps.stories.uploads import (
    IMPORT_BATCH,
    StoredUpload,
    uploads_delete,
    uploads_discard_for_storyteller,
    uploads_store,
)
from cohub.apps.stories.ways_out import KEEP, way_out_withheld
from cohub.pipeline.anchors import carry_times
from cohub.pipeline.formats import (
    MAX_TRANSCRIPT_BYTES,
    SegmentData,
    TranscriptFormatError,
    parse_text,
    parse_transcript,
)
from cohub.pipeline.speakers import Part, guess_parts
from cohub.pipeline.words import fit_words, words_from_json, words_to_json


def pseudonym_key(pseudonym: str) -> str:
    """What two pseudonyms must not share in one project: "robin  b" is "Robin B"."""
    return " ".join(pseudonym.split()).casefold()


def _taken_pseudonyms(project: Project, *, besides: Storyteller | None = None) -> dict[str, str]:
    """The active storytellers' pseudonyms in ``project``, by key, leaving out ``besides``.

    Compared in Python: the databases' own case-insensitive matching differs
    (SQLite folds only ASCII letters), and a project's storytellers are few.
    """
    rows = Storyteller.objects.filter(project=project, withdrawn_at__isnull=True)
    if besides is not None:
        rows = rows.exclude(pk=besides.pk)
    return {pseudonym_key(name): name for name in rows.values_list("pseudonym", flat=True)}


def _refuse_taken_pseudonym(
    project: Project, pseudonym: str, *, besides: Storyteller | None = None
) -> None:
    """Two active storytellers in a project may not share a name: people could not tell
    whose story is whose, and choosing a storyteller by name (``--storyteller``) would guess."""
    key = pseudonym_key(pseudonym)
    if key == pseudonym_key(WITHDRAWN_PSEUDONYM):
        raise ServiceError(
            f"'{WITHDRAWN_PSEUDONYM}' is how cohub shows people who have withdrawn, so a "
            "storyteller cannot be called that. Choose another name or pseudonym.",
            field="pseudonym",
        )
    taken = _taken_pseudonyms(project, besides=besides)
    if key in taken:
        raise ServiceError(
            f"Another storyteller in this project is already called '{taken[key]}'. "
            "Choose a different name or pseudonym so that people can tell them apart, "
            f"for example '{pseudonym} B'.",
            field="pseudonym",
        )


def _free_pseudonym(project: Project, wanted: str) -> str:
    """``wanted``, or ``wanted (2)``, ``(3)``... if it is taken: for a storyteller named
    after a file, whom people rename later, so a second ``interview.txt`` still imports."""
    wanted = " ".join(wanted.split())[:PSEUDONYM_LENGTH] or "Storyteller"
    taken = set(_taken_pseudonyms(project)) | {pseudonym_key(WITHDRAWN_PSEUDONYM)}
    candidate, number = wanted, 1
    while pseudonym_key(candidate) in taken:
        number += 1
        suffix = f" ({number})"
        candidate = wanted[: PSEUDONYM_LENGTH - len(suffix)] + suffix
    return candidate


def _clean_profile(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown storyteller fields: {', '.join(sorted(unknown))}.")
    cleaned = {}
    for name, value in fields.items():
        if name == "sectors":
            value = clean_choices(value, Sector.values, "sector")
        elif name == "roles":
            value = clean_choices(value, StorytellerRole.values, "role")
        elif name == "topics":
            value = clean_topics(value)
        elif isinstance(value, str):
            value = value.strip()
        cleaned[name] = value
    if "pseudonym" in cleaned:
        cleaned["pseudonym"] = " ".join(cleaned["pseudonym"].split())
        if not cleaned["pseudonym"]:
            raise ServiceError(
                "Give the storyteller a name or pseudonym to be known by.", field="pseudonym"
            )
    return cleaned


@transaction.atomic
def storyteller_create(
    *,
    project: Project,
    actor: User | None,
    pseudonym: str,
    consent: dict[str, Any] | None = None,
    consent_note: str = "",
    **profile: Any,
) -> Storyteller:
    """Register a storyteller; ``consent`` (scope -> bool, keep_until) becomes version 1."""
    fields = _clean_profile({"pseudonym": pseudonym, **profile})
    # The project lock makes a second registration of the same name wait, then see this one.
    Project.objects.select_for_update(no_key=True).get(pk=project.pk)
    _refuse_taken_pseudonym(project, fields["pseudonym"])
    storyteller = Storyteller.objects.create(project=project, created_by=actor, **fields)
    record_event(actor=actor, verb="storyteller.create", target=storyteller, project_id=project.pk)
    consent_record(storyteller=storyteller, actor=actor, note=consent_note, **(consent or {}))
    return storyteller


@transaction.atomic
def storyteller_update(*, storyteller: Storyteller, actor: User, **profile: Any) -> Storyteller:
    if storyteller.withdrawn_at is not None:
        raise ServiceError("This storyteller has withdrawn; their profile can no longer change.")
    fields = _clean_profile(profile)
    if "pseudonym" in fields:
        Project.objects.select_for_update(no_key=True).get(pk=storyteller.project_id)
        _refuse_taken_pseudonym(storyteller.project, fields["pseudonym"], besides=storyteller)
    for name, value in fields.items():
        setattr(storyteller, name, value)
    storyteller.save()
    record_event(
        actor=actor,
        verb="storyteller.update",
        target=storyteller,
        project_id=storyteller.project_id,
        data={"fields": sorted(fields)},
    )
    return storyteller


@transaction.atomic
def consent_record(
    *,
    storyteller: Storyteller,
    actor: User | None,
    keep_until: dt.date | None = None,
    note: str = "",
    **scopes: bool,
) -> ConsentRecord:
    """Add a new consent version. Earlier versions stay as the history of who agreed what, when.

    ``scopes`` are ``ConsentScope`` values with True for yes (``record=True``); a
    scope left out is a no, and an unknown name is refused rather than ignored.
    Quoting by name implies agreeing to be quoted at all, so it is refused alone.
    Withdrawal goes through ``consent_withdraw``, which also removes the stories.
    """
    unknown = sorted(set(scopes) - set(ConsentScope.values))
    if unknown:
        raise ServiceError(f"Unknown consent scopes: {', '.join(unknown)}.")
    granted = {scope: bool(scopes.get(scope.value)) for scope in ConsentScope}
    storyteller = Storyteller.objects.select_for_update().get(pk=storyteller.pk)
    if storyteller.withdrawn_at is not None:
        raise ServiceError(
            "This storyteller withdrew consent and their stories were removed. "
            "Register them again to gather a new story."
        )
    if granted[ConsentScope.QUOTE_BY_NAME] and not granted[ConsentScope.QUOTE_ANONYMOUSLY]:
        raise ServiceError(
            "Quoting by name needs consent to be quoted at all: "
            f"tick '{ConsentScope.QUOTE_ANONYMOUSLY.question}' too."
        )
    dates.refuse_past(keep_until, what=dates.KEEP_UNTIL)
    previous = current_consent(storyteller)
    version = (previous.version + 1) if previous else 1
    consent = ConsentRecord.objects.create(
        storyteller=storyteller,
        version=version,
        **{scope.value: yes for scope, yes in granted.items()},
        keep_until=keep_until,
        note=note.strip(),
        recorded_by=actor,
    )
    record_event(
        actor=actor,
        verb="consent.record",
        target=storyteller,
        project_id=storyteller.project_id,
        data={"version": version, "scopes": [scope.value for scope in consent.granted_scopes()]},
    )
    if granted[ConsentScope.TRANSCRIBE]:
        # Recordings kept while they waited for this are written out now (ADR 0019).
        from cohub.apps.stories.recordings import recordings_transcribe_waiting

        recordings_transcribe_waiting(storyteller=storyteller, actor=actor)
    return consent


@transaction.atomic
def consent_narrow(
    *, storyteller: Storyteller, keep: Sequence[ConsentScope | str], actor: User | None, via: str
) -> ConsentRecord:
    """The storyteller takes back some of what they agreed to, on their own page (ADR 0032).

    ``keep`` is what they still agree to; it may only be less than today's
    consent, never more (widening is a conversation with a facilitator, who
    records it). Not being quoted at all also ends being quoted by name. The
    new version goes through ``consent_record``, like every other, with the
    keep-until date unchanged; ``via`` ("link" or "account") is audited.
    """
    now = consent_now(storyteller)
    if now.record is None or now.ended is not None:
        raise ServiceError("There is no consent to change.")
    wanted = {ConsentScope.parse(scope) for scope in keep}
    granted = set(now.record.granted_scopes())
    if wanted - granted:
        raise ServiceError(
            "You can only take things away here. To agree to more, talk to your facilitator."
        )
    if ConsentScope.QUOTE_ANONYMOUSLY not in wanted:
        wanted.discard(ConsentScope.QUOTE_BY_NAME)
    if wanted == granted:
        raise ServiceError("Nothing changed: untick what you no longer agree to.")
    record = consent_record(
        storyteller=storyteller,
        actor=actor,
        keep_until=now.record.keep_until,
        note="Changed by the storyteller on their own page.",
        **{scope.value: True for scope in wanted},
    )
    record_event(
        actor=actor,
        verb="consent.narrow_by_storyteller",
        target=storyteller,
        project_id=storyteller.project_id,
        data={
            "version": record.version,
            "via": via,
            "taken_back": sorted(scope.value for scope in granted - wanted),
        },
    )
    return record


@transaction.atomic
def consent_withdraw(*, storyteller: Storyteller, actor: User | None, note: str = "") -> int:
    """Withdraw all consent and purge every story and everything derived from it.

    The storyteller row and its consent history stay, emptied of anything
    personal, as the record that consent was withdrawn and when. Returns the
    number of stories removed.
    """
    from cohub.apps.stories.purge import purge_stories

    storyteller = Storyteller.objects.select_for_update().get(pk=storyteller.pk)
    if storyteller.withdrawn_at is not None:
        return 0
    previous = current_consent(storyteller)
    # Waiting imports and uploads first: the purge below scrubs the jobs that list their files.
    uploads_discard_for_storyteller(storyteller.pk)
    recording_uploads_discard_for_storyteller(storyteller.pk)
    removed = purge_stories(
        Story.objects.filter(storyteller=storyteller),
        personal=[storyteller.pseudonym, storyteller.real_name],
        project_ids=[storyteller.project_id],
        withdrawal=True,
    )
    # Notes on how consent was given can name people and places; the versions
    # and their scopes stay as the record of what was agreed and when.
    ConsentRecord.objects.filter(storyteller=storyteller).update(note="")
    ConsentRecord.objects.create(
        storyteller=storyteller,
        version=(previous.version + 1) if previous else 1,
        withdrawn=True,
        note=note.strip(),
        recorded_by=actor,
    )
    storyteller.withdrawn_at = timezone.now()
    for name, value in withdrawn_values(storyteller).items():
        setattr(storyteller, name, value)
    storyteller.save()
    record_event(
        actor=actor,
        verb="consent.withdraw",
        target=storyteller,
        project_id=storyteller.project_id,
        data={"stories_removed": removed},
    )
    return removed


def _content_hash(segments: Sequence[SegmentData]) -> str:
    digest = hashlib.sha256()
    for segment in segments:
        digest.update(f"{segment.speaker}\x1f{segment.start_ms}\x1f{segment.text}\x1e".encode())
    return digest.hexdigest()


def _speakers_for(
    story: Story, segments: Sequence[SegmentData], *, actor: User | None
) -> dict[str, Speaker]:
    """The story's speaker for every label in ``segments``, adding rows for new labels.

    A name typed while editing may be a speaker's display name rather than their
    label; it is looked up both ways (display name first) before a row is added.

    New speakers get a guessed part (see ``cohub.pipeline.speakers``) that people
    can change. Once the story has a storyteller, a new label is never made one.
    """
    existing = list(Speaker.objects.filter(story=story))
    speakers = {speaker.label: speaker for speaker in existing}
    known = {s.label.casefold(): s for s in existing} | {
        s.display_name.casefold(): s for s in existing
    }
    for label in {segment.speaker[:120] for segment in segments if segment.speaker}:
        if label not in speakers and label.casefold() in known:
            speakers[label] = known[label.casefold()]
    new_labels = [
        label
        for label in dict.fromkeys(segment.speaker[:120] for segment in segments)
        if label and label not in speakers
    ]
    if not new_labels:
        return speakers
    has_storyteller = any(speaker.is_storyteller for speaker in speakers.values())
    teller = story.storyteller
    gatherers = [user.display_name for user in (actor, story.created_by) if user is not None]
    parts = guess_parts(
        new_labels,
        storyteller_names=[teller.pseudonym, teller.real_name],
        interviewer_names=gatherers,
    )
    for label in new_labels:
        part = parts[label]
        if part == Part.STORYTELLER and has_storyteller:
            part = Part.PARTICIPANT
        speakers[label] = Speaker.objects.create(
            story=story, label=label, display_name=label, part=SpeakerPart(part.value)
        )
    return speakers


def _store_transcript(
    story: Story,
    segments: Sequence[SegmentData],
    version: int,
    speakers: dict[str, Speaker],
    *,
    spoken_by: Sequence[Speaker | None] | None = None,
    actor: User | None = None,
    reason: str = "",
) -> Transcript:
    """Join segments into one text and remember where each one sits in it, and who spoke.

    Who spoke is found by label in ``speakers``, or given per segment in ``spoken_by``.
    Each timed part keeps one time per word (``fit_words``): the words it came
    with where they still match its text, aligned or shared out where not.
    """
    parts: list[str] = []
    rows: list[Segment] = []
    offset = 0
    for index, segment in enumerate(segments):
        if parts:
            offset += len(Transcript.SEPARATOR)
        if spoken_by is not None:
            speaker = spoken_by[index]
        else:
            speaker = speakers.get(segment.speaker[:120]) if segment.speaker else None
        rows.append(
            Segment(
                index=index,
                speaker=speaker,
                start_ms=segment.start_ms,
                end_ms=segment.end_ms,
                text=segment.text,
                char_start=offset,
                char_end=offset + len(segment.text),
                words=words_to_json(
                    fit_words(segment.words, segment.text, segment.start_ms, segment.end_ms)
                ),
            )
        )
        parts.append(segment.text)
        offset += len(segment.text)
    transcript = Transcript.objects.create(
        story=story,
        version=version,
        text=Transcript.SEPARATOR.join(parts),
        reason=reason.strip()[:200],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    for row in rows:
        row.transcript = transcript
    Segment.objects.bulk_create(rows)
    return transcript


@transaction.atomic
def _story_create(
    *,
    project: Project,
    storyteller: Storyteller,
    actor: User | None,
    title: str,
    segments: Sequence[SegmentData],
    source: str,
    source_filename: str = "",
    recorded_on: dt.date | None = None,
) -> Story:
    if storyteller.project_id != project.pk:
        raise ServiceError("That storyteller belongs to a different project.")
    # Lock the project, then the storyteller, and read consent afresh: the caller's
    # copy may be stale (a form's prefetched consent), and a withdrawal or a second
    # import of the same file must not slip in between the checks and the insert.
    Project.objects.select_for_update(no_key=True).get(pk=project.pk)
    storyteller = Storyteller.objects.select_for_update().get(pk=storyteller.pk)
    require_consent(storyteller, *GATHERING_SCOPES)
    dates.refuse_future(recorded_on, what=dates.TOLD_ON)
    if not segments:
        raise ServiceError("The story has no text.")
    content_hash = _content_hash(segments)
    duplicate = Story.objects.filter(project=project, content_hash=content_hash).first()
    if duplicate is not None:
        raise ServiceError(
            f"This transcript is already in the project as the story '{duplicate.title}'. "
            "Nothing new was added."
        )
    story = Story.objects.create(
        project=project,
        storyteller=storyteller,
        title=title.strip() or "Untitled story",
        source=source,
        source_filename=source_filename,
        content_hash=content_hash,
        recorded_on=recorded_on,
        created_by=actor,
    )
    _store_transcript(story, segments, 1, _speakers_for(story, segments, actor=actor), actor=actor)
    record_event(
        actor=actor,
        verb="story.create",
        target=story,
        project_id=project.pk,
        data={"source": source, "segments": len(segments)},
    )
    return story


def story_create_from_text(
    *,
    project: Project,
    storyteller: Storyteller,
    actor: User | None,
    title: str,
    text: str,
    recorded_on: dt.date | None = None,
) -> Story:
    """A story typed or pasted in; ``Name: words`` lines set the speaker."""
    segments = parse_text(text)
    return _story_create(
        project=project,
        storyteller=storyteller,
        actor=actor,
        title=title,
        segments=segments,
        source=StorySource.TYPED,
        recorded_on=recorded_on,
    )


def story_import_transcript(
    *,
    project: Project,
    storyteller: Storyteller,
    actor: User | None,
    data: bytes,
    filename: str,
    title: str = "",
    recorded_on: dt.date | None = None,
) -> Story:
    """Import a TXT, WebVTT, SRT or DOCX transcript as a new story.

    Parsing happens before anything is written, and the write is one
    transaction, so a bad file leaves nothing half-imported behind.
    Raises ``TranscriptFormatError`` (what and where) or ``ServiceError``.
    """
    segments = parse_transcript(data, filename)
    return _story_create(
        project=project,
        storyteller=storyteller,
        actor=actor,
        title=title or _title_from_filename(filename),
        segments=segments,
        source=StorySource.TRANSCRIPT_FILE,
        source_filename=filename[:255],
        recorded_on=recorded_on,
    )


def story_import_exact_text(
    *,
    project: Project,
    storyteller: Storyteller,
    actor: User | None,
    text: str,
    title: str,
    source_filename: str = "",
) -> Story:
    """A story whose stored words are exactly ``text``, character for character.

    For text that comes with offsets into it (a REFI-QDA source and its coded
    selections): ``story_create_from_text`` reads ``Name:`` lines as speakers
    and would move every offset. Paragraphs become parts only when joining them
    again gives back the same text; otherwise the text is one part.
    """
    parts = text.split(Transcript.SEPARATOR)
    if not all(parts) or Transcript.SEPARATOR.join(parts) != text:
        parts = [text]
    return _story_create(
        project=project,
        storyteller=storyteller,
        actor=actor,
        title=title,
        segments=[SegmentData(text=part) for part in parts if part],
        source=StorySource.TRANSCRIPT_FILE,
        source_filename=source_filename[:255],
    )


class NamedUpload(Protocol):
    """A file someone brought: a web upload, or a file on disk the command line opens."""

    @property
    def name(self) -> str | None: ...

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class FileImport:
    """What happened to one file of a batch: the story it became, or why it did not."""

    filename: str
    story: Story | None = None
    storyteller_created: bool = False
    error: str = ""

    @property
    def message(self) -> str:
        """The outcome in words that name the file, for a page or a terminal."""
        if self.story is not None:
            return f"{self.filename} was added as the story '{self.story.title}'."
        return f"{self.filename} was not imported: {self.error}"


@dataclass(frozen=True)
class BatchResult:
    """Every file of a batch, in the order given, each imported or refused on its own."""

    files: tuple[FileImport, ...]

    @property
    def imported(self) -> list[FileImport]:
        return [item for item in self.files if item.story is not None]

    @property
    def failed(self) -> list[FileImport]:
        return [item for item in self.files if item.story is None]


EMPTY_FILE = "The file is empty: there are no words in it to import."


def _read_upload(upload: NamedUpload) -> bytes:
    """Read at most one byte past the limit, so an oversized file is refused cheaply."""
    return upload.read(MAX_TRANSCRIPT_BYTES + 1)


def _storyteller_named(project: Project, pseudonym: str) -> Storyteller | None:
    """The one active storyteller called ``pseudonym`` (ignoring capitals and spacing).

    Names are unique among active storytellers, but rows written before that rule
    (or by hand) may still share one: two matches is a refusal, not a guess.
    """
    key = pseudonym_key(pseudonym)
    matches = [
        storyteller
        for storyteller in Storyteller.objects.filter(
            project=project, withdrawn_at__isnull=True
        ).order_by("pk")
        if pseudonym_key(storyteller.pseudonym) == key
    ]
    if len(matches) > 1:
        raise ServiceError(
            f"Two storytellers in this project are called '{pseudonym}', so cohub cannot "
            "tell whose story this is. Give one of them another name first."
        )
    return matches[0] if matches else None


def stories_import_batch(
    *,
    project: Project,
    actor: User | None,
    files: Sequence[NamedUpload],
    storyteller: Storyteller | None = None,
    storyteller_pseudonym: str = "",
    consent_for_new: Mapping[str, Any] | None = None,
    consent_note: str = "",
    title: str = "",
    recorded_on: dt.date | None = None,
) -> BatchResult:
    """Import each file as its own story; a file that fails never stops the others.

    Whose stories they are: ``storyteller``; else the active storyteller called
    ``storyteller_pseudonym``, registered with ``consent_for_new`` (scope -> True,
    ``keep_until``) if there is none yet; else a new storyteller per file, named
    after it. Each file is one transaction with the storyteller made for it, so a
    refused file leaves nothing behind, not even that storyteller. Files run in
    order, so the second of two identical files is refused as already imported.
    ``title`` names every story; empty names each after its file. Raises
    ``ServiceError`` only when nothing can be tried (a date in the future, a
    'keep until' date gone by, two storytellers sharing the name).
    """
    pseudonym = storyteller_pseudonym.strip()
    if storyteller is not None and pseudonym:
        raise ValueError("Give a storyteller or a pseudonym to find one by, not both.")
    dates.refuse_future(recorded_on, what=dates.TOLD_ON)
    if storyteller is None:
        dates.refuse_past((consent_for_new or {}).get("keep_until"), what=dates.KEEP_UNTIL)
    shared = storyteller or (_storyteller_named(project, pseudonym) if pseudonym else None)
    results: list[FileImport] = []
    for upload in files:
        filename = PurePath(upload.name or "").name or "(no name)"
        try:
            data = _read_upload(upload)
        except OSError as error:
            reason = error.strerror or str(error)
            results.append(FileImport(filename, error=f"The file could not be read ({reason})."))
            continue
        if not data:
            results.append(
                FileImport(filename, error="The file is empty: there are no words in it to import.")
            )
            continue
        try:
            with transaction.atomic():
                owner, created = shared, False
                if owner is None:
                    # The project lock makes a second import of the same name wait,
                    # then find the storyteller this one made instead of making another.
                    Project.objects.select_for_update(no_key=True).get(pk=project.pk)
                    owner = _storyteller_named(project, pseudonym) if pseudonym else None
                if owner is None:
                    owner, created = (
                        storyteller_create(
                            project=project,
                            actor=actor,
                            pseudonym=pseudonym
                            or _free_pseudonym(project, PurePath(filename).stem),
                            consent=dict(consent_for_new or {}),
                            consent_note=consent_note,
                        ),
                        True,
                    )
                story = story_import_transcript(
                    project=project,
                    storyteller=owner,
                    actor=actor,
                    data=data,
                    filename=filename,
                    title=title,
                    recorded_on=recorded_on,
                )
        except (ServiceError, TranscriptFormatError) as error:
            results.append(FileImport(filename, error=str(error)))
            continue
        if pseudonym:
            shared = owner
        results.append(FileImport(filename, story=story, storyteller_created=created))
    return BatchResult(files=tuple(results))


# An import at least this big runs as a job on a worker instead of inside the web
# request: a megabyte of transcript is hours of talk, and reading several such files
# (each Word file unpacked, each part stored) would hold a server thread for seconds
# while the person waits on a page that may time out.
BIG_IMPORT_BYTES = 1024 * 1024
BIG_IMPORT_FILES = 5


def import_runs_as_job(files: Sequence[NamedUpload]) -> bool:
    """Whether these uploads are a big import: over a megabyte in all, or over five files."""
    total = sum(getattr(upload, "size", 0) or 0 for upload in files)
    return total >= BIG_IMPORT_BYTES or len(files) > BIG_IMPORT_FILES


def stories_import_queue(
    *,
    project: Project,
    actor: User,
    files: Sequence[NamedUpload],
    storyteller: Storyteller,
    title: str = "",
    recorded_on: dt.date | None = None,
) -> Job:
    """Keep the files where a worker can read them and queue their import as a job.

    The job calls :func:`stories_import_stored`, which runs the same batch import
    as the page and then deletes the files. A storyteller who withdraws before it
    runs has the files deleted at once (:func:`consent_withdraw`).
    """
    if storyteller.project_id != project.pk:
        raise ServiceError("That storyteller belongs to a different project.")
    dates.refuse_future(recorded_on, what=dates.TOLD_ON)
    read = [
        (PurePath(upload.name or "").name or "(no name)", _read_upload(upload)) for upload in files
    ]
    stored = uploads_store(read)
    return job_enqueue(
        kind=IMPORT_BATCH,
        params={
            "files": [upload.to_param() for upload in stored],
            "storyteller_id": storyteller.pk,
            "title": title,
            "recorded_on": recorded_on.isoformat() if recorded_on else None,
        },
        project_id=project.pk,
        created_by=actor,
    )


def stories_import_stored(
    *,
    project: Project,
    actor: User | None,
    storyteller: Storyteller,
    stored: Sequence[StoredUpload],
    title: str = "",
    recorded_on: dt.date | None = None,
    progress: Callable[[int, str], None] | None = None,
) -> BatchResult:
    """Import files kept by :func:`stories_import_queue`, one at a time, then delete them.

    Each file goes through :func:`stories_import_batch`, so a queued import keeps
    the good files and names the bad ones exactly as the page does. The files are
    deleted whatever happens: they are storytellers' words, and a failed import is
    started again by uploading them again.
    """
    results: list[FileImport] = []
    try:
        for number, upload in enumerate(stored, start=1):
            if progress is not None:
                progress(
                    int(100 * (number - 1) / len(stored)), f"Reading file {number} of {len(stored)}"
                )
            batch = stories_import_batch(
                project=project,
                actor=actor,
                files=[upload],
                storyteller=storyteller,
                title=title,
                recorded_on=recorded_on,
            )
            results.extend(batch.files)
    finally:
        uploads_delete(stored)
    return BatchResult(files=tuple(results))


def _title_from_filename(filename: str) -> str:
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return " ".join(stem.replace("_", " ").replace("-", " ").split()).capitalize() or "Untitled"


def _clean_display_name(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise ServiceError("Give the speaker a name people will know them by.")
    if len(name) > 120:
        raise ServiceError("A speaker's name can be at most 120 characters.")
    return name


@transaction.atomic
def speaker_update(
    *,
    speaker: Speaker,
    actor: User | None,
    display_name: str | None = None,
    part: str | None = None,
) -> tuple[Speaker, bool]:
    """Rename a speaker or change their part; returns the speaker and whether anything changed.

    Every page reads the speaker row, so a rename shows everywhere at once. Only
    one speaker can be the storyteller, because the storyteller's consent
    decides whether their name is shown. The audit event names the fields and
    parts, never the names, which may be real ones.
    """
    storyteller = Storyteller.objects.select_for_update().get(pk=speaker.story.storyteller_id)
    require_consent(storyteller, ConsentScope.TRANSCRIBE)
    speaker = Speaker.objects.select_for_update().get(pk=speaker.pk)
    changes: dict[str, Any] = {}
    if display_name is not None:
        name = _clean_display_name(display_name)
        if name != speaker.display_name:
            changes["display_name"] = name
    if part is not None:
        if part not in SpeakerPart.values:
            raise ServiceError(f"Unknown part {part!r}.")
        if part != speaker.part:
            changes["part"] = part
    if changes.get("part") == SpeakerPart.STORYTELLER:
        other = (
            Speaker.objects.filter(story_id=speaker.story_id, part=SpeakerPart.STORYTELLER)
            .exclude(pk=speaker.pk)
            .first()
        )
        if other is not None:
            raise ServiceError(
                f"{other.display_name} is already the storyteller. "
                f"Change {other.display_name} to another part first."
            )
    if not changes:
        return speaker, False
    before_part = speaker.part
    for name, value in changes.items():
        setattr(speaker, name, value)
    speaker.save(update_fields=list(changes))
    record_event(
        actor=actor,
        verb="speaker.update",
        target=speaker,
        project_id=storyteller.project_id,
        data={
            "story_id": speaker.story_id,
            "fields": sorted(changes),
            "part": {"before": before_part, "after": speaker.part},
        },
    )
    return speaker, True


# ---------------------------------------------------------------------------
# Editing a story: its details and its words, each change undoable


class _Unset:
    """Marks a keyword left out, where None is a value ("date not known")."""


UNSET = _Unset()


@dataclass(frozen=True)
class StoryChange:
    """What an edit did: the story, and the edit row to undo it by (None if nothing changed)."""

    story: Story
    edit: StoryEdit | None


@dataclass(frozen=True)
class Revision:
    """A new version of a story's words, and what followed it (e.g. ``quotes_lost``)."""

    story: Story
    transcript: Transcript
    edit: StoryEdit | None
    followed: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.edit is not None


def _lock_for_editing(story: Story) -> Story:
    """Lock the project, the storyteller (and check consent to transcription), then the story.

    The order every story and coding write takes locks in: a new version
    writes coding events for the quotes that follow it, and the project row
    keeps the change feed in commit order. The story is read as stored now,
    so a withdrawal that lands first wins.
    """
    Project.objects.select_for_update(no_key=True).filter(pk=story.project_id).exists()
    storyteller = Storyteller.objects.select_for_update().get(pk=story.storyteller_id)
    require_consent(storyteller, ConsentScope.TRANSCRIBE)
    return Story.objects.select_for_update().select_related("storyteller").get(pk=story.pk)


def _details(story: Story) -> dict[str, Any]:
    return {
        "title": story.title,
        "recorded_on": story.recorded_on.isoformat() if story.recorded_on else None,
    }


def _apply_details(story: Story, values: dict[str, Any]) -> None:
    story.title = values["title"]
    day = values["recorded_on"]
    story.recorded_on = dt.date.fromisoformat(day) if day else None


@transaction.atomic
def story_update(
    *,
    story: Story,
    actor: User | None,
    title: str | None = None,
    recorded_on: dt.date | None | _Unset = UNSET,
) -> StoryChange:
    """Change a story's title or the date it was told; undo with ``story_edit_undo``.

    The audit event names the fields that changed, not their values: titles
    can name people, and audit rows outlive the story.
    """
    story = _lock_for_editing(story)
    before = _details(story)
    if title is not None:
        title = " ".join(title.split())
        if not title:
            raise ServiceError("Give the story a title.")
        story.title = title[:200]
    if not isinstance(recorded_on, _Unset):
        dates.refuse_future(recorded_on, what=dates.TOLD_ON)
        story.recorded_on = recorded_on
    after = _details(story)
    fields = sorted(name for name in after if after[name] != before[name])
    if not fields:
        return StoryChange(story=story, edit=None)
    story.save(update_fields=[*fields, "updated_at"])
    edit = StoryEdit.objects.create(
        story=story, kind=StoryEditKind.DETAILS, before=before, after=after, actor=_user(actor)
    )
    record_event(
        actor=actor,
        verb="story.update",
        target=story,
        project_id=story.project_id,
        data={"fields": fields, "edit_id": edit.pk},
    )
    return StoryChange(story=story, edit=edit)


def _user(actor: User | None) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def _write_version(
    story: Story,
    actor: User | None,
    segments: Sequence[SegmentData],
    *,
    reason: str,
    spoken_by: Sequence[Speaker | None] | None = None,
    record_edit: bool = True,
) -> Revision:
    """Store ``segments`` as the next version, move what followed the old one, log it."""
    old = latest_transcript_locked(story)
    if not segments or not any(segment.text.strip() for segment in segments):
        raise ServiceError("The story has no text. To remove a story, delete it instead.")
    speakers = _speakers_for(story, segments, actor=actor) if spoken_by is None else {}
    new_speakers = (
        list(spoken_by)
        if spoken_by is not None
        else [speakers.get(s.speaker[:120]) if s.speaker else None for s in segments]
    )
    old_rows = list(old.segments.order_by("index"))
    same = len(old_rows) == len(segments) and [
        (s.text, s.start_ms, s.end_ms, s.speaker_id) for s in old_rows
    ] == [
        (seg.text, seg.start_ms, seg.end_ms, who.pk if who else None)
        for seg, who in zip(segments, new_speakers, strict=True)
    ]
    if same:
        return Revision(story=story, transcript=old, edit=None)
    new = _store_transcript(
        story,
        segments,
        old.version + 1,
        {},
        spoken_by=new_speakers,
        actor=actor,
        reason=reason,
    )
    followed = follow_revision(old, new)
    edit = None
    if record_edit:
        edit = StoryEdit.objects.create(
            story=story,
            kind=StoryEditKind.TEXT,
            before={"version": old.version},
            after={"version": new.version},
            actor=_user(actor),
        )
    record_event(
        actor=actor,
        verb="transcript.revise",
        target=story,
        project_id=story.project_id,
        data={
            "from_version": old.version,
            "version": new.version,
            "segments": len(segments),
            **followed,
        },
    )
    return Revision(story=story, transcript=new, edit=edit, followed=followed)


def latest_transcript_locked(story: Story) -> Transcript:
    """The newest version, read after the story row is locked (so it cannot move on)."""
    transcript = Transcript.objects.filter(story=story).order_by("-version").first()
    if transcript is None:
        raise ServiceError("This story has no text to change.")
    return transcript


def _check_based_on(current: Transcript, based_on_version: int | None) -> None:
    if based_on_version is not None and based_on_version != current.version:
        raise ServiceError(
            "Someone changed the words of this story while you were editing. "
            "Nothing was saved. Here are the newest words: make your change again."
        )


@transaction.atomic
def transcript_revise(
    *,
    story: Story,
    actor: User | None,
    reason: str,
    text: str | None = None,
    segments: Sequence[SegmentData] | None = None,
    based_on_version: int | None = None,
) -> Revision:
    """Write a new version of a story's words, and move every key quote onto it.

    Give ``text`` (``Name: words`` lines, as when typing a story) or ``segments``
    (a correction, a redaction, a new run of speech-to-text). Parts whose words
    are unchanged, or corrected one for one, keep their times. Apps that anchor
    things in the text follow it (``stories.revisions``): quotes they cannot
    place are flagged for a person. ``based_on_version`` refuses the change if
    someone else wrote a newer version meanwhile. Undo with ``story_edit_undo``.
    """
    if (text is None) == (segments is None):
        raise ServiceError("Give either the new text or the new parts, not both.")
    story = _lock_for_editing(story)
    current = latest_transcript_locked(story)
    _check_based_on(current, based_on_version)
    new_segments = list(segments) if segments is not None else parse_text(text or "")
    old_segments = [
        SegmentData(
            text=s.text,
            speaker="",
            start_ms=s.start_ms,
            end_ms=s.end_ms,
            words=words_from_json(s.words),
        )
        for s in current.segments.order_by("index")
    ]
    new_segments = carry_times(old_segments, new_segments)
    return _write_version(story, actor, new_segments, reason=reason)


@transaction.atomic
def transcript_revise_part(
    *,
    story: Story,
    actor: User | None,
    index: int,
    text: str,
    speaker: Speaker | None,
    reason: str,
    based_on_version: int | None = None,
) -> Revision:
    """Change the words, or who says them, of one part; the other parts stay as they are."""
    story = _lock_for_editing(story)
    current = latest_transcript_locked(story)
    _check_based_on(current, based_on_version)
    if speaker is not None and speaker.story_id != story.pk:
        raise ServiceError("That speaker is in a different story.")
    rows = list(current.segments.select_related("speaker").order_by("index"))
    if not any(row.index == index for row in rows):
        raise ServiceError("That part is not in the story any more.")
    words = " ".join(text.split())
    if not words:
        raise ServiceError("A part needs some words. To take words out, change the whole text.")
    # The part keeps its words' times: unchanged words as they were, corrected
    # ones aligned between them (``_store_transcript`` fits them to the new text).
    segments = [
        SegmentData(
            text=words if row.index == index else row.text,
            start_ms=row.start_ms,
            end_ms=row.end_ms,
            words=words_from_json(row.words),
        )
        for row in rows
    ]
    spoken_by = [speaker if row.index == index else row.speaker for row in rows]
    return _write_version(story, actor, segments, reason=reason, spoken_by=spoken_by)


@transaction.atomic
def story_edit_undo(*, edit: StoryEdit, actor: User | None) -> StoryChange:
    """Put back what one edit changed, if nothing has changed it again since.

    Undoing a change of words writes the earlier words as a new version (versions
    are never removed), and the quotes follow them back.
    """
    story = _lock_for_editing(edit.story)
    edit = StoryEdit.objects.select_for_update().get(pk=edit.pk)
    if edit.undone_at is not None:
        raise ServiceError("That change has already been undone.")
    changed_since = ServiceError(
        "This story has been changed again since, so that change cannot be undone on its own."
    )
    if edit.kind == StoryEditKind.DETAILS:
        if _details(story) != edit.after:
            raise changed_since
        _apply_details(story, edit.before)
        story.save(update_fields=["title", "recorded_on", "updated_at"])
    else:
        current = latest_transcript_locked(story)
        if current.version != edit.after["version"]:
            raise changed_since
        earlier = Transcript.objects.get(story=story, version=edit.before["version"])
        rows = list(earlier.segments.select_related("speaker").order_by("index"))
        _write_version(
            story,
            actor,
            [
                SegmentData(
                    text=r.text,
                    start_ms=r.start_ms,
                    end_ms=r.end_ms,
                    words=words_from_json(r.words),
                )
                for r in rows
            ],
            reason=f"Undo: back to the words of version {earlier.version}",
            spoken_by=[r.speaker for r in rows],
            record_edit=False,
        )
    edit.undone_at = timezone.now()
    edit.undone_by = _user(actor)
    edit.save(update_fields=["undone_at", "undone_by"])
    record_event(
        actor=actor,
        verb="story.undo",
        target=story,
        project_id=story.project_id,
        data={"edit_id": edit.pk, "kind": edit.kind},
    )
    return StoryChange(story=story, edit=edit)


@transaction.atomic
def story_delete(*, story: Story, actor: User) -> None:
    """Remove one story and everything derived from it (the storyteller stays)."""
    from cohub.apps.stories.purge import purge_stories

    project_id, story_id = story.project_id, story.pk
    purge_stories(Story.objects.filter(pk=story.pk))
    record_event(
        actor=actor,
        verb="story.delete",
        project_id=project_id,
        data={"story_id": story_id},
    )


def stories_purge_expired(*, today: dt.date | None = None) -> int:
    """Remove the stories of every storyteller whose 'keep until' date has passed.

    Consent to keep a story ends on that date, so the story and everything
    made from it go, as on withdrawal; the profile and consent history stay.
    Safe to run any number of times. Returns the number of stories removed.
    """
    from cohub.apps.stories.purge import purge_stories

    today = today or timezone.localdate()
    removed = 0
    candidates = Storyteller.objects.filter(
        withdrawn_at__isnull=True, consent_records__keep_until__lt=today, stories__isnull=False
    ).distinct()
    for storyteller in candidates:
        with transaction.atomic():
            storyteller = Storyteller.objects.select_for_update().get(pk=storyteller.pk)
            # Keeping a story is a way out of its own (ways_out.KEEP): the gate says when it ends.
            now = consent_now(storyteller, today=today)
            consent = now.record
            if consent is None or consent.keep_until is None or way_out_withheld(now, KEEP) is None:
                continue
            count = purge_stories(Story.objects.filter(storyteller=storyteller))
            if count:
                record_event(
                    actor=None,
                    verb="consent.expired",
                    target=storyteller,
                    project_id=storyteller.project_id,
                    data={"stories_removed": count, "keep_until": consent.keep_until.isoformat()},
                )
            removed += count
    return removed
