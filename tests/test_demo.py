"""The demo project: complete, safe to load twice, and respectful of later changes.

Its stories are data files; the reading tests check that every key quote is
found by its words, and that a quote whose words are missing stops the load
with the file and the quote named.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from cohub.apps.accounts.models import Organisation, OrganisationMembership, User
from cohub.apps.analysis.models import BoardNote, Highlight, HighlightTheme, Theme, VisioningRound
from cohub.apps.projects.models import Project, ProjectMembership
from cohub.apps.reports.findings import project_findings
from cohub.apps.reports.playlist import project_playlist
from cohub.apps.stories.consent import consent_allows, current_consent
from cohub.apps.stories.models import Segment, Speaker, SpeakerPart, Story, Storyteller
from cohub.apps.stories.selectors import segment_words
from cohub.apps.stories.services import story_delete
from cohub.demo import (
    DATA_DIR,
    DEMO_PASSWORD,
    DEMO_PROJECT_SLUG,
    FACILITATOR,
    ORG_ADMIN,
    DemoDataError,
    demo_load,
    find_quote,
    read_demo,
)
from cohub.demo import assessment as demo_assessment
from cohub.demo.manifest import story_segments

pytestmark = pytest.mark.django_db

DEMO = read_demo()
ASSESSMENT_ONLY = [r.email for r in demo_assessment.RESPONDENTS if r.name]


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
            BoardNote,
            VisioningRound,
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
    assert project.organisation.name == "Riverside Council & Partners"
    assert project.storytellers.count() == len(DEMO.storytellers) == 7
    assert project.stories.count() == len(DEMO.stories) == 7
    assert Theme.objects.filter(project=project).count() == len(DEMO.themes) == 6
    highlights = Highlight.objects.filter(review_sheet__story__project=project)
    assert highlights.count() == len(DEMO.quotes) == 22
    # A run of theme suggestions from the codebook, some accepted into existing themes.
    run = project.suggestion_runs.get()
    assert run.status == "ready" and run.quote_count > 0
    assert run.suggestions.filter(status="accepted", existing_theme__isnull=False).exists()
    assert set(project.memberships.values_list("user__email", "role")) == {
        ("facilitator@example.org", "facilitator"),
        ("reporter@example.org", "community_reporter"),
        ("member@example.org", "member"),
        ("decision@example.org", "decision_maker"),
        # Co-producers and staff who answered the assessment round (cohub/demo/assessment.py).
        *((email, "member") for email in ASSESSMENT_ONLY),
    }
    assert OrganisationMembership.objects.filter(
        user__email="admin@example.org", organisation=project.organisation, role="admin"
    ).exists()
    for story in project.stories.all():
        newest = story.transcripts.order_by("-version").first()
        assert 9 <= newest.segments.count() <= 20


def test_the_demos_audit_log_shows_stories_read_and_the_findings_exported(client):
    demo_load()
    project = Project.objects.get(slug=DEMO_PROJECT_SLUG)
    client.force_login(User.objects.get(email=FACILITATOR))
    response = client.get(reverse("audit:log", args=[project.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Read story content on a page" in body
    assert "Exported the findings" in body
    reads = [line for line in response.context["lines"] if line.entry.verb == "content.viewed"]
    assert len({line.entry.actor_id for line in reads}) == 2


def test_demo_has_timed_imports_and_typed_stories():
    demo_load()
    stories = Story.objects.filter(project__slug=DEMO_PROJECT_SLUG)
    assert {s.source for s in stories} == {"transcript_file", "typed", "recording"}
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
    assert findings.quote_count == len(DEMO.quotes)
    assert any(q.withheld for q in quotes)
    assert any(q.source == "Jordan Hale" for q in quotes)
    assert findings.untagged.quotes
    assert all(t.quote_count for t in findings.themes)


def test_demo_speakers_have_parts():
    """Each story has its storyteller and Rae, the reporter, as interviewer; a group has more."""
    demo_load()
    for story in Story.objects.filter(project__slug=DEMO_PROJECT_SLUG):
        parts = {s.display_name: s.part for s in Speaker.objects.filter(story=story)}
        assert parts[story.storyteller.pseudonym] == SpeakerPart.STORYTELLER, story.title
        assert parts["Rae"] == SpeakerPart.INTERVIEWER, story.title
    group = Speaker.objects.get(story__title="Your heart is fine, come on Saturday", label="Kasia")
    assert group.part == SpeakerPart.PARTICIPANT


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
    # Through the login form, as a person does (login throttling needs the request).
    login = client.post(reverse("accounts:login"), {"username": email, "password": info.password})
    assert login.status_code == 302, login.content.decode()
    findings = reverse("reports:findings", kwargs={"project_slug": info.project_slug})
    code = info.backup_code(email)
    if email in (FACILITATOR, ORG_ADMIN):
        # They must use two-step sign-in: the printed backup code is the second step.
        assert code
        held = client.get(findings)
        assert held["Location"].startswith(reverse("projects:two_step_code"))
        passed = client.post(held["Location"], {"code": code})
        assert passed.status_code == 302 and passed["Location"] == findings
    else:
        assert not code
    response = client.get(findings)
    assert response.status_code == 200
    assert "has not agreed that we quote them without their name." in response.content.decode()


def test_loading_the_demo_again_prints_a_working_backup_code_without_piling_up_devices():
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    first = demo_load()
    assert {email for email, _ in first.backup_codes} == {FACILITATOR, ORG_ADMIN}
    again = demo_load()
    assert again.backup_codes == first.backup_codes  # nothing used it in between
    assert StaticDevice.objects.count() == 2
    assert StaticToken.objects.count() == 20
    # Once the printed code is used, the next load prints another that works.
    used = first.backup_code(FACILITATOR)
    StaticToken.objects.filter(token=used).delete()
    third = demo_load()
    assert third.backup_code(FACILITATOR) not in ("", used)
    assert StaticToken.objects.filter(token=third.backup_code(FACILITATOR)).exists()
    assert StaticDevice.objects.count() == 2


def _words(text: str) -> str:
    return " ".join(text.split())


def test_every_key_quote_is_stored_with_the_words_the_manifest_gives():
    demo_load()
    for spec in DEMO.stories:
        story = Story.objects.get(project__slug=DEMO_PROJECT_SLUG, title=spec.title)
        stored = sorted(_words(h.snippet) for h in story.review_sheet.highlights.all())
        assert stored == sorted(_words(quote.words) for quote in spec.quotes), spec.title


def test_every_key_quote_is_in_its_transcript_file():
    assert len(DEMO.quotes) == 22
    for story in DEMO.stories:
        text = "\n\n".join(segment.text for segment in story_segments(story))
        for quote in story.quotes:
            start, end = find_quote(text, quote.words, source=story.transcript.name)
            assert _words(text[start:end]) == _words(quote.words)


def test_the_demo_data_files_are_shipped_in_the_package():
    assert DEMO.manifest.parent == DATA_DIR
    assert {story.transcript.parent for story in DEMO.stories} == {DATA_DIR}
    assert {story.transcript.suffix for story in DEMO.stories} == {".vtt", ".txt", ".json"}
    recording = next(story.recording for story in DEMO.stories if story.recording)
    assert recording.parent == DATA_DIR and recording.stat().st_size < 150 * 1024


def test_the_demo_recording_has_two_voices_words_clips_and_a_playlist():
    """Loaded without speech-to-text: the words were made once by cohub's pipeline."""
    demo_load()
    story = Story.objects.get(project__slug=DEMO_PROJECT_SLUG, source="recording")
    assert story.recording.transcription_job is None  # nothing was queued
    versions = list(story.transcripts.order_by("version"))
    assert [v.version for v in versions] == [1, 2]  # heard, then one part corrected
    newest = versions[-1]
    assert "A peer worker called Dev." in newest.text
    speakers = {s.display_name: s.part for s in story.speakers.all()}
    assert speakers == {"Rae": SpeakerPart.INTERVIEWER, "Kofi": SpeakerPart.STORYTELLER}
    for segment in newest.segments.all():
        words = segment_words(segment)
        assert [w.text for w in words] == segment.text.split()
        assert words and all(
            segment.start_ms <= w.start_ms <= w.end_ms <= segment.end_ms for w in words
        )
    # The words nobody corrected keep what speech-to-text heard, probability included.
    heard = versions[0].segments.get(index=6)
    assert segment_words(newest.segments.get(index=6)) == segment_words(heard)
    playlist = project_playlist(story.project)
    assert [entry.clip.credit for entry in playlist.entries] == ["Kofi", "Kofi", "Kofi"]
    assert playlist.entries[0].clip.text == "Nobody rang me in all that time."


