"""The review page on a phone: 360 x 740 px, touch, in real headless Chromium.

A person selecting words with a finger must be able to drag the selection
handles without the page jumping away; the quote form opens beside the words
only when they ask, and stays usable by keyboard; the header leaves the screen
to the story; a long story has a "Jump to" list; and after saving, focus is on
the saved quote, with JavaScript and without (ADR 0014).
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cohub.apps.analysis.models import Highlight
from cohub.apps.projects.models import ProjectRole
from tests.browser_support import EXPECT_TIMEOUT_MS, axe_violations, log_in_as
from tests.factories import ProjectFactory, make_member, make_story, make_storyteller

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}

# Thirty parts: long enough that the quote form starts thousands of pixels below them.
TEXT = "\n\n".join(
    f"Robin: Part {n}. I rang the crisis line again and waited eleven weeks for a call back."
    if n % 2
    else f"Sam: Part {n}. What happened when you asked for help that time?"
    for n in range(30)
)


@pytest.fixture
def phone(browser, live_server):
    """A page on a phone-sized touch screen, with or without JavaScript."""
    from django.db import connections

    contexts = []

    def open_page(javascript: bool = True):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=PHONE,
            has_touch=True,
            is_mobile=True,
            java_script_enabled=javascript,
        )
        context.set_default_timeout(EXPECT_TIMEOUT_MS)
        expect.set_options(timeout=EXPECT_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.base_url = live_server.url
        return page

    yield open_page
    for context in contexts:
        context.close()
    connections.close_all()


def make_world(text: str = TEXT):
    project = ProjectFactory(name="Crisis support in Leeds and Bradford")
    # A long name, as people have: the header must still fit.
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    facilitator.display_name = "Alexandra Montgomery-Fairweather"
    facilitator.save()
    story = make_story(project, storyteller=make_storyteller(project), text=text)
    url = reverse(
        "analysis:review_sheet", kwargs={"project_slug": project.slug, "story_id": story.pk}
    )
    return project, facilitator, story, url


def select_words(page, index: int, words: str, *, scroll: str | None = "start") -> float:
    """Select ``words`` in part ``index`` through the Range API, as the handles do.

    The part is first scrolled to where a person would have it (the test's own
    scroll, before any selection); returns the page's scroll position after it.
    """
    return page.locator(f"#seg-{index} .segment-text").evaluate(
        """(el, [words, scroll]) => {
            if (scroll) el.scrollIntoView({block: scroll, behavior: "instant"});
            const text = el.firstChild, at = text.data.indexOf(words);
            if (at < 0) throw new Error("no such words: " + words);
            getSelection().setBaseAndExtent(text, at, text, at + words.length);
            return scrollY;
        }""",
        [words, scroll],
    )


def box(locator) -> dict:
    return locator.evaluate(
        """el => {
            const r = el.getBoundingClientRect();
            return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                    position: getComputedStyle(el).position, innerHeight: innerHeight};
        }"""
    )


def selection_box(page) -> dict:
    return page.evaluate(
        """() => {
            const r = getSelection().getRangeAt(0).getBoundingClientRect();
            return {top: r.top, bottom: r.bottom};
        }"""
    )


def chosen_words_box(page) -> dict:
    """Where the words chosen for the quote are, whether or not still selected."""
    return page.evaluate(
        """() => {
            const r = [...CSS.highlights.get("cohub-choice")][0].getBoundingClientRect();
            return {top: r.top, bottom: r.bottom};
        }"""
    )


def test_the_header_and_tabs_take_at_most_a_quarter_of_the_screen(phone, client):
    project, facilitator, story, url = make_world()
    page = phone()
    log_in_as(page, client, facilitator)
    pages = {
        "review sheet": url,
        "overview": reverse("projects:detail", kwargs={"project_slug": project.slug}),
        "members": reverse("projects:members", kwargs={"project_slug": project.slug}),
    }
    for name, address in pages.items():
        page.goto(address)
        expect(page.get_by_role("navigation", name="Project sections")).to_be_visible()
        bottom = page.evaluate(
            """() => Math.max(...["header.site-header", "nav[aria-label=Breadcrumb]",
                                  "nav.project-nav"].map(
                (s) => document.querySelector(s).getBoundingClientRect().bottom))"""
        )
        assert bottom <= PHONE["height"] / 4, f"the {name} page's header ends at {bottom}px"
        # Every section is still there, and the one you are in is in sight.
        tabs = page.get_by_role("navigation", name="Project sections").get_by_role("link")
        expect(tabs).to_have_count(7)  # assessments made it seven
        current = page.locator("nav.project-nav [aria-current=page]")
        expect(current).to_be_in_viewport(ratio=1)
    # The account link is named in full for screen readers, "Account" on screen.
    account = page.get_by_role("link", name="Your account: Alexandra Montgomery-Fairweather")
    expect(account.locator(".site-nav__short")).to_have_text("Account")
    expect(account.locator(".site-nav__short")).to_be_visible()


def test_selecting_by_touch_moves_nothing_until_the_person_asks(phone, client):
    project, facilitator, story, url = make_world()
    page = phone()
    log_in_as(page, client, facilitator)
    page.goto(url)
    bar = page.get_by_role("region", name="The words you selected")
    form = page.locator("#make-quote")
    expect(bar).to_be_hidden()

    # A long press selects a word, then the handles stretch it: the page stays put.
    before = select_words(page, 3, "eleven")
    expect(bar).to_contain_text("“eleven”")
    page.locator("#seg-3 .segment-text").evaluate(
        """el => {
            const selection = getSelection(), text = el.firstChild;
            selection.setBaseAndExtent(
                text, selection.anchorOffset, text, selection.anchorOffset + "eleven weeks".length
            );
        }"""
    )
    expect(bar).to_contain_text("“eleven weeks”")
    assert page.evaluate("scrollY") == before
    assert page.evaluate("document.activeElement === document.body")
    assert page.evaluate("getSelection().toString()") == "eleven weeks"
    # The bar sits on the bottom edge, clear of the words; the form is untouched.
    bar_box = box(bar)
    assert bar_box["position"] == "fixed"
    assert bar_box["bottom"] == bar_box["innerHeight"]
    assert selection_box(page)["bottom"] < bar_box["top"]
    expect(page.locator("#selection-preview")).to_be_hidden()
    assert box(form)["position"] != "fixed"
    assert axe_violations(page) == []

    # Asking opens the form fixed to the bottom of the screen, beside the words.
    page.get_by_role("button", name="Quote these words").tap()
    panel = page.get_by_role("dialog", name="Make a key quote")
    expect(panel).to_be_visible()
    expect(page.locator("#selection-heading")).to_be_focused()
    expect(panel.locator("#selection-preview blockquote")).to_have_text("“eleven weeks”")
    panel_box = box(panel)
    assert panel_box["position"] == "fixed"
    assert panel_box["bottom"] == panel_box["innerHeight"]
    assert chosen_words_box(page)["bottom"] <= panel_box["top"]
    expect(bar).to_be_hidden()
    assert axe_violations(page) == []

    # Escape puts it away and gives focus back to the button that opened it.
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    expect(page.get_by_role("button", name="Quote these words")).to_be_focused()
    assert box(form)["position"] != "fixed"

    page.get_by_role("button", name="Quote these words").tap()
    expect(panel).to_be_visible()
    page.locator("#quote_change_level_1").tap()
    with page.expect_navigation():
        page.locator("#highlight-submit").tap()
    highlight = Highlight.objects.get(review_sheet__story=story)
    assert highlight.snippet == "eleven weeks"
    assert highlight.change_level == "organisation"
    saved = page.locator(f"#quote-{highlight.pk}")
    expect(saved).to_be_focused()
    expect(saved).to_be_in_viewport()
    expect(saved).to_have_accessible_description("The key quote has been saved.")
    assert axe_violations(page) == []


def test_words_low_on_the_screen_stay_in_sight(phone, client):
    project, facilitator, story, url = make_world()
    page = phone()
    log_in_as(page, client, facilitator)
    page.goto(url)
    select_words(page, 5, "call back", scroll="end")
    bar = page.get_by_role("region", name="The words you selected")
    expect(bar).to_contain_text("“call back”")
    # The words are at the bottom of the screen: the bar goes to the top.
    bar_box = box(bar)
    assert bar_box["top"] == 0
    assert selection_box(page)["top"] > bar_box["bottom"]

    page.get_by_role("button", name="Quote these words").tap()
    panel = page.get_by_role("dialog", name="Make a key quote")
    expect(panel).to_be_visible()
    # Opening the form scrolled the words up, clear of it.
    assert chosen_words_box(page)["top"] >= 0
    assert chosen_words_box(page)["bottom"] <= box(panel)["top"]


def test_quote_this_part_opens_the_form_beside_the_part(phone, client):
    project, facilitator, story, url = make_world()
    page = phone()
    log_in_as(page, client, facilitator)
    page.goto(url)
    link = page.get_by_role("link", name="Quote this part (part 8)")
    link.scroll_into_view_if_needed()
    link.tap()
    panel = page.get_by_role("dialog", name="Make a key quote")
    expect(panel.locator("#selection-heading")).to_have_text("You chose part 8:")
    expect(page.locator("#selection-heading")).to_be_focused()
    # The part is still on the screen, above the form.
    part = box(page.locator("#seg-7 .segment-text"))
    assert part["top"] >= 0
    assert part["bottom"] <= box(panel)["top"]
    page.get_by_role("button", name="Close the form “Make a key quote”").tap()
    expect(panel).to_have_count(0)
    expect(link).to_be_focused()


def test_the_panel_works_by_keyboard_and_never_hides_what_has_focus(phone, client):
    project, facilitator, story, url = make_world()
    page = phone()
    log_in_as(page, client, facilitator)
    page.goto(url)
    select_words(page, 1, "crisis line")
    quote = page.get_by_role("button", name="Quote these words")
    quote.focus()
    page.keyboard.press("Enter")
    panel = page.get_by_role("dialog", name="Make a key quote")
    expect(page.locator("#selection-heading")).to_be_focused()

    # Tab through the form to the save button: each field is in sight, in the
    # panel and not under its heading, when it has focus (WCAG 2.4.11).
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const el = document.activeElement, r = el.getBoundingClientRect();
                const x = Math.min(Math.max(r.left + 4, 0), innerWidth - 1);
                const y = (r.top + r.bottom) / 2;
                const seen = document.elementFromPoint(x, y);
                return {id: el.id, inPanel: el.closest("#make-quote") !== null,
                        seen: seen !== null && (seen === el || el.contains(seen)
                              || (el.labels && [...el.labels].some((l) => l.contains(seen))))};
            }"""
        )
        assert focused["inPanel"], f"Tab left the form before its save button: {focused}"
        assert focused["seen"], f"{focused['id']} has focus but is hidden"
        if focused["id"] == "highlight-submit":
            break
    else:
        raise AssertionError("the save button cannot be reached with the Tab key")
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    expect(quote).to_be_focused()


