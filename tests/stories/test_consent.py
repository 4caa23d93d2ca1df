"""Consent: versions keep their history, bad consent is refused, and withdrawal leaves nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cohub.apps.analysis import services as analysis_services
from cohub.apps.analysis.models import CodingEvent, Highlight, HighlightTheme, ReviewSheet, Theme
from cohub.apps.core.errors import ConsentError, ServiceError
from cohub.apps.projects.models import ProjectRole
from cohub.apps.stories import services
from cohub.apps.stories.consent import consent_allows, current_consent, require_consent
from cohub.apps.stories.models import ConsentRecord, Segment, Story, Storyteller, Transcript
from cohub.apps.stories.scopes import ConsentScope
from tests.factories import GATHER_ONLY, make_member, make_story, make_storyteller

# Read "today" when each test runs, not when the module loads: a run may cross midnight.


@pytest.mark.django_db
def test_changing_consent_adds_a_version_and_keeps_the_old_one(project):
    reporter = make_member(project, ProjectRole.COMMUNITY_REPORTER)
    storyteller = make_storyteller(project, consent=GATHER_ONLY, actor=reporter)
    services.consent_record(
        storyteller=storyteller,
        actor=reporter,
        record=True,
        transcribe=True,
        quote_anonymously=True,
        note="Agreed on the phone.",
    )
    records = list(storyteller.consent_records.order_by("version"))
    assert [r.version for r in records] == [1, 2]
    assert records[0].granted_scopes() == ["record", "transcribe"]
    assert records[1].granted_scopes() == ["record", "transcribe", "quote_anonymously"]
    assert records[1].note == "Agreed on the phone."
    assert records[1].recorded_by == reporter
    assert current_consent(storyteller).version == 2
    assert consent_allows(storyteller, "quote_anonymously")


@pytest.mark.django_db
def test_narrowing_consent_takes_effect_at_once(project):
    storyteller = make_storyteller(project)
    assert consent_allows(storyteller, "publish_in_library")
    services.consent_record(storyteller=storyteller, actor=None, record=True, transcribe=True)
    assert not consent_allows(storyteller, "publish_in_library")
    assert storyteller.consent_records.count() == 2


@pytest.mark.django_db
def test_quote_by_name_without_quote_anonymously_is_refused(project):
    storyteller = make_storyteller(project, consent=GATHER_ONLY)
    with pytest.raises(ServiceError, match="Quoting by name"):
        services.consent_record(
            storyteller=storyteller, actor=None, record=True, quote_by_name=True
        )
    assert storyteller.consent_records.count() == 1


@pytest.mark.django_db
def test_storyteller_create_refuses_quote_by_name_alone_and_stores_nothing(project):
    with pytest.raises(ServiceError):
        make_storyteller(project, consent={"record": True, "quote_by_name": True})
    assert not Storyteller.objects.exists()


@pytest.mark.django_db
def test_keep_until_in_the_past_is_refused(project):
    storyteller = make_storyteller(project, consent=GATHER_ONLY)
    with pytest.raises(ServiceError, match="in the past"):
        services.consent_record(
            storyteller=storyteller,
            actor=None,
            record=True,
            keep_until=timezone.localdate() - dt.timedelta(days=1),
        )
    assert storyteller.consent_records.count() == 1


@pytest.mark.django_db
def test_keep_until_today_or_later_is_accepted(project):
    storyteller = make_storyteller(project, consent=GATHER_ONLY)
    record = services.consent_record(
        storyteller=storyteller, actor=None, record=True, keep_until=timezone.localdate()
    )
    assert record.keep_until == timezone.localdate()
    assert consent_allows(storyteller, "record")


@pytest.mark.django_db
def test_consent_runs_out_after_keep_until(project):
    storyteller = make_storyteller(
        project, consent={**GATHER_ONLY, "keep_until": timezone.localdate() + dt.timedelta(days=30)}
    )
    assert consent_allows(storyteller, "record")
    later = timezone.localdate() + dt.timedelta(days=31)
    assert not consent_allows(storyteller, "record", today=later)

    ConsentRecord.objects.filter(storyteller=storyteller).update(
        keep_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert not consent_allows(storyteller, "record")
    with pytest.raises(ConsentError, match="only until"):
        require_consent(storyteller, "record")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "consent",
    [{}, {"record": True}, {"transcribe": True}, {"quote_anonymously": True}],
    ids=["nothing", "record-only", "transcribe-only", "quote-only"],
)
def test_story_needs_record_and_transcribe_consent(project, consent):
    storyteller = make_storyteller(project, consent=consent)
    with pytest.raises(ConsentError):
        services.story_create_from_text(
            project=project, storyteller=storyteller, actor=None, title="T", text="Hello."
        )
    assert not Story.objects.exists()


@pytest.mark.django_db
def test_story_with_record_and_transcribe_consent_is_stored(project):
    storyteller = make_storyteller(project, consent=GATHER_ONLY)
    story = services.story_create_from_text(
        project=project, storyteller=storyteller, actor=None, title="T", text="Hello."
    )
    assert story.transcripts.get().text == "Hello."


@pytest.fixture
def coded_story(project):
    """A storyteller with two stories, one with a highlight tagged with a theme."""
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    storyteller = make_storyteller(
        project,
        actor=facilitator,
        real_name="Robin Smith",
        self_description="A carer.",
        age_range="35 to 44",
        gender="woman",
        ethnicity="White British",
        location="Leeds",
        sectors=["services"],
        roles=["lived_experience"],
        topics=["housing"],
    )
    story = make_story(project, storyteller=storyteller, actor=facilitator)
    make_story(project, storyteller=storyteller, text="Robin: Another day.", title="Two")
    transcript = story.transcripts.get()
    theme = analysis_services.theme_create(project=project, name="Waiting", actor=facilitator).theme
    highlight = analysis_services.highlight_create(
        story=story,
        transcript=transcript,
        char_start=0,
        char_end=len(transcript.text),
        actor=facilitator,
        themes=[theme],
        note="Key point",
    ).highlight
    return facilitator, storyteller, highlight, theme


@pytest.mark.django_db
def test_withdrawal_removes_everything_made_from_the_stories(project, coded_story):
    facilitator, storyteller, highlight, theme = coded_story
    other = make_story(
        project, storyteller=make_storyteller(project, pseudonym="Sam"), text="Sam: Not withdrawn."
    )
    assert CodingEvent.objects.filter(story_id__isnull=False).exists()

    removed = services.consent_withdraw(
        storyteller=storyteller, actor=facilitator, note="Asked by phone."
    )

    assert removed == 2
    assert list(Story.objects.all()) == [other]
    assert not Transcript.objects.exclude(story=other).exists()
    assert not Segment.objects.exclude(transcript__story=other).exists()
    assert not ReviewSheet.objects.exclude(story=other).exists()
    assert not Highlight.objects.exists()
    assert not HighlightTheme.objects.exists()
    assert not CodingEvent.objects.filter(story_id=highlight.review_sheet.story_id).exists()
    assert not CodingEvent.objects.filter(highlight_id=highlight.pk).exists()
    # The theme was made from this storyteller's quote alone, so it goes with its log rows.
    assert not Theme.objects.filter(pk=theme.pk).exists()
    assert not CodingEvent.objects.filter(theme_id=theme.pk).exists()


@pytest.mark.django_db
def test_withdrawal_clears_the_profile_and_keeps_the_consent_history(project, coded_story):
    facilitator, storyteller, _, _ = coded_story
    services.consent_withdraw(storyteller=storyteller, actor=facilitator, note="By letter.")
    storyteller.refresh_from_db()
    assert storyteller.withdrawn_at is not None
    assert storyteller.pseudonym == "Withdrawn storyteller"
    assert str(storyteller.pk) not in storyteller.pseudonym
    assert storyteller.real_name == ""  # every personal field: tests/stories/test_personal.py

    records = list(storyteller.consent_records.order_by("version"))
    assert [r.version for r in records] == [1, 2]
    assert records[0].granted_scopes() == list(ConsentScope)
    assert records[1].withdrawn and records[1].granted_scopes() == []
    assert records[1].note == "By letter."
    assert records[1].recorded_by == facilitator
    for scope in ConsentScope:
        assert not consent_allows(storyteller, scope)


@pytest.mark.django_db
def test_second_withdrawal_changes_nothing(project, coded_story):
    facilitator, storyteller, _, _ = coded_story
    services.consent_withdraw(storyteller=storyteller, actor=facilitator)
    storyteller.refresh_from_db()
    withdrawn_at = storyteller.withdrawn_at
    assert services.consent_withdraw(storyteller=storyteller, actor=facilitator) == 0
    storyteller.refresh_from_db()
    assert storyteller.withdrawn_at == withdrawn_at
    assert storyteller.consent_records.count() == 2


@pytest.mark.django_db
def test_after_withdrawal_consent_and_stories_are_refused(project, coded_story):
    facilitator, storyteller, _, _ = coded_story
    services.consent_withdraw(storyteller=storyteller, actor=facilitator)
    storyteller.refresh_from_db()
    with pytest.raises(ServiceError, match="withdrew consent"):
        services.consent_record(storyteller=storyteller, actor=facilitator, record=True)
    with pytest.raises(ConsentError, match="withdrawn"):
        services.story_create_from_text(
            project=project, storyteller=storyteller, actor=facilitator, title="T", text="Hi."
        )
    with pytest.raises(ServiceError):
        services.storyteller_update(storyteller=storyteller, actor=facilitator, real_name="X")


# ---------------------------------------------------------------------------
# Why a story's words are withheld, in one sentence wherever it is said


@pytest.mark.django_db
def test_words_are_readable_while_transcription_is_agreed(project):
    from cohub.apps.stories.consent import consent_now

    assert consent_now(make_storyteller(project, consent=GATHER_ONLY)).words is None


@pytest.mark.django_db
def test_words_are_withheld_when_transcription_is_taken_back(project):
    from cohub.apps.stories.consent import consent_now

    kit = make_storyteller(project, pseudonym="Kit")
    services.consent_record(storyteller=kit, actor=None, record=True)
    withheld = consent_now(kit).words
    assert withheld.message == "Withheld: Kit has not agreed that we transcribe their story."
    assert withheld.refusal == "Kit has not agreed that we transcribe their story."
    with pytest.raises(ConsentError, match=r"^Kit has not agreed that we transcribe"):
        require_consent(kit, ConsentScope.TRANSCRIBE)


@pytest.mark.django_db
def test_words_are_withheld_once_the_keep_until_date_has_passed(project):
    from cohub.apps.stories.consent import consent_now

    kit = make_storyteller(project, pseudonym="Kit")
    services.consent_record(
        storyteller=kit, actor=None, record=True, transcribe=True, keep_until=dt.date(2031, 3, 4)
    )
    assert consent_now(kit, today=dt.date(2031, 3, 4)).words is None, "the last day still counts"
    now = consent_now(kit, today=dt.date(2031, 3, 5))
    assert now.words.message == (
        "Withheld: Kit agreed that we keep their story only until 4 March 2031, "
        "and that date has passed."
    )
    assert not any(now.allows(scope) for scope in ConsentScope)


@pytest.mark.django_db
def test_words_are_withheld_once_consent_is_withdrawn(project):
    from cohub.apps.stories.consent import consent_now

    kit = make_storyteller(project, pseudonym="Kit")
    # The withdrawn version, as consent_withdraw writes it, before its purge has finished.
    ConsentRecord.objects.create(storyteller=kit, version=2, withdrawn=True)
    assert consent_now(kit).words.message == "Withheld: Kit has withdrawn their consent."
    assert consent_now(kit).quoting.message == "Withheld: Kit has withdrawn their consent."


@pytest.mark.django_db
def test_quoting_needs_transcription_as_well_as_consent_to_be_quoted(project):
    from cohub.apps.stories.consent import consent_now

    kit = make_storyteller(project, pseudonym="Kit")
    services.consent_record(
        storyteller=kit, actor=None, record=True, quote_anonymously=True, quote_by_name=True
    )
    now = consent_now(kit)
    assert now.quoting.message == "Withheld: Kit has not agreed that we transcribe their story."
    assert not now.may_name