def test_find_quote_matches_words_across_line_breaks_and_parts():
    text = "Rae: How was it?\n\nJo: I waited six hours\nwith no news."
    start, end = find_quote(text, "waited six hours with no news.", source="jo.txt")
    assert text[start:end] == "waited six hours\nwith no news."


@pytest.mark.parametrize(
    ("words", "problem"),
    [
        ("waited seven hours", "is not in the transcript"),
        ("WAITED six hours", "is not in the transcript"),
        ("I waited", "2 times"),
        ("   ", "has no words"),
    ],
)
def test_find_quote_names_the_file_and_quote_it_cannot_place(words, problem):
    text = "Jo: I waited six hours. I waited."
    with pytest.raises(DemoDataError, match=problem) as raised:
        find_quote(text, words, source="jo.txt")
    assert str(raised.value).startswith("jo.txt: ")
    assert words.strip() in str(raised.value)


TINY_MANIFEST = """
password = "tiny-demo-password"
[organisation]
slug = "tiny"
name = "Tiny"
[[people]]
email = "fac@example.org"
name = "Fac"
project_role = "facilitator"
[project]
slug = "tiny"
name = "Tiny"
purpose = "Trying the reader."
opening_question = "What happened?"
[[themes]]
name = "Waiting"
[[storytellers]]
pseudonym = "Jo"
[storytellers.consent]
record = true
transcribe = true
quote_anonymously = true
[[stories]]
storyteller = "Jo"
title = "Six hours"
source = "typed"
transcript = "jo.txt"
reporter = "fac@example.org"
[[stories.quotes]]
words = "I waited seven hours"
coder = "fac@example.org"
attribution = "anonymous"
themes = ["Waiting"]
"""


