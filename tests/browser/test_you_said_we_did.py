""" "You said, we did" goes public in real Chromium (issue 9 item 3, ADR 0033).

The facilitator reads the preview on the publish page, ticks the
confirmation by keyboard and publishes; someone with no account opens the
public page on a phone with text at twice the size and reads the change and
the approved quote, but not the quote its storyteller asked to change; the
storyteller's own page says what changed because of what people said. axe-core
checks every one of these pages (no serious or critical violations) at 360 px,
with text at 200% too, and none scrolls sideways.
"""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import expect

from cohub.apps.analysis import services as analysis_services
from cohub.apps.analysis.quote_checks import quote_check_answer
from cohub.apps.projects.models import ProjectRole
from cohub.apps.reports.changes import change_create
from cohub.apps.stories.models import Storyteller
from tests.browser_support import EXPECT_TIMEOUT_MS, axe_violations, enlarge_text, log_in_as
from tests.factories import (
    ProjectFactory,
    UserFactory,
    make_member,
    make_story,
    make_storyteller,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "Sam: What happened when you asked for help?\n\n"
    "Robin: I rang the crisis line three times and nobody called me back.\n\n"
    "Sam: And then?\n\n"
    "Robin: The letter came eleven weeks later, after I had moved house."
)
APPROVED = "I rang the crisis line three times and nobody called me back."
QUESTIONED = "The letter came eleven weeks later, after I had moved house."
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _world():
    project = ProjectFactory(name="Crisis support in Northfield")
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    robin = make_storyteller(project, pseudonym="Robin")
    story = make_story(project, storyteller=robin, text=TEXT, title="Waiting for help")
    transcript = story.transcripts.get()
    theme = analysis_services.theme_create(
        project=project, name="Waiting with no word", actor=facilitator
    ).theme
    quotes = []
    for index, answer in ((1, "approved"), (3, "change")):
        part = transcript.segments.get(index=index)
        quote = analysis_services.highlight_create(
            story=story,
            transcript=transcript,
            char_start=part.char_start,
            char_end=part.char_end,
            actor=facilitator,
            themes=[theme],
        ).highlight
        quote_check_answer(highlight=quote, storyteller=robin, state=answer, actor=None, via="link")
        quotes.append(quote)
    change_create(
        project=project,
        actor=facilitator,
        title="Call people back within a week of a referral",
        owner="Adult social care team",
        status="done",
        what_was_done="A call-back rota since March: nobody waits more than five days.",
        themes=[theme],
        quotes=quotes,
    )
    return project, facilitator, robin


def _problems(page, where: str) -> list[str]:
    found = [f"{where}: {violation}" for violation in axe_violations(page)]
    overflow = page.evaluate(SIDEWAYS)
    if overflow > 1:
        found.append(f"{where}: scrolls sideways by {overflow}px")
    return found


def test_a_facilitator_publishes_and_anyone_reads_it_on_a_phone(page, client, browser):
    project, facilitator, robin = _world()
    page.set_viewport_size({"width": 360, "height": 800})
    log_in_as(page, client, facilitator)
    page.goto(f"/p/{project.slug}/changes/publish/")
    preview = page.get_by_role("region", name="Preview: what the public will see")
    expect(preview).to_contain_text(APPROVED)
    expect(preview).not_to_contain_text(QUESTIONED)
    expect(preview).to_contain_text("1 quote because its storyteller has not approved")
    found = _problems(page, "publish page")
    enlarge_text(page, 200)
    found += _problems(page, "publish page, text 200%")

    # Without the tick, nothing is published and the page says what to do.
    page.get_by_role("button", name="Publish the page").click()
    expect(page.get_by_role("alert", name="There is a problem")).to_contain_text("Tick the box")
    found += _problems(page, "publish page with its error")
    page.get_by_label("I have read the preview above").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Publish the page").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("This page is public.")).to_be_visible()
    found += _problems(page, "publish page, published")

    public = browser.new_context(base_url=page.base_url, viewport={"width": 360, "height": 780})
    public.set_default_timeout(EXPECT_TIMEOUT_MS)
    reader = public.new_page()
    response = reader.goto(f"/you-said-we-did/{project.slug}/")
    assert response is not None and response.status == 200
    assert "/accounts/login" not in reader.url
    expect(reader.get_by_role("heading", name="You said, we did", level=1)).to_be_visible()
    expect(reader.get_by_role("heading", name="What we have done")).to_be_visible()
    expect(reader.get_by_text(APPROVED)).to_be_visible()
    assert QUESTIONED not in reader.content() and "Robin" not in reader.content()
    found += _problems(reader, "public page")
    enlarge_text(reader, 200)
    found += _problems(reader, "public page, text 200%")

    # Robin, signed in with their own account, sees the change on their page (ADR 0033).
    account = UserFactory()
    Storyteller.objects.filter(pk=robin.pk).update(user=account)
    teller = public.new_page()
    teller.base_url = page.base_url  # what log_in_as reads, as on the fixture's page
    log_in_as(teller, Client(), account)
    teller.goto("/my-story/")
    section = teller.get_by_role("region", name="What changed because of what people said")
    expect(section).to_contain_text("Call people back within a week of a referral")
    expect(section).to_contain_text("This answers something you told us.")
    found += _problems(teller, "storyteller's page with the changes")
    enlarge_text(teller, 200)
    found += _problems(teller, "storyteller's page with the changes, text 200%")

    # Taken down, the public page is gone at once.
    page.get_by_role("button", name="Take the page down").click()
    expect(page.get_by_role("button", name="Publish the page")).to_be_visible()
    assert reader.goto(f"/you-said-we-did/{project.slug}/").status == 404
    public.close()
    assert not found, "\n".join(found)
