"""Consent is read afresh when a story is added, whatever copy the caller holds."""

from __future__ import annotations

import pytest

from cohub.apps.core.errors import ConsentError
from cohub.apps.stories import services
from cohub.apps.stories.models import Story, Storyteller
from cohub.apps.stories.selectors import storytellers_for
from tests.factories import make_storyteller

pytestmark = pytest.mark.django_db


def _stale_copy(storyteller: Storyteller) -> Storyteller:
    """The storyteller as the story forms load it: consent prefetched, then kept."""
    copy = storytellers_for(storyteller.project).get(pk=storyteller.pk)
    assert copy.consent_records.all()  # prefetched now, not read again later
    return copy


def test_story_is_refused_for_a_storyteller_who_withdrew_after_the_form_loaded(project):
    storyteller = make_storyteller(project)
    stale = _stale_copy(storyteller)
    services.consent_withdraw(storyteller=storyteller, actor=None)

    with pytest.raises(ConsentError):
        services.story_create_from_text(
            project=project, storyteller=stale, actor=None, title="Late", text="Robin: words"
        )
    assert not Story.objects.filter(storyteller=storyteller).exists()


def test_story_is_refused_when_consent_narrowed_after_the_form_loaded(project):
    storyteller = make_storyteller(project)
    stale = _stale_copy(storyteller)
    services.consent_record(storyteller=storyteller, actor=None, record=True, transcribe=False)

    with pytest.raises(ConsentError):
        services.story_import_transcript(
            project=project,
            storyteller=stale,
            actor=None,
            data=b"Robin: I was not asked again.",
            filename="late.txt",
        )
    assert not Story.objects.filter(storyteller=storyteller).exists()
