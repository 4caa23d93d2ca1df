"""REFI-QDA import: the round trip, no duplicates, hostile files refused with nothing written."""

from __future__ import annotations

import pytest

from cohub.apps.analysis.models import Highlight, HighlightTheme, Theme
from cohub.apps.core.errors import ServiceError
from cohub.apps.exchange import qde, services
from cohub.apps.exchange.qde import ExchangeFormatError
from cohub.apps.exchange.services import qda_import, qdc_export, qdpx_export
from cohub.apps.stories.consent import current_consent
from cohub.apps.stories.models import Story, Storyteller
from cohub.apps.stories.scopes import ConsentScope
from tests.exchange.conftest import members, zip_of
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

GUID = "{:08x}-0000-4000-8000-{:012x}"


def _guid(n: int) -> str:
    return GUID.format(n, n)


def _quotes(project) -> set[tuple[str, int, int, str, tuple[str, ...]]]:
    rows = set()
    for h in Highlight.objects.filter(review_sheet__story__project=project).select_related(
        "review_sheet__story"
    ):
        themes = tuple(sorted(link.theme.name for link in h.theme_links.select_related("theme")))
        rows.add((h.review_sheet.story.title, h.char_start, h.char_end, h.snippet, themes))
    return rows


def _nothing_written(project) -> None:
    assert not Theme.objects.filter(project=project).exists()
    assert not Story.objects.filter(project=project).exists()
    assert not Storyteller.objects.filter(project=project).exists()


def test_round_trip_same_themes_same_words_same_codings(coded):
    content = qdpx_export(project=coded.project, actor=None).content
    copy = ProjectFactory(organisation=coded.project.organisation)
    report = qda_import(project=copy, actor=None, data=content, filename="p.qdpx")
    assert report.warnings == []
    themes = lambda p: sorted(  # noqa: E731
        Theme.objects.filter(project=p).values_list("name", "description")
    )
    assert themes(copy) == themes(coded.project)
    # Every quote the export let out: the same story, the same characters, the same themes.
    sky_story = coded.stories["B"].title
    expected = {row for row in _quotes(coded.project) if row[0] != sky_story}
    assert _quotes(copy) == expected
    assert len(expected) == 4
    # The stories' words are the same, character for character.
    for story in Story.objects.filter(project=copy):
        original = Story.objects.get(project=coded.project, title=story.title)
        assert story.transcripts.get().text == original.transcripts.order_by("-version")[0].text
    note = Highlight.objects.get(review_sheet__story__project=copy, note__contains="+44")
    assert note.snippet == "=Nobody rang me back, not once."


def test_imported_storytellers_have_consent_to_record_and_transcribe_only(coded):
    content = qdpx_export(project=coded.project, actor=None).content
    copy = ProjectFactory(organisation=coded.project.organisation)
    qda_import(project=copy, actor=None, data=content, filename="p.qdpx")
    tellers = Storyteller.objects.filter(project=copy)
    assert sorted(t.pseudonym for t in tellers) == ["Ana", "Robin"]  # the cases' names
    for teller in tellers:
        consent = current_consent(teller)
        assert consent.granted_scopes() == [ConsentScope.RECORD, ConsentScope.TRANSCRIBE]
        assert "p.qdpx" in consent.note
        assert teller.real_name == ""
    # So nothing of theirs leaves again until a person records more.
    again = members(qdpx_export(project=copy, actor=None).content)
    assert not any(name.startswith("sources/") for name in again)


def test_importing_the_same_file_again_adds_nothing(coded):
    content = qdpx_export(project=coded.project, actor=None).content
    copy = ProjectFactory(organisation=coded.project.organisation)
    qda_import(project=copy, actor=None, data=content, filename="p.qdpx")
    counts = (
        Theme.objects.filter(project=copy).count(),
        Story.objects.filter(project=copy).count(),
        Storyteller.objects.filter(project=copy).count(),
        Highlight.objects.filter(review_sheet__story__project=copy).count(),
        HighlightTheme.objects.filter(theme__project=copy).count(),
    )
    report = qda_import(project=copy, actor=None, data=content, filename="p.qdpx")
    assert (report.themes_created, report.stories_created, report.quotes_created) == (0, 0, 0)
    assert (report.stories_found, report.quotes_found) == (2, 4)
    assert report.codings_added == 0
    assert counts == (
        Theme.objects.filter(project=copy).count(),
        Story.objects.filter(project=copy).count(),
        Storyteller.objects.filter(project=copy).count(),
        Highlight.objects.filter(review_sheet__story__project=copy).count(),
        HighlightTheme.objects.filter(theme__project=copy).count(),
    )


