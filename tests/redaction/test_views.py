"""The "Personal details" pages: what a person sees and can do, and who may."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cohub.apps.projects.models import ProjectRole
from cohub.apps.redaction.models import FindingStatus, ProjectTerm, RedactionRun
from cohub.apps.stories import services as story_services
from cohub.pipeline.redact import Finding, Kind, number_findings
from tests.factories import make_member, make_story, make_storyteller

pytestmark = pytest.mark.django_db


def url(name, story=None, project=None):
    if story is not None:
        return reverse(
            f"redaction:{name}", kwargs={"project_slug": story.project.slug, "story_id": story.pk}
        )
    return reverse(f"redaction:{name}", kwargs={"project_slug": project.slug})


def page(client, story):
    response = client.get(url("review", story))
    assert response.status_code == 200
    return response.content.decode()


def post_decision(client, story, finding, decision, **extra):
    return client.post(
        url("decide", story),
        {
            "finding": finding.pk,
            "decision": decision,
            "seen_status": finding.status,
            "seen_replacement": finding.replacement,
            **extra,
        },
    )


def test_an_unchecked_story_offers_the_check(client, story, facilitator):
    client.force_login(facilitator)
    assert "Nobody has checked this story yet." in page(client, story)
    response = client.post(url("start", story))
    assert response.status_code == 302
    run = RedactionRun.objects.get(story=story)
    assert run.status == "waiting"
    assert "Checking the words" in page(client, story)


def test_the_suggestions_show_the_words_around_them(client, checked, story, facilitator):
    client.force_login(facilitator)
    body = page(client, story)
    assert "<mark>Brookside Centre</mark> and then my flat in Leeds." in body
    assert "Looks like an organisation." in body
    assert "5 suggestions: 5 waiting for a decision, 0 to replace." in body
    assert "Replace all 2 waiting" in body  # the two people
    assert "Decide each one first." in body


def test_user_text_in_the_context_is_escaped(client, project, facilitator):
    teller = make_storyteller(project, pseudonym="Ash")
    story = make_story(project, storyteller=teller, text="Ash: <script>alert(1)</script> Leeds")
    from cohub.apps.redaction import services

    run = services.redaction_check_start(story=story, actor=facilitator).run
    text = run.transcript.text
    start = text.index("Leeds")
    services.redaction_findings_store(
        run=run,
        findings=number_findings([Finding(start, start + 5, Kind.PLACE, "Leeds", "t")]),
        engine_settings={},
    )
    client.force_login(facilitator)
    body = page(client, story)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_deciding_goes_on_to_the_next_suggestion_waiting(client, checked, story, facilitator):
    client.force_login(facilitator)
    first, second = checked.findings.order_by("index")[:2]
    response = post_decision(client, story, first, "accept")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#finding-{second.pk}")
    first.refresh_from_db()
    assert first.status == FindingStatus.ACCEPTED
    body = page(client, story)
    assert "Replaced a person&#x27;s name." in body or "Replaced a person's name." in body
    assert "Will be replaced with [PERSON 1]" in body


def test_other_words_and_a_stale_page(client, checked, story, facilitator):
    client.force_login(facilitator)
    folake = checked.findings.get(text="Folake")
    post_decision(client, story, folake, "change", replacement="my sister")
    folake.refresh_from_db()
    assert (folake.status, folake.replacement) == ("accepted", "my sister")
    # The same form again, from a page opened before: refused, said plainly, nothing changes.
    stale = client.post(
        url("decide", story),
        {"finding": folake.pk, "decision": "reject", "seen_status": "suggested",
         "seen_replacement": "[PERSON 2]"},
        follow=True,
    )  # fmt: skip
    assert "Someone else decided about these words" in stale.content.decode()
    folake.refresh_from_db()
    assert folake.status == "accepted"
    empty = post_decision(client, story, folake, "change", replacement=" ")
    assert empty.status_code == 302
    folake.refresh_from_db()
    assert folake.replacement == "my sister"


def test_replace_all_of_a_kind_then_undo(client, checked, story, facilitator):
    client.force_login(facilitator)
    client.post(url("decide_kind", story), {"kind": "person", "decision": "accept"})
    assert checked.findings.filter(kind="person", status="accepted").count() == 2
    body = page(client, story)
    assert "Last change: Replaced all 2 people&#x27;s names." in body
    decision = checked.decisions.get()
    response = client.post(url("undo", story), {"decision": decision.pk}, follow=True)
    assert "Undone: Replaced all 2 people" in response.content.decode()
    assert checked.findings.filter(status="accepted").count() == 0


def test_making_the_shareable_version(client, checked, story, facilitator):
    client.force_login(facilitator)
    for finding in checked.findings.all():
        post_decision(client, story, finding, "reject" if finding.text == "Leeds" else "accept")
    body = page(client, story)
    assert "This writes version 2 of the words with 4 details replaced." in body
    response = client.post(url("share", story), {"run": checked.pk}, follow=True)
    body = response.content.decode()
    assert "Version 2 is the shareable version: 4 personal details replaced." in body
    assert (
        story.transcripts.order_by("-version")
        .first()
        .text.startswith("How did it start? It was winter.\n\nMy name is [PERSON 1].")
    )
    body = page(client, story)
    assert "This is the shareable version" in body
    assert 'name="decision" value="accept"' not in body  # nothing left to decide


@pytest.mark.parametrize(
    "role, allowed",
    [
        (ProjectRole.FACILITATOR, True),
        (ProjectRole.COMMUNITY_REPORTER, True),
        (ProjectRole.MEMBER, False),
        (ProjectRole.DECISION_MAKER, False),
    ],
)
def test_who_may_review(client, checked, story, role, allowed):
    client.force_login(make_member(story.project, role))
    assert client.get(url("review", story)).status_code == (200 if allowed else 403)
    finding = checked.findings.first()
    response = post_decision(client, story, finding, "accept")
    assert response.status_code == (302 if allowed else 403)
    finding.refresh_from_db()
    assert finding.status == ("accepted" if allowed else "suggested")


def test_someone_outside_the_project_is_refused(client, checked, story):
    from tests.factories import ProjectFactory

    client.force_login(make_member(ProjectFactory(), ProjectRole.FACILITATOR))
    assert client.get(url("review", story)).status_code == 403
    assert client.post(url("share", story), {"run": checked.pk}).status_code == 403


def test_withheld_words_are_not_shown_and_nothing_changes(client, checked, story, facilitator):
    story_services.consent_record(
        storyteller=story.storyteller, actor=facilitator, record=True, transcribe=False
    )
    client.force_login(facilitator)
    body = page(client, story)
    assert "Brookside" not in body and "Folake" not in body
    assert "Withheld: Kit has not agreed that we transcribe their story." in body
    finding = checked.findings.first()
    response = post_decision(client, story, finding, "accept")
    assert "Nothing was changed." in response.content.decode()
    finding.refresh_from_db()
    assert finding.status == "suggested"


def test_the_lists_page_is_for_facilitators(client, project, facilitator):
    reporter = make_member(project, ProjectRole.COMMUNITY_REPORTER)
    client.force_login(reporter)
    assert client.get(url("lists", project=project)).status_code == 403
    client.force_login(facilitator)
    response = client.post(
        url("lists", project=project),
        {"deny": "person: Shaz\nBrookside Centre", "allow": "Andy Burnham"},
        follow=True,
    )
    body = response.content.decode()
    assert "Saved: 2 to always replace, 1 never to replace." in body
    assert "person: Shaz\norganisation: Brookside Centre" in body


def test_a_bad_line_in_the_lists_is_named_and_the_words_stay_in_the_box(
    client, project, facilitator
):
    client.force_login(facilitator)
    response = client.post(
        url("lists", project=project), {"deny": "Kez\nshoe: size 9", "allow": ""}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Line 2: &#x27;shoe&#x27; is not a kind of personal detail" in body
    assert "Kez\nshoe: size 9" in body
    assert not ProjectTerm.objects.exists()


def test_words_typed_in_the_box_are_used_when_enter_presses_replace(
    client, checked, story, facilitator
):
    client.force_login(facilitator)
    phone = checked.findings.get(kind="phone")
    post_decision(client, story, phone, "accept", replacement="[NUMBER]")
    phone.refresh_from_db()
    assert (phone.status, phone.replacement) == ("accepted", "[NUMBER]")
    leeds = checked.findings.get(text="Leeds")
    post_decision(client, story, leeds, "accept", replacement=leeds.replacement)
    leeds.refresh_from_db()
    assert (leeds.status, leeds.replacement) == ("accepted", "[PLACE 1]")
