"""Consent is honoured on every read: walk every page of the site as a facilitator.

Kit told a story and it was coded: a key quote with a note, a theme, a review
sheet with ideas and a summary. Then Kit's consent changed. Every route in
the URL configuration (generated, so a page added later is walked the day it
is added), the findings CSV and ``cohub export-findings`` are opened, and none
may contain a word of Kit's story, its quote, the note or the review sheet.

The walk is checked first with Kit's consent intact: the same pages then show
those words, so the walk reaches the places a leak would be. The pages about
Kit's story must also say why the words are missing, in the same sentence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cohub.apps.analysis import services as analysis_services
from cohub.apps.analysis.models import Attribution
from cohub.apps.analysis.quote_checks import quote_check_answer
from cohub.apps.jobs.models import Job, JobStatus
from cohub.apps.projects import services as project_services
from cohub.apps.projects.models import ProjectRole
from cohub.apps.redaction import services as redaction_services
from cohub.apps.reports import services as report_services
from cohub.apps.reports.changes import change_create
from cohub.apps.reports.public_changes import changes_publish
from cohub.apps.stories import services as story_services
from cohub.apps.stories.models import ConsentRecord, Storyteller
from cohub.cli import main as cli_main
from cohub.pipeline.redact import Finding, Kind, number_findings
from tests.assess.world import assessment_values
from tests.factories import (
    ProjectFactory,
    make_member,
    make_story,
    make_storyteller,
    make_upload,
)
from tests.routes import Route, site_routes

KITS_STORY = (
    "Sam: What happened that winter?\n\n"
    "Kit: The heron-blue kettle whistled while the bailiffs knocked twice at dawn.\n\n"
    "Sam: And then?\n\n"
    "Kit: I counted marigold tickets until the office opened."
)
QUOTE = "The heron-blue kettle whistled while the bailiffs knocked twice at dawn."
NOTE = "Quillwort: the coder's note about the kettle."
IDEAS = "Marram grass idea: a warm room."
SUMMARY = "Saxifrage summary of the winter."
# Words found only in Kit's story and what was written from it.
SECRETS = ("heron-blue", "bailiffs knocked", "marigold tickets", "Quillwort", "Marram", "Saxifrage")

OTHER_STORY = "Sam: How did you get there?\n\nRobin: The lantern-green bus never came to Ashby Row."

TODAY = timezone.localdate()
PASSED = TODAY - dt.timedelta(days=1)

REASONS = {
    "transcription taken back": "Withheld: Kit has not agreed that we transcribe their story.",
    "keep-until date passed": (
        f"Withheld: Kit agreed that we keep their story only until {PASSED.day} "
        f"{PASSED:%B %Y}, and that date has passed."
    ),
}

# The pages about Kit's story or quote, which must say why its words are missing.
PAGES_THAT_SAY_WHY = (
    "analysis:review_sheet",
    "analysis:review_sheet_notes",
    "analysis:highlight_edit",
    "analysis:highlight_place",
    "analysis:theme_detail",
    "reports:findings",
    "stories:story_edit",
    "stories:story_text_edit",
    "stories:story_part_edit",
    "stories:speaker_list",
    "stories:story_list",
    "stories:storyteller_detail",
    "redaction:review",
)


@dataclass
class World:
    facilitator: Any
    project: Any
    storyteller: Any
    values: dict[Any, Any]

    def url(self, route: Route) -> str:
        kwargs = {}
        for name in route.kwargs:
            for key in ((route.name, name), name):
                if key in self.values:
                    kwargs[name] = self.values[key]
                    break
            else:
                raise LookupError(
                    f"{route.name} needs `{name}`: give build_world() a value for it, so the "
                    "consent walk can open the page."
                )
        return reverse(route.name, kwargs=kwargs)


def build_world() -> World:
    project = ProjectFactory(name="Winter support")
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    kit = make_storyteller(project, pseudonym="Kit", real_name="Kit Realname")
    # Kit's own page (ADR 0032) opens for the walker too, so it is walked like the others.
    Storyteller.objects.filter(pk=kit.pk).update(user=facilitator)
    kit.refresh_from_db()
    story = make_story(project, storyteller=kit, text=KITS_STORY, title="Kit's winter")
    transcript = story.transcripts.get()
    theme = analysis_services.theme_create(project=project, name="Waiting", actor=facilitator).theme
    start = transcript.text.index(QUOTE)
    highlight = analysis_services.highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len(QUOTE),
        actor=facilitator,
        themes=[theme],
        note=NOTE,
        attribution=Attribution.NAMED,
    ).highlight
    analysis_services.review_sheet_update(
        story=story, actor=facilitator, ideas=IDEAS, summary=SUMMARY
    )
    # A check for personal details whose suggestion shows the words around it.
    run = redaction_services.redaction_check_start(story=story, actor=facilitator).run
    at = transcript.text.index("bailiffs")
    redaction_services.redaction_findings_store(
        run=run,
        findings=number_findings([Finding(at, at + 8, Kind.PERSON, "bailiffs", "walk")]),
        engine_settings={},
    )
    # Kit approved the quote, a change answers it, and the project published "You said, we
    # did" (ADR 0033): the public page shows the quote while Kit's consent holds.
    quote_check_answer(
        highlight=highlight, storyteller=kit, state="approved", actor=None, via="link"
    )
    changes_publish(project=project, actor=facilitator)
    event = project.coding_events.order_by("pk").first()
    edit = story_services.story_update(
        story=story, actor=facilitator, recorded_on=dt.date(2026, 1, 5)
    ).edit
    # Another storyteller whose consent holds: their words must still show.
    robin = make_storyteller(project, pseudonym="Robin")
    other = make_story(project, storyteller=robin, text=OTHER_STORY, title="The bus")
    other_text = other.transcripts.get()
    words = "The lantern-green bus never came"
    analysis_services.highlight_create(
        story=other,
        transcript=other_text,
        char_start=other_text.text.index(words),
        char_end=other_text.text.index(words) + len(words),
        actor=facilitator,
        themes=[theme],
    )
    invitation = project_services.invitation_create(
        project=project, email="new.person@example.org", roles=["member"], actor=facilitator
    )
    job = Job.objects.create(
        kind="stories.import_batch",
        project_id=project.pk,
        created_by=facilitator,
        status=JobStatus.SUCCEEDED,
        progress=100,
        result={"lines": ["kit.txt became the story 'Kit's winter'."]},
        finished_at=timezone.now(),
    )
    from cohub.apps.analysis.models import Suggestion, SuggestionQuote, SuggestionRun

    run = SuggestionRun.objects.create(
        project=project, requested_by=facilitator, status="ready", model="test", quote_count=1
    )
    suggestion = Suggestion.objects.create(
        run=run, number=1, label="Housing ideas", suggested_label="Housing ideas"
    )
    SuggestionQuote.objects.create(suggestion=suggestion, highlight=highlight)
    values = {
        "project_slug": project.slug,
        "run_id": run.pk,
        "suggestion_id": suggestion.pk,
        "story_id": story.pk,
        "storyteller_id": kit.pk,
        "highlight_id": highlight.pk,
        "theme_id": theme.pk,
        "event_id": event.pk,
        "speaker_id": story.speakers.get(label="Kit").pk,
        "index": 1,
        "edit_id": edit.pk,
        "user_id": facilitator.pk,
        "invitation_id": invitation.pk,
        "token": invitation.token,
        "link_token": "not-a-working-link",
        "quote_id": highlight.pk,
        "job_id": job.pk,
        "upload_id": make_upload(project, kit, facilitator).token,
        "note_id": analysis_services.board_note_add(
            project=project, text="A note on the board", actor=facilitator
        ).note.pk,
        "visioning_round_id": analysis_services.visioning_round_open(
            project=project, prompt="Ten years on?", actor=facilitator
        ).visioning_round.pk,
        **assessment_values(project, facilitator),
        "report_version_id": report_services.report_version_create(
            project=project, actor=facilitator, title="For the council", themes=[theme]
        ).pk,
        "change_id": change_create(
            project=project,
            actor=facilitator,
            title="Call back",
            themes=[theme],
            quotes=[highlight],
        ).pk,
        ("accounts:password_reset_confirm", "uidb64"): "MQ",
        ("accounts:password_reset_confirm", "token"): "used-or-too-old",
    }
    return World(facilitator, project, kit, values)


def take_back_transcription(world: World) -> None:
    story_services.consent_record(
        storyteller=world.storyteller,
        actor=world.facilitator,
        record=True,
        transcribe=False,
        # Still agreed to be quoted, even by name: without transcription nothing shows.
        quote_anonymously=True,
        quote_by_name=True,
    )


def let_keep_until_pass(world: World) -> None:
    story_services.consent_record(
        storyteller=world.storyteller,
        actor=world.facilitator,
        keep_until=TODAY + dt.timedelta(days=30),
        **{scope: True for scope in ("record", "transcribe", "quote_anonymously")},
    )
    # A month goes by (the record cannot be given a past date, so its date is moved back),
    # and the periodic purge has not run yet.
    ConsentRecord.objects.filter(storyteller=world.storyteller).update(keep_until=PASSED)


def withdraw(world: World) -> None:
    story_services.consent_withdraw(storyteller=world.storyteller, actor=world.facilitator)


CHANGES = {
    "transcription taken back": take_back_transcription,
    "keep-until date passed": let_keep_until_pass,
    "withdrawn": withdraw,
}


def walk(world: World, client: Client) -> dict[str, str]:
    """Every route's answer to a GET, by route name, plus both findings exports."""
    answers: dict[str, str] = {}
    for route, _ in site_routes():
        response = client.get(world.url(route))
        assert response.status_code < 500, f"{route.name} answered {response.status_code}"
        answers[route.name] = response.content.decode("utf-8", errors="replace")
    return answers