def _tiny(tmp_path: Path, manifest: str = TINY_MANIFEST) -> Path:
    (tmp_path / "demo.toml").write_text(manifest, encoding="utf-8")
    (tmp_path / "jo.txt").write_text("Rae: What happened?\n\nJo: I waited six hours.\n")
    return tmp_path


def test_a_quote_missing_from_its_transcript_stops_the_reading_naming_both(tmp_path):
    with pytest.raises(DemoDataError) as raised:
        read_demo(_tiny(tmp_path))
    message = str(raised.value)
    assert "jo.txt" in message
    assert "'I waited seven hours' is not in the transcript" in message


def test_the_tiny_manifest_reads_once_its_quote_is_right(tmp_path):
    demo = read_demo(_tiny(tmp_path, TINY_MANIFEST.replace("seven", "six")))
    assert [quote.words for quote in demo.quotes] == ["I waited six hours"]
    assert demo.email_for(project_role="facilitator") == "fac@example.org"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (('themes = ["Waiting"]', 'themes = ["Waitng"]'), "no theme is called 'Waitng'"),
        (('storyteller = "Jo"', 'storyteller = "Joe"'), "no storyteller is called 'Joe'"),
        (('transcript = "jo.txt"', 'transcript = "jo.vtt"'), "'jo.vtt' is not beside"),
        (('coder = "fac@example.org"', 'coder = "nobody@example.org"'), "nobody@example.org"),
        (("[[themes]]", "[[theme]]"), "unknown keys theme"),
    ],
)
def test_a_wrong_reference_in_the_manifest_is_named(tmp_path, change, named):
    manifest = TINY_MANIFEST.replace("seven", "six").replace(*change)
    with pytest.raises(DemoDataError, match=named) as raised:
        read_demo(_tiny(tmp_path, manifest))
    assert "demo.toml" in str(raised.value)


