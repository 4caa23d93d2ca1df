"""REFI-QDA files as plain data: write a project (.qdpx) or codebook (.qdc), and read one safely.

Nothing here touches the database: ``services`` gathers what consent lets out
into these dataclasses and stores what an import brings. Keeping the format
apart keeps the rules about it in one place (ADR 0030):

- A ``.qdpx`` is a zip holding ``project.qde`` (XML in the namespace
  ``urn:QDA-XML:project:1.0``) and each text source's words as
  ``sources/<guid>.txt`` (UTF-8, no byte-order mark), named from the source by
  ``plainTextPath="internal://<guid>.txt"``.
- Selection positions are offsets in characters (Unicode code points) into
  that text, ``startPosition`` included and ``endPosition`` not, as Python
  slices count them.
- A ``.qdc`` is the codebook alone, ``urn:QDA-XML:codebook:1.0``.

Reading treats the file as hostile: the zip's names, sizes and compression are
checked before and while anything is read, the XML parser resolves no
entities, fetches nothing and refuses a DOCTYPE, and text must be UTF-8. Every
refusal is an ``ExchangeFormatError`` naming the file and what is wrong.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from lxml import etree

from cohub.apps.core.errors import ServiceError

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_FILE = "project.qde"
SOURCES_DIR = "sources"
INTERNAL = "internal://"

# Limits on what an import reads. A real project's XML and texts are megabytes; these
# leave room for a large one and stop a zip bomb long before memory runs short.
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_MEMBER_BYTES = 50 * 1024 * 1024
MAX_TOTAL_BYTES = 300 * 1024 * 1024
MAX_MEMBERS = 20_000
MAX_RATIO = 200  # uncompressed / compressed, per member of any size worth checking
_RATIO_FLOOR = 1024 * 1024  # members smaller than this are not held to the ratio
_CHUNK = 64 * 1024

_GUID = re.compile(
    r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$"
)


class ExchangeFormatError(ServiceError):
    """A file that is not a REFI-QDA file we can read safely; the message says which part."""


# ---------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class QdaUser:
    guid: str
    name: str


@dataclass(frozen=True)
class QdaCode:
    guid: str
    name: str
    description: str = ""
    children: tuple[QdaCode, ...] = ()
    codable: bool = True


@dataclass(frozen=True)
class QdaCoding:
    guid: str
    code_guid: str
    user: str = ""
    created: dt.datetime | None = None


@dataclass(frozen=True)
class QdaNote:
    guid: str
    name: str
    text: str
    user: str = ""
    created: dt.datetime | None = None


@dataclass(frozen=True)
class QdaSelection:
    guid: str
    start: int
    end: int
    codings: tuple[QdaCoding, ...] = ()
    note_guids: tuple[str, ...] = ()
    description: str = ""
    user: str = ""
    created: dt.datetime | None = None


@dataclass(frozen=True)
class QdaSource:
    guid: str
    name: str
    text: str | None
    """The words; None when the file keeps them outside itself (a path we do not follow)."""
    selections: tuple[QdaSelection, ...] = ()
    note_guids: tuple[str, ...] = ()
    description: str = ""
    user: str = ""
    created: dt.datetime | None = None


@dataclass(frozen=True)
class QdaCase:
    guid: str
    name: str
    source_guids: tuple[str, ...] = ()


@dataclass
class QdaProject:
    """A project or, with no sources, a codebook: what one file holds."""

    name: str
    origin: str = ""
    created: dt.datetime | None = None
    users: list[QdaUser] = field(default_factory=list)
    codes: list[QdaCode] = field(default_factory=list)
    cases: list[QdaCase] = field(default_factory=list)
    sources: list[QdaSource] = field(default_factory=list)
    notes: list[QdaNote] = field(default_factory=list)
    codebook_only: bool = False

    def all_codes(self) -> Iterator[QdaCode]:
        stack = list(reversed(self.codes))
        while stack:
            code = stack.pop()
            yield code
            stack.extend(reversed(code.children))


# ---------------------------------------------------------------------------- writing


def xml_datetime(value: dt.datetime | None) -> str | None:
    """``2026-12-02T10:15:00Z``: xsd:dateTime in UTC, whole seconds."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _set(element: etree._Element, **attributes: str | None) -> None:
    for name, value in attributes.items():
        if value not in (None, ""):
            element.set(name, str(value))


