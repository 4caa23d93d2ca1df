"""Walk the URL configuration: every URL that names a project or one of its
records, or an organisation (its organisation-wide rounds, ADR 0028), must
refuse an outsider and send an anonymous visitor to log in.

The one kind of exception is a project's *public* page (ADR 0033, "You said,
we did"), made with ``public_project_view``: it is walked too, the other way
round. Until the project publishes it, it is a 404 for everyone (anonymous,
an outsider, a member), exactly like a project that does not exist; once
published, anyone reads it without logging in, and it takes GET only.

Generated from the URLconf, so a new view is covered the day it is added.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohub.apps.analysis import services as analysis_services
from cohub.apps.jobs.models import Job, JobStatus
from cohub.apps.projects import services as project_services
from cohub.apps.projects.access import PUBLIC_ATTR
from cohub.apps.projects.models import Project, ProjectRole
from cohub.apps.reports import services as report_services
from cohub.apps.reports.changes import change_create
from cohub.apps.reports.public_changes import changes_publish, changes_unpublish
from cohub.apps.stories import services as story_services
from tests.assess.world import assessment_values
from tests.factories import (
    ProjectFactory,
    make_member,
    make_story,
    make_storyteller,
    make_upload,
)
from tests.routes import Route, site_routes

OBJECT_KWARGS = {
    "project_slug",
    "story_id",
    "storyteller_id",
    "highlight_id",
    "theme_id",
    "event_id",
    "speaker_id",
    "user_id",
    "invitation_id",
    "run_id",
    "suggestion_id",
    "organisation_slug",
}


def _is_public(callback: object) -> bool:
    return getattr(callback, PUBLIC_ATTR, None) is not None


def project_routes() -> list[tuple[Route, object]]:
    return [
        (route, callback)
        for route, callback in site_routes()
        if route.kwargs & OBJECT_KWARGS and not _is_public(callback)
    ]


def public_routes() -> list[Route]:
    """A project's pages that anyone may read once the project publishes them."""
    return [
        route
        for route, callback in site_routes()
        if route.kwargs & OBJECT_KWARGS and _is_public(callback)
    ]


ROUTES = project_routes()
PUBLIC = public_routes()


def test_routes_were_found():
    names = {route.name for route, _ in ROUTES}
    assert {"projects:detail", "analysis:review_sheet", "reports:findings"} <= names
    assert {"org_assess:round_list", "org_assess:round_results"} <= names
    assert {route.name for route in PUBLIC} == {"you_said:page"}


@pytest.mark.parametrize("route,callback", ROUTES, ids=[r.name for r, _ in ROUTES])
def test_every_project_view_declares_a_permission(route, callback):
    if "organisation_slug" in route.kwargs:
        assert getattr(callback, "organisation_permission", None), (
            f"{route.name} is not wrapped in organisation_view()"
        )
        return
    assert getattr(callback, "project_permission", None), (
        f"{route.name} is not wrapped in project_view()"
    )


@pytest.fixture
def world(db):
    """A project with one of every record, and a facilitator of another project."""
    project = ProjectFactory()
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    storyteller = make_storyteller(project)
    story = make_story(project, storyteller=storyteller)
    transcript = story.transcripts.get()
    theme = analysis_services.theme_create(project=project, name="Housing", actor=facilitator).theme
    highlight = analysis_services.highlight_create(
        story=story,
        transcript=transcript,
        char_start=0,
        char_end=10,
        actor=facilitator,
        themes=[theme],
    ).highlight
    event = project.coding_events.first()
    invitation = project_services.invitation_create(
        project=project, email="kit@example.org", roles=["member"], actor=facilitator
    )
    outsider = make_member(ProjectFactory(), ProjectRole.FACILITATOR)
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
        "storyteller_id": storyteller.pk,
        "highlight_id": highlight.pk,
        "theme_id": theme.pk,
        "event_id": event.pk,
        "user_id": facilitator.pk,
        "invitation_id": invitation.pk,
        "speaker_id": story.speakers.first().pk,
        "index": 0,
        "edit_id": story_services.story_update(story=story, actor=None, title="Changed").edit.pk,
        "upload_id": make_upload(project, storyteller, facilitator).token,
        "note_id": analysis_services.board_note_add(
            project=project, text="A note", actor=facilitator
        ).note.pk,
        # A finished playlist download of this project (its file is not needed to be refused).
        "job_id": Job.objects.create(
            kind="reports.playlist_zip", project_id=project.pk, status=JobStatus.SUCCEEDED
        ).pk,
        "visioning_round_id": analysis_services.visioning_round_open(
            project=project, prompt="Ten years on?", actor=facilitator
        ).visioning_round.pk,
        **assessment_values(project, facilitator),
        "report_version_id": report_services.report_version_create(
            project=project, actor=facilitator, title="For the council"
        ).pk,
        "change_id": change_create(project=project, actor=facilitator, title="Call back").pk,
    }
    return values, outsider


def _url(route: Route, values: dict) -> str:
    return reverse(route.name, kwargs={k: values[k] for k in route.kwargs})


@pytest.mark.parametrize("route", [r for r, _ in ROUTES], ids=[r.name for r, _ in ROUTES])
def test_anonymous_is_sent_to_login(client, world, route):
    values, _ = world
    url = _url(route, values)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, f"{method.__name__} {url}"
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("route", [r for r, _ in ROUTES], ids=[r.name for r, _ in ROUTES])
def test_member_of_another_project_is_refused(client, world, route):
    values, outsider = world
    client.force_login(outsider)
    url = _url(route, values)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code in (403, 404), f"{method.__name__} {url}"


@pytest.mark.parametrize("route", PUBLIC, ids=[r.name for r in PUBLIC])
def test_a_public_page_is_not_found_until_published_then_open_to_anyone(client, world, route):
    values, outsider = world
    project = Project.objects.get(slug=values["project_slug"])
    member = make_member(project, ProjectRole.FACILITATOR)
    url = _url(route, values)
    visitors = {"anonymous": None, "outsider": outsider, "member": member}

    def answers() -> dict[str, int]:
        seen = {}
        for who, user in visitors.items():
            client.logout()
            if user is not None:
                client.force_login(user)
            seen[who] = client.get(url).status_code
        return seen

    assert answers() == dict.fromkeys(visitors, 404)
    changes_publish(project=project, actor=member)
    assert answers() == dict.fromkeys(visitors, 200)
    client.logout()
    assert client.post(url).status_code == 405  # nothing to send to a public page
    assert client.get(url).get("Location") is None
    changes_unpublish(project=project, actor=member)
    assert answers() == dict.fromkeys(visitors, 404)
