"""Speakers are rows: import guesses their parts, people rename them, and it shows everywhere."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohub.apps.analysis.services import highlight_create, theme_create
from cohub.apps.core.errors import ConsentError, ServiceError
from cohub.apps.core.models import Event
from cohub.apps.projects.models import ProjectRole
from cohub.apps.reports.findings import project_findings
from cohub.apps.reports.services import findings_export_csv
from cohub.apps.stories import services as story_services
from cohub.apps.stories.models import Speaker, SpeakerPart
from cohub.apps.stories.services import consent_record, speaker_update
from tests.factories import (
    ALL_ROLES,
    TWO_SPEAKER_VTT,
    UserFactory,
    assert_role_access,
    log_in_as_role,
    make_member,
    make_story,
    make_storyteller,
)

pytestmark = pytest.mark.django_db


def _speakers(story):
    return {s.label: s for s in Speaker.objects.filter(story=story)}


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


def test_import_makes_a_speaker_per_label_and_guesses_their_parts(project):
    reporter = UserFactory(display_name="Sam (community reporter)")
    teller = make_storyteller(project, pseudonym="Robin")
    story = story_services.story_import_transcript(
        project=project, storyteller=teller, actor=reporter, data=TWO_SPEAKER_VTT, filename="a.vtt"
    )
    speakers = _speakers(story)
    assert {label: s.part for label, s in speakers.items()} == {
        "Sam": SpeakerPart.INTERVIEWER,
        "Robin": SpeakerPart.STORYTELLER,
    }
    assert speakers["Robin"].display_name == "Robin"
    segments = story.transcripts.get().segments.order_by("index")
    assert [s.speaker.label for s in segments] == ["Sam", "Robin", "Robin"]


def test_typed_text_without_names_has_no_speakers(project):
    story = make_story(project, text="It started when the rent went up.")
    assert not Speaker.objects.filter(story=story).exists()
    assert story.transcripts.get().segments.get().speaker is None


def test_renaming_a_speaker_writes_an_event_without_the_name(project):
    user = UserFactory()
    story = make_story(project)
    robin = _speakers(story)["Robin"]
    speaker, changed = speaker_update(speaker=robin, actor=user, display_name="  R.  ")
    assert changed
    assert Speaker.objects.get(pk=robin.pk).display_name == "R."
    event = Event.objects.get(verb="speaker.update")
    assert event.actor == user
    assert event.data["fields"] == ["display_name"]
    assert "R." not in str(event.data)


def test_an_update_that_changes_nothing_writes_no_event(project):
    story = make_story(project)
    robin = _speakers(story)["Robin"]
    _, changed = speaker_update(speaker=robin, actor=None, display_name="Robin", part="storyteller")
    assert not changed
    assert not Event.objects.filter(verb="speaker.update").exists()


def test_a_story_has_at_most_one_storyteller(project):
    story = make_story(project)
    sam = _speakers(story)["Sam"]
    with pytest.raises(ServiceError, match="Robin is already the storyteller"):
        speaker_update(speaker=sam, actor=None, part=SpeakerPart.STORYTELLER)
    speaker_update(speaker=_speakers(story)["Robin"], actor=None, part=SpeakerPart.PARTICIPANT)
    speaker_update(speaker=sam, actor=None, part=SpeakerPart.STORYTELLER)
    assert _speakers(story)["Sam"].part == SpeakerPart.STORYTELLER


def test_an_empty_name_or_unknown_part_is_refused(project):
    robin = _speakers(make_story(project))["Robin"]
    with pytest.raises(ServiceError, match="Give the speaker a name"):
        speaker_update(speaker=robin, actor=None, display_name="   ")
    with pytest.raises(ServiceError, match="Unknown part"):
        speaker_update(speaker=robin, actor=None, part="narrator")


def test_speakers_cannot_change_once_consent_to_transcribe_is_gone(project):
    teller = make_storyteller(project)
    story = make_story(project, storyteller=teller)
    consent_record(storyteller=teller, actor=None, record=True)
    with pytest.raises(ConsentError):
        speaker_update(speaker=_speakers(story)["Sam"], actor=None, display_name="Sam R")


def test_a_rename_shows_on_the_review_sheet_theme_page_findings_and_csv(client, project):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    story = make_story(project, text="Sam: How did it start?\n\nRobin: I lost my job.")
    theme = theme_create(project=project, name="Work", actor=None).theme
    highlight = _quote(story, "How did it start?", themes=[theme])
    speaker_update(speaker=_speakers(story)["Sam"], actor=None, part=SpeakerPart.INTERVIEWER)
    speaker_update(speaker=_speakers(story)["Sam"], actor=None, display_name="Samira")

    client.force_login(facilitator)
    kwargs = {"project_slug": project.slug}
    review = client.get(reverse("analysis:review_sheet", kwargs={**kwargs, "story_id": story.pk}))
    theme_page = client.get(
        reverse("analysis:theme_detail", kwargs={**kwargs, "theme_id": theme.pk})
    )
    for page in (review, theme_page):
        assert "Samira" in page.content.decode()
    (quote,) = project_findings(project).themes[0].quotes
    assert quote.highlight_id == highlight.pk
    assert quote.source == "Interviewer (Samira)"
    assert "Interviewer (Samira)" in findings_export_csv(project=project, actor=None)


def _speaker_list_url(project, story):
    return reverse(
        "stories:speaker_list", kwargs={"project_slug": project.slug, "story_id": story.pk}
    )


def _speaker_edit_url(project, story, speaker):
    return reverse(
        "stories:speaker_edit",
        kwargs={"project_slug": project.slug, "story_id": story.pk, "speaker_id": speaker.pk},
    )


def test_the_speakers_page_lists_names_parts_and_labels(client, project):
    story = make_story(project)
    client.force_login(make_member(project, ProjectRole.MEMBER))
    page = client.get(_speaker_list_url(project, story)).content.decode()
    assert "Who is speaking" in page
    assert "The storyteller" in page
    assert "Another participant" in page
    assert "speaker_edit" not in page and "Save" not in page  # a member may look, not change


def test_a_reporter_changes_a_speaker_from_the_page(client, project):
    story = make_story(project)
    sam = _speakers(story)["Sam"]
    client.force_login(make_member(project, ProjectRole.COMMUNITY_REPORTER))
    response = client.post(
        _speaker_edit_url(project, story, sam), {"display_name": "Sam B", "part": "interviewer"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#speaker-{sam.pk}")
    sam.refresh_from_db()
    assert (sam.display_name, sam.part) == ("Sam B", SpeakerPart.INTERVIEWER)
    page = client.get(response["Location"]).content.decode()
    assert "Sam B shows everywhere now" in page


def test_a_second_storyteller_is_refused_on_the_page_in_plain_words(client, project):
    story = make_story(project)
    sam = _speakers(story)["Sam"]
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    response = client.post(
        _speaker_edit_url(project, story, sam), {"display_name": "Sam", "part": "storyteller"}
    )
    assert response.status_code == 200
    assert "Robin is already the storyteller" in response.content.decode()
    sam.refresh_from_db()
    assert sam.part == SpeakerPart.PARTICIPANT


@pytest.mark.parametrize("role", ALL_ROLES)
def test_who_may_change_a_speaker(client, project, role):
    story = make_story(project)
    sam = _speakers(story)["Sam"]
    log_in_as_role(client, project, role)
    response = client.post(
        _speaker_edit_url(project, story, sam), {"display_name": "Sam X", "part": "interviewer"}
    )
    assert_role_access(response, role, {"facilitator", "community_reporter", "org_admin"})
    sam.refresh_from_db()
    allowed = role in {"facilitator", "community_reporter", "org_admin"}
    assert (sam.display_name == "Sam X") is allowed