def test_importing_its_own_export_back_finds_everything(coded):
    before = _quotes(coded.project)
    content = qdpx_export(project=coded.project, actor=None).content
    report = qda_import(project=coded.project, actor=None, data=content, filename="p.qdpx")
    assert report.stories_created == report.quotes_created == report.themes_created == 0
    assert _quotes(coded.project) == before


def test_a_codebook_imports_as_themes_and_its_export_comes_back_the_same(coded, project):
    content = qdc_export(project=coded.project, actor=None).content
    fresh = ProjectFactory(organisation=project.organisation)
    report = qda_import(project=fresh, actor=None, data=content, filename="themes.qdc")
    assert report.codebook_only
    assert sorted(Theme.objects.filter(project=fresh).values_list("name", flat=True)) == [
        "Trust",
        "Unused",
        "Waiting",
    ]
    assert Theme.objects.get(project=fresh, name="Waiting").description == "Long waits."


NESTED_QDC = f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Another tool">
  <Codes>
    <Code guid="{_guid(1)}" name="Housing" isCodable="false">
      <Code guid="{_guid(2)}" name="Waiting" isCodable="true">
        <Description>Time on lists</Description>
        <Code guid="{_guid(3)}" name="Letters" isCodable="true"/>
      </Code>
    </Code>
    <Code guid="{_guid(4)}" name="Trust" isCodable="true"/>
  </Codes>
</CodeBook>""".encode()


def test_nested_codes_are_flattened_with_their_parents_named(project, codebook_schema):
    codebook_schema.validate(NESTED_QDC)
    qda_import(project=project, actor=None, data=NESTED_QDC, filename="nested.qdc")
    names = sorted(Theme.objects.filter(project=project).values_list("name", flat=True))
    # "Housing" only groups others (not codable), so it is no theme of its own.
    assert names == ["Housing › Waiting", "Housing › Waiting › Letters", "Trust"]
    again = qda_import(project=project, actor=None, data=NESTED_QDC, filename="nested.qdc")
    assert again.themes_created == 0
    assert Theme.objects.filter(project=project).count() == 3


def _project_qde(text_path: str = "internal://" + _guid(9) + ".txt", selections: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Elsewhere">
  <CodeBook><Codes><Code guid="{_guid(4)}" name="Trust" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="{_guid(9)}" name="Interview 1" plainTextPath="{text_path}">
      {selections}
    </TextSource>
  </Sources>
</Project>""".encode()


def test_a_project_from_another_tool(project, project_schema):
    text = "\ufeffQ: How was it?\r\nA: Nobody listened to me at all."
    words = "Nobody listened"
    start = text.removeprefix("\ufeff").index(words)
    selection = (
        f'<PlainTextSelection guid="{_guid(10)}" startPosition="{start}" '
        f'endPosition="{start + len(words)}"><Coding guid="{_guid(11)}">'
        f'<CodeRef targetGUID="{_guid(4)}"/></Coding></PlainTextSelection>'
    )
    qde_bytes = _project_qde(selections=selection)
    project_schema.validate(qde_bytes)
    content = zip_of(
        {"project.qde": qde_bytes, f"Sources/{_guid(9).upper()}.txt": text.encode("utf-8")}
    )
    report = qda_import(project=project, actor=None, data=content, filename="other.qdpx")
    assert report.warnings == []
    story = Story.objects.get(project=project)
    assert story.title == "Interview 1"
    assert story.transcripts.get().text == text.removeprefix("\ufeff")
    quote = Highlight.objects.get(review_sheet__story=story)
    assert quote.snippet == words
    assert [link.theme.name for link in quote.theme_links.all()] == ["Trust"]


