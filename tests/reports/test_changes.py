""" "You said, we did": changes recorded against the findings, who may record them, and consent."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import Event
from cohub.apps.reports.changes import change_create, change_update, project_changes
from cohub.apps.reports.models import ChangeAction
from cohub.apps.stories.services import consent_withdraw
from tests.factories import user_for_role


def _theme(coded, name):
    return coded.project.themes.get(name=name)


def test_a_change_answers_themes_and_quotes_and_its_status_moves_are_audited(coded):
    waiting = _theme(coded, "Waiting")
    change = change_create(
        project=coded.project,
        actor=None,
        title="Call people back within a week",
        owner="Adult social care team",
        themes=[waiting],
        quotes=[coded.highlights["h1"], coded.highlights["h2"]],
    )
    assert project_changes(coded.project).get().quote_count == 2
    change_update(
        change=change,
        actor=None,
        title=change.title,
        status="done",
        what_was_done="A call-back rota since March.",
        themes=[waiting],
    )
    change.refresh_from_db()
    assert change.status == "done" and change.quotes.count() == 2
    status_events = Event.objects.filter(verb="change.status", target_id=str(change.pk))
    assert [e.data for e in status_events] == [{"from": "planned", "to": "done"}]


def test_not_doing_needs_a_reason(coded):
    with pytest.raises(ServiceError, match="why"):
        change_create(project=coded.project, actor=None, title="A hub", status="not_doing")


def test_themes_of_another_project_are_refused(coded, db):
    from cohub.apps.analysis.services import theme_create
    from tests.factories import ProjectFactory

    other = theme_create(project=ProjectFactory(), name="Elsewhere", actor=None).theme
    with pytest.raises(ServiceError):
        change_create(project=coded.project, actor=None, title="X", themes=[other])


def test_a_withdrawn_storys_quotes_leave_the_change(coded):
    change = change_create(
        project=coded.project,
        actor=None,
        title="Call people back",
        quotes=[coded.highlights["h1"], coded.highlights["h4"]],
    )
    consent_withdraw(storyteller=coded.storytellers["Robin"], actor=None)
    assert list(change.quotes.all()) == [coded.highlights["h4"]]
    assert project_changes(coded.project).get().quote_count == 1


@pytest.mark.parametrize(
    ("role", "may"),
    [
        ("facilitator", True),
        ("org_admin", True),
        ("decision_maker", True),
        ("member", False),
        ("community_reporter", False),
        ("outsider", False),
    ],
)
def test_who_may_record_a_change(coded, client, role, may):
    user = user_for_role(coded.project, role)
    client.force_login(user)
    url = reverse("reports:change_new", args=[coded.project.slug])
    waiting = _theme(coded, "Waiting")
    response = client.post(url, {"title": "Call back", "status": "planned", "themes": [waiting.pk]})
    if may:
        assert response.status_code == 302
        change = ChangeAction.objects.get()
        # The quotes filed under the theme in the findings are linked to it.
        assert set(change.quotes.values_list("pk", flat=True)) == {
            coded.highlights[h].pk for h in ("h1", "h2", "h3")
        }
    else:
        assert response.status_code == 403
        assert not ChangeAction.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("member", 200), ("decision_maker", 200), ("outsider", 403)],
)
def test_who_reads_the_changes(coded, client, role, status):
    change_create(project=coded.project, actor=None, title="Call people back within a week")
    client.force_login(user_for_role(coded.project, role))
    response = client.get(reverse("reports:changes", args=[coded.project.slug]))
    assert response.status_code == status
    if status == 200:
        assert "Call people back within a week" in response.content.decode()


def test_editing_a_change_moves_it_to_done(coded, client):
    change = change_create(project=coded.project, actor=None, title="Call people back")
    client.force_login(user_for_role(coded.project, "decision_maker"))
    url = reverse("reports:change_edit", args=[coded.project.slug, change.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"title": "Call people back", "status": "done", "what_was_done": "A rota."}
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert (change.status, change.what_was_done) == ("done", "A rota.")
    page = client.get(reverse("reports:changes", args=[coded.project.slug])).content.decode()
    assert "A rota." in page


def test_a_form_without_a_reason_for_not_doing_shows_the_problem(coded, client):
    client.force_login(user_for_role(coded.project, "facilitator"))
    response = client.post(
        reverse("reports:change_new", args=[coded.project.slug]),
        {"title": "A hub", "status": "not_doing"},
    )
    assert response.status_code == 400
    assert "Say why it is not being done." in response.content.decode()
