"""Every route is pinned to the permission it needs, and refuses when, and only when, it lacks it.

Two tests hold views to their permissions (ADR 0008):

- ``test_each_route_declares_the_permission_pinned_here`` compares the table
  below with what each view declares (``project_view``, ``object_view`` and
  ``checks_permission`` record it on the view). A new route, or a view that
  starts asking for a different permission, fails until this table says so.
- ``test_denying_one_permission_refuses_exactly_its_routes`` takes a person
  who may do everything, takes one permission away (its rule is swapped for
  ``always_deny``), and requests every route with GET and POST: the routes
  pinned to that permission must refuse and every other route must not. A
  deleted inline check, or a view that checks a different permission from
  the one it declares, fails it.

Both are generated from the URL configuration, like ``test_url_permissions.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import rules
from django.db import transaction
from django.test import Client
from django.urls import reverse

from cohub.apps.analysis import services as analysis_services
from cohub.apps.core.permissions import declared_permission, declared_refusal
from cohub.apps.jobs.models import Job, JobStatus
from cohub.apps.projects import services as project_services
from cohub.apps.projects.models import ProjectRole
from cohub.apps.reports import services as report_services
from cohub.apps.reports.changes import change_create
from cohub.apps.reports.public_changes import changes_publish
from cohub.apps.stories import services as story_services
from cohub.apps.stories.models import Storyteller
from tests.assess.world import assessment_values
from tests.factories import (
    ProjectFactory,
    make_member,
    make_org_admin,
    make_story,
    make_storyteller,
    make_upload,
)
from tests.routes import Route, site_routes

OPEN = None  # no permission: public, or for anyone logged in (says so beside each)

# Route name -> the permission its view declares. Add a route here when you add it,
# with the permission its view declares; the deny-one test then checks it is true.
ROUTE_PERMISSIONS: dict[str, str | None] = {
    "accounts:profile": OPEN,  # logged in: your own account
    "accounts:login": OPEN,
    "accounts:logout": OPEN,
    "accounts:password_change": OPEN,  # logged in: your own password
    "accounts:password_change_done": OPEN,
    "accounts:password_reset": OPEN,  # anyone who forgot their password
    "accounts:password_reset_done": OPEN,
    "accounts:password_reset_confirm": OPEN,  # the emailed token is the permission
    "accounts:password_reset_complete": OPEN,
    "projects:home": OPEN,
    "projects:list": OPEN,  # logged in: lists only projects you may see
    "projects:create": "projects.add_project",  # checked on each organisation offered
    "projects:two_step": OPEN,  # logged in: your own two-step sign-in
    "projects:two_step_set_up": OPEN,  # logged in: your own authenticator app
    "projects:two_step_code": OPEN,  # logged in: your own second step
    "projects:two_step_backup_codes": OPEN,  # logged in: your own backup codes
    "projects:two_step_turn_off": OPEN,  # logged in: yours, and only if your role allows
    "projects:invitation_accept": OPEN,  # the unguessable token is the permission
    "projects:detail": "projects.view_project",
    "projects:edit": "projects.change_project",
    "projects:members": "projects.view_project",
    "projects:member_invite": "projects.manage_members",
    "projects:invitation_cancel": "projects.manage_members",  # checked on the invitation
    "projects:member_remove": "projects.manage_members",
    "projects:participation_set": "projects.view_project",  # said for yourself only
    "projects:organisation": "projects.view_organisation",  # lists only projects you may see
    "stories:storyteller_list": "stories.view_storyteller",
    "stories:storyteller_create": "stories.manage_storyteller",
    "stories:storyteller_detail": "stories.view_storyteller",
    "stories:storyteller_edit": "stories.manage_storyteller",
    "stories:consent_update": "stories.manage_consent",
    "stories:consent_withdraw": "stories.withdraw_consent",
    "stories:storyteller_link": "stories.share_storyteller_link",
    "stories:story_list": "stories.view_story",
    "stories:story_create": "stories.add_story",
    "stories:story_import": "stories.add_story",
    "stories:recording_add": "stories.add_story",
    "stories:recording_status": "stories.view_story",
    "stories:recording_media": "stories.view_story",
    "stories:recording_transcribe": "stories.change_story",
    "stories:recording_record": "stories.add_story",
    "stories:upload_create": "stories.add_story",
    "stories:upload_detail": "stories.add_story",  # checked on the upload: its starter only
    "stories:story_delete": "stories.delete_story",
    "stories:speaker_list": "stories.view_story",
    "stories:speaker_edit": "stories.change_speaker",
    "stories:story_edit": "stories.change_story",
    "stories:story_text_edit": "stories.change_story",
    "stories:story_part_edit": "stories.change_story",
    "stories:story_edit_undo": "stories.change_story",
    "analysis:highlight_place": "analysis.code_story",
    "analysis:review_sheet": "stories.view_story",
    "analysis:review_sheet_notes": "analysis.change_review_sheet",
    "analysis:highlight_create": "analysis.code_story",
    "analysis:highlight_edit": "analysis.code_story",
    "analysis:highlight_delete": "analysis.code_story",
    "analysis:highlight_tag": "analysis.code_story",
    "analysis:highlight_tag_new_theme": "analysis.manage_themes",
    "analysis:highlight_untag": "analysis.code_story",
    "analysis:clip_nudge": "analysis.code_story",
    "analysis:clip_download": "stories.view_story",
    "analysis:theme_list": "analysis.view_codebook",
    "redaction:lists": "redaction.manage_lists",
    "redaction:review": "redaction.review_story",
    "redaction:start": "redaction.review_story",
    "redaction:decide": "redaction.review_story",
    "redaction:decide_kind": "redaction.review_story",
    "redaction:undo": "redaction.review_story",
    "redaction:share": "redaction.review_story",
    "analysis:theme_create": "analysis.manage_themes",
    "analysis:theme_merge": "analysis.manage_themes",
    "analysis:theme_detail": "analysis.view_codebook",
    "analysis:theme_rename": "analysis.manage_themes",
    "analysis:suggestion_runs": "analysis.view_codebook",
    "analysis:suggestion_run_create": "analysis.manage_themes",
    "analysis:suggestion_run": "analysis.view_codebook",
    "analysis:suggestion_decide": "analysis.manage_themes",
    "analysis:quote_similar": "analysis.view_codebook",
    "analysis:coding_log": "analysis.view_coding_log",
    "analysis:board": "analysis.view_codebook",
    "analysis:board_feed": "analysis.view_codebook",
    "analysis:board_contributions": "analysis.view_coding_log",
    "analysis:board_move": "analysis.code_story",
    "analysis:board_theme_create": "analysis.manage_themes",
    "analysis:board_theme_rename": "analysis.manage_themes",
    "analysis:board_theme_merge": "analysis.manage_themes",
    "analysis:board_note_add": "analysis.code_story",
    "analysis:board_note_remove": "analysis.remove_board_note",
    "analysis:board_round_open": "analysis.run_visioning_round",
    "analysis:board_round_close": "analysis.run_visioning_round",
    "analysis:board_round_group": "analysis.run_visioning_round",
    "analysis:board_round_note": "analysis.code_story",
    "analysis:coding_event_undo": "analysis.undo_coding_change",  # on the event: see rules
    "analysis:coding_event_redo": "analysis.undo_coding_change",
    "exchange:project_qdpx": "exchange.export_project",
    "exchange:project_qdc": "exchange.export_project",
    "exchange:quotes_xlsx": "reports.export_findings",
    "exchange:codes_csv": "reports.export_findings",
    "reports:findings": "reports.view_findings",
    "reports:findings_csv": "reports.export_findings",
    "reports:quote_checks": "stories.view_story",  # counts only; words stay on review sheets
    "reports:playlist": "reports.view_findings",
    "reports:playlist_captions": "reports.view_findings",
    "reports:playlist_chapters": "reports.view_findings",
    "reports:playlist_audio": "reports.view_findings",
    "reports:playlist_download": "reports.export_findings",
    "reports:playlist_zip": "reports.export_findings",
    "reports:report": "reports.view_findings",
    "reports:report_download": "reports.export_findings",
    "reports:report_pdf_start": "reports.export_findings",
    "reports:report_pdf_file": "reports.export_findings",
    "reports:report_versions": "reports.tailor_report",
    "reports:report_version": "reports.view_findings",
    "reports:report_version_download": "reports.export_findings",
    "reports:report_version_delete": "reports.tailor_report",
    "reports:changes": "reports.view_findings",
    "reports:change_new": "reports.record_change",
    "reports:change_edit": "reports.record_change",
    "reports:changes_publish": "reports.publish_changes",
    "reports:changes_unpublish": "reports.publish_changes",
    # The public "You said, we did" page (ADR 0033): anyone, no login, once the project
    # published it (a 404 until then); tests/test_url_permissions.py walks it anonymously.
    "you_said:page": OPEN,
    "audit:log": "audit.view_log",
    "audit:log_csv": "audit.view_log",
    "audit:subject_access": "audit.subject_access",  # checked on the storyteller
    "assess:round_list": "assess.view_results",
    "assess:round_open": "assess.open_round",
    "assess:round_answer_start": "assess.answer_round",  # checked on the round
    "assess:round_answer": "assess.answer_round",
    "assess:round_check": "assess.answer_round",
    "assess:round_results": "assess.view_results",
    "assess:round_report": "assess.view_results",
    "assess:round_report_download": "assess.view_results",  # a file, with an audit entry
    "assess:round_report_pdf_start": "assess.view_results",  # a job, then its page
    "assess:round_report_pdf_file": "assess.view_results",  # only while the round is the same
    "assess:round_import": "assess.open_round",
    "assess:action_create": "assess.manage_actions",
    "assess:action_list": "assess.view_results",
    "assess:framework_list": "assess.manage_frameworks",
    "assess:framework_detail": "assess.manage_frameworks",  # 404 for another organisation's
    "assess:action_update": "assess.manage_actions",  # checked on the action
    "assess:peer_reviews": "assess.manage_peer_review",
    "assess:peer_invite": "assess.manage_peer_review",
    "assess:peer_resend": "assess.manage_peer_review",  # checked on the round; its invitation
    "assess:peer_revoke": "assess.manage_peer_review",
    "assess:peer_evidence_add": "assess.manage_peer_review",
    "assess:peer_evidence_remove": "assess.manage_peer_review",
    # A whole organisation's rounds (ADR 0028), checked on the organisation; someone outside
    # it is told "not found", like a round that does not exist.
    "org_assess:round_list": "assess.view_org_results",
    "org_assess:round_open": "assess.open_org_round",
    "org_assess:round_answer_start": "assess.answer_org_round",
    "org_assess:round_answer": "assess.answer_org_round",
    "org_assess:round_check": "assess.answer_org_round",
    "org_assess:round_results": "assess.view_org_results",
    "org_assess:round_report": "assess.view_org_results",
    "org_assess:round_report_download": "assess.view_org_results",  # a file, audited
    "org_assess:round_report_pdf_start": "assess.view_org_results",  # a job of no project
    "org_assess:round_report_pdf_file": "assess.view_org_results",  # its job names the org
    "org_assess:round_import": "assess.open_org_round",
    "org_assess:action_create": "assess.manage_org_actions",
    "org_assess:action_list": "assess.view_org_results",
    "org_assess:action_update": "assess.manage_org_actions",
    "org_audit:log": "audit.view_org_log",
    "org_audit:log_csv": "audit.view_org_log",  # a file, and a line of the same log
    "org_assess:framework_list": "assess.manage_org_frameworks",
    "org_assess:framework_detail": "assess.manage_org_frameworks",  # its own, not another's
    "org_assess:peer_reviews": "assess.manage_org_peer_review",
    "org_assess:peer_invite": "assess.manage_org_peer_review",
    "org_assess:peer_resend": "assess.manage_org_peer_review",  # its invitation in the round
    "org_assess:peer_revoke": "assess.manage_org_peer_review",
    "org_assess:peer_evidence_add": "assess.manage_org_peer_review",
    "org_assess:peer_evidence_remove": "assess.manage_org_peer_review",
    # A peer reviewer's pages: no account; the link's token, then the session it opened for
    # that one invitation, is the permission. Signed in, they ask you to log out first.
    "peer:open": OPEN,
    "peer:start": OPEN,
    "peer:answer": OPEN,
    "peer:check": OPEN,
    "peer:leave": OPEN,
    # A storyteller's own page (ADR 0032): no project role; the private link's session or an
    # account linked to the storyteller decides, and each shows that one storyteller only.
    "my_story:page": OPEN,
    "my_story:easy_read": OPEN,
    "my_story:open": OPEN,  # the unguessable link is the permission
    "my_story:quote_answer": OPEN,  # only the storyteller's own quotes are found
    "my_story:consent": OPEN,
    "my_story:withdraw": OPEN,
    "my_story:leave": OPEN,
    "my_story:choose": OPEN,  # only storytellers linked to your account
    "jobs:detail": "jobs.view_job",
    "jobs:status": "jobs.view_job",
    "jobs:retry": "jobs.retry_job",
}

# Checks made inside a view on POST, beside the permission it declares: route ->
# permission. Keep it empty: a POST that needs more than its page is a view of its
# own. Only a check that cannot move out of its view belongs here, with the reason.
INLINE_POST_CHECKS: dict[str, str] = {}

# The least a POST needs to reach the check it makes, for views that check
# after reading the form (today every check comes first, so none need any).
POST_DATA: dict[str, dict[str, Any]] = {}

# Logging out ends the test client's session; it logs in again after it.
ENDS_SESSION = {"accounts:logout"}

ROUTES = site_routes()
ROUTE_IDS = [route.name for route, _ in ROUTES]
METHODS = ("GET", "POST")


def test_each_route_declares_the_permission_pinned_here() -> None:
    declared = {route.name: declared_permission(callback) for route, callback in ROUTES}
    new = sorted(set(declared) - set(ROUTE_PERMISSIONS))
    assert not new, (
        "New routes are not pinned to a permission. Add each to ROUTE_PERMISSIONS in "
        "tests/test_route_permissions.py with the permission its view declares "
        "(OPEN only for a page anyone may see), and give the world fixture a value "
        "for any new URL argument:\n"
        + "\n".join(f'    "{name}": {declared[name]!r},' for name in new)
    )
    gone = sorted(set(ROUTE_PERMISSIONS) - set(declared))
    assert not gone, f"Routes pinned here no longer exist; remove them: {gone}"
    changed = [
        f"{name}: pinned to {ROUTE_PERMISSIONS[name]!r}, the view declares {declared[name]!r}"
        for name in sorted(declared)
        if declared[name] != ROUTE_PERMISSIONS[name]
    ]
    assert not changed, (
        "Views declare other permissions than the ones pinned here. If the change is "
        "meant, change the table and docs/roles_and_permissions.md too:\n" + "\n".join(changed)
    )


def test_every_pinned_permission_exists() -> None:
    pinned = {*filter(None, ROUTE_PERMISSIONS.values()), *INLINE_POST_CHECKS.values()}
    assert {perm for perm in pinned if not rules.perm_exists(perm)} == set()


@contextmanager
def denied(permission: str) -> Iterator[None]:
    """Within the block, ``permission`` is refused to everyone; its rule comes back after."""
    original = rules.permissions.permissions[permission]
    rules.set_perm(permission, rules.always_deny)
    try:
        yield
    finally:
        rules.set_perm(permission, original)


def test_denied_takes_one_permission_away_and_gives_it_back(db) -> None:
    project = ProjectFactory()
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    with denied("projects.view_project"):
        assert not facilitator.has_perm("projects.view_project", project)
        assert facilitator.has_perm("projects.change_project", project)
    assert facilitator.has_perm("projects.view_project", project)


@dataclass
class World:
    """One of every record, and a person who holds every role there (but is no superuser)."""

    values: dict[str, Any]
    everyone: Any


@pytest.fixture
def world(db) -> World:
    project = ProjectFactory()
    everyone = make_member(
        project,
        ProjectRole.FACILITATOR,
        ProjectRole.COMMUNITY_REPORTER,
        ProjectRole.MEMBER,
        ProjectRole.DECISION_MAKER,
    )
    make_org_admin(project.organisation, user=everyone)
    other_member = make_member(project, ProjectRole.MEMBER)
    # Their own account, so the storyteller's own pages open for this person too.
    storyteller = make_storyteller(project)
    Storyteller.objects.filter(pk=storyteller.pk).update(user=everyone)
    story = make_story(project, storyteller=storyteller)
    theme = analysis_services.theme_create(project=project, name="Housing", actor=everyone).theme
    analysis_services.theme_create(project=project, name="Work", actor=everyone)
    highlight = analysis_services.highlight_create(
        story=story,
        transcript=story.transcripts.get(),
        char_start=0,
        char_end=10,
        actor=everyone,
        themes=[theme],
    ).highlight
    invitation = project_services.invitation_create(
        project=project, email="someone.else@example.org", roles=["member"], actor=everyone
    )
    job = Job.objects.create(
        kind="jobs.selfcheck",
        project_id=project.pk,
        created_by=everyone,
        status=JobStatus.FAILED,
        attempts=1,
        max_attempts=1,
        error="RuntimeError: for the route tests",
    )
    from cohub.apps.analysis.models import Suggestion, SuggestionQuote, SuggestionRun

    run = SuggestionRun.objects.create(
        project=project, requested_by=everyone, status="ready", model="test", quote_count=1
    )
    suggestion = Suggestion.objects.create(
        run=run, number=1, label="Housing ideas", suggested_label="Housing ideas"
    )
    SuggestionQuote.objects.create(suggestion=suggestion, highlight=highlight)
    # Published, so the public page answers (unpublished it is a 404 for everyone).
    changes_publish(project=project, actor=everyone)
    values = {
        "project_slug": project.slug,
        "run_id": run.pk,
        "suggestion_id": suggestion.pk,
        "story_id": story.pk,
        "storyteller_id": storyteller.pk,
        "highlight_id": highlight.pk,
        "theme_id": theme.pk,
        "event_id": project.coding_events.first().pk,
        "user_id": other_member.pk,
        "token": invitation.token,
        "link_token": "not-a-working-link",
        "quote_id": highlight.pk,
        "invitation_id": invitation.pk,
        "uidb64": "MQ",  # a reset link's user id; with the invitation's token it is not valid
        "job_id": job.pk,
        "speaker_id": story.speakers.first().pk,
        "index": 0,
        "upload_id": make_upload(project, storyteller, everyone).token,
        "edit_id": story_services.story_update(story=story, actor=None, title="Changed").edit.pk,
        "note_id": analysis_services.board_note_add(
            project=project, text="A note", actor=everyone
        ).note.pk,
        "visioning_round_id": analysis_services.visioning_round_open(
            project=project, prompt="Ten years on, what pleased you?", actor=everyone
        ).visioning_round.pk,
        **assessment_values(project, everyone),
        "report_version_id": report_services.report_version_create(
            project=project, actor=everyone, title="For the housing team", themes=[theme]
        ).pk,
        "change_id": change_create(
            project=project, actor=everyone, title="Call back within a week", themes=[theme]
        ).pk,
    }
    return World(values=values, everyone=everyone)


def _url(route: Route, values: dict[str, Any]) -> str:
    missing = sorted(route.kwargs - set(values))
    assert not missing, (
        f"{route.name} takes {missing}: give the world fixture in "
        "tests/test_route_permissions.py a record for it"
    )
    return reverse(route.name, kwargs={key: values[key] for key in route.kwargs})


def _statuses(client: Client, world: World) -> dict[tuple[str, str], tuple[int, int]]:
    """(route, method) -> (status, the status that route refuses with), each request undone."""
    client.force_login(world.everyone)
    seen = {}
    for route, callback in ROUTES:
        url = _url(route, world.values)
        for method in METHODS:
            with transaction.atomic():
                if method == "GET":
                    response = client.get(url)
                else:
                    response = client.post(url, POST_DATA.get(route.name, {}))
                transaction.set_rollback(True)  # a POST that changed things is undone
            seen[route.name, method] = (response.status_code, declared_refusal(callback))
            if route.name in ENDS_SESSION:
                client.force_login(world.everyone)
    return seen


def _refused(statuses: dict[tuple[str, str], tuple[int, int]]) -> set[tuple[str, str]]:
    return {key for key, (status, refusal) in statuses.items() if status == refusal}


def test_someone_with_every_permission_is_refused_nowhere(client, world) -> None:
    """The baseline for the deny-one test: the world has every record each route needs."""
    assert _refused(_statuses(client, world)) == set()


def _expected_refusals(permission: str) -> set[tuple[str, str]]:
    expected = {
        (name, method)
        for name, pinned in ROUTE_PERMISSIONS.items()
        if pinned == permission
        for method in METHODS
    }
    expected |= {
        (name, "POST") for name, checked in INLINE_POST_CHECKS.items() if checked == permission
    }
    return expected


@pytest.mark.parametrize("permission", sorted(rules.permissions.permissions))
def test_denying_one_permission_refuses_exactly_its_routes(client, world, permission) -> None:
    with denied(permission):
        refused = _refused(_statuses(client, world))
    expected = _expected_refusals(permission)
    assert refused - expected == set(), (
        f"Without {permission} these refuse, but are not pinned to it "
        "(an undeclared inline check, or a view checking another permission than it declares)"
    )
    assert expected - refused == set(), (
        f"Without {permission} these still let the person through, though pinned to it "
        "(a deleted check, or a view checking another permission than it declares)"
    )
