"""Exchange with qualitative-analysis tools: REFI-QDA export and import, and a spreadsheet.

Export (``qdpx_export``, ``qdc_export``) takes out only what consent lets out,
by the rule every export follows (``stories.ways_out.EXPORT``: consent to
transcribe and to be quoted, as it stands today). A story whose storyteller
has not agreed, or has withdrawn, is not in the file at all: not its words,
not its quotes, not its notes. The words are the story's newest version,
which is the shareable (de-identified) one once someone has made it (ADR
0023), and a quote that lost its place in them (ADR 0005) is held back, as the
findings hold it back. Every export leaves one audit entry naming the
stories whose words went out, by id.

Import (``qda_import``) reads the file completely before it writes anything
and writes in one transaction, so a bad file leaves nothing behind. Each new
source becomes a story told by a new storyteller whose consent covers only
recording and transcribing, until a person records what they agreed to. The
GUIDs of what it made are kept (``ExchangeLink``), so importing the same file
again finds them and adds nothing twice. See docs/adr/0030.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from cohub.apps.accounts.models import Organisation, User
from cohub.apps.analysis.models import Highlight, HighlightTheme, ReviewSheet, Theme
from cohub.apps.analysis.services import highlight_create, highlight_tag, theme_create
from cohub.apps.core import audit
from cohub.apps.core.csvsafe import neutralise, to_csv
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import record_event
from cohub.apps.exchange.models import ExchangeLink, LinkKind
from cohub.apps.exchange.qde import (
    QdaCase,
    QdaCode,
    QdaCoding,
    QdaNote,
    QdaProject,
    QdaSelection,
    QdaSource,
    QdaUser,
    codebook_xml,
    qdpx_bytes,
    read_exchange_file,
)
from cohub.apps.projects.models import Project
from cohub.apps.projects.services import project_create
from cohub.apps.reports.findings import findings_csv_rows, project_findings
from cohub.apps.stories.consent import Withheld, consent_now
from cohub.apps.stories.models import Story, Storyteller, Transcript
from cohub.apps.stories.scopes import GATHERING_SCOPES
from cohub.apps.stories.selectors import consents_for, story_transcript
from cohub.apps.stories.services import story_import_exact_text, storyteller_create
from cohub.apps.stories.ways_out import EXPORT, way_out_withheld

ORIGIN = "cohub"
THEME_NAME_LENGTH = 120
PSEUDONYM_LENGTH = 120
NESTING = " › "
"""Joins a nested code's name to its parent's: our themes do not nest."""

IMPORT_CONSENT_NOTE = (
    "Imported from {file} (REFI-QDA). The file says nothing about consent, so this "
    "covers only recording and transcribing until a person records what they agreed to."
)

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


# ---------------------------------------------------------------------------- GUIDs


_FIELD_OF = {
    LinkKind.THEME: "theme",
    LinkKind.STORY: "story",
    LinkKind.QUOTE: "highlight",
    LinkKind.USER: "user",
    LinkKind.STORYTELLER: "storyteller",
}


def _guids(project: Project, kind: LinkKind, records: Iterable[Model]) -> dict[int, str]:
    """Record id -> its GUID in this project, giving a new one to each record without."""
    name = _FIELD_OF[kind]
    wanted = {record.pk for record in records}
    if not wanted:
        return {}
    found = {
        getattr(link, f"{name}_id"): str(link.guid)
        for link in ExchangeLink.objects.filter(project=project, **{f"{name}_id__in": wanted})
    }
    missing = [
        ExchangeLink(project=project, kind=kind, guid=uuid.uuid4(), **{f"{name}_id": pk})
        for pk in sorted(wanted - set(found))
    ]
    ExchangeLink.objects.bulk_create(missing)
    found.update({getattr(link, f"{name}_id"): str(link.guid) for link in missing})
    return found


def _derived(guid: str, what: str) -> str:
    """A GUID that follows from a stored one: the same ``what`` of the same record, every time."""
    return str(uuid.uuid5(uuid.UUID(guid), what))


# ---------------------------------------------------------------------------- export


@dataclass
class ExportSummary:
    themes: int = 0
    sources: int = 0
    quotes: int = 0
    codings: int = 0
    left_out_stories: int = 0


def _user_name(user: User) -> str:
    return user.display_name or f"Team member {user.pk}"


def _newest_text(story: Story) -> Transcript | None:
    shown = story_transcript(story)
    return None if shown is None or isinstance(shown, Withheld) else shown


def _gather(project: Project, *, codebook_only: bool) -> tuple[QdaProject, ExportSummary]:
    """What may leave: the active themes, and the stories and quotes consent lets out now."""
    summary = ExportSummary()
    themes = list(
        Theme.objects.filter(project=project, merged_into__isnull=True).order_by("name", "pk")
    )
    theme_guids = _guids(project, LinkKind.THEME, themes)
    qda = QdaProject(
        name=project.name, origin=ORIGIN, created=timezone.now(), codebook_only=codebook_only
    )
    qda.codes = [
        QdaCode(guid=theme_guids[t.pk], name=t.name, description=t.description) for t in themes
    ]
    summary.themes = len(themes)
    if codebook_only:
        return qda, summary

    consents = consents_for(project)
    stories = list(
        Story.objects.filter(project=project)
        .select_related("storyteller")
        .prefetch_related("storyteller__consent_records")
        .order_by("created_at", "pk")
    )
    shown: list[tuple[Story, Transcript]] = []
    for story in stories:
        consent = consents.get(story.storyteller_id)
        if consent is None or way_out_withheld(consent, EXPORT) is not None:
            summary.left_out_stories += 1
            continue
        transcript = _newest_text(story)
        if transcript is None:
            summary.left_out_stories += 1
            continue
        shown.append((story, transcript))
    by_story = {story.pk: transcript for story, transcript in shown}
    highlights = [
        h
        for h in Highlight.objects.filter(review_sheet__story_id__in=by_story)
        .select_related("review_sheet", "created_by")
        .order_by("char_start", "pk")
        # A quote that lost its place in the newest words waits for a person (ADR 0005).
        if not h.needs_attention
        and h.transcript_id == by_story[h.review_sheet.story_id].pk
        and by_story[h.review_sheet.story_id].text[h.char_start : h.char_end] == h.snippet
    ]
    audit.note_reads(
        part=audit.PART_TRANSCRIPT,
        pairs=[(story.pk, story.storyteller_id) for story, _ in shown],
    )
    active = {t.pk for t in themes}
    links: dict[int, list[HighlightTheme]] = defaultdict(list)
    for link in HighlightTheme.objects.filter(
        highlight__in=highlights, theme_id__in=active
    ).order_by("theme__name", "pk"):
        links[link.highlight_id].append(link)
    sheets = {
        sheet.story_id: sheet
        for sheet in ReviewSheet.objects.filter(story_id__in=by_story).exclude(ideas="", summary="")
    }
    people = {t.created_by for t in themes if t.created_by is not None}
    people |= {h.created_by for h in highlights if h.created_by is not None}
    people |= {s.created_by for s, _ in shown if s.created_by is not None}
    user_guids = _guids(project, LinkKind.USER, people)
    qda.users = [
        QdaUser(guid=user_guids[u.pk], name=_user_name(u)) for u in sorted(people, key=_user_name)
    ]
    story_guids = _guids(project, LinkKind.STORY, [s for s, _ in shown])
    teller_guids = _guids(project, LinkKind.STORYTELLER, {s.storyteller for s, _ in shown})
    quote_guids = _guids(project, LinkKind.QUOTE, highlights)
    quotes_of: dict[int, list[Highlight]] = defaultdict(list)
    for highlight in highlights:
        quotes_of[highlight.review_sheet.story_id].append(highlight)

    def who(user_id: int | None) -> str:
        return user_guids.get(user_id, "") if user_id is not None else ""

    cases: dict[int, QdaCase] = {}
    for story, transcript in shown:
        story_guid = story_guids[story.pk]
        selections = []
        for highlight in quotes_of[story.pk]:
            quote_guid = quote_guids[highlight.pk]
            codings = tuple(
                QdaCoding(
                    guid=_derived(quote_guid, f"coding:{theme_guids[link.theme_id]}"),
                    code_guid=theme_guids[link.theme_id],
                    created=link.created_at,
                )
                for link in links[highlight.pk]
            )
            notes: tuple[str, ...] = ()
            if highlight.note:
                note = QdaNote(
                    guid=_derived(quote_guid, "note"),
                    name=f"Note on quote {highlight.pk}",
                    text=highlight.note,
                    user=who(highlight.created_by_id),
                )
                qda.notes.append(note)
                notes = (note.guid,)
            selections.append(
                QdaSelection(
                    guid=quote_guid,
                    start=highlight.char_start,
                    end=highlight.char_end,
                    codings=codings,
                    note_guids=notes,
                    user=who(highlight.created_by_id),
                    created=highlight.created_at,
                )
            )
            summary.quotes += 1
            summary.codings += len(codings)
        source_notes = []
        sheet = sheets.get(story.pk)
        for what, text in (
            ("ideas", sheet.ideas if sheet else ""),
            ("summary", sheet.summary if sheet else ""),
        ):
            if text:
                note = QdaNote(
                    guid=_derived(story_guid, what),
                    name=f"{what.capitalize()}: {story.title}",
                    text=text,
                )
                qda.notes.append(note)
                source_notes.append(note.guid)
        qda.sources.append(
            QdaSource(
                guid=story_guid,
                name=story.title,
                text=transcript.text,
                selections=tuple(selections),
                note_guids=tuple(source_notes),
                user=who(story.created_by_id),
                created=story.created_at,
            )
        )
        # One case per storyteller, by pseudonym: never their real name.
        teller = story.storyteller
        case = cases.get(teller.pk)
        cases[teller.pk] = QdaCase(
            guid=teller_guids[teller.pk],
            name=teller.pseudonym,
            source_guids=(*case.source_guids, story_guid) if case else (story_guid,),
        )
    qda.cases = list(cases.values())
    summary.sources = len(shown)
    return qda, summary


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    summary: ExportSummary


@transaction.atomic
def qdpx_export(*, project: Project, actor: User | None) -> ExportFile:
    """The project as a REFI-QDA ``.qdpx`` file, with only what consent lets out; audited."""
    with audit.reading() as reads:
        qda, summary = _gather(project, codebook_only=False)
    content = qdpx_bytes(qda)
    _record_export(project, actor, "qdpx", summary, reads)
    return ExportFile(content=content, summary=summary)


@transaction.atomic
def qdc_export(*, project: Project, actor: User | None) -> ExportFile:
    """The codebook alone as a REFI-QDA ``.qdc`` file (theme names and descriptions)."""
    qda, summary = _gather(project, codebook_only=True)
    content = codebook_xml(qda)
    _record_export(project, actor, "qdc", summary, audit.Reads())
    return ExportFile(content=content, summary=summary)


def _record_export(
    project: Project, actor: User | None, kind: str, summary: ExportSummary, reads: audit.Reads
) -> None:
    record_event(
        actor=actor,
        verb="exchange.export",
        target=project,
        project_id=project.pk,
        data={
            "format": kind,
            "themes": summary.themes,
            "sources": summary.sources,
            "quotes": summary.quotes,
            "codings": summary.codings,
            "left_out_stories": summary.left_out_stories,
            **reads.as_data(),
        },
    )


# ---------------------------------------------------------------------------- spreadsheet


CODES_HEADER = ("Theme", "Description", "Quotes", "Stories")


def _sheet_cell(value: Any) -> Any:
    """Numbers stay numbers; everything else is made safe text (``core.csvsafe``)."""
    if isinstance(value, bool):
        return neutralise(value)
    if isinstance(value, int | float):
        return value
    return neutralise(value)


def _write_sheet(workbook: Any, title: str, rows: Sequence[Sequence[Any]]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(title)
    bold = Font(bold=True)
    for number, row in enumerate(rows):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=_sheet_cell(value))
            if isinstance(cell.value, str):
                # Never a formula, whatever the text starts with: a string cell, always.
                cell.data_type = "s"
            if number == 0:
                cell.font = bold
            cells.append(cell)
        sheet.append(cells)


@transaction.atomic
def quotes_export_xlsx(*, project: Project, actor: User | None) -> bytes:
    """The findings' quotes (the same rows as the CSV) and the codes with counts, as XLSX.

    Consent decides what is in it exactly as for the CSV (``ways_out.EXPORT``).
    Every text cell goes through ``core.csvsafe`` and is written as a string,
    so nothing in it can run as a formula. Audited like the CSV.
    """
    from openpyxl import Workbook

    with audit.reading() as reads:
        findings = project_findings(project, way=EXPORT)
    quotes = findings_csv_rows(findings)
    codes: list[tuple[Any, ...]] = [CODES_HEADER]
    codes.extend((t.name, t.description, t.quote_count, t.story_count) for t in findings.themes)
    workbook = Workbook(write_only=True)
    _write_sheet(workbook, "Quotes", quotes)
    _write_sheet(workbook, "Codes", codes)
    buffer = io.BytesIO()
    workbook.save(buffer)
    record_event(
        actor=actor,
        verb="findings.export",
        target=project,
        project_id=project.pk,
        data={
            "format": "xlsx",
            "quotes": findings.quote_count,
            "rows": len(quotes) - 1,
            **reads.as_data(),
        },
    )
    return buffer.getvalue()


@transaction.atomic
def codes_export_csv(*, project: Project, actor: User | None) -> str:
    """The codebook with each theme's counts, as spreadsheet-safe CSV (no quotes' words)."""
    with audit.reading():
        findings = project_findings(project, way=EXPORT)
    rows: list[tuple[Any, ...]] = [CODES_HEADER]
    rows.extend((t.name, t.description, t.quote_count, t.story_count) for t in findings.themes)
    record_event(
        actor=actor,
        verb="findings.export",
        target=project,
        project_id=project.pk,
        data={"format": "codes-csv", "themes": len(rows) - 1},
    )
    return to_csv(rows)


# ---------------------------------------------------------------------------- import


@dataclass
class ImportReport:
    """What an import did, in counts, and what it left out and why."""

    filename: str
    codebook_only: bool = False
    themes_created: int = 0
    themes_found: int = 0
    storytellers_created: int = 0
    stories_created: int = 0
    stories_found: int = 0
    quotes_created: int = 0
    quotes_found: int = 0
    codings_added: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_data(self) -> dict[str, Any]:
        return {
            "codebook_only": self.codebook_only,
            "themes_created": self.themes_created,
            "themes_found": self.themes_found,
            "storytellers_created": self.storytellers_created,
            "stories_created": self.stories_created,
            "stories_found": self.stories_found,
            "quotes_created": self.quotes_created,
            "quotes_found": self.quotes_found,
            "codings_added": self.codings_added,
            "warnings": len(self.warnings),
        }


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _linked(project: Project, guid: str) -> ExchangeLink | None:
    try:
        wanted = uuid.UUID(guid)
    except ValueError:
        return None
    return ExchangeLink.objects.filter(project=project, guid=wanted).first()


def _link(project: Project, kind: LinkKind, guid: str, record: Model) -> None:
    """Remember that ``guid`` is ``record`` here, unless either is linked already."""
    name = _FIELD_OF[kind]
    if ExchangeLink.objects.filter(project=project, guid=uuid.UUID(guid)).exists():
        return
    if ExchangeLink.objects.filter(project=project, **{name: record}).exists():
        return
    ExchangeLink.objects.create(project=project, kind=kind, guid=uuid.UUID(guid), **{name: record})


def _active(theme: Theme) -> Theme:
    seen = set()
    while theme.merged_into_id is not None and theme.pk not in seen:
        seen.add(theme.pk)
        theme = Theme.objects.get(pk=theme.merged_into_id)
    return theme


def _import_codes(
    project: Project, actor: User | None, qda: QdaProject, report: ImportReport
) -> dict[str, Theme]:
    """Code GUID -> theme: found by GUID, else by name in any capitals, else made.

    Our themes do not nest, so a nested code is named after its parents
    ("Housing › Waiting"); a code that only groups others (not codable) is not
    a theme itself unless it has no children.
    """
    themes: dict[str, Theme] = {}
    by_name = {
        t.name.casefold(): t
        for t in Theme.objects.filter(project=project, merged_into__isnull=True)
    }

    def visit(code: QdaCode, parents: tuple[str, ...]) -> None:
        path = (*parents, code.name)
        if code.codable or not code.children:
            link = _linked(project, code.guid)
            if link is not None and link.theme_id is not None:
                theme = _active(link.theme) if link.theme else None
                if theme is not None:
                    themes[code.guid] = theme
                    report.themes_found += 1
            if code.guid not in themes:
                name = _shorten(NESTING.join(path), THEME_NAME_LENGTH)
                theme = by_name.get(name.casefold())
                if theme is None:
                    theme = theme_create(
                        project=project, name=name, actor=actor, description=code.description
                    ).theme
                    by_name[theme.name.casefold()] = theme
                    report.themes_created += 1
                else:
                    report.themes_found += 1
                themes[code.guid] = theme
                _link(project, LinkKind.THEME, code.guid, theme)
        for child in code.children:
            visit(child, path)

    for code in qda.codes:
        visit(code, ())
    return themes


def _free_pseudonym(project: Project, wanted: str) -> str:
    taken = {
        name.casefold()
        for name in Storyteller.objects.filter(
            project=project, withdrawn_at__isnull=True
        ).values_list("pseudonym", flat=True)
    }
    base = _shorten(wanted, PSEUDONYM_LENGTH - 6) or "Imported storyteller"
    name, number = base, 2
    while name.casefold() in taken:
        name = f"{base} ({number})"
        number += 1
    return name


def _story_with_text(project: Project, text: str) -> Story | None:
    """A story here whose newest words are exactly ``text`` (imported before without a link)."""
    for transcript in Transcript.objects.filter(story__project=project, text=text).select_related(
        "story__storyteller"
    ):
        newest = transcript.story.transcripts.order_by("-version").first()
        if newest is not None and newest.pk == transcript.pk:
            return transcript.story
    return None


def _import_source(
    *,
    project: Project,
    actor: User | None,
    source: QdaSource,
    case_names: dict[str, str],
    filename: str,
    report: ImportReport,
) -> tuple[Story, Transcript] | None:
    label = source.name or source.guid
    if source.text is None:
        report.warnings.append(
            f"Source '{label}' keeps its words outside the file, so it was left out."
        )
        return None
    if not source.text.strip():
        report.warnings.append(f"Source '{label}' has no words, so it was left out.")
        return None
    link = _linked(project, source.guid)
    story = link.story if link is not None and link.story_id is not None else None
    if story is None:
        story = _story_with_text(project, source.text)
        if story is not None:
            _link(project, LinkKind.STORY, source.guid, story)
    if story is not None:
        report.stories_found += 1
        withheld = consent_now(story.storyteller).words
        if withheld is not None:
            report.warnings.append(
                f"Source '{label}' is the story '{story.title}', whose words are withheld "
                f"({withheld.refusal}); its selections were left out."
            )
            return None
        transcript = story.transcripts.order_by("-version").first()
        return (story, transcript) if transcript is not None else None
    storyteller = storyteller_create(
        project=project,
        actor=actor,
        pseudonym=_free_pseudonym(project, case_names.get(source.guid) or label),
        consent={scope.value: True for scope in GATHERING_SCOPES},
        consent_note=IMPORT_CONSENT_NOTE.format(file=filename),
    )
    report.storytellers_created += 1
    story = story_import_exact_text(
        project=project,
        storyteller=storyteller,
        actor=actor,
        text=source.text,
        title=_shorten(source.name, 200) or "Imported story",
        source_filename=filename,
    )
    _link(project, LinkKind.STORY, source.guid, story)
    report.stories_created += 1
    return story, story.transcripts.get()


def _place(
    selection: QdaSelection, source: QdaSource, transcript: Transcript
) -> tuple[int, int] | None:
    """Where the selection's words are in the stored text, or None if they cannot be found."""
    text = source.text or ""
    if not (0 <= selection.start < selection.end <= len(text)):
        return None
    if transcript.text == text:
        return selection.start, selection.end
    words = text[selection.start : selection.end]
    if words.strip() and transcript.text.count(words) == 1:
        start = transcript.text.index(words)
        return start, start + len(words)
    return None