def test_editing_a_transcript_under_a_quote_stops_the_load_and_writes_nothing(tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    vtt = data_dir / "jordan-interview.vtt"
    vtt.write_text(vtt.read_text().replace("nobody had asked me that", "no one had asked me"))
    with pytest.raises(DemoDataError, match="jordan-interview.vtt") as raised:
        demo_load(data_dir)
    assert "She asked what usually helps" in str(raised.value)
    assert not User.objects.exists()
    assert not Project.objects.exists()


def test_a_storyteller_with_an_unknown_consent_scope_is_named(tmp_path):
    manifest = TINY_MANIFEST.replace("seven", "six").replace(
        "quote_anonymously = true", "quote_anonymously = true\nsing_it = true"
    )
    with pytest.raises(DemoDataError, match="'Jo': unknown consent scopes sing_it"):
        demo_load(_tiny(tmp_path, manifest))
    assert not Project.objects.exists()


def test_the_tiny_demo_loads_through_the_services(tmp_path):
    info = demo_load(_tiny(tmp_path, TINY_MANIFEST.replace("seven", "six")))
    assert (info.email, info.project_slug, info.created) == ("fac@example.org", "tiny", True)
    highlight = Highlight.objects.get(review_sheet__story__title="Six hours")
    assert highlight.snippet == "I waited six hours"
    assert [link.theme.name for link in highlight.theme_links.all()] == ["Waiting"]
    assert not demo_load(tmp_path).created


def test_the_demo_has_a_story_checked_for_personal_details():
    from cohub.apps.redaction.models import FindingStatus, ProjectTerm, RedactionRun

    demo_load()
    run = RedactionRun.objects.get(story__project__slug=DEMO_PROJECT_SLUG)
    statuses = set(run.findings.values_list("status", flat=True))
    assert FindingStatus.ACCEPTED in statuses  # its people's names
    assert run.findings.filter(kind="person").exclude(status=FindingStatus.ACCEPTED).count() == 0
    assert ProjectTerm.objects.filter(project=run.story.project).count() == 2
    demo_load()  # a second load checks nothing again
    assert RedactionRun.objects.count() == 1


def test_the_demo_round_shows_a_group_and_a_gap_and_an_action(client):
    from cohub.apps.assess.models import AssessmentAction, AssessmentRound
    from cohub.apps.assess.selectors import round_results

    demo_load()
    assessment = AssessmentRound.objects.get(project__slug=DEMO_PROJECT_SLUG)
    ranked = round_results(assessment)
    top_item, top = ranked[0]
    assert top.gap is not None and top.gap >= 2
    assert top.groups["lived_experience"].median is not None
    assert top.groups["practitioner"].median is not None
    assert top.groups["facilitator"].median is None  # one person: hidden
    assert AssessmentAction.objects.filter(round=assessment).count() == 1
    client.force_login(User.objects.get(email=FACILITATOR))
    page = client.get(
        reverse("assess:round_results", args=[DEMO_PROJECT_SLUG, assessment.pk])
    ).content.decode()
    assert "Gap between groups" in page and "fewer than 3 people answered" in page
    demo_load()  # loading again adds no second round, answer or action
    assert AssessmentRound.objects.filter(project__isnull=False).count() == 1
    assert AssessmentAction.objects.filter(round__project__isnull=False).count() == 1


def test_the_demo_has_a_round_for_the_whole_organisation_with_a_gap_and_an_action(client):
    from cohub.apps.assess.models import AssessmentAction, AssessmentResponse, AssessmentRound
    from cohub.apps.assess.selectors import round_results

    demo_load()
    assessment = AssessmentRound.objects.get(project=None)
    organisation = assessment.organisation
    assert assessment.title == demo_assessment.ORG_ROUND_TITLE
    answered = AssessmentResponse.objects.filter(round=assessment)
    assert answered.filter(group="lived_experience").count() >= 3
    _, top = round_results(assessment)[0]
    assert top.gap is not None and top.gap >= 2
    assert top.groups["decision_maker"].median is None  # one person: hidden
    client.force_login(User.objects.get(email=FACILITATOR))
    listing = client.get(reverse("assess:round_list", args=[DEMO_PROJECT_SLUG])).content.decode()
    org_list = reverse("org_assess:round_list", args=[organisation.slug])
    assert org_list in listing
    assert demo_assessment.ORG_ROUND_TITLE in client.get(org_list).content.decode()
    page = client.get(
        reverse("org_assess:round_results", args=[organisation.slug, assessment.pk])
    ).content.decode()
    assert "Gap between groups" in page and "fewer than 3 people answered" in page
    assert "Where the organisation is now" in page and "Where the project is now" not in page
    actions = client.get(reverse("org_assess:action_list", args=[organisation.slug]))
    assert demo_assessment.ORG_ACTION_TEXT in actions.content.decode()
    demo_load()  # made once
    assert AssessmentRound.objects.filter(project=None).count() == 1
    assert AssessmentAction.objects.filter(round=assessment).count() == 1
    assert AssessmentResponse.objects.filter(round=assessment).count() == answered.count()


def test_the_demo_round_links_its_report_with_the_gap_the_peer_figure_and_the_action(client):
    from cohub.apps.assess.models import AssessmentRound
    from cohub.demo import assessment as demo_assessment

    demo_load()
    assessment = AssessmentRound.objects.get(project__slug=DEMO_PROJECT_SLUG)
    client.force_login(User.objects.get(email=FACILITATOR))
    report_url = reverse("assess:round_report", args=[DEMO_PROJECT_SLUG, assessment.pk])
    for page in ("assess:round_list", "assess:round_results"):
        args = (
            [DEMO_PROJECT_SLUG]
            if page == "assess:round_list"
            else [DEMO_PROJECT_SLUG, assessment.pk]
        )
        assert f'href="{report_url}"' in client.get(reverse(page, args=args)).content.decode()
    report = client.get(report_url).content.decode()
    assert "Gaps between groups, widest first" in report
    assert "Peer review (from outside, not in the gap)" in report
    assert demo_assessment.ACTION_TEXT in report


def test_the_demo_board_has_an_open_visioning_round_grouped_by_the_engine(client):
    demo_load()
    project = Project.objects.get(slug=DEMO_PROJECT_SLUG)
    spec = DEMO.board.visioning
    assert spec is not None
    (visioning,) = VisioningRound.objects.filter(project=project)
    assert visioning.is_open and visioning.prompt == spec.prompt
    assert visioning.grouped_with["engine"] == "cohub.pipeline.cluster"
    notes = list(visioning.notes.all())
    assert sorted(n.text for n in notes) == sorted(n.text for n in spec.notes)
    # Every note placed, in more than one group, each with a label in its own words.
    assert all(n.group and n.group_label for n in notes)
    assert len({n.group for n in notes}) >= 2
    # Written by people of different groups, as the round is meant to be.
    assert len({n.author_id for n in notes}) >= 3

    client.force_login(User.objects.get(email=FACILITATOR))
    page = client.get(reverse("analysis:board", kwargs={"project_slug": project.slug}))
    html = page.content.decode()
    assert spec.prompt in html and notes[0].group_label in html


def test_the_demo_round_has_a_sent_peer_review_beside_it(client):
    from cohub.apps.assess.models import AssessmentRound, PeerEvidence, PeerReview
    from cohub.apps.assess.peer_selectors import peer_results
    from cohub.apps.assess.selectors import round_results

    demo_load()
    assessment = AssessmentRound.objects.get(project__slug=DEMO_PROJECT_SLUG)
    review = PeerReview.objects.get(round=assessment)
    assert review.state() == "sent"
    assert review.reviewer_organisation != assessment.organisation.name
    figures = peer_results(assessment)
    top_item, top = round_results(assessment)[0]
    assert figures[top_item.pk].median is not None
    client.force_login(User.objects.get(email=FACILITATOR))
    page = client.get(
        reverse("assess:round_results", args=[DEMO_PROJECT_SLUG, assessment.pk])
    ).content.decode()
    assert "Peer review <span" in page and "Peer comments" in page
    assert "The budget was fixed before anyone with lived experience saw it." in page
    demo_load()  # made once
    assert PeerReview.objects.count() == 1
    assert PeerEvidence.objects.count() == 2


def test_the_demo_says_what_changed_in_public_and_shows_a_storytellers_checks(client):
    from cohub.apps.analysis.quote_checks import check_states
    from cohub.apps.reports.models import ChangeAction

    demo_load()
    project = Project.objects.get(slug=DEMO_PROJECT_SLUG)
    assert project.publish_changes
    changes = ChangeAction.objects.filter(project=project)
    assert sorted(changes.values_list("status", flat=True)) == ["done", "in_progress", "planned"]
    assert all(change.quotes.exists() for change in changes)
    jordan = Highlight.objects.filter(review_sheet__story__storyteller__pseudonym="Jordan")
    states = {str(now.state) for now in check_states(jordan).values()}
    assert {"approved", "change"} <= states

    # Anyone reads the public page: Jordan's approved words are on it, the questioned are not.
    public = client.get(reverse("you_said:page", args=[DEMO_PROJECT_SLUG])).content.decode()
    assert "Text everyone waiting for a crisis call-back" in public
    assert "If someone had texted me" in public
    assert "The GP had a letter" not in public
    assert "Jordan" not in public

    client.force_login(User.objects.get(email=FACILITATOR))
    checks = client.get(reverse("reports:quote_checks", args=[DEMO_PROJECT_SLUG])).content.decode()
    assert "The night I rang 111" in checks
    done = client.get(reverse("reports:changes", args=[DEMO_PROJECT_SLUG]), {"status": "done"})
    assert "Text everyone waiting" in done.content.decode()
    demo_load()  # made once
    assert ChangeAction.objects.filter(project=project).count() == 3
