"""Every page the hub draws carries the security headers, and no inline script or style.

The walk is the consent walk's (tests/test_consent_on_every_page.py): every
route in the URL configuration, generated, so a page added later is checked the
day it is added, opened as a facilitator on a project with stories, quotes,
notes, jobs and invitations. Each answer must say ``Cache-Control: no-store``
(people use shared computers), carry the Content Security Policy and the other
headers, and its HTML must hold no inline ``<script>``, ``style=`` attribute,
``<style>`` element or ``on...=`` handler, which that policy would block
(docs/adr/0025 says where page scripts and styles go instead).
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from tests.auth import VerifiedClient, backup_code
from tests.factories import UserFactory
from tests.routes import site_routes
from tests.test_consent_on_every_page import build_world


class InlineCode(HTMLParser):
    """Collects the inline scripts, styles and event handlers of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower(): value for name, value in attrs}
        line = self.getpos()[0]
        # A data block (json_script: type="application/json") is never run, so it is allowed.
        data_block = (names.get("type") or "").lower() == "application/json"
        if tag == "script" and "src" not in names and not data_block:
            self.found.append(f"line {line}: inline <script>")
        if tag == "style":
            self.found.append(f"line {line}: <style> element")
        if "style" in names:
            self.found.append(f"line {line}: style= on <{tag}>")
        self.found.extend(
            f"line {line}: {name}= on <{tag}>" for name in names if name.startswith("on")
        )
        for name in ("href", "src", "action", "formaction"):
            if (names.get(name) or "").strip().lower().startswith("javascript:"):
                self.found.append(f"line {line}: javascript: URL in {name}= on <{tag}>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def test_the_checker_finds_each_kind_of_inline_code():
    """Without this, a checker that found nothing would pass every page."""
    page = (
        '<p style="color:red">x</p><script>alert(1)</script><script src="/a.js"></script>'
        '<button onclick="go()">Go</button><style>p{}</style><a href="javascript:go()">x</a>'
    )
    found = inline_code(page)
    assert len(found) == 5, found
    fine = (
        '<script src="/static/cohub/cohub.js" defer></script><p>fine</p>'
        '<script id="words" type="application/json">{"a": 1}</script>'
    )
    assert inline_code(fine) == []


@pytest.fixture
def walked(db):
    world = build_world()
    client = VerifiedClient()
    client.force_login(world.facilitator)
    answers = {}
    for route, _ in site_routes():
        response = client.get(world.url(route))
        assert response.status_code < 500, f"{route.name} answered {response.status_code}"
        answers[route.name] = response
    # Anonymous visitors' pages too (login, password reset), and the public "You said, we did"
    # page as the public meets it (the world published it): no login, the same headers, and
    # no-store, since it follows consent from one request to the next (ADR 0033).
    answers["accounts:login (anonymous)"] = Client().get(reverse("accounts:login"))
    public = Client().get(reverse("you_said:page", args=[world.project.slug]))
    assert public.status_code == 200
    answers["you_said:page (anonymous)"] = public
    # The second step's pages as they are met: after the password, before the code.
    fresh = Client()
    fresh.force_login(UserFactory())
    answers["projects:two_step_set_up (before the second step)"] = fresh.get(
        reverse("projects:two_step_set_up")
    )
    backup_code(world.facilitator)
    held = Client()
    held.force_login(world.facilitator)
    answers["projects:two_step_code (before the second step)"] = held.get(
        reverse("projects:two_step_code")
    )
    return answers


HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# Stricter than the site's on purpose: a private link holds its secret in the address, so
# those answers send no Referer at all (a storyteller's link, ADR 0032; a peer reviewer's
# pages, ADR 0034).
STRICTER = {
    (name, "Referrer-Policy"): "no-referrer"
    # Only the private links themselves: pages with forms behind them keep same-origin,
    # or Chromium sends "Origin: null" and the CSRF check refuses every answer.
    for name in ("my_story:open", "peer:open")
}


@pytest.mark.django_db
def test_every_page_and_download_says_no_store_and_carries_the_security_headers(walked):
    problems = []
    for name, response in walked.items():
        cache = response.get("Cache-Control", "")
        if "no-store" not in cache:
            problems.append(f"{name}: Cache-Control is {cache!r}")
        for header, value in HEADERS.items():
            value = STRICTER.get((name, header), value)
            if response.get(header) != value:
                problems.append(f"{name}: {header} is {response.get(header)!r}")
        if "microphone=(self)" not in response.get("Permissions-Policy", ""):
            problems.append(f"{name}: Permissions-Policy is {response.get('Permissions-Policy')!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_every_page_has_a_policy_that_forbids_inline_code_and_framing(walked):
    problems = []
    for name, response in walked.items():
        policy = response.get("Content-Security-Policy", "")
        directives = {
            part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()
        }
        if directives.get("script-src") != ["'self'"]:
            problems.append(f"{name}: script-src is {directives.get('script-src')}")
        if directives.get("style-src") != ["'self'"]:
            problems.append(f"{name}: style-src is {directives.get('style-src')}")
        if directives.get("frame-ancestors") != ["'none'"]:
            problems.append(f"{name}: frame-ancestors is {directives.get('frame-ancestors')}")
        if directives.get("object-src") != ["'none'"]:
            problems.append(f"{name}: object-src is {directives.get('object-src')}")
        if "unsafe" in policy:
            problems.append(f"{name}: the policy allows something unsafe: {policy}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_no_page_has_an_inline_script_style_or_event_handler(walked):
    problems = [
        f"{name}: {finding}"
        for name, response in walked.items()
        if response.get("Content-Type", "").startswith("text/html")
        for finding in inline_code(response.content.decode("utf-8", errors="replace"))
    ]
    assert not problems, (
        "The Content Security Policy blocks these; move them to a static .js or .css file "
        "(docs/adr/0025):\n" + "\n".join(problems)
    )


@pytest.mark.django_db
def test_the_walk_reaches_html_pages_and_downloads(walked):
    """Without this, a walk that opened only redirects would pass the tests above."""
    html = [n for n, r in walked.items() if r.get("Content-Type", "").startswith("text/html")]
    assert len(html) > 40
    assert walked["reports:findings_csv"]["Content-Type"].startswith("text/csv")
    # The second step's pages were drawn, not skipped (the QR code is inline SVG there).
    set_up = walked["projects:two_step_set_up (before the second step)"]
    assert set_up.status_code == 200 and "<svg" in set_up.content.decode()
    assert walked["projects:two_step_code (before the second step)"].status_code == 200


@pytest.mark.django_db
def test_hsts_is_sent_over_https_only(client):
    secure = client.get(reverse("accounts:login"), secure=True)
    assert int(secure["Strict-Transport-Security"].split("max-age=")[1].split(";")[0]) >= 15552000
    assert "Strict-Transport-Security" not in client.get(reverse("accounts:login"))


@pytest.mark.django_db
def test_static_files_are_not_marked_no_store(client):
    """They are the same for everyone and hold no story; caching them keeps pages fast."""
    response = client.get("/static/cohub/cohub.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