def _text_child(parent: etree._Element, ns: str, tag: str, text: str) -> None:
    if text:
        etree.SubElement(parent, f"{{{ns}}}{tag}").text = _xml_safe(text)


# Characters XML 1.0 cannot hold at all (most control characters); they are dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


def _code_element(parent: etree._Element, ns: str, code: QdaCode) -> None:
    element = etree.SubElement(parent, f"{{{ns}}}Code")
    _set(element, guid=code.guid, name=_xml_safe(code.name))
    element.set("isCodable", "true" if code.codable else "false")
    _text_child(element, ns, "Description", code.description)
    for child in code.children:
        _code_element(element, ns, child)


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def codebook_xml(project: QdaProject) -> bytes:
    """The codebook alone, as a ``.qdc`` file holds it."""
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS})
    _set(root, origin=project.origin)
    codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    for code in project.codes:
        _code_element(codes, CODEBOOK_NS, code)
    return _serialise(root)


def _source_file(source: QdaSource) -> str:
    return f"{source.guid}.txt"


def project_xml(project: QdaProject) -> bytes:
    """``project.qde``: the elements in the order the schema's sequence asks for."""
    ns = PROJECT_NS

    def sub(parent: etree._Element, tag: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{ns}}}{tag}")

    root = etree.Element(f"{{{ns}}}Project", nsmap={None: ns})
    _set(
        root,
        name=_xml_safe(project.name),
        origin=project.origin,
        creationDateTime=xml_datetime(project.created),
    )
    if project.users:
        users = sub(root, "Users")
        for user in project.users:
            _set(sub(users, "User"), guid=user.guid, name=_xml_safe(user.name))
    if project.codes:
        codes = sub(sub(root, "CodeBook"), "Codes")
        for code in project.codes:
            _code_element(codes, ns, code)
    if project.cases:
        cases = sub(root, "Cases")
        for case in project.cases:
            element = sub(cases, "Case")
            _set(element, guid=case.guid, name=_xml_safe(case.name))
            for guid in case.source_guids:
                sub(element, "SourceRef").set("targetGUID", guid)
    if project.sources:
        sources = sub(root, "Sources")
        for source in project.sources:
            element = sub(sources, "TextSource")
            _set(
                element,
                guid=source.guid,
                name=_xml_safe(source.name),
                plainTextPath=INTERNAL + _source_file(source),
                creatingUser=source.user,
                creationDateTime=xml_datetime(source.created),
            )
            _text_child(element, ns, "Description", source.description)
            for selection in source.selections:
                chosen = sub(element, "PlainTextSelection")
                _set(
                    chosen,
                    guid=selection.guid,
                    startPosition=str(selection.start),
                    endPosition=str(selection.end),
                    creatingUser=selection.user,
                    creationDateTime=xml_datetime(selection.created),
                )
                _text_child(chosen, ns, "Description", selection.description)
                for coding in selection.codings:
                    coded = sub(chosen, "Coding")
                    _set(
                        coded,
                        guid=coding.guid,
                        creatingUser=coding.user,
                        creationDateTime=xml_datetime(coding.created),
                    )
                    sub(coded, "CodeRef").set("targetGUID", coding.code_guid)
                for guid in selection.note_guids:
                    sub(chosen, "NoteRef").set("targetGUID", guid)
            for guid in source.note_guids:
                sub(element, "NoteRef").set("targetGUID", guid)
    if project.notes:
        notes = sub(root, "Notes")
        for note in project.notes:
            element = sub(notes, "Note")
            _set(
                element,
                guid=note.guid,
                name=_xml_safe(note.name),
                creatingUser=note.user,
                creationDateTime=xml_datetime(note.created),
            )
            sub(element, "PlainTextContent").text = _xml_safe(note.text)
    return _serialise(root)


