"""Story pages: adding stories, importing transcripts and deleting one."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cohub.apps.projects.models import ProjectRole
from cohub.apps.stories import services as story_services
from cohub.apps.stories.models import Segment, Story, Transcript
from tests.factories import (
    ALL_ROLES,
    TWO_SPEAKER_VTT,
    ProjectFactory,
    assert_role_access,
    import_vtt_story,
    log_in_as_role,
    make_member,
    make_story,
    make_storyteller,
)

GATHERERS = {"facilitator", "community_reporter", "org_admin"}
CODERS = GATHERERS | {"member"}
RUNNERS = {"facilitator", "org_admin"}

BROKEN_VTT = b"""WEBVTT

1
00:00:01.000 --> 00:00:04.500
<v Sam>How did it start?</v>

2
00:00:05.000 -> 00:00:09.000
<v Robin>I lost my job.</v>
"""


def _url(name, project, **kwargs):
    return reverse(f"stories:{name}", kwargs={"project_slug": project.slug, **kwargs})


def _story_url(project, story):
    """A story is read on its review sheet, which analysis owns and registers."""
    return reverse(
        "analysis:review_sheet", kwargs={"project_slug": project.slug, "story_id": story.pk}
    )


def _login(client, project, role):
    return log_in_as_role(client, project, role)


def _expect(response, role, allowed):
    assert_role_access(response, role, allowed)


# ---------------------------------------------------------------------------
# Who may do what


@pytest.mark.parametrize("role", ALL_ROLES)
def test_story_list_by_role(client, project, story, role):
    _login(client, project, role)
    response = client.get(_url("story_list", project))
    _expect(response, role, CODERS)
    if role in CODERS:
        assert story.title in response.content.decode()


@pytest.mark.parametrize("name", ["story_create", "story_import"])
@pytest.mark.parametrize("role", ALL_ROLES)
def test_adding_stories_by_role(client, project, storyteller, role, name):
    _login(client, project, role)
    _expect(client.get(_url(name, project)), role, GATHERERS)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_story_delete_by_role(client, project, story, role):
    """Reporters gather stories, but deleting one is for whoever runs the project."""
    _login(client, project, role)
    response = client.post(_url("story_delete", project, story_id=story.pk))
    _expect(response, role, RUNNERS)
    assert Story.objects.filter(pk=story.pk).exists() == (role not in RUNNERS)


def test_reporter_who_gathered_a_story_still_cannot_delete_it(client, project, storyteller):
    reporter = make_member(project, ProjectRole.COMMUNITY_REPORTER)
    story = make_story(project, storyteller=storyteller)
    Story.objects.filter(pk=story.pk).update(created_by=reporter)
    client.force_login(reporter)
    assert client.post(_url("story_delete", project, story_id=story.pk)).status_code == 403
    assert Story.objects.filter(pk=story.pk).exists()


def test_story_list_shows_pseudonym_source_and_buttons(client, project, facilitator, story):
    client.force_login(facilitator)
    page = client.get(_url("story_list", project)).content.decode()
    assert "Robin" in page
    assert "Typed or pasted" in page
    assert "Type or paste a story" in page
    assert "Import a transcript file" in page


def test_co_producer_sees_no_add_buttons(client, project, story):
    client.force_login(make_member(project, ProjectRole.MEMBER))
    page = client.get(_url("story_list", project)).content.decode()
    assert "Type or paste a story" not in page


# ---------------------------------------------------------------------------
# Typing or pasting a story


def test_create_story_from_text(client, project, facilitator, storyteller):
    client.force_login(facilitator)
    response = client.post(
        _url("story_create", project),
        {
            "storyteller": storyteller.pk,
            "title": "After the flood",
            "recorded_on": "2025-03-01",
            "text": "Sam: What happened?\n\nRobin: The water came in at night.",
        },
    )
    story = Story.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _story_url(project, story)
    assert story.title == "After the flood"
    assert str(story.recorded_on) == "2025-03-01"
    segments = list(Segment.objects.filter(transcript__story=story).order_by("index"))
    assert [(s.speaker.label, s.text) for s in segments] == [
        ("Sam", "What happened?"),
        ("Robin", "The water came in at night."),
    ]


def test_create_refused_by_consent_keeps_input(client, project, facilitator):
    nobody_agreed = make_storyteller(project, consent={}, pseudonym="Kit")
    client.force_login(facilitator)
    response = client.post(
        _url("story_create", project),
        {"storyteller": nobody_agreed.pk, "title": "Kept title", "text": "Words I typed."},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Kit has not agreed that we record their story" in page
    assert "Words I typed." in page
    assert "Kept title" in page
    assert not Story.objects.exists()


def test_create_offers_only_active_storytellers_of_this_project(
    client, project, facilitator, storyteller
):
    withdrawn = make_storyteller(project, pseudonym="Gone")
    story_services.consent_withdraw(storyteller=withdrawn, actor=None)
    elsewhere = make_storyteller(ProjectFactory(), pseudonym="Elsewhere")
    client.force_login(facilitator)
    page = client.get(_url("story_create", project)).content.decode()
    assert f'value="{storyteller.pk}"' in page
    assert f'value="{withdrawn.pk}"' not in page
    assert "Elsewhere" not in page
    response = client.post(
        _url("story_create", project),
        {"storyteller": elsewhere.pk, "title": "T", "text": "Some words."},
    )
    assert response.status_code == 200
    assert not Story.objects.exists()


def test_create_without_storytellers_points_to_adding_one(client, project, facilitator):
    client.force_login(facilitator)
    page = client.get(_url("story_create", project)).content.decode()
    assert _url("storyteller_create", project) in page


def test_create_shows_speaker_hint(client, project, facilitator, storyteller):
    client.force_login(facilitator)
    page = client.get(_url("story_create", project)).content.decode()
    assert "Start a line with a name and a colon, like 'Sam: ...'" in page


# ---------------------------------------------------------------------------
# Importing transcript files


def _import(client, project, storyteller, *files, title=""):
    return client.post(
        _url("story_import", project),
        {"storyteller": storyteller.pk, "title": title, "files": list(files)},
    )


def test_import_good_vtt_stores_speakers_and_times(client, project, facilitator, storyteller):
    client.force_login(facilitator)
    response = _import(
        client, project, storyteller, SimpleUploadedFile("interview.vtt", TWO_SPEAKER_VTT)
    )
    assert response.status_code == 200
    story = Story.objects.get()
    assert story.source_filename == "interview.vtt"
    segments = list(Segment.objects.filter(transcript__story=story).order_by("index"))
    assert [(s.speaker.label, s.start_ms, s.end_ms) for s in segments] == [
        ("Sam", 1000, 4500),
        ("Robin", 5000, 9000),
        ("Robin", 9500, 12000),
    ]
    page = response.content.decode()
    assert "1 story was added" in page
    assert _story_url(project, story) in page


def test_import_uses_title_for_one_file(client, project, facilitator, storyteller):
    client.force_login(facilitator)
    _import(
        client,
        project,
        storyteller,
        SimpleUploadedFile("x.vtt", TWO_SPEAKER_VTT),
        title="Robin's day",
    )
    assert Story.objects.get().title == "Robin's day"


def test_import_broken_vtt_names_line_and_cue_and_stores_nothing(
    client, project, facilitator, storyteller
):
    client.force_login(facilitator)
    response = _import(client, project, storyteller, SimpleUploadedFile("broken.vtt", BROKEN_VTT))
    page = response.content.decode()
    assert response.status_code == 200
    assert "broken.vtt" in page
    assert "Line 8 (cue 2)" in page
    assert not Story.objects.exists()
    assert not Transcript.objects.exists()
    assert not Segment.objects.exists()


def test_import_two_files_one_broken_keeps_the_good_one(client, project, facilitator, storyteller):
    client.force_login(facilitator)
    response = _import(
        client,
        project,
        storyteller,
        SimpleUploadedFile("broken.vtt", BROKEN_VTT),
        SimpleUploadedFile("good.vtt", TWO_SPEAKER_VTT),
    )
    page = response.content.decode()
    story = Story.objects.get()
    assert story.source_filename == "good.vtt"
    assert Segment.objects.count() == 3
    assert "1 file was not imported" in page
    assert "1 story was added" in page
    assert "Line 8 (cue 2)" in page


def test_import_of_a_cue_ten_to_the_sixteen_hours_in_is_refused_by_line(
    client, project, facilitator, storyteller
):
    """This once reached the database and overflowed its column: a server error page."""
    vtt = b"WEBVTT\n\n1\n10000000000000000:00:00.000 --> 10000000000000000:00:04.000\nHi\n"
    client.force_login(facilitator)
    response = _import(client, project, storyteller, SimpleUploadedFile("far.vtt", vtt))
    assert response.status_code == 200
    page = response.content.decode()
    assert "far.vtt" in page
    assert "Line 4 (cue 1)" in page
    assert "cue times must be under 100 hours" in page
    assert not Story.objects.exists()


def test_import_refuses_a_transcript_longer_than_a_story_holds(
    client, project, facilitator, storyteller
):
    text = "\n\n".join(f"Sam: line {n}" for n in range(20_001))
    client.force_login(facilitator)
    response = _import(client, project, storyteller, SimpleUploadedFile("all.txt", text.encode()))
    page = response.content.decode()
    assert "20,001 parts, more than the 20,000 one story can hold" in page
    assert "Split the file into smaller files" in page
    assert not Story.objects.exists()


def test_import_an_empty_a_broken_and_a_good_file_keeps_the_good_one(
    client, project, facilitator, storyteller
):
    client.force_login(facilitator)
    response = _import(
        client,
        project,
        storyteller,
        SimpleUploadedFile("empty.txt", b""),
        SimpleUploadedFile("broken.vtt", BROKEN_VTT),
        SimpleUploadedFile("good.vtt", TWO_SPEAKER_VTT),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert list(Story.objects.values_list("source_filename", flat=True)) == ["good.vtt"]
    assert "1 story was added" in page
    assert "2 files were not imported" in page
    assert (
        "<strong>empty.txt</strong>: The file is empty: there are no words in it to import." in page
    )
    assert "<strong>broken.vtt</strong>: Line 8 (cue 2)" in page
    assert "The submitted file is empty." not in page


def test_import_title_is_left_out_with_several_files(client, project, facilitator, storyteller):
    client.force_login(facilitator)
    _import(
        client,
        project,
        storyteller,
        SimpleUploadedFile("first-call.vtt", TWO_SPEAKER_VTT),
        SimpleUploadedFile("second-call.txt", b"Robin: A second story."),
        title="Ignored",
    )
    titles = set(Story.objects.values_list("title", flat=True))
    assert titles == {"First call", "Second call"}


def test_import_unsupported_and_repeated_files_are_reported(
    client, project, facilitator, storyteller
):
    client.force_login(facilitator)
    import_vtt_story(project, storyteller)
    response = _import(
        client,
        project,
        storyteller,
        SimpleUploadedFile("photo.png", b"\x89PNG...."),
        SimpleUploadedFile("again.vtt", TWO_SPEAKER_VTT),
    )
    page = response.content.decode()
    assert "&#x27;.png&#x27; files cannot be imported" in page
    assert "already in the project" in page
    assert Story.objects.count() == 1


def test_import_refuses_oversized_file(client, project, facilitator, storyteller, monkeypatch):
    monkeypatch.setattr("cohub.apps.stories.services.MAX_TRANSCRIPT_BYTES", 10)
    monkeypatch.setattr("cohub.pipeline.formats.base.MAX_TRANSCRIPT_BYTES", 10)
    client.force_login(facilitator)
    response = _import(client, project, storyteller, SimpleUploadedFile("big.txt", b"x" * 500))
    assert "over the 0 MB limit" in response.content.decode()
    assert not Story.objects.exists()


def test_import_without_files_asks_for_one(client, project, facilitator, storyteller):
    client.force_login(facilitator)
    response = client.post(_url("story_import", project), {"storyteller": storyteller.pk})
    assert "Choose a transcript file to import." in response.content.decode()


def test_import_form_accepts_several_transcript_files(client, project, facilitator, storyteller):
    client.force_login(facilitator)
    page = client.get(_url("story_import", project)).content.decode()
    assert 'accept=".txt,.vtt,.srt,.docx"' in page
    assert "multiple" in page


# ---------------------------------------------------------------------------
# Deleting


def test_delete_story_asks_first(client, project, facilitator, story):
    client.force_login(facilitator)
    page = client.get(_url("story_delete", project, story_id=story.pk)).content.decode()
    assert "Yes, delete this story" in page
    assert Story.objects.filter(pk=story.pk).exists()
    client.post(_url("story_delete", project, story_id=story.pk))
    assert not Story.objects.filter(pk=story.pk).exists()
