"""Checking a story, deciding each suggestion, Undo, and the shareable version quotes follow."""

from __future__ import annotations

import pytest

from cohub.apps.analysis import services as analysis_services
from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import Event
from cohub.apps.jobs.models import Job, JobStatus
from cohub.apps.redaction import services
from cohub.apps.redaction.models import (
    FindingStatus,
    ProjectTerm,
    RedactionDecision,
    RedactionFinding,
    RedactionRun,
    RunStatus,
)
from cohub.apps.redaction.selectors import project_lists, story_check
from cohub.apps.stories import services as story_services
from cohub.apps.stories.consent import Withheld
from cohub.apps.stories.models import Transcript
from cohub.pipeline.redact import Kind, Term
from tests.redaction.conftest import findings_in

pytestmark = pytest.mark.django_db


def finding(run, words):
    return run.findings.get(text=words)


def decide(finding, actor, status, replacement=None):
    return services.finding_decide(
        finding=finding,
        actor=actor,
        status=status,
        replacement=replacement,
        seen_status=finding.status,
        seen_replacement=finding.replacement,
    )


def test_starting_a_check_queues_one_job_and_asking_again_returns_it(story, facilitator):
    first = services.redaction_check_start(story=story, actor=facilitator)
    again = services.redaction_check_start(story=story, actor=facilitator)
    assert first.created and not again.created
    assert again.run == first.run
    job = Job.objects.get(kind=services.FIND)
    assert job.params == {"run_id": first.run.pk, "story_id": story.pk}
    assert first.run.transcript == story.transcripts.get()


def test_a_check_whose_job_failed_can_be_started_again(story, facilitator):
    first = services.redaction_check_start(story=story, actor=facilitator)
    Job.objects.filter(pk=first.job.pk).update(status=JobStatus.FAILED)
    again = services.redaction_check_start(story=story, actor=facilitator)
    assert again.created and again.run != first.run
    assert RedactionRun.objects.get(pk=first.run.pk).status == RunStatus.FAILED


def test_storing_findings_twice_writes_them_once(checked):
    assert checked.status == RunStatus.DONE
    services.redaction_findings_store(
        run=checked, findings=findings_in(checked.transcript.text, ("winter", Kind.PERSON)),
        engine_settings={},
    )  # fmt: skip
    assert checked.findings.count() == 5
    assert [f.replacement for f in checked.findings.order_by("index")] == [
        "[PERSON 1]", "[ORGANISATION 1]", "[PLACE 1]", "[PHONE 1]", "[PERSON 2]",
    ]  # fmt: skip


def test_accept_reject_and_change_each_write_one_decision(checked, facilitator):
    accepted = decide(finding(checked, "Priya Sharma"), facilitator, FindingStatus.ACCEPTED)
    assert accepted.changed and accepted.decision.verb == "accept"
    rejected = decide(finding(checked, "Leeds"), facilitator, FindingStatus.REJECTED)
    assert rejected.decision.summary == "Kept a place"
    changed = decide(finding(checked, "Folake"), facilitator, FindingStatus.ACCEPTED, "my sister")
    assert changed.decision.verb == "change"
    folake = finding(checked, "Folake")
    assert (folake.status, folake.replacement) == (FindingStatus.ACCEPTED, "my sister")
    assert folake.suggested_replacement == "[PERSON 2]"
    assert RedactionDecision.objects.filter(run=checked).count() == 3
    # The audit trail says what happened, never the words.
    data = [e.data for e in Event.objects.filter(verb__startswith="redaction.")]
    assert "Folake" not in str(data) and "my sister" not in str(data)


def test_the_same_request_twice_changes_nothing_the_second_time(checked, facilitator):
    priya = finding(checked, "Priya Sharma")
    seen = (priya.status, priya.replacement)
    kwargs = dict(seen_status=seen[0], seen_replacement=seen[1], actor=facilitator)
    first = services.finding_decide(finding=priya, status=FindingStatus.ACCEPTED, **kwargs)
    second = services.finding_decide(finding=priya, status=FindingStatus.ACCEPTED, **kwargs)
    assert first.changed and not second.changed
    assert RedactionDecision.objects.filter(run=checked).count() == 1