def _import_selections(
    *,
    project: Project,
    actor: User | None,
    source: QdaSource,
    story: Story,
    transcript: Transcript,
    themes: dict[str, Theme],
    notes: dict[str, QdaNote],
    report: ImportReport,
) -> None:
    label = source.name or source.guid
    for selection in source.selections:
        wanted = []
        for coding in selection.codings:
            theme = themes.get(coding.code_guid)
            if theme is None:
                report.warnings.append(
                    f"A selection in '{label}' is coded with a code the file does not list "
                    f"({coding.code_guid}); that coding was left out."
                )
                continue
            wanted.append(theme)
        link = _linked(project, selection.guid)
        highlight = link.highlight if link is not None and link.highlight_id is not None else None
        if highlight is not None:
            report.quotes_found += 1
            have = set(highlight.theme_links.values_list("theme_id", flat=True))
            for theme in wanted:
                if theme.pk not in have:
                    highlight_tag(highlight=highlight, theme=theme, actor=actor)
                    have.add(theme.pk)
                    report.codings_added += 1
            continue
        place = _place(selection, source, transcript)
        if place is None:
            report.warnings.append(
                f"A selection in '{label}' (characters {selection.start} to {selection.end}) "
                "is not on the source's words, so it was left out."
            )
            continue
        note = "\n\n".join(
            part
            for part in (
                selection.description,
                *(notes[g].text for g in selection.note_guids if g in notes),
            )
            if part
        )
        result = highlight_create(
            story=story,
            transcript=transcript,
            char_start=place[0],
            char_end=place[1],
            actor=actor,
            themes=wanted,
            **({"note": note} if note else {}),
        )
        if result.created:
            report.quotes_created += 1
            report.codings_added += len({t.pk for t in wanted})
        else:
            report.quotes_found += 1
            report.codings_added += sum(1 for event in result.events if event.theme_id)
        _link(project, LinkKind.QUOTE, selection.guid, result.highlight)