def cli_export(world: World, tmp_path: Any) -> str:
    out = tmp_path / "findings.csv"
    code = cli_main(["export-findings", "--project", world.project.slug, "--output", str(out)])
    assert code == 0
    return out.read_text(encoding="utf-8")


def _leaks(answers: dict[str, str]) -> list[str]:
    return [
        f"{where} shows {secret!r}"
        for where, body in answers.items()
        for secret in SECRETS
        if secret in body
    ]


@pytest.mark.django_db
def test_the_walk_sees_the_words_while_consent_holds(client, tmp_path):
    """Without this, a walk that opened no real pages would pass the tests below."""
    world = build_world()
    client.force_login(world.facilitator)
    answers = walk(world, client)
    answers["cohub export-findings"] = cli_export(world, tmp_path)
    for name in (
        "analysis:review_sheet",
        "analysis:review_sheet_notes",
        "analysis:highlight_edit",
        "analysis:highlight_place",
        "analysis:theme_detail",
        "analysis:coding_log",
        "reports:findings",
        "reports:findings_csv",
        "cohub export-findings",
        "stories:story_edit",
        "stories:story_text_edit",
        "stories:story_part_edit",
        "redaction:review",
        "my_story:page",
        "my_story:easy_read",
        "you_said:page",
        "reports:changes_publish",
    ):
        assert any(secret in answers[name] for secret in SECRETS), name
    assert "Kit Realname" in answers["reports:findings"]