def test_a_selection_off_the_words_is_left_out_and_said(project):
    selection = f'<PlainTextSelection guid="{_guid(10)}" startPosition="5" endPosition="900"/>'
    content = zip_of(
        {"project.qde": _project_qde(selections=selection), f"sources/{_guid(9)}.txt": b"Short."}
    )
    report = qda_import(project=project, actor=None, data=content, filename="other.qdpx")
    assert report.stories_created == 1
    assert report.quotes_created == 0
    assert "characters 5 to 900" in report.warnings[0]


def test_a_source_whose_words_are_outside_the_file_is_left_out(project):
    content = zip_of({"project.qde": _project_qde(text_path="relative://../interview.txt")})
    report = qda_import(project=project, actor=None, data=content, filename="other.qdpx")
    assert report.stories_created == 0
    assert "outside the file" in report.warnings[0]


# ---------------------------------------------------------------------------- hostile files


def _refused(project, content: bytes, filename: str = "bad.qdpx") -> str:
    with pytest.raises(ExchangeFormatError) as caught:
        qda_import(project=project, actor=None, data=content, filename=filename)
    _nothing_written(project)
    return str(caught.value)


@pytest.mark.parametrize(
    "path", ["../evil.txt", "sources/../../evil.txt", "/etc/passwd", "C:/Windows/evil.txt", "..\\x"]
)
def test_zip_slip_is_refused(project, path):
    content = zip_of({"project.qde": _project_qde(), path: b"x"})
    assert "points outside it" in _refused(project, content)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(project):
    content = zip_of({"project.qde": _project_qde(), f"sources/{_guid(9)}.txt": b"0" * 5_000_000})
    assert "zip bomb" in _refused(project, content)


def _lie_about_sizes(content: bytes, size: int) -> bytes:
    """The zip with every member's uncompressed size set to ``size``, in both headers."""
    data = bytearray(content)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at != -1:
            data[at + offset : at + offset + 4] = size.to_bytes(4, "little")
            at = data.find(signature, at + 4)
    return bytes(data)


def test_a_member_larger_than_it_says_is_refused_while_reading(project):
    content = zip_of({"project.qde": _project_qde(), f"sources/{_guid(9)}.txt": b"words " * 100})
    message = _refused(project, _lie_about_sizes(content, 10))
    assert "more than it says" in message or "damaged" in message


def test_too_large_a_member_is_refused(project, monkeypatch):
    monkeypatch.setattr(qde, "MAX_MEMBER_BYTES", 100)
    content = zip_of({"project.qde": _project_qde(), f"sources/{_guid(9)}.txt": b"w" * 1000})
    assert "unpacked" in _refused(project, content)


def test_garbage_is_refused(project):
    assert "not a zip" in _refused(project, b"PK\x03\x04 this is not really a zip")
    assert "not well-formed XML" in _refused(project, b"<CodeBook><Codes>", "x.qdc")
    assert "neither" in _refused(project, b"\x00\x01binary", "x.bin")
    assert "no project.qde" in _refused(project, zip_of({"other.xml": b"<a/>"}))


def test_text_that_is_not_utf8_is_refused_naming_the_file(project):
    content = zip_of(
        {"project.qde": _project_qde(), f"sources/{_guid(9)}.txt": "café".encode("latin-1")}
    )
    message = _refused(project, content)
    assert f"sources/{_guid(9)}.txt is not UTF-8" in message


def test_entities_are_never_expanded(project, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    evil = f"""<?xml version="1.0"?>
<!DOCTYPE CodeBook [<!ENTITY x SYSTEM "file://{secret}">]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="{_guid(1)}" name="x" isCodable="true"><Description>&x;</Description></Code>
</Codes></CodeBook>""".encode()
    message = _refused(project, evil, "evil.qdc")
    assert "DOCTYPE" in message
    assert "top secret" not in message


def test_a_failure_half_way_leaves_nothing_behind(coded, monkeypatch):
    content = qdpx_export(project=coded.project, actor=None).content
    copy = ProjectFactory(organisation=coded.project.organisation)
    real = services.story_import_exact_text
    calls = []

    def second_fails(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ServiceError("The disk is full.")
        return real(**kwargs)

    monkeypatch.setattr(services, "story_import_exact_text", second_fails)
    with pytest.raises(ServiceError, match="disk is full"):
        qda_import(project=copy, actor=None, data=content, filename="p.qdpx")
    assert len(calls) == 2
    _nothing_written(copy)