def qdpx_bytes(project: QdaProject) -> bytes:
    """The ``.qdpx`` zip: ``project.qde`` first, then one text file per source."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(PROJECT_FILE, project_xml(project))
        for source in project.sources:
            archive.writestr(f"{SOURCES_DIR}/{_source_file(source)}", (source.text or "").encode())
    return buffer.getvalue()


# ---------------------------------------------------------------------------- reading


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes, *, where: str) -> etree._Element:
    """The root element of ``data``; a DOCTYPE (where entity tricks live) is refused outright."""
    try:
        tree = etree.parse(io.BytesIO(data), _parser())
    except etree.XMLSyntaxError as exc:
        raise ExchangeFormatError(f"{where} is not well-formed XML: {exc.msg}.") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise ExchangeFormatError(
            f"{where} declares a DOCTYPE; REFI-QDA files have none, so it is not read."
        )
    return tree.getroot()


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


def _child(element: etree._Element, name: str) -> etree._Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _text_of(element: etree._Element | None) -> str:
    return "" if element is None else "".join(element.itertext())


def _guid(element: etree._Element, where: str, attribute: str = "guid") -> str:
    value = (element.get(attribute) or "").strip()
    if not _GUID.match(value):
        raise ExchangeFormatError(f"{where}: a {_local(element)} has no valid {attribute}.")
    return value.strip("{}").lower()


def _optional_guid(element: etree._Element, attribute: str) -> str:
    value = (element.get(attribute) or "").strip()
    return value.strip("{}").lower() if _GUID.match(value) else ""


def _datetime(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _read_code(element: etree._Element, where: str) -> QdaCode:
    codable = (element.get("isCodable") or "true").strip().lower() in ("true", "1")
    return QdaCode(
        guid=_guid(element, where),
        name=" ".join((element.get("name") or "").split()) or "Unnamed code",
        description=_text_of(_child(element, "Description")).strip(),
        children=tuple(_read_code(child, where) for child in _children(element, "Code")),
        codable=codable,
    )


def _read_codes(codes: etree._Element | None, where: str) -> list[QdaCode]:
    if codes is None:
        return []
    return [_read_code(code, where) for code in _children(codes, "Code")]


def read_codebook(data: bytes, *, where: str) -> QdaProject:
    """A ``.qdc`` file's codes."""
    root = parse_xml(data, where=where)
    if _local(root) != "CodeBook":
        raise ExchangeFormatError(f"{where} is not a REFI-QDA codebook (its root is not CodeBook).")
    return QdaProject(
        name="",
        origin=root.get("origin") or "",
        codes=_read_codes(_child(root, "Codes"), where),
        codebook_only=True,
    )


def _position(element: etree._Element, name: str, where: str) -> int:
    try:
        return int((element.get(name) or "").strip())
    except ValueError:
        raise ExchangeFormatError(
            f"{where}: the selection {element.get('guid')} has no whole-number {name}."
        ) from None


def _member_name(path: str) -> str:
    """``internal://abc.txt`` -> ``abc.txt``; other kinds of path give ""."""
    if path.startswith(INTERNAL):
        return path[len(INTERNAL) :].lstrip("/")
    return ""


