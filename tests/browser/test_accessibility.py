"""Every page of the hub, checked by axe-core in real Chromium at 360 px and 1280 px.

The page list is generated from the URL configuration: a new route is checked
the day it is added, or this test fails and says how to cover it. One world
(built with the factories and services) fills every URL argument; each route
is opened by each visitor below, and every answer that is an HTML page, the
403 and 404 pages included, goes through axe-core (no serious or critical
violations) and must not scroll sideways (WCAG 1.4.10, reflow), on a phone
with its text at twice the size too (WCAG 1.4.4): the header wraps, fields stack.

A route whose GET answers 405 takes POST only and has no page of its own; one
that answers with something other than HTML (a CSV, JSON) is not a page.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cohub.apps.analysis import services as analysis_services
from cohub.apps.analysis.quote_checks import quote_check_answer
from cohub.apps.jobs.models import Job, JobResult, JobStatus
from cohub.apps.projects import services as project_services
from cohub.apps.projects.models import ProjectRole
from cohub.apps.reports import services as report_services
from cohub.apps.reports.changes import change_create
from cohub.apps.reports.playlist import playlist_build_zip, project_playlist
from cohub.apps.reports.public_changes import changes_publish
from cohub.apps.reports.report import Kind
from cohub.apps.stories import services as story_services
from cohub.apps.stories.links import storyteller_link_create
from cohub.apps.stories.models import Speaker, SpeakerPart, Storyteller, StorytellerLink
from cohub.apps.stories.recordings import story_add_recording
from tests import media_support
from tests.assess.world import answered_assessment_values
from tests.auth import VerifiedClient
from tests.browser_support import axe_violations, enlarge_text, log_in_as
from tests.factories import (
    ProjectFactory,
    UserFactory,
    make_member,
    make_org_admin,
    make_story,
    make_storyteller,
    make_upload,
)
from tests.playback_support import recorded_story

QUEUE_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
PLAYLIST_SPEECH = "Jo here. I waited eleven weeks for a call, and then the council sent a letter."

# Whole namespaces that are not ours to check, and why.
NOT_OURS = {"admin": "Django's own admin site"}

# Routes that only send people on to another page (which is checked itself).
# The code page answers a session that passed the second step with a redirect onwards
# (every visitor here has); tests/browser/test_two_step.py checks it before that step.
REDIRECT_ONLY: set[str] = {
    "projects:two_step_code",
    "assess:round_answer_start",
    "org_assess:round_answer_start",
    # A storyteller's link starts their session and sends them on to their page.
    "my_story:open",
}

# Who opens each page. Every route is tried by each of them; a page is checked
# for every visitor who gets it, since what a page shows depends on who asks.
VISITORS = ("facilitator", "decision_maker", "anonymous")
# Tried only on routes none of the visitors above may open.
STAND_INS = ("org_admin",)

HOW_TO_COVER = (
    "Cover it in tests/browser/test_accessibility.py: give build_world() the record "
    "and its value under the URL argument's name (or under (route name, argument) "
    "when the name means something else there), a visitor who may open it, or, for "
    "a route that only redirects, add it to REDIRECT_ONLY."
)

TRANSCRIPT = (
    "Sam: What happened the first time you asked for help?\n\n"
    "Robin: I rang the crisis line three times and waited eleven weeks for a call back.\n\n"
    "Sam: What would have made a difference?\n\n"
    "Robin: Someone who knew my name, and a number that a person actually answered."
)


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: tuple[str, ...]

    @property
    def namespace(self) -> str:
        return self.name.split(":", 1)[0] if ":" in self.name else ""


def _walk(patterns: Any, prefix: str = "", inherited: frozenset[str] = frozenset()) -> Iterator:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            params = inherited | frozenset(entry.pattern.converters)
            yield from _walk(entry.url_patterns, namespace, params)
        elif isinstance(entry, URLPattern) and entry.name:
            params = inherited | frozenset(entry.pattern.converters)
            yield Route(f"{prefix}{entry.name}", tuple(sorted(params)))


def routes() -> list[Route]:
    """Every named route of ours, from the URL configuration."""
    found = {route.name: route for route in _walk(get_resolver().url_patterns)}
    return sorted(
        (route for route in found.values() if route.namespace not in NOT_OURS),
        key=lambda route: route.name,
    )


@dataclass
class World:
    """One project with one of everything, and the people who open its pages."""

    values: dict[Any, Any]
    people: dict[str, Any]
    extra_pages: list[tuple[str, str, int, str]] = field(default_factory=list)

    def url(self, route: Route) -> str:
        kwargs = {}
        for name in route.kwargs:
            for key in ((route.name, name), (route.namespace, name), name):
                if key in self.values:
                    kwargs[name] = self.values[key]
                    break
            else:
                raise LookupError(
                    f"{route.name} needs the URL argument `{name}`, which the world cannot fill."
                )
        return reverse(route.name, kwargs=kwargs)


def _visioning_round(project, facilitator, member):
    """An open round with a note, so the board shows the round as people meet it."""
    opened = analysis_services.visioning_round_open(
        project=project, prompt="Ten years on, what pleased you?", actor=facilitator
    ).visioning_round
    analysis_services.board_note_add(
        project=project, text="Nobody waits alone.", visioning_round=opened, actor=member
    )
    return opened


def build_world() -> World:
    project = ProjectFactory(name="Crisis support in Northfield")
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    decision_maker = make_member(project, ProjectRole.DECISION_MAKER)
    member = make_member(project, ProjectRole.MEMBER)
    storyteller = make_storyteller(project, pseudonym="Robin")
    story = make_story(project, storyteller=storyteller, text=TRANSCRIPT, title="Waiting for help")
    withdrawn = make_storyteller(project, pseudonym="Alex")
    make_story(project, storyteller=withdrawn, title="Alex's story")
    story_services.consent_withdraw(storyteller=withdrawn, actor=facilitator)
    # A story whose words consent no longer covers: its pages say why instead.
    narrowed = make_storyteller(project, pseudonym="Sky")
    withheld = make_story(project, storyteller=narrowed, title="Sky's story")
    story_services.consent_record(storyteller=narrowed, actor=facilitator, record=True)

    transcript = story.transcripts.get()
    theme = analysis_services.theme_create(project=project, name="Waiting", actor=facilitator).theme
    analysis_services.theme_create(project=project, name="Being known", actor=facilitator)
    answer = transcript.segments.get(index=1)
    highlight = analysis_services.highlight_create(
        story=story,
        transcript=transcript,
        char_start=answer.char_start,
        char_end=answer.char_end,
        actor=facilitator,
        themes=[theme],
    ).highlight
    event = project.coding_events.order_by("-pk").first()
    # The storyteller's own page (ADR 0032): Robin has an account, one quote approved and one
    # questioned, and a private link that has run out (its kind page is checked too).
    robin_account = UserFactory(email="robin@example.org")
    Storyteller.objects.filter(pk=storyteller.pk).update(user=robin_account)
    storyteller.refresh_from_db()
    second = analysis_services.highlight_create(
        story=story,
        transcript=transcript,
        char_start=transcript.segments.get(index=3).char_start,
        char_end=transcript.segments.get(index=3).char_end,
        actor=facilitator,
        themes=[theme],
    ).highlight
    quote_check_answer(
        highlight=highlight, storyteller=storyteller, state="approved", actor=None, via="link"
    )
    quote_check_answer(
        highlight=second,
        storyteller=storyteller,
        state="change",
        comment="I rang four times, not three.",
        actor=None,
        via="link",
    )
    ran_out = storyteller_link_create(storyteller=storyteller, actor=facilitator)
    StorytellerLink.objects.filter(pk=ran_out.link.pk).update(
        expires_at=timezone.now() - dt.timedelta(days=1)
    )
    working = storyteller_link_create(storyteller=storyteller, actor=facilitator)
    # A quote made and undone: the coding log names it and offers Redo.
    question = transcript.segments.get(index=0)
    undone = analysis_services.highlight_create(
        story=story,
        transcript=transcript,
        char_start=question.char_start,
        char_end=question.char_end,
        actor=facilitator,
    )
    analysis_services.coding_event_undo(event=undone.event, actor=facilitator)
    invitation = project_services.invitation_create(
        project=project,
        email="new.person@example.org",
        roles=[ProjectRole.MEMBER],
        actor=facilitator,
    )
    job = Job.objects.create(
        kind="stories.transcribe",
        project_id=project.pk,
        created_by=facilitator,
        status=JobStatus.FAILED,
        attempts=2,
        max_attempts=2,
        progress=40,
        error="JobTimeout: took longer than 3600 s",
        finished_at=dt.datetime.now(dt.UTC),
    )
    JobResult.objects.create(
        job=job,
        version=1,
        attempt=1,
        engine="whisper.cpp",
        model_name="base.en",
        parameters={"language": "en"},
        seed=7,
        input_hash="0" * 64,
    )
    # A recorded story waiting to be written out: its page shows the progress panel.
    with tempfile.TemporaryDirectory() as folder:
        recorded = story_add_recording(
            project=project,
            storyteller=storyteller,
            actor=facilitator,
            path=media_support.speech(Path(folder), "kitchen-table.m4a"),
            filename="kitchen-table.m4a",
        ).story
    # A recorded story with its words: the player, its parts' times, a clip, the playlist.
    heard_by = make_storyteller(project, pseudonym="Jo")
    with tempfile.TemporaryDirectory() as folder, override_settings(TASKS=QUEUE_ONLY):
        heard = recorded_story(
            project, heard_by, Path(folder), speech=PLAYLIST_SPEECH, title="Jo's kitchen table"
        )
    Speaker.objects.filter(story=heard, label="Speaker 2").update(part=SpeakerPart.STORYTELLER)
    Speaker.objects.filter(story=heard, label="Speaker 1").update(part=SpeakerPart.INTERVIEWER)
    heard_text = heard.transcripts.get().text
    clip = analysis_services.highlight_create(
        story=heard,
        transcript=heard.transcripts.get(),
        char_start=heard_text.index("waited"),
        char_end=heard_text.index("weeks") + len("weeks"),
        actor=facilitator,
    ).highlight
    playlist = project_playlist(project)
    download = Job.objects.create(
        kind="reports.playlist_zip",
        project_id=project.pk,
        created_by=facilitator,
        status=JobStatus.SUCCEEDED,
        result={"digest": playlist.digest},
    )
    playlist_build_zip(playlist, job_id=download.pk)
    from cohub.apps.analysis.models import Suggestion, SuggestionQuote, SuggestionRun

    run = SuggestionRun.objects.create(
        project=project, requested_by=facilitator, status="ready", model="test", quote_count=1
    )
    suggestion = Suggestion.objects.create(
        run=run, number=1, label="Housing ideas", suggested_label="Housing ideas"
    )
    SuggestionQuote.objects.create(suggestion=suggestion, highlight=highlight)
    # A finished report PDF: its download is a file, not a page.
    report_pdf = Job.objects.create(
        kind="reports.report_pdf",
        project_id=project.pk,
        created_by=facilitator,
        status=JobStatus.SUCCEEDED,
        params={"kind": "full", "version": None, "base_url": ""},
    )
    report_pdf.result = report_services.report_pdf_make(
        project=project,
        actor=facilitator,
        job_id=report_pdf.pk,
        kind=Kind.FULL,
        version=None,
        base_url="",
        progress=lambda percent, message: None,
    )
    report_pdf.save()
    values = {
        ("reports:playlist_zip", "job_id"): download.pk,
        ("reports:report_pdf_file", "job_id"): report_pdf.pk,
        "project_slug": project.slug,
        "run_id": run.pk,
        "suggestion_id": suggestion.pk,
        "story_id": story.pk,
        ("stories:recording_status", "story_id"): recorded.pk,
        ("stories:recording_media", "story_id"): heard.pk,
        ("analysis:clip_download", "highlight_id"): clip.pk,
        "storyteller_id": storyteller.pk,
        "highlight_id": highlight.pk,
        "theme_id": theme.pk,
        "event_id": event.pk,
        "speaker_id": story.speakers.get(label="Sam").pk,
        "index": 0,
        "edit_id": story_services.story_update(
            story=story, actor=facilitator, recorded_on=dt.date(2026, 3, 1)
        ).edit.pk,
        "user_id": member.pk,
        "token": invitation.token,
        "link_token": working.token,
        "quote_id": highlight.pk,
        "invitation_id": invitation.pk,
        # A reset link that no longer works: the page that says so, and how to get a new one.
        # (The page for choosing a new password is checked in test_joining.py.)
        ("accounts:password_reset_confirm", "uidb64"): "MQ",
        ("accounts:password_reset_confirm", "token"): "used-or-too-old",
        "job_id": job.pk,
        "upload_id": make_upload(project, storyteller, facilitator).token,
        "note_id": analysis_services.board_note_add(
            project=project,
            text="Ask people what waiting felt like.",
            theme=theme,
            actor=facilitator,
        ).note.pk,
        "visioning_round_id": _visioning_round(project, facilitator, member).pk,
        **answered_assessment_values(project, facilitator),
        "report_version_id": report_services.report_version_create(
            project=project,
            actor=facilitator,
            title="For the adult social care team",
            for_you="Waiting is what people spoke of most.",
            themes=[theme],
        ).pk,
        "change_id": change_create(
            project=project,
            actor=facilitator,
            title="Call people back within a week of a referral",
            owner="Adult social care team",
            themes=[theme],
            quotes=[highlight],
        ).pk,
    }
    # "You said, we did" is public (ADR 0033): anonymous visitors open the public page, and the
    # facilitator's publish page shows what it shows now and the button to take it down.
    changes_publish(project=project, actor=facilitator)
    # A finished round report PDF: its download is a file, not a page.
    from cohub.apps.assess.models import AssessmentRound
    from cohub.apps.assess.services import round_report_pdf_make

    round_pdf = Job.objects.create(
        kind="assess.round_report_pdf",
        project_id=project.pk,
        created_by=facilitator,
        status=JobStatus.SUCCEEDED,
        params={"round": values["round_id"]},
    )
    round_pdf.result = round_report_pdf_make(
        assessment=AssessmentRound.objects.get(pk=values["round_id"]),
        actor=facilitator,
        job_id=round_pdf.pk,
        progress=lambda percent, message: None,
    )
    round_pdf.save()
    values[("assess:round_report_pdf_file", "job_id")] = round_pdf.pk
    # The same for the organisation's round: a job of no project that names the organisation.
    org_round = AssessmentRound.objects.get(pk=values["org_round_id"])
    org_pdf = Job.objects.create(
        kind="assess.round_report_pdf",
        created_by=facilitator,
        status=JobStatus.SUCCEEDED,
        params={"round": org_round.pk, "organisation": org_round.organisation_id},
    )
    org_pdf.result = round_report_pdf_make(
        assessment=org_round,
        actor=facilitator,
        job_id=org_pdf.pk,
        progress=lambda percent, message: None,
    )
    org_pdf.save()
    values[("org_assess:round_report_pdf_file", "job_id")] = org_pdf.pk
    people = {
        "facilitator": facilitator,
        "decision_maker": decision_maker,
        "anonymous": None,
        "org_admin": make_org_admin(project.organisation),
        "storyteller": robin_account,
    }
    # The error pages, as the people who would meet them.
    extra_pages = [
        ("decision_maker", reverse("projects:edit", args=[project.slug]), 403, "403 page"),
        ("facilitator", f"/p/{project.slug}/stories/999999/review-sheet/", 404, "404 page"),
        (
            "facilitator",
            reverse("analysis:review_sheet", args=[project.slug, withheld.pk]),
            200,
            "review sheet, words withheld",
        ),
        (
            "facilitator",
            reverse("stories:story_edit", args=[project.slug, withheld.pk]),
            200,
            "story editing, words withheld",
        ),
        (
            "facilitator",
            reverse("analysis:review_sheet", args=[project.slug, recorded.pk]),
            200,
            "a recorded story being written out",
        ),
        (
            "facilitator",
            reverse("analysis:review_sheet", args=[project.slug, heard.pk]),
            200,
            "a recorded story with its player and a clip",
        ),
        (
            "facilitator",
            reverse("reports:report", args=[project.slug]) + "?kind=easy-read",
            200,
            "the findings report, easy read",
        ),
        (
            "decision_maker",
            reverse("reports:report", args=[project.slug]) + "?kind=overview",
            200,
            "the findings report, two-page overview",
        ),
        (
            "facilitator",
            reverse("reports:changes", args=[project.slug]) + "?status=done",
            200,
            "the changes, one status shown",
        ),
        ("storyteller", reverse("my_story:page"), 200, "the storyteller's own page"),
        ("storyteller", reverse("my_story:easy_read"), 200, "the storyteller's page, easy read"),
        ("storyteller", reverse("my_story:consent"), 200, "the storyteller narrows consent"),
        ("storyteller", reverse("my_story:withdraw"), 200, "the storyteller withdraws"),
        (
            "anonymous",
            reverse("my_story:open", args=[ran_out.token]),
            410,
            "a storyteller's link that ran out",
        ),
    ]
    return World(values, people, extra_pages)


@dataclass(frozen=True)
class Page:
    label: str
    visitor: str
    url: str
    status: int


def survey(world: World) -> tuple[list[Page], dict[str, str], list[str]]:
    """Open every route as every visitor with Django's test client.

    Returns the pages to check in the browser, the routes that are not pages
    (and why), and what could not be covered, each with how to cover it.
    """
    clients = {}
    for visitor, user in world.people.items():
        clients[visitor] = VerifiedClient()
        if user is not None:
            clients[visitor].force_login(user)
    pages: list[Page] = []
    not_pages: dict[str, str] = {}
    problems: list[str] = []
    for route in routes():
        try:
            url = world.url(route)
        except LookupError as exc:
            problems.append(str(exc))
            continue
        answers = {}
        for visitor in VISITORS + STAND_INS:
            if visitor in STAND_INS and any(page.label == route.name for page in pages):
                break
            response = clients[visitor].get(url)
            answers[visitor] = response
            kind = response.get("Content-Type", "").split(";")[0]
            if response.status_code == 405:
                not_pages[route.name] = "takes POST only"
            elif response.status_code == 200 and kind != "text/html":
                not_pages[route.name] = f"sends {kind}, not a page"
            elif response.status_code == 200:
                pages.append(Page(route.name, visitor, url, 200))
            elif response.status_code >= 500 or response.status_code == 400:
                problems.append(f"{route.name} answers {visitor} with {response.status_code}.")
        opened = any(page.label == route.name for page in pages)
        if opened or route.name in not_pages:
            continue
        if route.name in REDIRECT_ONLY:
            not_pages[route.name] = "only redirects"
            continue
        said = ", ".join(
            f"{visitor}: {response.status_code}"
            + (f" to {response['Location']}" if response.has_header("Location") else "")
            for visitor, response in answers.items()
        )
        problems.append(f"{route.name} ({url}) is a page nobody in the world can open ({said}).")
    for visitor, url, status, label in world.extra_pages:
        pages.append(Page(label, visitor, url, status))
    return pages, not_pages, [f"{problem} {HOW_TO_COVER}" for problem in problems]


def test_every_route_is_a_checked_page_or_says_why_not(db):
    pages, not_pages, problems = survey(build_world())
    assert not problems, "\n".join(problems)
    checked = {page.label for page in pages}
    assert {
        "projects:edit",
        "projects:invitation_accept",
        "stories:story_delete",
        "stories:consent_withdraw",
        "audit:log",
        "audit:subject_access",
        "accounts:password_change",
        "accounts:login",
        "jobs:detail",
        "403 page",
        "404 page",
    } <= checked
    assert {name for name in not_pages} | checked | REDIRECT_ONLY >= {r.name for r in routes()}


def _check(page: Any, target: Page, width: int) -> list[str]:
    response = page.goto(target.url)
    where = f"{target.label} ({target.url}) as {target.visitor} at {width}px"
    if response is None or response.status != target.status:
        return [f"{where}: answered {response and response.status}, not {target.status}"]
    found = [f"{where}: {violation}" for violation in axe_violations(page)]
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 1:
        found.append(f"{where}: scrolls sideways by {overflow}px")
    return found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [360, 1280], ids=["phone", "desktop"])
def test_every_page_has_no_serious_violations(page, width):
    world = build_world()
    pages, _, problems = survey(world)
    assert not problems, "\n".join(problems)
    page.set_viewport_size({"width": width, "height": 800})
    found: list[str] = []
    for visitor, user in world.people.items():
        if not any(target.visitor == visitor for target in pages):
            continue
        page.context.clear_cookies()
        if user is not None:
            log_in_as(page, VerifiedClient(), user)
        for target in pages:
            if target.visitor == visitor:
                found += _check(page, target, width)
    assert not found, "\n".join(found)


SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_page_scrolls_sideways_on_a_phone_with_text_twice_the_size(page):
    world = build_world()
    pages, _, problems = survey(world)
    assert not problems, "\n".join(problems)
    page.set_viewport_size({"width": 360, "height": 800})
    found: list[str] = []
    for visitor, user in world.people.items():
        if not any(target.visitor == visitor for target in pages):
            continue
        page.context.clear_cookies()
        if user is not None:
            log_in_as(page, VerifiedClient(), user)
        for target in pages:
            if target.visitor != visitor:
                continue
            page.goto(target.url)
            enlarge_text(page, 200)
            overflow = page.evaluate(SIDEWAYS)
            if overflow > 1:
                found.append(f"{target.label} as {visitor}: scrolls sideways by {overflow}px")
    assert not found, "\n".join(found)
