"""The REFI-QDA export: valid against the published schemas, and only what consent lets out."""

from __future__ import annotations

import pytest
from lxml import etree

from cohub.apps.core.models import Event
from cohub.apps.exchange.services import qdc_export, qdpx_export
from cohub.apps.stories.services import consent_withdraw, transcript_revise
from tests.exchange.conftest import members

pytestmark = pytest.mark.django_db

NS = {"q": "urn:QDA-XML:project:1.0"}
SKY_WORDS = "The letter came after I had moved house."


def _qde(content: bytes) -> etree._Element:
    return etree.fromstring(members(content)["project.qde"])


def test_the_project_file_is_valid_against_the_published_schema(coded, project_schema):
    content = qdpx_export(project=coded.project, actor=None).content
    project_schema.validate(members(content)["project.qde"])


def test_the_codebook_file_is_valid_against_the_published_schema(coded, codebook_schema):
    content = qdc_export(project=coded.project, actor=None).content
    codebook_schema.validate(content)
    root = etree.fromstring(content)
    names = [code.get("name") for code in root.iter("{urn:QDA-XML:codebook:1.0}Code")]
    assert sorted(names) == ["Trust", "Unused", "Waiting"]
    assert b"eleven weeks" not in content


def test_every_selection_points_at_its_quote_words_in_the_source_text(coded):
    content = qdpx_export(project=coded.project, actor=None).content
    files = members(content)
    root = etree.fromstring(files["project.qde"])
    found = {}
    for source in root.iterfind(".//q:TextSource", NS):
        path = source.get("plainTextPath")
        assert path.startswith("internal://")
        text = files["sources/" + path.removeprefix("internal://")].decode("utf-8")
        for selection in source.iterfind("q:PlainTextSelection", NS):
            words = text[int(selection.get("startPosition")) : int(selection.get("endPosition"))]
            codes = [ref.get("targetGUID") for ref in selection.iterfind(".//q:CodeRef", NS)]
            found[words] = len(codes)
    expected = {
        h.snippet: h.theme_links.count() for key, h in coded.highlights.items() if key != "h3"
    }
    assert found == expected


def test_a_storyteller_who_has_not_agreed_to_be_quoted_is_not_in_the_file(coded):
    content = qdpx_export(project=coded.project, actor=None).content
    every_byte = b"".join(members(content).values())
    assert SKY_WORDS.encode() not in every_byte
    assert b"Sky" not in every_byte
    names = [s.get("name") for s in _qde(content).iterfind(".//q:TextSource", NS)]
    assert sorted(names) == ["Ana's story", "Robin's story"]


def test_a_withdrawn_storyteller_is_not_in_the_file(coded):
    consent_withdraw(storyteller=coded.storytellers["Robin"], actor=None)
    content = qdpx_export(project=coded.project, actor=None).content
    every_byte = b"".join(members(content).values())
    assert b"eleven weeks" not in every_byte
    assert b"Nobody rang me back" not in every_byte
    assert b"+44 said no" not in every_byte  # the note on Robin's quote


def test_the_shareable_version_is_what_leaves(coded):
    story = coded.stories["C"]
    newest = story.transcripts.order_by("-version").first()
    transcript_revise(
        story=story,
        actor=None,
        reason="Shareable version",
        text=newest.text.replace("Ana:", "Ana:").replace("My neighbour", "My [PERSON 1]"),
        based_on_version=newest.version,
    )
    content = qdpx_export(project=coded.project, actor=None).content
    every_byte = b"".join(members(content).values())
    assert b"My neighbour" not in every_byte
    assert b"My [PERSON 1], who had been through it." in every_byte


def test_guids_stay_the_same_from_one_export_to_the_next(coded):
    first = _qde(qdpx_export(project=coded.project, actor=None).content)
    second = _qde(qdpx_export(project=coded.project, actor=None).content)

    def guids(root: etree._Element) -> list[str]:
        return sorted(e.get("guid") for e in root.iter() if e.get("guid"))

    assert guids(first) == guids(second)
    assert len(set(guids(first))) == len(guids(first))


def test_notes_and_users_are_exported(coded, project_schema, facilitator):
    content = qdpx_export(project=coded.project, actor=facilitator).content
    root = _qde(content)
    notes = [
        n.findtext("q:PlainTextContent", namespaces=NS) for n in root.iterfind(".//q:Note", NS)
    ]
    assert "+44 said no" in notes
    project_schema.validate(members(content)["project.qde"])


def test_the_export_is_in_the_audit_trail_without_words(coded):
    qdpx_export(project=coded.project, actor=None)
    event = Event.objects.get(verb="exchange.export")
    assert event.data["format"] == "qdpx"
    assert event.data["sources"] == 2
    assert event.data["left_out_stories"] == 1
    assert sorted(event.data["stories"]) == sorted([coded.stories["A"].pk, coded.stories["C"].pk])
    assert "eleven" not in str(event.data)


def test_review_sheet_ideas_go_as_notes_only_where_consent_lets_out(coded, facilitator):
    from cohub.apps.analysis.services import review_sheet_update

    review_sheet_update(story=coded.stories["A"], actor=facilitator, ideas="Robin idea here")
    review_sheet_update(story=coded.stories["B"], actor=facilitator, ideas="Sky idea here")
    content = qdpx_export(project=coded.project, actor=None).content
    qde = members(content)["project.qde"]
    assert b"Robin idea here" in qde
    assert b"Sky idea here" not in qde
