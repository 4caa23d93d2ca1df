"""The demo's data files read into plain values, with no database and no Django.

``data/demo.toml`` describes the organisation, people, project, storytellers,
themes and stories; each story's transcript is its own file beside it, in the
format a team would bring (WebVTT from a video call, typed ``Name: words``
notes). Key quotes are given by their exact words, not by offsets, so a
transcript can be edited without silently moving a quote: reading checks that
every quote's words are still in its transcript and stops, naming the file
and the quote, when one is not. Everything is checked here, before the loader
writes anything.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cohub.apps.stories.personal import PROFILE_FIELDS as STORYTELLER_PROFILE_FIELDS
from cohub.pipeline.formats import (
    SegmentData,
    TranscriptFormatError,
    parse_text,
    parse_transcript,
)
from cohub.pipeline.words import words_from_json

DATA_DIR = Path(__file__).resolve().parent / "data"
MANIFEST_NAME = "demo.toml"

# How a story arrives, as the stories service names it: imported from a file, typed in,
# or a recording with what cohub's speech-to-text heard in it (made once, shipped).
SOURCES = ("transcript_file", "typed", "recording")
SPEAKER_PARTS = ("storyteller", "interviewer", "participant")

# What [project] may hold: the fields ``project_create`` takes besides who and where.
PROJECT_FIELDS = frozenset(
    {"slug", "name", "purpose", "opening_question", "offer_and_control", "sectors", "topics"}
)

# The profile fields a storyteller entry may carry besides its pseudonym and consent.
PROFILE_FIELDS = frozenset(STORYTELLER_PROFILE_FIELDS) - {"pseudonym"}


class DemoDataError(ValueError):
    """The demo's data files are inconsistent; the message names the file and the entry."""


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    does: str
    project_role: str = ""
    organisation_role: str = ""


@dataclass(frozen=True)
class StorytellerSpec:
    pseudonym: str
    profile: Mapping[str, Any]
    consent: Mapping[str, bool]
    consent_note: str
    keep_for_days: int | None = None


@dataclass(frozen=True)
class QuoteSpec:
    """A key quote, known by its words; the loader finds them in the stored transcript."""

    words: str
    coder: str
    attribution: str
    themes: tuple[str, ...] = ()
    change_level: str = ""
    sectors: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class StorySpec:
    storyteller: str
    title: str
    source: str
    transcript: Path
    reporter: str
    recorded_on: dt.date | None = None
    ideas: str = ""
    summary: str = ""
    quotes: tuple[QuoteSpec, ...] = ()
    recording: Path | None = None
    """For ``source = "recording"``: the sound file; ``transcript`` is what was heard in it."""
    speakers: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Speaker label -> (the name people see, their part), set after loading."""
    corrections: tuple[tuple[int, str], ...] = ()
    """(part number from 1, corrected words): corrections made after speech-to-text."""

    @property
    def data(self) -> bytes:
        return self.transcript.read_bytes()

    @property
    def text(self) -> str:
        return self.transcript.read_text(encoding="utf-8")


@dataclass(frozen=True)
class BoardMoveSpec:
    """A quote moved on the workshop board: found by the start of its words, moved from its
    first theme (or from Not sorted yet) to ``to``."""

    by: str
    quote: str
    to: str


@dataclass(frozen=True)
class BoardNoteSpec:
    by: str
    text: str
    theme: str = ""


@dataclass(frozen=True)
class VisioningSpec:
    """A future-visioning round on the board: the facilitator's question and people's notes.

    The loader groups the notes with the theme engine, as "Group the notes" does.
    """

    prompt: str
    notes: tuple[BoardNoteSpec, ...] = ()


@dataclass(frozen=True)
class BoardSpec:
    """The workshop board: how people say they take part, and a few changes they made."""

    taking_part: Mapping[str, str] = field(default_factory=dict)
    moves: tuple[BoardMoveSpec, ...] = ()
    notes: tuple[BoardNoteSpec, ...] = ()
    visioning: VisioningSpec | None = None


@dataclass(frozen=True)
class ReportVersionSpec:
    """A version of the findings report saved for one audience (docs/adr/0031)."""

    title: str
    for_you: str = ""
    themes: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChangeSpec:
    """Something changing because of the findings ("you said, we did", docs/adr/0033)."""

    title: str
    status: str
    owner: str = ""
    due: dt.date | None = None
    themes: tuple[str, ...] = ()
    what_was_done: str = ""
    reason: str = ""


@dataclass(frozen=True)
class QuoteCheckSpec:
    """A storyteller's answer about one of their quotes (docs/adr/0032)."""

    storyteller: str
    quote: str
    """The first words of the quote."""
    answer: str
    comment: str = ""


