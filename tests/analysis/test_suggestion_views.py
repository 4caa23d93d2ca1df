"""The suggestion pages: what a group sees, and a decision made from the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohub.apps.analysis import services, suggestions
from cohub.apps.analysis.models import CodingAction, CodingEvent, SuggestionStatus, Theme
from cohub.apps.projects.models import ProjectRole
from tests.factories import make_member, make_story

QUOTES = [
    "They paid me for my time, the same as the staff.",
    "My bus fare and lunch were covered, so I could afford to come.",
    "The money came through late and I had to keep chasing the payment.",
    "The room had no lift and I use a wheelchair.",
    "The hall was noisy and too bright for me.",
    "The venue was up two flights of stairs.",
]


@pytest.fixture
def member(project, client):
    user = make_member(project, ProjectRole.FACILITATOR)
    client.force_login(user)
    return user


@pytest.fixture
def quotes(project, member):
    made = []
    for text in QUOTES:
        story = make_story(project, text=f"Robin: {text}", title=text[:30])
        transcript = story.transcripts.get()
        start = transcript.text.index(text)
        made.append(
            services.highlight_create(
                story=story,
                transcript=transcript,
                char_start=start,
                char_end=start + len(text),
                actor=member,
            ).highlight
        )
    return made


def test_asking_accepting_and_more_like_this_from_the_pages(client, project, member, quotes):
    slug = project.slug
    page = client.get(reverse("analysis:suggestion_runs", kwargs={"project_slug": slug}))
    assert b"Ask for suggestions" in page.content
    response = client.post(
        reverse("analysis:suggestion_run_create", kwargs={"project_slug": slug}),
        {"themes": "2", "start_from": ""},
    )
    run = project.suggestion_runs.get()
    assert response.status_code == 302
    waiting = client.get(response["Location"])
    assert b"still reading the quotes" in waiting.content
    suggestions.suggestion_run_compute(run=run)
    page = client.get(response["Location"]).content.decode()
    first = run.suggestions.order_by("number").first()
    assert first.label in page
    assert QUOTES[0] in page or QUOTES[3] in page
    assert "More like this" in page

    decide = reverse(
        "analysis:suggestion_decide", kwargs={"project_slug": slug, "suggestion_id": first.pk}
    )
    done = client.post(decide, {"decision": "accept"}, follow=True)
    assert "is in the codebook now" in done.content.decode()
    first.refresh_from_db()
    assert first.status == SuggestionStatus.ACCEPTED
    assert Theme.objects.filter(project=project, name=first.label).exists()
    again = client.post(decide, {"decision": "reject"}, follow=True)
    assert "already been decided" in again.content.decode()
    assert not CodingEvent.objects.filter(action=CodingAction.SUGGESTION_REJECT).exists()

    similar = client.get(
        reverse(
            "analysis:quote_similar", kwargs={"project_slug": slug, "highlight_id": quotes[3].pk}
        )
    ).content.decode()
    assert "Quotes that say something similar (5)" in similar
    assert similar.index("stairs") < similar.index("paid me")


def test_a_bad_number_of_themes_is_named_and_nothing_is_asked(client, project, member, quotes):
    response = client.post(
        reverse("analysis:suggestion_run_create", kwargs={"project_slug": project.slug}),
        {"themes": "90", "start_from": ""},
    )
    assert response.status_code == 200
    assert "How many themes" in response.content.decode()
    assert not project.suggestion_runs.exists()


def test_rejecting_from_the_page_leaves_the_codebook_alone(client, project, member, quotes):
    kept = services.theme_create(project=project, name="Getting there", actor=member).theme
    services.highlight_tag(highlight=quotes[3], theme=kept, actor=member)
    run = suggestions.suggestion_run_request(project=project, actor=member, themes=2)
    suggestions.suggestion_run_compute(run=run)

    def codebook():
        return sorted(
            (
                t.pk,
                t.name,
                t.merged_into_id,
                sorted(t.highlight_links.values_list("highlight_id", flat=True)),
            )
            for t in Theme.objects.filter(project=project)
        )

    before = codebook()
    first = run.suggestions.order_by("number").first()
    decide = reverse(
        "analysis:suggestion_decide",
        kwargs={"project_slug": project.slug, "suggestion_id": first.pk},
    )
    client.post(decide, {"decision": "reject"}, follow=True)
    first.refresh_from_db()
    assert first.status == SuggestionStatus.REJECTED
    assert codebook() == before
    assert CodingEvent.objects.filter(action=CodingAction.SUGGESTION_REJECT).count() == 1
