"""Key quotes check the storyteller's consent as stored now, not a copy loaded earlier."""

from __future__ import annotations

import pytest

from cohub.apps.analysis import services
from cohub.apps.analysis.models import Attribution, Highlight
from cohub.apps.core.errors import ConsentError
from cohub.apps.stories.selectors import story_get
from cohub.apps.stories.services import consent_record
from tests.factories import make_story, make_storyteller

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(project):
    return make_story(project, storyteller=make_storyteller(project))


def _quote(story, **fields):
    transcript = story.transcripts.get()
    start = transcript.text.index("lost my job")
    return services.highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len("lost my job"),
        actor=None,
        **fields,
    ).highlight


def test_quote_refused_when_transcribing_was_withdrawn_after_the_page_loaded(project, story):
    stale = story_get(project, story.pk)  # as the view loads it: consent prefetched
    assert stale.storyteller.consent_records.all()
    consent_record(storyteller=story.storyteller, actor=None, record=True, transcribe=False)

    with pytest.raises(ConsentError):
        _quote(stale)
    assert not Highlight.objects.exists()


def test_named_quote_refused_when_naming_was_withdrawn_after_the_page_loaded(project, story):
    stale = story_get(project, story.pk)
    assert stale.storyteller.consent_records.all()
    consent_record(
        storyteller=story.storyteller,
        actor=None,
        record=True,
        transcribe=True,
        quote_anonymously=True,
    )

    with pytest.raises(ConsentError):
        _quote(stale, attribution=Attribution.NAMED)
    assert not Highlight.objects.exists()


def test_changing_a_quote_to_named_reads_consent_afresh(project, story):
    highlight = _quote(story)
    stale = (
        Highlight.objects.select_related("review_sheet__story__storyteller")
        .prefetch_related("review_sheet__story__storyteller__consent_records")
        .get(pk=highlight.pk)
    )
    consent_record(
        storyteller=story.storyteller,
        actor=None,
        record=True,
        transcribe=True,
        quote_anonymously=True,
    )

    with pytest.raises(ConsentError):
        services.highlight_update(highlight=stale, actor=None, attribution=Attribution.NAMED)
    highlight.refresh_from_db()
    assert highlight.attribution == Attribution.ANONYMOUS