def test_a_stale_request_is_refused(checked, facilitator):
    leeds = finding(checked, "Leeds")
    seen = dict(seen_status=leeds.status, seen_replacement=leeds.replacement)
    services.finding_decide(finding=leeds, actor=facilitator, status="accepted", **seen)
    # Someone else's page, opened before that decision, asks to keep it.
    with pytest.raises(ServiceError, match="Someone else decided"):
        services.finding_decide(finding=leeds, actor=facilitator, status="rejected", **seen)
    assert finding(checked, "Leeds").status == FindingStatus.ACCEPTED


def test_a_replacement_must_have_words_and_fit(checked, facilitator):
    priya = finding(checked, "Priya Sharma")
    with pytest.raises(ServiceError, match="Write what should go"):
        decide(priya, facilitator, FindingStatus.ACCEPTED, "   ")
    with pytest.raises(ServiceError, match="up to 80 characters"):
        decide(priya, facilitator, FindingStatus.ACCEPTED, "x" * 81)
    assert finding(checked, "Priya Sharma").status == FindingStatus.SUGGESTED


def test_accept_all_of_a_kind_and_undo_it(checked, facilitator):
    decide(finding(checked, "Folake"), facilitator, FindingStatus.REJECTED)
    result = services.findings_decide_kind(
        run=checked, actor=facilitator, kind="person", status=FindingStatus.ACCEPTED
    )
    # Only the people still waiting: Folake was already kept.
    assert [f.text for f in result.findings] == ["Priya Sharma"]
    assert result.decision.summary == "Replaced all 1 people's names"
    undone = services.redaction_decision_undo(decision=result.decision, actor=facilitator)
    assert undone.findings == 1
    assert finding(checked, "Priya Sharma").status == FindingStatus.SUGGESTED
    assert finding(checked, "Folake").status == FindingStatus.REJECTED
    # Undoing twice does nothing more.
    assert (
        services.redaction_decision_undo(decision=result.decision, actor=facilitator).findings == 0
    )


def test_undo_is_refused_once_the_suggestion_was_decided_again(checked, facilitator):
    first = decide(finding(checked, "Leeds"), facilitator, FindingStatus.ACCEPTED)
    decide(finding(checked, "Leeds"), facilitator, FindingStatus.REJECTED)
    with pytest.raises(ServiceError, match="decided again since"):
        services.redaction_decision_undo(decision=first.decision, actor=facilitator)
    assert finding(checked, "Leeds").status == FindingStatus.REJECTED


def _decide_all(run, actor, keep=("Leeds",)):
    for f in run.findings.all():
        decide(f, actor, FindingStatus.REJECTED if f.text in keep else FindingStatus.ACCEPTED)


def test_the_shareable_version_replaces_the_accepted_words_and_quotes_follow(
    checked, facilitator, story
):
    text = checked.transcript.text
    words = "I lost my job at the Brookside Centre and then my flat in Leeds."
    untouched = "She was the only one who did."
    quotes = {}
    for quote in (words, untouched):
        start = text.index(quote)
        quotes[quote] = analysis_services.highlight_create(
            story=story, transcript=checked.transcript, char_start=start,
            char_end=start + len(quote), actor=facilitator,
        ).highlight  # fmt: skip
    with pytest.raises(ServiceError, match="5 suggestions still wait"):
        services.redaction_share(run=checked, actor=facilitator)
    _decide_all(checked, facilitator)
    shared = services.redaction_share(run=checked, actor=facilitator)
    new = shared.revision.transcript
    assert new.version == 2 and shared.replaced == 4
    assert new.text == (
        "How did it start? It was winter.\n\n"
        "My name is [PERSON 1]. I lost my job at the [ORGANISATION 1] and then my flat in "
        "Leeds. Ring me on [PHONE 1].\n\n"
        "What helped?\n\n"
        "My sister [PERSON 2] took me in. She was the only one who did."
    )
    # Who speaks each part, and the old words, are kept.
    assert [s.speaker.label for s in new.segments.order_by("index")] == ["Sam", "Priya"] * 2
    assert Transcript.objects.get(story=story, version=1).text == text
    # Both quotes are now on the shareable version; the one with a name shows the replacement.
    for quote in quotes.values():
        quote.refresh_from_db()
        assert quote.transcript == new
    moved = quotes[words]
    assert new.text[moved.char_start : moved.char_end] == (
        "I lost my job at the [ORGANISATION 1] and then my flat in Leeds."
    )
    assert moved.snippet == new.text[moved.char_start : moved.char_end]
    check = story_check(story)
    assert check.shared == RedactionRun.objects.get(pk=checked.pk)
    # Asking again changes nothing; deciding after sharing is refused.
    assert services.redaction_share(run=checked, actor=facilitator).revision is None
    assert Transcript.objects.filter(story=story).count() == 2
    with pytest.raises(ServiceError, match="already been made"):
        decide(finding(checked, "Leeds"), facilitator, FindingStatus.ACCEPTED)