@pytest.mark.django_db
@pytest.mark.parametrize("change", list(CHANGES))
def test_no_page_or_export_shows_the_words_after_consent_changes(client, tmp_path, change):
    world = build_world()
    CHANGES[change](world)
    client.force_login(world.facilitator)
    answers = walk(world, client)
    answers["cohub export-findings"] = cli_export(world, tmp_path)
    assert not _leaks(answers), "\n".join(_leaks(answers))
    # The story that still has consent is untouched.
    assert "lantern-green" in answers["reports:findings"]
    assert "lantern-green" in answers["analysis:theme_detail"]
    # Kit is not named beside quotes that consent no longer lets anyone read.
    quoting = ("reports:findings", "reports:findings_csv", "cohub export-findings")
    assert not [name for name in quoting if "Kit Realname" in answers[name]]


@pytest.mark.django_db
@pytest.mark.parametrize("change", list(REASONS))
@pytest.mark.parametrize("route_name", PAGES_THAT_SAY_WHY)
def test_each_page_about_the_story_says_why_its_words_are_missing(client, change, route_name):
    world = build_world()
    CHANGES[change](world)
    client.force_login(world.facilitator)
    route = next(route for route, _ in site_routes() if route.name == route_name)
    response = client.get(world.url(route))
    assert response.status_code == 200
    assert REASONS[change] in response.content.decode()


@pytest.mark.django_db
def test_the_export_says_why_in_each_withheld_row(client):
    world = build_world()
    take_back_transcription(world)
    client.force_login(world.facilitator)
    body = client.get(reverse("reports:findings_csv", args=[world.project.slug])).content
    assert REASONS["transcription taken back"] in body.decode("utf-8")