@transaction.atomic
def qda_import(
    *,
    project: Project,
    actor: User | None,
    data: bytes,
    filename: str,
    progress: Progress = _quiet,
) -> ImportReport:
    """Bring a ``.qdc`` codebook's codes, or a ``.qdpx`` project's codes, sources and codings, in.

    The whole file is read and checked first (``qde.read_exchange_file``); a
    refusal there (``ExchangeFormatError``) or anywhere later rolls everything
    back. Sources whose words are outside the file, selections off their words
    and codings of unknown codes are left out and named in ``warnings``.
    """
    qda = read_exchange_file(data, filename)
    report = ImportReport(filename=filename, codebook_only=qda.codebook_only)
    codes = sum(1 for _ in qda.all_codes())
    progress(f"read {filename}: {codes} codes, {len(qda.sources)} text sources")
    themes = _import_codes(project, actor, qda, report)
    progress(f"codes: {report.themes_created} new themes, {report.themes_found} already here")
    notes = {note.guid: note for note in qda.notes}
    case_names: dict[str, str] = {}
    for case in qda.cases:
        for guid in case.source_guids:
            case_names.setdefault(guid, case.name)
    for number, source in enumerate(qda.sources, start=1):
        placed = _import_source(
            project=project,
            actor=actor,
            source=source,
            case_names=case_names,
            filename=filename,
            report=report,
        )
        if placed is not None:
            story, transcript = placed
            _import_selections(
                project=project,
                actor=actor,
                source=source,
                story=story,
                transcript=transcript,
                themes=themes,
                notes=notes,
                report=report,
            )
        progress(f"source {number} of {len(qda.sources)}: {source.name or source.guid}")
    record_event(
        actor=actor,
        verb="exchange.import",
        target=project,
        project_id=project.pk,
        data={"format": "qdc" if qda.codebook_only else "qdpx", **report.as_data()},
    )
    return report


@transaction.atomic
def qda_import_new_project(
    *,
    slug: str,
    organisation: Organisation,
    actor: User | None,
    data: bytes,
    filename: str,
    progress: Progress = _quiet,
) -> tuple[Project, ImportReport]:
    """Make the project ``slug`` and import into it in one transaction: a bad file makes neither."""
    if Project.objects.filter(slug=slug).exists():
        raise ServiceError(f"There is already a project with the slug {slug!r}.")
    project = project_create(
        organisation=organisation,
        name=slug.replace("-", " ").capitalize(),
        purpose=f"Imported from {filename}.",
        opening_question="",
        actor=actor,
        slug=slug,
    )
    report = qda_import(
        project=project, actor=actor, data=data, filename=filename, progress=progress
    )
    return project, report


def export_filename(project: Project, extension: str, *, today: dt.date | None = None) -> str:
    """``slug-2026-12-02.qdpx``: the download's name."""
    day = today or timezone.localdate()
    return f"{project.slug}-{day:%Y-%m-%d}.{extension}"
