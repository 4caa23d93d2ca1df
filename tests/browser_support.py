"""Real headless Chromium (Debian's) driven by Playwright, plus axe-core from npm.

Playwright's sync API runs an event loop in the test thread; Django's ORM
refuses to run inside one unless told that this test thread is not async
code serving requests, which it is not.

The tests must hold steady on a busy machine (ADR 0012): wait for what a
person sees (``expect(...)``), never for time, and drive the mouse to where a
person would stop (``drag_select``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[1]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


# How long ``expect`` waits for what a person would see before giving up. It is
# a ceiling, not a pause: an assertion returns as soon as it holds. Playwright's
# 5 s default is too short when two other processes keep both cores busy.
EXPECT_TIMEOUT_MS = 20_000


def chromium_path() -> str:
    path = os.environ.get("COHUB_CHROMIUM") or shutil.which("chromium") or ""
    if not path:
        pytest.fail("Chromium is not installed: run `make test` (it installs Debian's chromium).")
    return path


@pytest.fixture
def browser() -> Iterator:
    """A fresh Chromium per test: Playwright's loop must not outlive the test that
    started it, or later tests' ORM calls would land on another connection."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    from django.db import connections

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()
    # With Playwright's loop running, the ORM calls a test makes use their own
    # connection; close it, or PostgreSQL cannot drop the test database.
    connections.close_all()


def log_in_as(page, client, user) -> None:
    """Give the browser a logged-in session for ``user`` without typing a password.

    The session has passed two-step sign-in too (tests/auth.py), whatever the client.
    """
    from tests.auth import verified_login

    verified_login(client, user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": page.base_url}]
    )


def log_in(page, email: str, password: str, *, backup_code: str = "") -> None:
    """Log in through the form as a person does, typing a backup code where one is asked for.

    Facilitators and admins must pass two-step sign-in (docs/adr/0025): after
    the password the hub asks for a code (or, with no device yet, to set one
    up). They are given a backup code (``backup_code``, or a fresh one) and type it.
    """
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    if "/accounts/two-step/" not in page.url:
        return
    from cohub.apps.accounts.models import User
    from tests.auth import backup_code as fresh_backup_code

    code = backup_code or fresh_backup_code(User.objects.get(email__iexact=email))
    if "/accounts/two-step/set-up/" in page.url:
        page.goto(page.url.replace("/accounts/two-step/set-up/", "/accounts/two-step/code/"))
    page.get_by_label("Code").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Go on").click()


def enlarge_text(page, percent: int = 200) -> None:
    """Make the page's text bigger, as a person who zooms text does (WCAG 1.4.4).

    Through the page's style object, not an added <style> element: the Content
    Security Policy (kept on in tests) refuses inline styles, but not scripts' changes.
    """
    page.evaluate(
        "(percent) => document.documentElement.style.setProperty("
        "'font-size', percent + '%', 'important')",
        percent,
    )


def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """Run axe-core on the page as it is now; return violations of the given impacts."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make test` (it installs axe-core from npm).")
    # By URL from our own static files (config/settings/test.py serves axe-core there):
    # the Content Security Policy, which the tests keep on, refuses inline scripts.
    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa',
                                            'best-practice']}
        })"""
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]


# Chromium scrolls the page while a selection is dragged within this many
# pixels of the viewport's edge, by an amount that depends on how long the drag
# takes. A drag that starts or ends there selects more on a busy machine.
AUTOSCROLL_BELT_PX = 40

_CHARACTER_BOXES = """async (el) => {
    await document.fonts.ready;
    el.scrollIntoView({block: "center", inline: "nearest", behavior: "instant"});
    // Two frames: the scroll and any layout it caused are painted.
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const nodes = [];
    while (walker.nextNode()) {
        if (walker.currentNode.data.trim()) nodes.push(walker.currentNode);
    }
    const box = (node, i) => {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const r = range.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
    };
    const first = nodes[0], last = nodes[nodes.length - 1];
    const firstAt = first.data.length - first.data.trimStart().length;
    const lastAt = last.data.trimEnd().length - 1;
    return {
        first: box(first, firstAt),
        last: box(last, lastAt),
        viewport: {width: innerWidth, height: innerHeight},
        scrollY: scrollY,
    };
}"""


def drag_select(page, locator) -> None:
    """Select the words of ``locator`` with the mouse, as a person would.

    The element is scrolled to the middle of the screen and measured once the
    page has settled; the mouse is pressed on the left half of the first
    character and released on the right half of the last one, so the
    selection covers exactly those characters and never runs past them.
    """
    boxes = locator.evaluate(_CHARACTER_BOXES)
    first, last, viewport = boxes["first"], boxes["last"], boxes["viewport"]
    for name, box in (("first", first), ("last", last)):
        inside = (
            box["top"] >= AUTOSCROLL_BELT_PX
            and box["bottom"] <= viewport["height"] - AUTOSCROLL_BELT_PX
            and box["left"] >= 0
            and box["right"] <= viewport["width"]
        )
        assert inside, (
            f"the {name} character {box} is too close to the edge of the {viewport} screen: "
            "the drag would scroll the page; use a taller viewport or a shorter text"
        )
    press = (
        first["left"] + (first["right"] - first["left"]) * 0.25,
        (first["top"] + first["bottom"]) / 2,
    )
    release = (
        last["right"] - (last["right"] - last["left"]) * 0.25,
        (last["top"] + last["bottom"]) / 2,
    )
    page.mouse.move(*press)
    page.mouse.down()
    page.mouse.move(*release, steps=8)
    scrolled = page.evaluate("scrollY") - boxes["scrollY"]
    assert scrolled == 0, f"the page scrolled by {scrolled}px while the mouse was held"
    page.mouse.up()
