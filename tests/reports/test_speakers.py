"""A quote is credited to whoever said it, and consent-based naming covers only the storyteller."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from cohub.apps.analysis.models import Attribution
from cohub.apps.analysis.services import highlight_create
from cohub.apps.projects.models import ProjectRole
from cohub.apps.reports.findings import project_findings
from cohub.apps.reports.services import findings_export_csv
from cohub.apps.stories.models import Speaker, SpeakerPart
from cohub.apps.stories.services import speaker_update
from tests.factories import ALL_SCOPES, make_member, make_story, make_storyteller

pytestmark = pytest.mark.django_db

TEXT = (
    "Sam Reporter: What happened when you rang?\n\n"
    "Skyler Jones: They never rang me back, not once.\n\n"
    "Dee Walsh: Same for me, love."
)


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


@pytest.fixture
def story(project):
    teller = make_storyteller(
        project, pseudonym="Sky", real_name="Skyler Jones", consent=ALL_SCOPES
    )
    story = make_story(project, storyteller=teller, text=TEXT)
    sam = Speaker.objects.get(story=story, label="Sam Reporter")
    speaker_update(speaker=sam, actor=None, display_name="Sam", part=SpeakerPart.INTERVIEWER)
    return story


def _by_highlight(project):
    findings = project_findings(project)
    return {q.highlight_id: q for t in [*findings.themes, findings.untagged] for q in t.quotes}


def _csv_rows(project):
    text = findings_export_csv(project=project, actor=None).removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def test_an_interviewers_question_is_credited_to_the_interviewer(project, story):
    question = _quote(story, "What happened when you rang?")
    answer = _quote(story, "They never rang me back, not once.")
    quotes = _by_highlight(project)
    assert quotes[question.pk].source == "Interviewer (Sam)"
    assert quotes[question.pk].speaker == "Sam"
    assert quotes[answer.pk].source == "Sky"
    rows = {row[1]: row for row in _csv_rows(project)}
    assert rows["What happened when you rang?"][3:5] == ["Interviewer (Sam)", "Interviewer"]
    assert rows["They never rang me back, not once."][3:5] == ["Sky", "Storyteller"]
    assert rows["What happened when you rang?"][0] == str(question.pk)


def test_the_storytellers_imported_real_name_never_shows_without_consent_to_name(project, story):
    _quote(story, "They never rang me back, not once.")
    _quote(story, "What happened when you rang?")
    assert "Skyler Jones" not in findings_export_csv(project=project, actor=None)
    assert all(q.speaker != "Skyler Jones" for q in _by_highlight(project).values())


def test_the_storyteller_is_named_only_for_their_own_words(project, story):
    answer = _quote(story, "They never rang me back, not once.", attribution=Attribution.NAMED)
    question = _quote(story, "What happened when you rang?", attribution=Attribution.NAMED)
    quotes = _by_highlight(project)
    assert (quotes[answer.pk].source, quotes[answer.pk].speaker) == ("Skyler Jones", "Skyler Jones")
    assert quotes[question.pk].source == "Interviewer (Sam)"


def test_an_interviewers_quote_left_anonymous_does_not_hide_the_storytellers_name(project, story):
    answer = _quote(story, "They never rang me back, not once.", attribution=Attribution.NAMED)
    _quote(story, "What happened when you rang?")  # anonymous, the default
    assert _by_highlight(project)[answer.pk].source == "Skyler Jones"


def test_another_participant_is_never_named(project, story):
    other = _quote(story, "Same for me, love.")
    quote = _by_highlight(project)[other.pk]
    assert (quote.source, quote.speaker) == ("Another participant", "")
    assert "Dee Walsh" not in findings_export_csv(project=project, actor=None)


def test_a_quote_over_two_speakers_credits_both_and_belongs_to_who_said_most(project, story):
    both = _quote(story, "rang?\n\nThey never rang me back, not once.")
    assert both.speaker.label == "Skyler Jones"
    assert {s.label for s in both.speakers.all()} == {"Sam Reporter", "Skyler Jones"}
    assert _by_highlight(project)[both.pk].source == "Interviewer (Sam) and Sky"
    row = next(row for row in _csv_rows(project) if row[0] == str(both.pk))
    assert row[3:5] == ["Interviewer (Sam) and Sky", "Interviewer and storyteller"]


def test_another_participant_is_credited_without_a_name_in_the_csv(project, story):
    other = _quote(story, "Same for me, love.")
    row = next(row for row in _csv_rows(project) if row[0] == str(other.pk))
    assert row[3:5] == ["Another participant", "Another participant"]


def test_the_findings_page_shows_who_said_each_quote(client, project, story, facilitator):
    question = _quote(story, "What happened when you rang?")
    answer = _quote(story, "They never rang me back, not once.")
    client.force_login(facilitator)
    page = client.get(reverse("reports:findings", kwargs={"project_slug": project.slug}))
    html = page.content.decode()
    for highlight, credit in ((question, "Interviewer (Sam)"), (answer, "Sky")):
        card = html[html.index(highlight.snippet) :]
        card = card[: card.index("</figure>")]
        assert f'<span class="finding-quote__source">{credit}</span>' in card
    assert "Skyler Jones" not in html


def test_a_theme_page_says_who_said_each_quote_and_in_what_part(client, project, story):
    from cohub.apps.analysis.services import theme_create

    theme = theme_create(project=project, name="Calling back", actor=None).theme
    _quote(story, "What happened when you rang?", themes=[theme])
    _quote(story, "They never rang me back, not once.", themes=[theme])
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    url = reverse(
        "analysis:theme_detail", kwargs={"project_slug": project.slug, "theme_id": theme.pk}
    )
    html = client.get(url).content.decode()
    # The interviewer's question is never shown as if the storyteller asked it.
    assert "said by Sam (interviewer)" in html
    assert "said by Skyler Jones (storyteller)" in html


def _share(story, *words):
    """Check the story without the model, replace ``words``, and make the shareable version."""
    from cohub.apps.redaction import services
    from cohub.apps.redaction.models import FindingStatus
    from cohub.pipeline.redact import Kind
    from tests.redaction.conftest import findings_in

    run = services.redaction_check_start(story=story, actor=None).run
    run = services.redaction_findings_store(
        run=run,
        findings=findings_in(run.transcript.text, *((w, Kind.PERSON) for w in words)),
        engine_settings={"engine": "test"},
    )
    services.findings_decide_kind(
        run=run, actor=None, kind=Kind.PERSON.value, status=FindingStatus.ACCEPTED
    )
    services.redaction_share(run=run, actor=None)


def _newest_quote(story, words):
    transcript = story.transcripts.order_by("-version").first()
    start = transcript.text.index(words)
    return highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len(words),
        actor=None,
    ).highlight


@pytest.fixture
def named_in_words(project):
    """Sam is named in the words as well as beside them."""
    teller = make_storyteller(project, pseudonym="Sky", consent=ALL_SCOPES)
    text = (
        "Sam Reporter: What happened when you rang?\n\n"
        "Skyler Jones: Sam, they never rang me back. Dee said the same."
    )
    story = make_story(project, storyteller=teller, text=text)
    sam = Speaker.objects.get(story=story, label="Sam Reporter")
    speaker_update(speaker=sam, actor=None, display_name="Sam", part=SpeakerPart.INTERVIEWER)
    return story


def test_an_interviewer_whose_name_was_replaced_in_the_words_is_not_named_beside_them(
    project, named_in_words
):
    _share(named_in_words, "Sam")
    question = _newest_quote(named_in_words, "What happened when you rang?")
    quote = _by_highlight(project)[question.pk]
    assert quote.source == "Interviewer"
    assert quote.speaker == ""
    assert "Sam" not in findings_export_csv(project=project, actor=None)


def test_a_replaced_word_that_is_not_the_interviewers_name_leaves_the_credit_alone(
    project, named_in_words
):
    _share(named_in_words, "Dee")
    question = _newest_quote(named_in_words, "What happened when you rang?")
    assert _by_highlight(project)[question.pk].source == "Interviewer (Sam)"