def read_project(archive: SafeArchive) -> QdaProject:
    """A ``.qdpx`` file's users, codes, cases, text sources, selections and notes."""
    where = f"{archive.name}: {PROJECT_FILE}"
    root = parse_xml(archive.read(archive.project_member()), where=where)
    if _local(root) != "Project":
        raise ExchangeFormatError(f"{where} is not a REFI-QDA project (its root is not Project).")
    project = QdaProject(
        name=(root.get("name") or "").strip(),
        origin=root.get("origin") or "",
        created=_datetime(root.get("creationDateTime")),
    )
    users = _child(root, "Users")
    for user in _children(users, "User") if users is not None else []:
        project.users.append(QdaUser(guid=_guid(user, where), name=user.get("name") or ""))
    codebook = _child(root, "CodeBook")
    project.codes = _read_codes(_child(codebook, "Codes") if codebook is not None else None, where)
    cases = _child(root, "Cases")
    for case in _children(cases, "Case") if cases is not None else []:
        refs = tuple(_guid(ref, where, "targetGUID") for ref in _children(case, "SourceRef"))
        project.cases.append(
            QdaCase(guid=_guid(case, where), name=case.get("name") or "", source_guids=refs)
        )
    sources = _child(root, "Sources")
    for source in _children(sources, "TextSource") if sources is not None else []:
        project.sources.append(_read_source(source, archive, where))
    notes = _child(root, "Notes")
    for note in _children(notes, "Note") if notes is not None else []:
        text = _text_of(_child(note, "PlainTextContent"))
        member = _member_name(note.get("plainTextPath") or "")
        if not text and member:
            text = archive.source_text(member) or ""
        project.notes.append(
            QdaNote(guid=_guid(note, where), name=note.get("name") or "", text=text.strip())
        )
    return project


def _read_source(source: etree._Element, archive: SafeArchive, where: str) -> QdaSource:
    guid = _guid(source, where)
    inline = _child(source, "PlainTextContent")
    text: str | None
    if inline is not None:
        text = _text_of(inline)
    else:
        member = _member_name(source.get("plainTextPath") or "")
        text = archive.source_text(member) if member else None
    selections = []
    for chosen in _children(source, "PlainTextSelection"):
        codings = tuple(
            QdaCoding(
                guid=_optional_guid(coding, "guid"),
                code_guid=_guid(ref, where, "targetGUID"),
                user=_optional_guid(coding, "creatingUser"),
                created=_datetime(coding.get("creationDateTime")),
            )
            for coding in _children(chosen, "Coding")
            for ref in _children(coding, "CodeRef")[:1]
        )
        selections.append(
            QdaSelection(
                guid=_guid(chosen, where),
                start=_position(chosen, "startPosition", where),
                end=_position(chosen, "endPosition", where),
                codings=codings,
                note_guids=tuple(
                    _guid(ref, where, "targetGUID") for ref in _children(chosen, "NoteRef")
                ),
                description=_text_of(_child(chosen, "Description")).strip(),
                user=_optional_guid(chosen, "creatingUser"),
                created=_datetime(chosen.get("creationDateTime")),
            )
        )
    return QdaSource(
        guid=guid,
        name=" ".join((source.get("name") or "").split()),
        text=text,
        selections=tuple(selections),
        note_guids=tuple(_guid(ref, where, "targetGUID") for ref in _children(source, "NoteRef")),
        description=_text_of(_child(source, "Description")).strip(),
        user=_optional_guid(source, "creatingUser"),
        created=_datetime(source.get("creationDateTime")),
    )


