"""Real headless Chromium (Debian's) driven by Playwright, plus axe-core from npm.

Playwright's sync API runs an event loop in the test thread; Django's ORM
refuses to run inside one unless told that this test thread is not async
code serving requests, which it is not.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

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
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()
    # With Playwright's loop running, the ORM calls a test makes use their own
    # connection; close it, or PostgreSQL cannot drop the test database.
    connections.close_all()


def log_in_as(page, client, user) -> None:
    """Give the browser a logged-in session for ``user`` without typing a password."""
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": page.base_url}]
    )


def log_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """Run axe-core on the page as it is now; return violations of the given impacts."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make test` (it installs axe-core from npm).")
    page.add_script_tag(path=str(AXE_JS))
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
