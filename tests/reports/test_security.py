"""Findings never give away a storyteller's name through the transcript's speaker labels."""

from __future__ import annotations

import pytest

from cohub.apps.analysis.models import Attribution
from cohub.apps.analysis.services import highlight_create
from cohub.apps.reports.findings import project_findings
from cohub.apps.reports.services import findings_export_csv
from tests.factories import ALL_SCOPES, GATHER_ONLY, make_story, make_storyteller

pytestmark = pytest.mark.django_db

QUOTE_ANONYMOUSLY = {"record": True, "transcribe": True, "quote_anonymously": True}


def _quote(story, words, **fields):
    transcript = story.transcripts.get()
    start = transcript.text.index(words)
    return highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len(words),
        actor=None,
        **fields,
    ).highlight


def _speakers(project):
    findings = project_findings(project)
    return {q.highlight_id: q.speaker for q in findings.untagged.quotes}


@pytest.mark.parametrize("consent", [GATHER_ONLY, QUOTE_ANONYMOUSLY])
def test_real_name_in_speaker_label_is_not_shown_without_consent_to_name(project, consent):
    teller = make_storyteller(project, pseudonym="Sky", real_name="Skyler Jones", consent=consent)
    story = make_story(project, storyteller=teller, text="Skyler Jones: The letter came late.")
    highlight = _quote(story, "The letter came late.")

    assert _speakers(project)[highlight.pk] == ""
    assert "Skyler Jones" not in findings_export_csv(project=project, actor=None)


def test_anonymous_quote_hides_speaker_even_where_naming_is_allowed(project):
    teller = make_storyteller(project, pseudonym="Sky", real_name="Skyler Jones")
    story = make_story(project, storyteller=teller, text="Skyler Jones: The letter came late.")
    highlight = _quote(story, "The letter came late.", attribution=Attribution.ANONYMOUS)

    assert _speakers(project)[highlight.pk] == ""
    assert "Skyler Jones" not in findings_export_csv(project=project, actor=None)


def test_named_quote_keeps_its_speaker(project):
    teller = make_storyteller(
        project, pseudonym="Sky", real_name="Skyler Jones", consent=ALL_SCOPES
    )
    story = make_story(project, storyteller=teller, text="Skyler Jones: The letter came late.")
    highlight = _quote(story, "The letter came late.", attribution=Attribution.NAMED)

    assert _speakers(project)[highlight.pk] == "Skyler Jones"


def test_a_coders_note_is_withheld_with_the_quote(project):
    teller = make_storyteller(project, pseudonym="Lee", consent=GATHER_ONLY)
    story = make_story(project, storyteller=teller, text="Lee: They lost my file twice.")
    _quote(story, "They lost my file twice.", note="Lee says the housing office lost it")
    (quote,) = project_findings(project).untagged.quotes
    assert quote.text is None
    assert quote.note == ""
    assert "housing office" not in findings_export_csv(project=project, actor=None)


def test_a_storyteller_with_any_anonymous_quote_is_never_named_beside_it(project):
    teller = make_storyteller(project, pseudonym="Priya", real_name="Priya Nair")
    story = make_story(
        project, storyteller=teller, text="Priya: The ward was kind.\n\nPriya: I was sectioned."
    )
    _quote(story, "The ward was kind.", attribution=Attribution.NAMED)
    _quote(story, "I was sectioned.")
    quotes = project_findings(project).untagged.quotes
    assert {q.source for q in quotes} == {"Priya"}
    assert "Priya Nair" not in findings_export_csv(project=project, actor=None)


def test_a_storyteller_whose_quotes_are_all_named_is_named(project):
    teller = make_storyteller(project, pseudonym="Priya", real_name="Priya Nair")
    story = make_story(project, storyteller=teller, text="Priya: The ward was kind.")
    _quote(story, "The ward was kind.", attribution=Attribution.NAMED)
    (quote,) = project_findings(project).untagged.quotes
    assert quote.source == "Priya Nair"