class SafeArchive:
    """A zip read with suspicion: paths, member count and sizes checked before, and while, reading.

    Nothing is extracted to disk; members are read into memory, each at most
    ``MAX_MEMBER_BYTES`` and all together at most ``MAX_TOTAL_BYTES``, whatever
    the zip's directory claims (a bomb may lie about sizes, so the bytes are
    counted as they come out too).
    """

    def __init__(self, data: bytes, name: str) -> None:
        self.name = name
        self._read_total = 0
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, OSError):
            raise ExchangeFormatError(f"{name} is not a .qdpx file (it is not a zip).") from None
        infos = self._zip.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ExchangeFormatError(f"{name} holds {len(infos)} files, more than we read.")
        declared = 0
        self._members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            _refuse_unsafe_path(info.filename, name)
            if info.flag_bits & 0x1:
                raise ExchangeFormatError(f"{name}: {info.filename} is encrypted.")
            if info.file_size > MAX_MEMBER_BYTES:
                raise ExchangeFormatError(
                    f"{name}: {info.filename} would be {_megabytes(info.file_size)} unpacked, "
                    f"more than the {_megabytes(MAX_MEMBER_BYTES)} we read for one file."
                )
            if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * max(
                info.compress_size, 1
            ):
                ratio = info.file_size // max(info.compress_size, 1)
                raise ExchangeFormatError(
                    f"{name}: {info.filename} is packed {ratio} times smaller than it "
                    "unpacks, which only a zip bomb does."
                )
            declared += info.file_size
            if not info.is_dir():
                self._members[info.filename.casefold()] = info
        if declared > MAX_TOTAL_BYTES:
            raise ExchangeFormatError(
                f"{name} would be {_megabytes(declared)} unpacked, more than the "
                f"{_megabytes(MAX_TOTAL_BYTES)} we read."
            )

    def project_member(self) -> str:
        info = self._members.get(PROJECT_FILE)
        if info is None:
            raise ExchangeFormatError(f"{self.name} has no {PROJECT_FILE}, so it is not a .qdpx.")
        return info.filename

    def read(self, member: str) -> bytes:
        info = self._members.get(member.casefold())
        if info is None:
            raise ExchangeFormatError(f"{self.name} has no {member}.")
        limit = min(info.file_size, MAX_MEMBER_BYTES)
        chunks: list[bytes] = []
        size = 0
        try:
            with self._zip.open(info) as handle:
                while chunk := handle.read(_CHUNK):
                    size += len(chunk)
                    self._read_total += len(chunk)
                    if size > limit or self._read_total > MAX_TOTAL_BYTES:
                        raise ExchangeFormatError(
                            f"{self.name}: {info.filename} unpacks to more than it says "
                            "(or than we read), so it is not read."
                        )
                    chunks.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise ExchangeFormatError(f"{self.name}: {info.filename} is damaged ({exc}).") from None
        return b"".join(chunks)

    def source_text(self, member: str) -> str | None:
        """A text source's words from ``sources/<member>``; None if the zip does not hold it."""
        path = f"{SOURCES_DIR}/{member}"
        _refuse_unsafe_path(path, self.name)
        if path.casefold() not in self._members:
            return None
        return decode_text(
            self.read(path), where=f"{self.name}: {self._members[path.casefold()].filename}"
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def _refuse_unsafe_path(path: str, name: str) -> None:
    """Refuse a member path that would land outside the folder it was unpacked into (zip slip)."""
    cleaned = path.replace("\\", "/")
    parts = PurePosixPath(cleaned).parts
    if (
        cleaned.startswith("/")
        or re.match(r"^[A-Za-z]:", cleaned)
        or ".." in parts
        or "\x00" in cleaned
    ):
        raise ExchangeFormatError(
            f"{name} holds a file whose path points outside it ({path!r}), so none of it is read."
        )


def decode_text(data: bytes, *, where: str) -> str:
    """UTF-8 text, a leading byte-order mark dropped (it is not part of the words)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExchangeFormatError(
            f"{where} is not UTF-8 text (byte {exc.start} cannot be read); "
            "save it as UTF-8 and try again."
        ) from None
    return text.removeprefix("\ufeff")


def read_exchange_file(data: bytes, filename: str) -> QdaProject:
    """What a ``.qdpx`` or ``.qdc`` holds, chosen by its contents (a zip is a project)."""
    if len(data) > MAX_FILE_BYTES:
        raise ExchangeFormatError(
            f"{filename} is {_megabytes(len(data))}, more than the "
            f"{_megabytes(MAX_FILE_BYTES)} we read."
        )
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".qdpx"):
        return read_project(SafeArchive(data, filename))
    if filename.lower().endswith(".qdc") or data.lstrip()[:1] == b"<":
        return read_codebook(data, where=filename)
    raise ExchangeFormatError(f"{filename} is neither a .qdpx project nor a .qdc codebook.")
