"""The demo project: complete, safe to load twice, and respectful of later changes."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from cohub.apps.accounts.models import Organisation, OrganisationMembership, User
from cohub.apps.analysis.models import HighlightTheme, Theme
from cohub.apps.projects.models import Project, ProjectMembership
from cohub.apps.reports.findings import WITHHELD, project_findings
from cohub.apps.stories.consent import consent_allows, current_consent
from cohub.apps.stories.models import Highlight, Segment, Story, Storyteller
from cohub.apps.stories.services import story_delete
from cohub.demo import (
    DEMO_PASSWORD,
    DEMO_PROJECT_SLUG,
    FACILITATOR,
    HIGHLIGHTS,
    STORIES,
    STORYTELLERS,
    THEMES,
    demo_load,
)

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            Organisation,
            OrganisationMembership,
            Project,
            ProjectMembership,
            Storyteller,
            Story,
            Segment,
            Theme,
            Highlight,
            HighlightTheme,
        )
    }


def test_demo_load_makes_a_complete_project():
    info = demo_load()
    assert info.created
    assert (info.email, info.password, info.project_slug) == (
        FACILITATOR,
        DEMO_PASSWORD,
        DEMO_PROJECT_SLUG,
    )
    project = Project.objects.get(slug=DEMO_PROJECT_SLUG)
    assert project.storytellers.count() == len(STORYTELLERS)
    assert project.stories.count() == len(STORIES)
    assert Theme.objects.filter(project=project).count() == len(THEMES)
    assert Highlight.objects.filter(review_sheet__story__project=project).count() == len(HIGHLIGHTS)
    assert set(project.memberships.values_list("user__email", "role")) == {
        ("facilitator@example.org", "facilitator"),
        ("reporter@example.org", "community_reporter"),
        ("member@example.org", "member"),
        ("decision@example.org", "decision_maker"),
    }
    assert OrganisationMembership.objects.filter(
        user__email="admin@example.org", organisation=project.organisation, role="admin"
    ).exists()
    for story in project.stories.all():
        assert 10 <= story.transcripts.get().segments.count() <= 20


def test_demo_has_timed_imports_and_typed_stories():
    demo_load()
    stories = Story.objects.filter(project__slug=DEMO_PROJECT_SLUG)
    assert {s.source for s in stories} == {"transcript_file", "typed"}
    imported = stories.filter(source="transcript_file").first()
    assert imported.source_filename.endswith(".vtt")
    assert all(
        s.start_ms is not None and s.end_ms is not None
        for s in imported.transcripts.get().segments.all()
    )


def test_demo_consent_is_varied():
    demo_load()
    storytellers = Storyteller.objects.filter(project__slug=DEMO_PROJECT_SLUG)
    named = [s for s in storytellers if consent_allows(s, "quote_by_name")]
    unquoted = [s for s in storytellers if not consent_allows(s, "quote_anonymously")]
    dated = [s for s in storytellers if current_consent(s).keep_until]
    assert len(named) >= 2
    assert [current_consent(s).granted_scopes() for s in unquoted] == [["record", "transcribe"]]
    assert len(dated) == 1
    assert current_consent(dated[0]).keep_until > timezone.localdate()
    assert all(s.self_description for s in storytellers)


def test_demo_findings_show_withheld_and_named_quotes():
    demo_load()
    findings = project_findings(Project.objects.get(slug=DEMO_PROJECT_SLUG))
    quotes = [q for t in [*findings.themes, findings.untagged] for q in t.quotes]
    assert findings.quote_count == len(HIGHLIGHTS)
    assert any(q.withheld for q in quotes)
    assert any(q.source == "Jordan Hale" for q in quotes)
    assert findings.untagged.quotes
    assert all(t.quote_count for t in findings.themes)


def test_demo_load_twice_adds_nothing():
    assert demo_load().created
    before = _counts()
    again = demo_load()
    assert not again.created
    assert _counts() == before


def test_demo_load_keeps_what_people_changed():
    demo_load()
    project = Project.objects.get(slug=DEMO_PROJECT_SLUG)
    project.name = "Our crisis project"
    project.save()
    user = User.objects.get(email=FACILITATOR)
    story_delete(story=Story.objects.get(project=project, title="Not a visitor"), actor=user)
    user.set_password("a-new-password-of-their-own")
    user.save()
    demo_load()
    project.refresh_from_db()
    assert project.name == "Our crisis project"
    assert not Story.objects.filter(project=project, title="Not a visitor").exists()
    assert User.objects.get(email=FACILITATOR).check_password("a-new-password-of-their-own")


@pytest.mark.parametrize(
    "email",
    [
        "facilitator@example.org",
        "reporter@example.org",
        "member@example.org",
        "decision@example.org",
        "admin@example.org",
    ],
)
def test_demo_logins_work_and_reach_the_findings(client, email):
    info = demo_load()
    assert client.login(username=email, password=info.password)
    response = client.get(reverse("reports:findings", kwargs={"project_slug": info.project_slug}))
    assert response.status_code == 200
    assert WITHHELD in response.content.decode()