def test_after_saving_a_quote_without_javascript_focus_is_on_it(phone, client):
    project, facilitator, story, url = make_world()
    page = phone(javascript=False)
    log_in_as(page, client, facilitator)
    page.goto(url)
    expect(page.get_by_role("region", name="The words you selected")).to_be_hidden()
    page.locator("#quote_segment_from").select_option(value="1")
    page.locator("#quote_exact_words").fill("waited eleven weeks")
    with page.expect_navigation():
        page.locator("#highlight-submit").click()
    highlight = Highlight.objects.get(review_sheet__story=story)
    assert highlight.snippet == "waited eleven weeks"
    assert page.url.endswith(f"#quote-{highlight.pk}")
    saved = page.locator(f"#quote-{highlight.pk}")
    expect(saved).to_be_focused()
    expect(saved).to_be_in_viewport()
    expect(saved).to_have_accessible_name("Quote 1 – Robin")
    expect(saved).to_have_accessible_description("The key quote has been saved.")


LONG_TEXT = "\n\n".join(f"Robin: Part {n} of a long story." for n in range(250))


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_jump_to_links_move_focus_to_their_targets(phone, client, javascript):
    project, facilitator, story, url = make_world(LONG_TEXT)
    page = phone(javascript=javascript)
    log_in_as(page, client, facilitator)
    page.goto(url)
    jump = page.get_by_role("navigation", name="Jump to")
    targets = {
        "What was said": "#transcript-heading",
        "A part by number": "#jump-part",
        "Make a key quote": "#make-quote-heading",
        "Ideas and summary": "#review-sheet-heading",
        "Key quotes (0)": "#key-quotes",
    }
    expect(jump.get_by_role("link")).to_have_text(list(targets))
    for name, target in targets.items():
        link = jump.get_by_role("link", name=name)
        link.focus()
        page.keyboard.press("Enter")
        expect(page.locator(target)).to_be_focused()
        expect(page.locator(target)).to_be_in_viewport()
        page.evaluate("window.scrollTo(0, 0)")
    # From "A part by number", the way to part 240 is a number and Enter.
    jump.get_by_role("link", name="A part by number").focus()
    page.keyboard.press("Enter")
    page.keyboard.type("240")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#seg-239")).to_be_in_viewport()
