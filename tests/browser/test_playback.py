"""Listening on a recorded story's page, in real headless Chromium with a real recording.

A person clicks (or presses Enter on) a part's time and hears the story from
there; the part being spoken is marked as it plays, without focus moving or
the page scrolling unless they asked it to follow; a quote plays only its
own span. Every wait is for what a person would see or hear happen.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cohub.apps.analysis.services import highlight_create
from cohub.apps.projects.models import ProjectRole
from cohub.pipeline.formats import SegmentData
from cohub.pipeline.words import spread_words
from tests.browser_support import axe_violations, log_in_as
from tests.factories import ProjectFactory, make_member, make_storyteller
from tests.playback_support import recorded_story

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# espeak-ng's reading of media_support's default story is about eight seconds long.
LINES = [
    SegmentData(text="My name is Robin.", speaker="Speaker 1", start_ms=0, end_ms=1400),
    SegmentData(
        text="After the flood I lost my flat.", speaker="Speaker 1", start_ms=1500, end_ms=3600
    ),
    SegmentData(
        text="The council sent me from one office to another.",
        speaker="Speaker 1",
        start_ms=3700,
        end_ms=6200,
    ),
    SegmentData(
        text="What helped in the end was a neighbour.",
        speaker="Speaker 1",
        start_ms=6300,
        end_ms=8000,
    ),
]
TIMED = [
    SegmentData(
        text=line.text,
        speaker=line.speaker,
        start_ms=line.start_ms,
        end_ms=line.end_ms,
        words=spread_words(line.text, line.start_ms, line.end_ms),
    )
    for line in LINES
]


@pytest.fixture
def story(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    project = ProjectFactory()
    storyteller = make_storyteller(project)
    return recorded_story(project, storyteller, tmp_path, segments=TIMED)


def _open(page, client, story, *, width=1280, height=900):
    facilitator = make_member(story.project, ProjectRole.FACILITATOR)
    page.set_viewport_size({"width": width, "height": height})
    log_in_as(page, client, facilitator)
    page.goto(reverse("analysis:review_sheet", args=[story.project.slug, story.pk]))


def _playing_past(page, seconds):
    page.wait_for_function(
        f"() => {{ const a = document.getElementById('story-audio');"
        f" return !a.paused && a.currentTime > {seconds}; }}"
    )


def test_clicking_a_parts_time_plays_from_there_and_the_spoken_part_follows(page, client, story):
    _open(page, client, story)
    third = page.locator("#seg-2")
    fourth = page.locator("#seg-3")

    third.get_by_role("link", name="Play part 3 from").click()

    _playing_past(page, 3.7)
    expect(third).to_have_attribute("aria-current", "true")
    expect(third).to_have_class("segment segment--current")
    expect(page.locator("#player-now")).to_have_text("Now playing: part 3")
    # Focus stays where the person put it: on the time they chose.
    assert page.evaluate("document.activeElement.closest('li').id") == "seg-2"
    # As the recording plays on, the mark moves to the next part by itself.
    expect(fourth).to_have_attribute("aria-current", "true")
    expect(third).not_to_have_attribute("aria-current", "true")
    expect(page.locator("#player-now")).to_have_text("Now playing: part 4")


def test_by_keyboard_enter_on_a_time_plays_from_that_part(page, client, story):
    _open(page, client, story, width=360, height=740)
    second = page.locator("#seg-1")
    link = second.get_by_role("link", name="Play part 2 from")

    link.focus()
    where = link.bounding_box()
    page.keyboard.press("Enter")

    _playing_past(page, 1.5)
    expect(second).to_have_attribute("aria-current", "true")
    # Not asked to follow: what the person was reading stays where it was on the screen.
    assert link.bounding_box()["y"] == where["y"]
    assert page.evaluate("document.activeElement.closest('li').id") == "seg-1"
    assert axe_violations(page) == []


def test_a_quote_plays_its_own_span_and_stops_at_its_end(page, client, story):
    transcript = story.transcripts.get()
    words = "After the flood I lost my flat."
    start = transcript.text.index(words)
    quote = highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len(words),
        actor=None,
    ).highlight
    _open(page, client, story)

    page.locator(f"#quote-{quote.pk}").get_by_role("link", name="Play this quote").click()

    _playing_past(page, 1.5)
    expect(page.locator("#seg-1")).to_have_attribute("aria-current", "true")
    # It stops by itself at the end of the quote's last word.
    page.wait_for_function("() => document.getElementById('story-audio').paused")
    stopped = page.evaluate("document.getElementById('story-audio').currentTime")
    assert 3.5 <= stopped < 4.5


def _play_from_the_start(page):
    """Press play on the player (its own control), from the beginning."""
    page.evaluate(
        "() => { const a = document.getElementById('story-audio'); a.currentTime = 0;"
        " return a.play(); }"
    )


def test_keep_in_view_scrolls_the_spoken_part_into_view_and_marks_it(page, client, story):
    _open(page, client, story, width=360, height=640)
    follow = page.get_by_label("Keep the part being spoken in view")
    follow.focus()
    page.keyboard.press("Space")  # ticked by keyboard
    expect(follow).to_be_checked()
    last = page.locator("#seg-3")
    page.evaluate("() => window.scrollTo(0, 0)")
    expect(last).not_to_be_in_viewport()

    _play_from_the_start(page)

    # The part being spoken comes into view by itself, marked for eyes and screen readers.
    expect(page.locator("#seg-0")).to_have_attribute("aria-current", "true")
    expect(last).to_have_attribute("aria-current", "true")
    expect(last).to_be_in_viewport()
    expect(page.locator("#player-now")).to_have_text("Now playing: part 4")
    # Following never takes focus: it stays on the option the person ticked.
    expect(follow).to_be_focused()


def test_with_keep_in_view_turned_off_the_page_stays_where_it_is(page, client, story):
    _open(page, client, story, width=360, height=640)
    follow = page.get_by_label("Keep the part being spoken in view")
    follow.check()
    follow.uncheck()  # turned off again
    last = page.locator("#seg-3")
    page.evaluate("() => window.scrollTo(0, 0)")
    expect(last).not_to_be_in_viewport()

    _play_from_the_start(page)

    # The mark still moves as the recording plays, but the page does not scroll to it.
    expect(last).to_have_attribute("aria-current", "true")
    assert page.evaluate("() => window.scrollY") == 0
    expect(last).not_to_be_in_viewport()