CHANGE_STATUSES = ("planned", "in_progress", "done", "not_doing")
CHECK_ANSWERS = ("approved", "change", "remove")


@dataclass(frozen=True)
class Demo:
    """Everything the demo holds, checked against itself and its transcripts."""

    manifest: Path
    password: str
    organisation_slug: str
    organisation_name: str
    people: tuple[Person, ...]
    project: Mapping[str, Any]
    themes: tuple[tuple[str, str], ...]
    storytellers: tuple[StorytellerSpec, ...]
    stories: tuple[StorySpec, ...]
    board: BoardSpec = field(default_factory=BoardSpec)
    report_versions: tuple[ReportVersionSpec, ...] = ()
    changes: tuple[ChangeSpec, ...] = ()
    quote_checks: tuple[QuoteCheckSpec, ...] = ()

    @property
    def project_slug(self) -> str:
        return str(self.project["slug"])

    @property
    def quotes(self) -> tuple[QuoteSpec, ...]:
        return tuple(quote for story in self.stories for quote in story.quotes)

    def email_for(self, *, project_role: str = "", organisation_role: str = "") -> str:
        """The first person holding this role (reading checks there is one facilitator)."""
        for person in self.people:
            if (project_role and person.project_role == project_role) or (
                organisation_role and person.organisation_role == organisation_role
            ):
                return person.email
        raise DemoDataError(
            f"{self.manifest}: nobody has the role {project_role or organisation_role!r}."
        )


def find_quote(text: str, words: str, *, source: str) -> tuple[int, int]:
    """Where the quote's exact ``words`` sit in ``text``, as ``(start, end)`` offsets.

    Any run of spaces or line breaks matches any other, so a quote may be wrapped
    in the manifest or run across two parts of a transcript; letters and
    punctuation must match exactly. Words found nowhere, or in more than one
    place, are an error naming ``source`` and the quote, so an edited transcript
    cannot quietly move or drop a quote.
    """
    parts = words.split()
    if not parts:
        raise DemoDataError(f"{source}: a key quote has no words.")
    pattern = re.compile(r"\s+".join(re.escape(part) for part in parts))
    matches = [match.span() for match in pattern.finditer(text)]
    shown = " ".join(parts)
    if not matches:
        raise DemoDataError(f"{source}: the key quote {shown!r} is not in the transcript.")
    if len(matches) > 1:
        raise DemoDataError(
            f"{source}: the key quote {shown!r} is in the transcript {len(matches)} times; "
            "quote more words so it is found in one place."
        )
    return matches[0]