def test_sharing_is_refused_when_the_words_changed_since_the_check(checked, facilitator, story):
    _decide_all(checked, facilitator)
    story_services.transcript_revise(
        story=story, actor=facilitator, reason="A correction",
        text="Sam: How did it start?\n\nPriya: It started in the winter.",
    )  # fmt: skip
    with pytest.raises(ServiceError, match="changed since they were checked"):
        services.redaction_share(run=checked, actor=facilitator)
    assert story_check(story).stale


def test_sharing_with_nothing_accepted_is_refused(checked, facilitator):
    _decide_all(checked, facilitator, keep=[f.text for f in checked.findings.all()])
    with pytest.raises(ServiceError, match="No words were chosen"):
        services.redaction_share(run=checked, actor=facilitator)


def test_consent_taken_back_refuses_every_write(checked, facilitator, story):
    story_services.consent_record(
        storyteller=story.storyteller, actor=facilitator, record=True, transcribe=False
    )
    refused = "has not agreed that we transcribe"
    with pytest.raises(ServiceError, match=refused):
        decide(finding(checked, "Leeds"), facilitator, FindingStatus.ACCEPTED)
    with pytest.raises(ServiceError, match=refused):
        services.findings_decide_kind(
            run=checked, actor=facilitator, kind="person", status="accepted"
        )
    with pytest.raises(ServiceError, match=refused):
        services.redaction_share(run=checked, actor=facilitator)
    with pytest.raises(ServiceError, match=refused):
        services.redaction_check_start(story=story, actor=facilitator)
    with pytest.raises(ServiceError, match=refused):
        services.redaction_check_run(checked.pk)
    assert isinstance(story_check(story), Withheld)


def test_withdrawal_removes_the_checks_their_findings_and_jobs(checked, facilitator, story):
    decide(finding(checked, "Leeds"), facilitator, FindingStatus.ACCEPTED)
    story_services.consent_withdraw(storyteller=story.storyteller, actor=facilitator)
    assert not RedactionRun.objects.exists()
    assert not RedactionFinding.objects.exists()
    assert not RedactionDecision.objects.exists()
    assert not Job.objects.filter(kind=services.FIND).exists()


def test_the_lists_are_saved_from_lines_and_read_back(project, facilitator):
    saved = services.project_lists_update(
        project=project,
        actor=facilitator,
        deny_text="person: Shaz\n\nBrookside Centre\nplace:  Lincoln   Green\nshaz\n",
        allow_text="Andy Burnham\n# a comment\nLeeds Mind\n",
    )
    assert (saved.deny, saved.allow) == (3, 2)
    lists = project_lists(project)
    assert lists.deny == (
        Term("Shaz", Kind.PERSON),
        Term("Brookside Centre", Kind.ORGANISATION),
        Term("Lincoln Green", Kind.PLACE),
    )
    assert lists.allow == ("Andy Burnham", "Leeds Mind")


def test_a_list_line_with_an_unknown_kind_is_named_and_nothing_is_lost(project, facilitator):
    services.project_lists_update(
        project=project, actor=facilitator, deny_text="Shaz", allow_text=""
    )
    with pytest.raises(ServiceError, match="Line 2: 'shoe' is not a kind of personal detail"):
        services.project_lists_update(
            project=project, actor=facilitator, deny_text="Kez\nshoe: size 9", allow_text=""
        )
    assert list(ProjectTerm.objects.values_list("words", flat=True)) == ["Shaz"]


def test_a_story_knows_its_storyteller_and_speakers_are_people(story):
    lists = services.story_lists(story)
    assert Term("Priya Sharma", Kind.PERSON) in lists.deny
    assert Term("Sam", Kind.PERSON) in lists.deny
    assert Term("Priya", Kind.PERSON) in lists.deny
