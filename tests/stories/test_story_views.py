"""Story pages: adding stories, importing transcripts, the story page and making key quotes."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cohub.apps.analysis import services as analysis_services
from cohub.apps.analysis.models import CodingEvent, HighlightTheme, Theme
from cohub.apps.projects.models import ProjectRole
from cohub.apps.stories import services as story_services
from cohub.apps.stories.models import Highlight, Segment, Story, Transcript
from cohub.apps.stories.views.stories import mark_highlights
from tests.factories import (
    ALL_ROLES,
    GATHER_ONLY,
    ProjectFactory,
    make_member,
    make_story,
    make_storyteller,
    user_for_role,
)

GATHERERS = {"facilitator", "community_reporter", "org_admin"}
CODERS = GATHERERS | {"member"}

GOOD_VTT = b"""WEBVTT

1
00:00:01.000 --> 00:00:04.500
<v Sam>How did it start?</v>

2
00:00:05.000 --> 00:00:09.000
<v Robin>I lost my job, and then my flat.</v>

3
00:00:09.500 --> 00:00:12.000
<v Robin>The council helped in the end.</v>
"""

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


def _login(client, project, role):
    user = user_for_role(project, role)
    if user is not None:
        client.force_login(user)
    return user


def _expect(response, role, allowed):
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif role in allowed:
        assert response.status_code in (200, 302), response.content[:500]
    else:
        assert response.status_code == 403


@pytest.fixture
def facilitator(project):
    return make_member(project, ProjectRole.FACILITATOR)


@pytest.fixture
def storyteller(project):
    return make_storyteller(project)


@pytest.fixture
def story(project, storyteller):
    return make_story(project, storyteller=storyteller)


def _vtt_story(project, storyteller):
    return story_services.story_import_transcript(
        project=project,
        storyteller=storyteller,
        actor=None,
        data=GOOD_VTT,
        filename="interview.vtt",
    )


def _quote_data(story, **overrides):
    data = {
        "transcript_id": story.transcripts.get().pk,
        "char_start": "",
        "char_end": "",
        "segment_from": "",
        "segment_to": "",
        "exact_words": "",
        "new_theme": "",
        "change_level": "",
        "note": "",
        "attribution": "anonymous",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------------------
# Who may do what


@pytest.mark.parametrize("role", ALL_ROLES)
def test_story_list_by_role(client, project, story, role):
    _login(client, project, role)
    response = client.get(_url("story_list", project))
    _expect(response, role, CODERS)
    if role in CODERS:
        assert story.title in response.content.decode()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_story_detail_by_role(client, project, story, role):
    _login(client, project, role)
    response = client.get(_url("story_detail", project, story_id=story.pk))
    _expect(response, role, CODERS)


@pytest.mark.parametrize("name", ["story_create", "story_import"])
@pytest.mark.parametrize("role", ALL_ROLES)
def test_adding_stories_by_role(client, project, storyteller, role, name):
    _login(client, project, role)
    _expect(client.get(_url(name, project)), role, GATHERERS)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_story_delete_by_role(client, project, story, role):
    _login(client, project, role)
    response = client.post(_url("story_delete", project, story_id=story.pk))
    _expect(response, role, GATHERERS)
    assert Story.objects.filter(pk=story.pk).exists() == (role not in GATHERERS)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_review_sheet_edit_by_role(client, project, story, role):
    _login(client, project, role)
    response = client.post(
        _url("review_sheet_edit", project, story_id=story.pk),
        {"ideas": "Housing first", "summary": "Lost a job and a home."},
    )
    _expect(response, role, CODERS)
    story.review_sheet.refresh_from_db()
    assert (story.review_sheet.ideas == "Housing first") == (role in CODERS)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_highlight_create_by_role(client, project, story, role):
    _login(client, project, role)
    response = client.post(
        _url("highlight_create", project, story_id=story.pk),
        _quote_data(story, segment_from="1"),
    )
    _expect(response, role, CODERS)
    assert Highlight.objects.exists() == (role in CODERS)


def test_story_in_another_project_is_not_found(client, project, story):
    other = ProjectFactory()
    client.force_login(make_member(other, ProjectRole.FACILITATOR))
    response = client.get(_url("story_detail", other, story_id=story.pk))
    assert response.status_code == 404


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
    assert response["Location"] == _url("story_detail", project, story_id=story.pk)
    assert story.title == "After the flood"
    assert str(story.recorded_on) == "2025-03-01"
    segments = list(Segment.objects.filter(transcript__story=story).order_by("index"))
    assert [(s.speaker, s.text) for s in segments] == [
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
    response = _import(client, project, storyteller, SimpleUploadedFile("interview.vtt", GOOD_VTT))
    assert response.status_code == 200
    story = Story.objects.get()
    assert story.source_filename == "interview.vtt"
    segments = list(Segment.objects.filter(transcript__story=story).order_by("index"))
    assert [(s.speaker, s.start_ms, s.end_ms) for s in segments] == [
        ("Sam", 1000, 4500),
        ("Robin", 5000, 9000),
        ("Robin", 9500, 12000),
    ]
    page = response.content.decode()
    assert "1 story was added" in page
    assert _url("story_detail", project, story_id=story.pk) in page


def test_import_uses_title_for_one_file(client, project, facilitator, storyteller):
    client.force_login(facilitator)
    _import(
        client, project, storyteller, SimpleUploadedFile("x.vtt", GOOD_VTT), title="Robin's day"
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
        SimpleUploadedFile("good.vtt", GOOD_VTT),
    )
    page = response.content.decode()
    story = Story.objects.get()
    assert story.source_filename == "good.vtt"
    assert Segment.objects.count() == 3
    assert "1 file was not imported" in page
    assert "1 story was added" in page
    assert "Line 8 (cue 2)" in page


def test_import_unsupported_and_repeated_files_are_reported(
    client, project, facilitator, storyteller
):
    client.force_login(facilitator)
    _vtt_story(project, storyteller)
    response = _import(
        client,
        project,
        storyteller,
        SimpleUploadedFile("photo.png", b"\x89PNG...."),
        SimpleUploadedFile("again.vtt", GOOD_VTT),
    )
    page = response.content.decode()
    assert "&#x27;.png&#x27; files cannot be imported" in page
    assert "already in the project" in page
    assert Story.objects.count() == 1


def test_import_refuses_oversized_file(client, project, facilitator, storyteller, monkeypatch):
    monkeypatch.setattr("cohub.apps.stories.views.stories.MAX_TRANSCRIPT_BYTES", 10)
    monkeypatch.setattr("cohub.pipeline.formats.base.MAX_TRANSCRIPT_BYTES", 10)
    client.force_login(facilitator)
    response = _import(client, project, storyteller, SimpleUploadedFile("big.txt", b"x" * 500))
    assert "over the 0 MB limit" in response.content.decode()
    assert not Story.objects.exists()


def test_import_without_files_asks_for_one(client, project, facilitator, storyteller):
    client.force_login(facilitator)
    response = client.post(_url("story_import", project), {"storyteller": storyteller.pk})
    assert "Choose at least one file to import." in response.content.decode()


def test_import_form_accepts_several_transcript_files(client, project, facilitator, storyteller):
    client.force_login(facilitator)
    page = client.get(_url("story_import", project)).content.decode()
    assert 'accept=".txt,.vtt,.srt,.docx"' in page
    assert "multiple" in page


# ---------------------------------------------------------------------------
# The story page


def test_story_page_shows_segments_with_offsets(client, project, facilitator, storyteller):
    story = _vtt_story(project, storyteller)
    client.force_login(facilitator)
    page = client.get(_url("story_detail", project, story_id=story.pk)).content.decode()
    first, second = Segment.objects.filter(transcript__story=story).order_by("index")[:2]
    assert '<ol class="transcript" id="transcript"' in page
    assert (
        f'<li class="segment" id="seg-1" data-index="1" data-start="{second.char_start}" '
        f'data-end="{second.char_end}">'
    ) in page
    assert f'data-offset="{second.char_start}">I lost my job, and then my flat.</p>' in page
    assert "0:05–0:09" in page
    assert "Robin" in page


def test_story_page_escapes_user_text(client, project, facilitator, storyteller):
    story = make_story(
        project, storyteller=storyteller, text="Robin: <script>alert(1)</script> & more"
    )
    transcript = story.transcripts.get()
    analysis_services.highlight_create(
        review_sheet=story.review_sheet,
        transcript=transcript,
        char_start=0,
        char_end=len(transcript.text),
        actor=facilitator,
    )
    client.force_login(facilitator)
    page = client.get(_url("story_detail", project, story_id=story.pk)).content.decode()
    assert "<script>alert(1)" not in page
    assert '<mark class="highlight">&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</mark>' in page


def test_mark_highlights_escapes_and_merges_overlaps():
    html = mark_highlights("a <b> c d", 10, [(12, 15), (14, 17), (30, 40)])
    assert str(html) == 'a <mark class="highlight">&lt;b&gt; c</mark> d'


def test_mark_highlights_clips_quotes_that_cross_parts():
    assert str(mark_highlights("hello", 5, [(0, 7)])) == ('<mark class="highlight">he</mark>llo')
    assert str(mark_highlights("hello", 5, [(8, 20)])) == 'hel<mark class="highlight">lo</mark>'


def test_story_page_shows_key_quotes_with_themes_and_forms(client, project, facilitator, story):
    theme = analysis_services.theme_create(project=project, name="Housing", actor=facilitator)
    transcript = story.transcripts.get()
    start = transcript.text.index("I lost")
    highlight = analysis_services.highlight_create(
        review_sheet=story.review_sheet,
        transcript=transcript,
        char_start=start,
        char_end=len(transcript.text),
        actor=facilitator,
        themes=[theme],
        change_level="society",
        note="Key moment",
    )
    client.force_login(facilitator)
    page = client.get(_url("story_detail", project, story_id=story.pk)).content.decode()
    assert f'id="quote-{highlight.pk}"' in page
    assert "I lost my job and then my flat." in page
    assert "Society" in page
    assert "Key moment" in page
    ids = {"project_slug": project.slug, "highlight_id": highlight.pk}
    assert reverse("analysis:highlight_untag", kwargs={**ids, "theme_id": theme.pk}) in page
    assert reverse("analysis:highlight_tag", kwargs=ids) in page
    assert reverse("analysis:highlight_edit", kwargs=ids) in page
    assert 'id="highlight-form"' in page
    assert "What Robin agreed to" in page


def test_story_page_disables_by_name_without_consent(client, project, facilitator):
    storyteller = make_storyteller(project, consent=GATHER_ONLY, pseudonym="Kit <i>")
    story = make_story(project, storyteller=storyteller)
    client.force_login(facilitator)
    page = client.get(_url("story_detail", project, story_id=story.pk)).content.decode()
    assert re.search(r'value="named"[^>]*disabled', page)
    assert "Kit &lt;i&gt; has not agreed to be quoted by name." in page
    assert "Kit <i>" not in page


def test_quote_this_part_link_prefills_the_parts(client, project, facilitator, story):
    client.force_login(facilitator)
    page = client.get(_url("story_detail", project, story_id=story.pk) + "?from=1").content.decode()
    assert '<option value="1" selected>' in page


def test_review_sheet_saves_and_returns_to_story(client, project, facilitator, story):
    client.force_login(facilitator)
    response = client.post(
        _url("review_sheet_edit", project, story_id=story.pk),
        {"ideas": " Listen more ", "summary": "About losing a home."},
    )
    assert response["Location"].endswith("#review-sheet")
    story.review_sheet.refresh_from_db()
    assert story.review_sheet.ideas == "Listen more"
    assert story.review_sheet.summary == "About losing a home."


def test_delete_story_asks_first(client, project, facilitator, story):
    client.force_login(facilitator)
    page = client.get(_url("story_delete", project, story_id=story.pk)).content.decode()
    assert "Yes, delete this story" in page
    assert Story.objects.filter(pk=story.pk).exists()
    client.post(_url("story_delete", project, story_id=story.pk))
    assert not Story.objects.filter(pk=story.pk).exists()


# ---------------------------------------------------------------------------
# Making key quotes


def test_highlight_by_character_offsets(client, project, facilitator, storyteller):
    story = _vtt_story(project, storyteller)
    transcript = story.transcripts.get()
    start = transcript.text.index("and then")
    end = transcript.text.index("in the end") + len("in the end")
    client.force_login(facilitator)
    response = client.post(
        _url("highlight_create", project, story_id=story.pk),
        _quote_data(
            story,
            char_start=start,
            char_end=end,
            change_level="organisation",
            sectors=["services", "policy"],
            note="Turning point",
        ),
    )
    highlight = Highlight.objects.get()
    assert response.status_code == 302
    assert response["Location"] == (
        _url("story_detail", project, story_id=story.pk) + f"#quote-{highlight.pk}"
    )
    assert (highlight.char_start, highlight.char_end) == (start, end)
    assert highlight.snippet == "and then my flat.\n\nThe council helped in the end"
    assert (highlight.start_ms, highlight.end_ms) == (5000, 12000)
    assert highlight.speaker == "Robin"
    assert highlight.change_level == "organisation"
    assert highlight.sectors == ["services", "policy"]
    assert highlight.note == "Turning point"
    page = client.get(response["Location"]).content.decode()
    assert "The key quote has been saved." in page
    assert "Undo" in page


def test_highlight_by_segment_range(client, project, facilitator, storyteller):
    story = _vtt_story(project, storyteller)
    segments = list(Segment.objects.filter(transcript__story=story).order_by("index"))
    client.force_login(facilitator)
    client.post(
        _url("highlight_create", project, story_id=story.pk),
        _quote_data(story, segment_from="2", segment_to="1"),
    )
    highlight = Highlight.objects.get()
    assert (highlight.char_start, highlight.char_end) == (
        segments[1].char_start,
        segments[2].char_end,
    )
    assert (highlight.start_ms, highlight.end_ms) == (5000, 12000)


def test_highlight_by_one_segment_and_exact_words(client, project, facilitator, storyteller):
    story = _vtt_story(project, storyteller)
    text = story.transcripts.get().text
    client.force_login(facilitator)
    client.post(
        _url("highlight_create", project, story_id=story.pk),
        _quote_data(story, segment_from="1", exact_words="  lost   my\njob "),
    )
    highlight = Highlight.objects.get()
    start = text.index("lost my job")
    assert (highlight.char_start, highlight.char_end) == (start, start + len("lost my job"))
    assert highlight.snippet == "lost my job"
    assert (highlight.start_ms, highlight.end_ms, highlight.speaker) == (5000, 9000, "Robin")


def test_exact_words_across_parts_ignore_case_when_needed(
    client, project, facilitator, storyteller
):
    story = _vtt_story(project, storyteller)
    text = story.transcripts.get().text
    client.force_login(facilitator)
    client.post(
        _url("highlight_create", project, story_id=story.pk),
        _quote_data(story, segment_from="1", segment_to="2", exact_words="MY FLAT. the council"),
    )
    highlight = Highlight.objects.get()
    assert highlight.char_start == text.index("my flat.")
    assert highlight.snippet == "my flat.\n\nThe council"


def test_exact_words_not_in_the_chosen_parts(client, project, facilitator, storyteller):
    story = _vtt_story(project, storyteller)
    client.force_login(facilitator)
    response = client.post(
        _url("highlight_create", project, story_id=story.pk),
        _quote_data(story, segment_from="0", exact_words="the council"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "We couldn&#x27;t find those words in the parts you chose." in page
    assert "the council" in page
    # The page came back at the form's address; its links must still point at the story.
    assert f'href="{_url("story_detail", project, story_id=story.pk)}?from=0#make-quote"' in page
    assert not Highlight.objects.exists()


def test_highlight_needs_words_chosen(client, project, facilitator, story):
    client.force_login(facilitator)
    response = client.post(_url("highlight_create", project, story_id=story.pk), _quote_data(story))
    assert "Choose the words to quote" in response.content.decode()
    assert not Highlight.objects.exists()


def test_highlight_outside_the_transcript_is_refused(client, project, facilitator, story):
    client.force_login(facilitator)
    response = client.post(
        _url("highlight_create", project, story_id=story.pk),
        _quote_data(story, char_start=5, char_end=100000),
    )
    assert "outside the transcript" in response.content.decode()
    assert not Highlight.objects.exists()


def test_highlight_with_transcript_of_another_story_is_refused(
    client, project, facilitator, story, storyteller
):
    other = make_story(project, storyteller=storyteller, text="Something else entirely.")
    client.force_login(facilitator)
    data = _quote_data(story, char_start=0, char_end=5)
    data["transcript_id"] = other.transcripts.get().pk
    response = client.post(_url("highlight_create", project, story_id=story.pk), data)
    assert response.status_code == 200
    assert not Highlight.objects.exists()


def test_highlight_tagged_with_new_and_existing_themes(client, project, facilitator, story):
    housing = analysis_services.theme_create(project=project, name="Housing", actor=facilitator)
    client.force_login(facilitator)
    client.post(
        _url("highlight_create", project, story_id=story.pk),
        _quote_data(story, segment_from="1", themes=[housing.pk], new_theme="  Work  and jobs "),
    )
    highlight = Highlight.objects.get()
    new = Theme.objects.get(name="Work and jobs")
    assert set(highlight.theme_links.values_list("theme_id", flat=True)) == {housing.pk, new.pk}


def test_new_theme_matching_an_existing_name_reuses_it(client, project, facilitator, story):
    housing = analysis_services.theme_create(project=project, name="Housing", actor=facilitator)
    client.force_login(facilitator)
    client.post(
        _url("highlight_create", project, story_id=story.pk),
        _quote_data(story, segment_from="1", new_theme="HOUSING"),
    )
    assert Theme.objects.count() == 1
    assert HighlightTheme.objects.get().theme == housing


def test_named_attribution_refused_without_consent(client, project, facilitator):
    storyteller = make_storyteller(project, consent=GATHER_ONLY, pseudonym="Kit")
    story = make_story(project, storyteller=storyteller)
    client.force_login(facilitator)
    response = client.post(
        _url("highlight_create", project, story_id=story.pk),
        _quote_data(story, segment_from="1", attribution="named", new_theme="Work"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Kit has not agreed that we quote them by name." in page
    assert not Highlight.objects.exists()
    assert not Theme.objects.exists(), "the new theme is rolled back with the quote"
    assert not CodingEvent.objects.exists()


def test_named_attribution_allowed_with_consent(client, project, facilitator, story):
    client.force_login(facilitator)
    client.post(
        _url("highlight_create", project, story_id=story.pk),
        _quote_data(story, segment_from="1", attribution="named"),
    )
    assert Highlight.objects.get().attribution == "named"


def test_same_words_twice_make_one_quote_and_add_themes(client, project, facilitator, story):
    client.force_login(facilitator)
    url = _url("highlight_create", project, story_id=story.pk)
    client.post(url, _quote_data(story, segment_from="1"))
    response = client.post(url, _quote_data(story, segment_from="1", new_theme="Housing"))
    highlight = Highlight.objects.get()
    assert [t.name for t in Theme.objects.filter(highlight_links__highlight=highlight)] == [
        "Housing"
    ]
    page = client.get(response["Location"]).content.decode()
    assert "You had already saved these words as a key quote." in page


@pytest.mark.django_db
def test_undo_for_a_new_quote_sits_in_its_card(client, project):
    from cohub.apps.projects.models import ProjectRole
    from tests.factories import make_member, make_story

    member = make_member(project, ProjectRole.MEMBER)
    story = make_story(project)
    client.force_login(member)
    url = f"/p/{project.slug}/stories/{story.pk}/"
    response = client.post(f"{url}highlights/", _quote_data(story, char_start=0, char_end=10))
    assert response.status_code == 302
    html = client.get(url).content.decode()
    card_start = html.index('class="card quote"')
    assert html.index('id="undo-button"') > card_start
    assert html.count('id="undo-button"') == 1