def heard_segments(story: StorySpec) -> list[SegmentData]:
    """What speech-to-text heard in a demo recording, as the transcription job hands it over.

    The file (``scripts/make-demo-recording.py`` writes it) holds each part's
    start, end, speaker label, words and word times.
    """
    try:
        raw = json.loads(story.text)
        return [
            SegmentData(
                text=str(part["text"]),
                speaker=str(part.get("speaker") or ""),
                start_ms=int(part["start_ms"]),
                end_ms=int(part["end_ms"]),
                words=words_from_json(part.get("words")),
            )
            for part in raw["segments"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DemoDataError(f"{story.transcript}: not a transcript cohub made ({exc})") from exc


def story_segments(story: StorySpec) -> list[SegmentData]:
    """Parse the transcript file the way the stories service will on loading it.

    For a recording, with its corrections made, as the loader makes them.
    """
    try:
        if story.source == "typed":
            return parse_text(story.text)
        if story.source == "recording":
            heard = heard_segments(story)
            for number, words in story.corrections:
                if not 1 <= number <= len(heard):
                    raise DemoDataError(
                        f"{story.transcript}: there is no part {number} to correct."
                    )
                heard[number - 1] = replace(heard[number - 1], text=words)
            return heard
        return parse_transcript(story.data, story.transcript.name)
    except (OSError, UnicodeDecodeError, TranscriptFormatError) as exc:
        raise DemoDataError(f"{story.transcript}: {exc}") from exc


def read_demo(data_dir: Path = DATA_DIR) -> Demo:
    """Read ``demo.toml`` and the transcripts beside it, checking every reference.

    Raises ``DemoDataError`` naming the file and entry for anything missing,
    unknown or not found, including a key quote whose words are not in its
    transcript.
    """
    manifest = data_dir / MANIFEST_NAME
    try:
        raw = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DemoDataError(f"{manifest}: {exc}") from exc
    reader = _Reader(manifest)
    demo = reader.demo(raw)
    for story in demo.stories:
        # Joined as the stories service joins segments; only blank space differs, and
        # find_quote treats all blank space alike, so a quote found here is found there.
        text = "\n\n".join(segment.text for segment in story_segments(story))
        for quote in story.quotes:
            find_quote(text, quote.words, source=str(story.transcript))
    return demo


class _Reader:
    """Turns the parsed TOML into dataclasses, naming the entry in every complaint."""

    def __init__(self, manifest: Path) -> None:
        self.manifest = manifest

    def fail(self, where: str, problem: str) -> DemoDataError:
        return DemoDataError(f"{self.manifest}: {where}: {problem}")

    def table(self, raw: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
        value = raw.get(key)
        if not isinstance(value, dict):
            raise self.fail(where, f"needs a [{key}] table.")
        return value

    def tables(self, raw: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(where, f"[[{key}]] must be a list of tables.")
        return value

    def text(
        self, raw: Mapping[str, Any], key: str, where: str, *, default: str | None = None
    ) -> str:
        value = raw.get(key, default)
        if not isinstance(value, str):
            raise self.fail(where, f"needs {key} as text.")
        return value

    def words(self, raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(where, f"{key} must be a list of text.")
        return tuple(value)

    def known(self, raw: Mapping[str, Any], allowed: Collection[str], where: str) -> None:
        unknown = set(raw) - set(allowed)
        if unknown:
            raise self.fail(where, f"unknown keys {', '.join(sorted(unknown))}.")

    def demo(self, raw: Mapping[str, Any]) -> Demo:
        self.known(
            raw,
            (
                "password",
                "organisation",
                "people",
                "project",
                "themes",
                "storytellers",
                "stories",
                "board",
                "report_versions",
                "changes",
                "quote_checks",
            ),
            "top level",
        )
        organisation = self.table(raw, "organisation", "top level")
        people = tuple(self.person(entry) for entry in self.tables(raw, "people", "top level"))
        emails = {person.email for person in people}
        if len(emails) != len(people):
            raise self.fail("[[people]]", "an email is listed twice.")
        facilitators = [p for p in people if p.project_role == "facilitator"]
        if len(facilitators) != 1:
            raise self.fail("[[people]]", 'exactly one person needs project_role = "facilitator".')
        project = dict(self.table(raw, "project", "top level"))
        self.known(project, PROJECT_FIELDS, "[project]")
        for key in ("slug", "name", "purpose", "opening_question"):
            self.text(project, key, "[project]")
        themes = tuple(
            (
                self.text(entry, "name", "[[themes]]"),
                self.text(entry, "description", "[[themes]]", default=""),
            )
            for entry in self.tables(raw, "themes", "top level")
        )
        storytellers = tuple(
            self.storyteller(entry) for entry in self.tables(raw, "storytellers", "top level")
        )
        pseudonyms = {storyteller.pseudonym for storyteller in storytellers}
        if len(pseudonyms) != len(storytellers):
            raise self.fail("[[storytellers]]", "a pseudonym is listed twice.")
        theme_names = {name for name, _ in themes}
        stories = tuple(
            self.story(entry, emails=emails, pseudonyms=pseudonyms, themes=theme_names)
            for entry in self.tables(raw, "stories", "top level")
        )
        return Demo(
            manifest=self.manifest,
            password=self.text(raw, "password", "top level"),
            organisation_slug=self.text(organisation, "slug", "[organisation]"),
            organisation_name=self.text(organisation, "name", "[organisation]"),
            people=people,
            project=project,
            themes=themes,
            storytellers=storytellers,
            stories=stories,
            board=self.board(raw.get("board", {}), emails=emails, themes=theme_names),
            report_versions=tuple(
                self.report_version(entry, themes=theme_names)
                for entry in self.tables(raw, "report_versions", "top level")
            ),
            changes=tuple(
                self.change(entry, themes=theme_names)
                for entry in self.tables(raw, "changes", "top level")
            ),
            quote_checks=tuple(
                self.quote_check(entry, stories=stories)
                for entry in self.tables(raw, "quote_checks", "top level")
            ),
        )

    def change(self, raw: Mapping[str, Any], *, themes: set[str]) -> ChangeSpec:
        where = "[[changes]]"
        self.known(
            raw, ("title", "status", "owner", "due", "themes", "what_was_done", "reason"), where
        )
        title = self.text(raw, "title", where)
        status = self.text(raw, "status", where)
        if status not in CHANGE_STATUSES:
            raise self.fail(
                where, f"{title!r}: status must be one of {', '.join(CHANGE_STATUSES)}."
            )
        due = raw.get("due")
        if due is not None and not isinstance(due, dt.date):
            raise self.fail(where, f"{title!r}: due must be a date, written 2027-02-28.")
        spec = ChangeSpec(
            title=title,
            status=status,
            owner=self.text(raw, "owner", where, default=""),
            due=due,
            themes=self.words(raw, "themes", where),
            what_was_done=self.text(raw, "what_was_done", where, default=""),
            reason=self.text(raw, "reason", where, default=""),
        )
        unknown = sorted(set(spec.themes) - themes)
        if unknown:
            raise self.fail(where, f"{title!r}: unknown theme {unknown[0]!r}.")
        return spec

    def quote_check(
        self, raw: Mapping[str, Any], *, stories: tuple[StorySpec, ...]
    ) -> QuoteCheckSpec:
        where = "[[quote_checks]]"
        self.known(raw, ("storyteller", "quote", "answer", "comment"), where)
        spec = QuoteCheckSpec(
            storyteller=self.text(raw, "storyteller", where),
            quote=self.text(raw, "quote", where),
            answer=self.text(raw, "answer", where),
            comment=self.text(raw, "comment", where, default=""),
        )
        if spec.answer not in CHECK_ANSWERS:
            raise self.fail(where, f"answer must be one of {', '.join(CHECK_ANSWERS)}.")
        theirs = [
            quote.words
            for story in stories
            if story.storyteller == spec.storyteller
            for quote in story.quotes
        ]
        if not any(words.startswith(spec.quote) for words in theirs):
            raise self.fail(
                where, f"{spec.storyteller!r} has no key quote starting {spec.quote!r}."
            )
        return spec

    def report_version(self, raw: Mapping[str, Any], *, themes: set[str]) -> ReportVersionSpec:
        where = "[[report_versions]]"
        self.known(raw, ("title", "for_you", "themes", "sectors"), where)
        spec = ReportVersionSpec(
            title=self.text(raw, "title", where),
            for_you=self.text(raw, "for_you", where, default=""),
            themes=self.words(raw, "themes", where),
            sectors=self.words(raw, "sectors", where),
        )
        unknown = sorted(set(spec.themes) - themes)
        if unknown:
            raise self.fail(where, f"{spec.title!r}: unknown theme {unknown[0]!r}.")
        return spec

    def board(self, raw: Mapping[str, Any], *, emails: set[str], themes: set[str]) -> BoardSpec:
        where = "[board]"
        if not isinstance(raw, dict):
            raise self.fail(where, "must be a table.")
        self.known(raw, ("taking_part", "moves", "notes", "visioning"), where)
        taking_part = raw.get("taking_part", {})
        if not isinstance(taking_part, dict) or set(taking_part) - emails:
            raise self.fail(where, "taking_part must map the email of someone in [[people]].")
        moves = []
        for entry in self.tables(raw, "moves", where):
            self.known(entry, ("by", "quote", "to"), "[[board.moves]]")
            move = BoardMoveSpec(
                by=self.text(entry, "by", "[[board.moves]]"),
                quote=self.text(entry, "quote", "[[board.moves]]"),
                to=self.text(entry, "to", "[[board.moves]]"),
            )
            if move.by not in emails or move.to not in themes:
                raise self.fail("[[board.moves]]", f"{move.quote!r}: unknown person or theme.")
            moves.append(move)
        notes = []
        for entry in self.tables(raw, "notes", where):
            self.known(entry, ("by", "text", "theme"), "[[board.notes]]")
            note = BoardNoteSpec(
                by=self.text(entry, "by", "[[board.notes]]"),
                text=self.text(entry, "text", "[[board.notes]]"),
                theme=self.text(entry, "theme", "[[board.notes]]", default=""),
            )
            if note.by not in emails or (note.theme and note.theme not in themes):
                raise self.fail("[[board.notes]]", f"{note.text[:30]!r}: unknown person or theme.")
            notes.append(note)
        return BoardSpec(
            taking_part=dict(taking_part),
            moves=tuple(moves),
            notes=tuple(notes),
            visioning=self.visioning(raw, emails=emails),
        )

    def visioning(self, raw: Mapping[str, Any], *, emails: set[str]) -> VisioningSpec | None:
        if "visioning" not in raw:
            return None
        where = "[board.visioning]"
        table = self.table(raw, "visioning", "[board]")
        self.known(table, ("prompt", "notes"), where)
        notes = []
        for entry in self.tables(table, "notes", where):
            self.known(entry, ("by", "text"), "[[board.visioning.notes]]")
            note = BoardNoteSpec(
                by=self.text(entry, "by", "[[board.visioning.notes]]"),
                text=self.text(entry, "text", "[[board.visioning.notes]]"),
            )
            if note.by not in emails:
                raise self.fail("[[board.visioning.notes]]", f"{note.text[:30]!r}: unknown person.")
            notes.append(note)
        return VisioningSpec(prompt=self.text(table, "prompt", where), notes=tuple(notes))

    def person(self, raw: Mapping[str, Any]) -> Person:
        where = f"[[people]] {raw.get('email')!r}"
        self.known(raw, ("email", "name", "does", "project_role", "organisation_role"), where)
        return Person(
            email=self.text(raw, "email", where),
            name=self.text(raw, "name", where),
            does=self.text(raw, "does", where, default=""),
            project_role=self.text(raw, "project_role", where, default=""),
            organisation_role=self.text(raw, "organisation_role", where, default=""),
        )

    def storyteller(self, raw: Mapping[str, Any]) -> StorytellerSpec:
        where = f"[[storytellers]] {raw.get('pseudonym')!r}"
        self.known(raw, {"pseudonym", "consent"} | PROFILE_FIELDS, where)
        consent = dict(self.table(raw, "consent", where))
        note = self.text(consent, "note", where, default="")
        keep_for_days = consent.pop("keep_for_days", None)
        consent.pop("note", None)
        if keep_for_days is not None and not (type(keep_for_days) is int and keep_for_days > 0):
            raise self.fail(where, "keep_for_days must be a whole number of days.")
        if not all(isinstance(value, bool) for value in consent.values()):
            raise self.fail(where, "each consent scope must be true or false.")
        return StorytellerSpec(
            pseudonym=self.text(raw, "pseudonym", where),
            profile={key: value for key, value in raw.items() if key in PROFILE_FIELDS},
            consent=consent,
            consent_note=note,
            keep_for_days=keep_for_days,
        )

    def story(
        self, raw: Mapping[str, Any], *, emails: set[str], pseudonyms: set[str], themes: set[str]
    ) -> StorySpec:
        where = f"[[stories]] {raw.get('title')!r}"
        self.known(
            raw,
            (
                "storyteller",
                "title",
                "source",
                "transcript",
                "recorded_on",
                "reporter",
                "ideas",
                "summary",
                "quotes",
                "recording",
                "speakers",
                "corrections",
            ),
            where,
        )
        storyteller = self.text(raw, "storyteller", where)
        if storyteller not in pseudonyms:
            raise self.fail(where, f"no storyteller is called {storyteller!r}.")
        source = self.text(raw, "source", where)
        if source not in SOURCES:
            raise self.fail(where, f"source must be one of {', '.join(SOURCES)}.")
        reporter = self.text(raw, "reporter", where)
        if reporter not in emails:
            raise self.fail(where, f"the reporter {reporter!r} is not in [[people]].")
        recorded_on = raw.get("recorded_on")
        if recorded_on is not None and not isinstance(recorded_on, dt.date):
            raise self.fail(where, "recorded_on must be a date, written 2026-09-08.")
        transcript = self.manifest.parent / self.text(raw, "transcript", where)
        if not transcript.is_file():
            raise self.fail(
                where, f"the transcript {transcript.name!r} is not beside the manifest."
            )
        quotes = tuple(
            self.quote(entry, where=f"{where} quote {n}", emails=emails, themes=themes)
            for n, entry in enumerate(self.tables(raw, "quotes", where), start=1)
        )
        recording = None
        if source == "recording":
            recording = self.manifest.parent / self.text(raw, "recording", where)
            if not recording.is_file():
                raise self.fail(where, f"the recording {recording.name!r} is not beside it.")
        speakers = {}
        for label, entry in dict(raw.get("speakers", {})).items():
            part = self.text(entry, "part", f"{where} speaker {label!r}")
            if part not in SPEAKER_PARTS:
                raise self.fail(where, f"a speaker's part is one of {', '.join(SPEAKER_PARTS)}.")
            speakers[str(label)] = (self.text(entry, "name", f"{where} speaker {label!r}"), part)
        corrections = tuple(
            (int(entry["part"]), self.text(entry, "words", f"{where} correction"))
            for entry in self.tables(raw, "corrections", where)
        )
        return StorySpec(
            recording=recording,
            speakers=speakers,
            corrections=corrections,
            storyteller=storyteller,
            title=self.text(raw, "title", where),
            source=source,
            transcript=transcript,
            reporter=reporter,
            recorded_on=recorded_on,
            ideas=self.text(raw, "ideas", where, default=""),
            summary=self.text(raw, "summary", where, default=""),
            quotes=quotes,
        )

    def quote(
        self, raw: Mapping[str, Any], *, where: str, emails: set[str], themes: set[str]
    ) -> QuoteSpec:
        self.known(
            raw,
            ("words", "coder", "attribution", "themes", "change_level", "sectors", "note"),
            where,
        )
        coder = self.text(raw, "coder", where)
        if coder not in emails:
            raise self.fail(where, f"the coder {coder!r} is not in [[people]].")
        quote_themes = self.words(raw, "themes", where)
        unknown = sorted(set(quote_themes) - themes)
        if unknown:
            raise self.fail(where, f"no theme is called {', '.join(map(repr, unknown))}.")
        return QuoteSpec(
            words=self.text(raw, "words", where),
            coder=coder,
            attribution=self.text(raw, "attribution", where),
            themes=quote_themes,
            change_level=self.text(raw, "change_level", where, default=""),
            sectors=self.words(raw, "sectors", where),
            note=self.text(raw, "note", where, default=""),
        )
