"""A story's review sheet: reading it, making key quotes, and its notes."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cohub.apps.analysis import services as analysis_services
from cohub.apps.analysis.models import CodingEvent, Highlight, HighlightTheme, ReviewSheet, Theme
from cohub.apps.analysis.views.review_sheet import mark_highlights
from cohub.apps.projects.models import ProjectRole
from cohub.apps.stories.models import Segment
from tests.factories import (
    ALL_ROLES,
    GATHER_ONLY,
    ProjectFactory,
    assert_role_access,
    import_vtt_story,
    log_in_as_role,
    make_member,
    make_story,
    make_storyteller,
)

CODERS = {"facilitator", "community_reporter", "member", "org_admin"}


def _url(name, project, **kwargs):
    return reverse(f"analysis:{name}", kwargs={"project_slug": project.slug, **kwargs})


def _login(client, project, role):
    return log_in_as_role(client, project, role)


def _expect(response, role, allowed):
    assert_role_access(response, role, allowed)


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
def test_review_sheet_by_role(client, project, story, role):
    _login(client, project, role)
    response = client.get(_url("review_sheet", project, story_id=story.pk))
    _expect(response, role, CODERS)


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
    response = client.get(_url("review_sheet", other, story_id=story.pk))
    assert response.status_code == 404


# ---------------------------------------------------------------------------
# The story page


def test_story_page_shows_segments_with_offsets(client, project, facilitator, storyteller):
    story = import_vtt_story(project, storyteller)
    client.force_login(facilitator)
    page = client.get(_url("review_sheet", project, story_id=story.pk)).content.decode()
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
        story=story,
        transcript=transcript,
        char_start=0,
        char_end=len(transcript.text),
        actor=facilitator,
    )
    client.force_login(facilitator)
    page = client.get(_url("review_sheet", project, story_id=story.pk)).content.decode()
    assert "<script>alert(1)" not in page
    assert '<mark class="highlight">&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</mark>' in page


def test_mark_highlights_escapes_and_merges_overlaps():
    html = mark_highlights("a <b> c d", 10, [(12, 15), (14, 17), (30, 40)])
    assert str(html) == 'a <mark class="highlight">&lt;b&gt; c</mark> d'


def test_mark_highlights_clips_quotes_that_cross_parts():
    assert str(mark_highlights("hello", 5, [(0, 7)])) == ('<mark class="highlight">he</mark>llo')
    assert str(mark_highlights("hello", 5, [(8, 20)])) == 'hel<mark class="highlight">lo</mark>'


def test_story_page_shows_key_quotes_with_themes_and_forms(client, project, facilitator, story):
    theme = analysis_services.theme_create(project=project, name="Housing", actor=facilitator).theme
    transcript = story.transcripts.get()
    start = transcript.text.index("I lost")
    highlight = analysis_services.highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=len(transcript.text),
        actor=facilitator,
        themes=[theme],
        change_level="society",
        note="Key moment",
    ).highlight
    client.force_login(facilitator)
    page = client.get(_url("review_sheet", project, story_id=story.pk)).content.decode()
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
    page = client.get(_url("review_sheet", project, story_id=story.pk)).content.decode()
    assert re.search(r'value="named"[^>]*disabled', page)
    assert "Kit &lt;i&gt; has not agreed to be quoted by name." in page
    assert "Kit <i>" not in page


def test_story_page_says_what_consent_allows_in_the_scopes_own_words(client, project, facilitator):
    storyteller = make_storyteller(project, consent={**GATHER_ONLY, "quote_anonymously": True})
    story = make_story(project, storyteller=storyteller)
    client.force_login(facilitator)
    page = client.get(_url("review_sheet", project, story_id=story.pk)).content.decode()
    assert "Quote Robin without their name: <strong>yes</strong>" in page
    assert "Quote Robin by name: <strong>no</strong>" in page
    assert "Publish their story in a public library: <strong>no</strong>" in page


def test_quote_this_part_link_prefills_the_parts(client, project, facilitator, story):
    client.force_login(facilitator)
    page = client.get(_url("review_sheet", project, story_id=story.pk) + "?from=1").content.decode()
    assert '<option value="1" selected>' in page


# ---------------------------------------------------------------------------
# Making key quotes


def test_highlight_by_character_offsets(client, project, facilitator, storyteller):
    story = import_vtt_story(project, storyteller)
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
        _url("review_sheet", project, story_id=story.pk) + f"#quote-{highlight.pk}"
    )
    assert (highlight.char_start, highlight.char_end) == (start, end)
    assert highlight.snippet == "and then my flat.\n\nThe council helped in the end"
    # From its first and last words: the cue's four seconds shared out over its words
    # by length put "and" at 6.818 s; "end" ends the last cue.
    assert (highlight.start_ms, highlight.end_ms) == (6818, 12000)
    assert highlight.speaker.display_name == "Robin"
    assert highlight.change_level == "organisation"
    assert highlight.sectors == ["services", "policy"]
    assert highlight.note == "Turning point"
    page = client.get(response["Location"]).content.decode()
    assert "The key quote has been saved." in page
    assert "Undo" in page


def test_highlight_by_segment_range(client, project, facilitator, storyteller):
    story = import_vtt_story(project, storyteller)
    segments = list(Segment.objects.filter(transcript__story=story).order_by("index"))
    client.force_login(facilitator)
    client.post(
        _url("highlight_create", project, story_id=story.pk),
        _quote_data(story, segment_from="1", segment_to="2"),
    )
    highlight = Highlight.objects.get()
    assert (highlight.char_start, highlight.char_end) == (
        segments[1].char_start,
        segments[2].char_end,
    )
    assert (highlight.start_ms, highlight.end_ms) == (5000, 12000)


def test_parts_chosen_backwards_are_refused_with_a_message(
    client, project, facilitator, storyteller
):
    """ "From part 3 to part 2" is probably a slip, so it is not silently swapped."""
    story = import_vtt_story(project, storyteller)
    client.force_login(facilitator)
    response = client.post(
        _url("highlight_create", project, story_id=story.pk),
        _quote_data(story, segment_from="2", segment_to="1"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Part 2 comes before part 3." in page
    assert "Choose the earlier part under &#x27;From part&#x27;" in page
    assert not Highlight.objects.exists()


def test_a_part_the_transcript_does_not_have_is_refused(client, project, facilitator, story):
    client.force_login(facilitator)
    response = client.post(
        _url("highlight_create", project, story_id=story.pk),
        _quote_data(story, segment_from="0", segment_to="40"),
    )
    assert response.status_code == 200
    assert not Highlight.objects.exists()


def test_highlight_by_one_segment_and_exact_words(client, project, facilitator, storyteller):
    story = import_vtt_story(project, storyteller)
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
    # Its own words' times, not the whole part's (5 s to 9 s).
    assert (highlight.start_ms, highlight.end_ms, highlight.speaker.label) == (
        5242,
        6697,
        "Robin",
    )


def test_exact_words_across_parts_ignore_case_when_needed(
    client, project, facilitator, storyteller
):
    story = import_vtt_story(project, storyteller)
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
    story = import_vtt_story(project, storyteller)
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
    assert f'href="{_url("review_sheet", project, story_id=story.pk)}?from=0#make-quote"' in page
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
    housing = analysis_services.theme_create(
        project=project, name="Housing", actor=facilitator
    ).theme
    client.force_login(facilitator)
    client.post(
        _url("highlight_create", project, story_id=story.pk),
        _quote_data(story, segment_from="1", themes=[housing.pk], new_theme="  Work  and jobs "),
    )
    highlight = Highlight.objects.get()
    new = Theme.objects.get(name="Work and jobs")
    assert set(highlight.theme_links.values_list("theme_id", flat=True)) == {housing.pk, new.pk}


def test_new_theme_matching_an_existing_name_reuses_it(client, project, facilitator, story):
    housing = analysis_services.theme_create(
        project=project, name="Housing", actor=facilitator
    ).theme
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
    assert (
        "Kit has not agreed that we quote them by name, so we cannot name them beside their words."
        in page
    )
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
    url = _url("review_sheet", project, story_id=story.pk)
    response = client.post(
        _url("highlight_create", project, story_id=story.pk),
        _quote_data(story, char_start=0, char_end=10),
    )
    assert response.status_code == 302
    html = client.get(url).content.decode()
    card_start = html.index('class="card quote"')
    assert html.index('id="undo-button"') > card_start
    assert html.count('id="undo-button"') == 1


# ---------------------------------------------------------------------------
# The notes on the review sheet


@pytest.mark.parametrize("role", ALL_ROLES)
def test_review_sheet_edit_by_role(client, project, story, role):
    _login(client, project, role)
    response = client.post(
        _url("review_sheet_notes", project, story_id=story.pk),
        {"ideas": "Housing first", "summary": "Lost a job and a home."},
    )
    _expect(response, role, CODERS)
    sheet = ReviewSheet.objects.filter(story=story).first()
    assert (sheet is not None and sheet.ideas == "Housing first") == (role in CODERS)


def test_review_sheet_saves_and_returns_to_story(client, project, facilitator, story):
    client.force_login(facilitator)
    response = client.post(
        _url("review_sheet_notes", project, story_id=story.pk),
        {"ideas": " Listen more ", "summary": "About losing a home."},
    )
    assert response["Location"].endswith("#review-sheet-heading")
    sheet = ReviewSheet.objects.get(story=story)
    assert sheet.ideas == "Listen more"
    assert sheet.summary == "About losing a home."


# ---------------------------------------------------------------------------
# A long story is shown a page of parts at a time


def _long_story(project, parts: int):
    text = "\n\n".join(f"Robin: this is what I said in part {n + 1}." for n in range(parts))
    return make_story(project, text=text, title="A long story")


def _part_numbers(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<li class="segment" id="seg-(\d+)"', page)]


def test_long_story_shows_one_page_of_parts_with_the_way_on(client, project):
    story = _long_story(project, 450)
    _login(client, project, "facilitator")
    url = _url("review_sheet", project, story_id=story.pk)
    page = client.get(url).content.decode()
    assert _part_numbers(page) == list(range(200))
    assert "Showing parts 1 to 200 of 450." in page
    assert f'href="{url}?page=2#transcript-heading">Later parts</a>' in page
    assert "Earlier parts" not in page
    assert 'name="part" min="1" max="450"' in page
    # The quote form takes part numbers instead of listing all 450 parts.
    assert "<option" not in page.split('id="highlight-form"')[1].split("</form>")[0]
    assert 'name="segment_from" min="1" max="450"' in page

    last = client.get(url + "?page=3").content.decode()
    assert _part_numbers(last) == list(range(400, 450))
    assert "Showing parts 401 to 450 of 450." in last
    assert "Later parts" not in last


def test_page_size_stays_the_same_however_long_the_story(client, project):
    _login(client, project, "facilitator")
    sizes = [
        len(client.get(_url("review_sheet", project, story_id=_long_story(project, n).pk)).content)
        for n in (400, 4000)
    ]
    assert sizes[1] < sizes[0] * 1.1


def test_jump_to_part_goes_to_its_page_and_the_part(client, project):
    story = _long_story(project, 450)
    _login(client, project, "facilitator")
    url = _url("review_sheet", project, story_id=story.pk)
    response = client.get(url + "?part=250")
    assert response.status_code == 302
    assert response["Location"] == f"{url}?page=2#seg-249"
    assert _part_numbers(client.get(response["Location"]).content.decode())[49] == 249


@pytest.mark.parametrize("typed", ["451", "0", "two"])
def test_jump_to_a_part_that_is_not_there_says_which_parts_are(client, project, typed):
    story = _long_story(project, 450)
    _login(client, project, "facilitator")
    page = client.get(_url("review_sheet", project, story_id=story.pk), {"part": typed})
    assert page.status_code == 200
    assert f"There is no part {typed} in this story. Type a number from 1 to 450." in (
        page.content.decode()
    )


def test_quote_this_part_link_opens_the_page_holding_the_part(client, project):
    story = _long_story(project, 450)
    _login(client, project, "facilitator")
    page = client.get(_url("review_sheet", project, story_id=story.pk) + "?from=300").content
    assert _part_numbers(page.decode())[0] == 200
    assert 'name="segment_from" value="301"' in page.decode()


def test_a_quote_can_run_across_pages_by_part_number(client, project):
    story = _long_story(project, 450)
    _login(client, project, "facilitator")
    response = client.post(
        _url("highlight_create", project, story_id=story.pk),
        _quote_data(story, segment_from="200", segment_to="201"),
    )
    assert response.status_code == 302
    assert Highlight.objects.get().snippet == (
        "this is what I said in part 200.\n\nthis is what I said in part 201."
    )


def test_a_part_number_past_the_end_is_refused_in_plain_words(client, project):
    story = _long_story(project, 450)
    _login(client, project, "facilitator")
    response = client.post(
        _url("highlight_create", project, story_id=story.pk) + "?page=3",
        _quote_data(story, segment_from="451"),
    )
    page = response.content.decode()
    assert "Type a part number from 1 to 450." in page
    assert _part_numbers(page)[0] == 400
    assert not Highlight.objects.exists()


# ---------------------------------------------------------------------------
# Consent, read as it is now


def _take_back_transcription(storyteller, **scopes):
    from cohub.apps.stories import services as story_services

    story_services.consent_record(
        storyteller=storyteller, actor=None, record=True, transcribe=False, **scopes
    )


def test_every_scope_is_stated_in_plain_words(client, project, facilitator):
    kit = make_storyteller(project, consent=GATHER_ONLY, pseudonym="Kit")
    story = make_story(project, storyteller=kit)
    client.force_login(facilitator)
    page = " ".join(
        client.get(_url("review_sheet", project, story_id=story.pk)).content.decode().split()
    )
    assert "Record their story: <strong>yes</strong>" in page
    assert "Transcribe their story: <strong>yes</strong>" in page
    assert "Quote Kit without their name: <strong>no</strong>" in page
    assert "Quote Kit by name: <strong>no</strong>" in page
    assert "Publish their story in a public library: <strong>no</strong>" in page
    assert "Keep their story until: <strong>no end date</strong>" in page


def test_taking_back_transcription_hides_the_transcript_and_the_quote_form(
    client, project, facilitator
):
    kit = make_storyteller(project, pseudonym="Kit")
    story = make_story(project, storyteller=kit, text="Kit: The heron-blue kettle whistled.")
    transcript = story.transcripts.get()
    analysis_services.highlight_create(
        story=story, transcript=transcript, char_start=5, char_end=20, actor=facilitator
    )
    _take_back_transcription(kit, quote_anonymously=True)
    client.force_login(facilitator)
    page = client.get(_url("review_sheet", project, story_id=story.pk)).content.decode()
    assert "Withheld: Kit has not agreed that we transcribe their story." in page
    assert "Transcribe their story: <strong>no</strong>" in " ".join(page.split())
    assert "heron-blue" not in page
    assert 'id="highlight-form"' not in page
    assert 'id="review-sheet-form"' not in page
    assert "Key quotes (1)" in page, "the quote is still listed, without its words"


def test_a_quote_posted_after_transcription_is_taken_back_is_refused_and_says_why(
    client, project, facilitator
):
    kit = make_storyteller(project, pseudonym="Kit")
    story = make_story(project, storyteller=kit)
    data = _quote_data(story, segment_from="1")
    _take_back_transcription(kit)
    client.force_login(facilitator)
    response = client.post(_url("highlight_create", project, story_id=story.pk), data, follow=True)
    page = response.content.decode()
    assert "The key quote was not saved. Kit has not agreed that we transcribe their story." in page
    assert not Highlight.objects.exists()
    assert not CodingEvent.objects.exists()


def test_by_name_falls_back_to_the_pseudonym_when_naming_consent_goes(client, project, facilitator):
    from cohub.apps.stories import services as story_services

    kit = make_storyteller(project, pseudonym="Kit", real_name="Kit Realname")
    story = make_story(project, storyteller=kit)
    transcript = story.transcripts.get()
    analysis_services.highlight_create(
        story=story,
        transcript=transcript,
        char_start=0,
        char_end=10,
        actor=facilitator,
        attribution="named",
    )
    client.force_login(facilitator)
    url = _url("review_sheet", project, story_id=story.pk)
    assert "<dd>By name</dd>" in client.get(url).content.decode()
    story_services.consent_record(
        storyteller=kit, actor=None, record=True, transcribe=True, quote_anonymously=True
    )
    page = client.get(url).content.decode()
    assert "<dd>By name</dd>" not in page
    assert "Anonymous (Kit)" in page
    assert "Kit has not agreed to be quoted by name now" in page
