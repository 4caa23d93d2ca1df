"""A subject access download holds everything about one storyteller, and nothing of another.

A marker is planted in every field of Dana and her story (profile, consent
note, title, file name, two versions of the words, a speaker's name, a quote
and its note, the review sheet, a theme, a theme suggestion, a check for
personal details) and she has a real recording. The download, by the web and
by ``cohub subject-access``, must hold each marker, in the page and in the
JSON, and her recording's bytes; nothing of Eli, who told a story in the
same project; and it is no-store and a line in the audit log.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from cohub.apps.analysis import services as analysis_services
from cohub.apps.analysis.models import Suggestion, SuggestionQuote, SuggestionRun
from cohub.apps.audit.selectors import SUBJECT_ACCESS
from cohub.apps.core.models import Event
from cohub.apps.projects.models import ProjectRole
from cohub.apps.redaction import services as redaction_services
from cohub.apps.stories import services as story_services
from cohub.apps.stories.models import Recording, Speaker, SpeakerPart
from cohub.cli import main as cli_main
from cohub.pipeline.redact import Finding, Kind, number_findings
from tests.factories import ALL_SCOPES, make_member, make_story, make_storyteller
from tests.playback_support import recorded_story

pytestmark = pytest.mark.django_db

DANA = {
    "pseudonym": "Dana",
    "real_name": "Dana Quokkafield",
    "self_description": "Wombatine: a carer who walks everywhere",
    "age_range": "Agerange-Xylo",
    "gender": "Gender-Zephyr",
    "ethnicity": "Ethnicity-Marlin",
    "location": "Location-Tarn",
}
ELI_MARKERS = ("Eli Fennimore", "Pelican-seventeen", "Otterdrift", "Eli's typed story")


@pytest.fixture
def held(project, settings, tmp_path):
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    immediate = settings.TASKS
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    dana = make_storyteller(project, consent=ALL_SCOPES, **DANA)
    story_services.consent_record(
        storyteller=dana, actor=facilitator, note="Consentnote-Halibut", **ALL_SCOPES
    )
    story = recorded_story(project, dana, tmp_path, title="Title-Bramblecot")
    settings.TASKS = immediate
    Speaker.objects.filter(story=story, label="Speaker 2").update(
        part=SpeakerPart.STORYTELLER, display_name="Speakername-Gannet"
    )
    story_services.transcript_revise(
        story=story,
        actor=facilitator,
        reason="Reason-Puffin",
        text="Speaker 1: How did it start?\n\nSpeaker 2: I waited eleven weeks for a Kestrelcall.",
    )
    transcript = story.transcripts.order_by("-version").first()
    words = "waited eleven weeks for a Kestrelcall"
    start = transcript.text.index(words)
    theme = analysis_services.theme_create(
        project=project, name="Theme-Heronry", actor=facilitator
    ).theme
    highlight = analysis_services.highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len(words),
        actor=facilitator,
        themes=[theme],
        note="Quotenote-Lapwing",
    ).highlight
    analysis_services.review_sheet_update(
        story=story, actor=facilitator, ideas="Ideas-Curlew", summary="Summary-Dunlin"
    )
    run = SuggestionRun.objects.create(
        project=project, requested_by=facilitator, status="ready", model="test", quote_count=1
    )
    suggestion = Suggestion.objects.create(
        run=run, number=1, label="Suggested-Plover", suggested_label="Suggested-Plover"
    )
    SuggestionQuote.objects.create(suggestion=suggestion, highlight=highlight)
    check = redaction_services.redaction_check_start(story=story, actor=facilitator).run
    at = transcript.text.index("Kestrelcall")
    redaction_services.redaction_findings_store(
        run=check,
        findings=number_findings([Finding(at, at + 11, Kind.PERSON, "Kestrelcall", "walk")]),
        engine_settings={},
    )
    eli = make_storyteller(project, pseudonym="Eli", real_name="Eli Fennimore")
    other = make_story(
        project,
        storyteller=eli,
        title="Eli's typed story",
        text="Sam: And you?\n\nEli: The Pelican-seventeen bus left me at Otterdrift.",
    )
    other_text = other.transcripts.get()
    analysis_services.highlight_create(
        story=other,
        transcript=other_text,
        char_start=other_text.text.index("The Pelican"),
        char_end=other_text.text.index(" at Otterdrift"),
        actor=facilitator,
        themes=[theme],
    )
    return facilitator, dana, story


DANA_MARKERS = (
    *DANA.values(),
    "Consentnote-Halibut",
    "Title-Bramblecot",
    "Reason-Puffin",
    "Speakername-Gannet",
    "Kestrelcall",
    "Quotenote-Lapwing",
    "Theme-Heronry",
    "Ideas-Curlew",
    "Summary-Dunlin",
    "Suggested-Plover",
    "I waited eleven weeks for a call.",  # the first version's words, from speech-to-text
)


def _check(archive: zipfile.ZipFile, story) -> dict:
    names = set(archive.namelist())
    page = archive.read("index.html").decode("utf-8")
    raw = archive.read("data.json").decode("utf-8")
    data = json.loads(raw)
    missing = [m for m in DANA_MARKERS if m not in page or m not in raw]
    assert not missing, f"not in the download: {missing}"
    assert '<link rel="stylesheet" href="style.css">' in page and "style.css" in names
    assert " style=" not in page and "<script" not in page
    # Every transcript version, in order, and the quote's uses.
    [told] = data["stories"]
    assert [t["version"] for t in told["transcripts"]] == [1, 2]
    [quote] = told["quotes"]
    assert quote["themes"] == ["Theme-Heronry"]
    assert quote["on_the_workshop_board"] == ["Theme-Heronry"]
    assert quote["suggestion_runs"][0]["suggested_theme"] == "Suggested-Plover"
    assert quote["in_the_findings"] is True
    assert told["checks_for_personal_details"][0]["personal_details_found"][0]["words"] == (
        "Kestrelcall"
    )
    assert [c["note"] for c in data["consent_history"]][-1] == "Consentnote-Halibut"
    # Her recording, byte for byte.
    recording = Recording.objects.get(story=story)
    inside = told["recording"]["file_in_this_download"]
    with default_storage.open(recording.file.name, "rb") as stored:
        assert archive.read(inside) == stored.read()
    # Stored, not deflated: a recording is compressed already, so the download is a copy.
    assert archive.getinfo(inside).compress_type == zipfile.ZIP_STORED
    assert archive.getinfo("data.json").compress_type == zipfile.ZIP_DEFLATED
    # Nothing of Eli, anywhere in any file.
    for name in names:
        body = archive.read(name)
        leaked = [m for m in ELI_MARKERS if m.encode() in body]
        assert not leaked, f"{name} holds {leaked}"
    return data


def test_the_download_holds_everything_about_her_and_nothing_of_anyone_else(client, project, held):
    facilitator, dana, story = held
    client.force_login(facilitator)
    url = reverse("audit:subject_access", args=[project.slug, dana.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Download what we hold about Dana" in page.content.decode()
    assert not Event.objects.filter(verb=SUBJECT_ACCESS).exists()  # looking is not taking

    response = client.post(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]
    assert "subject-access" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    data = _check(zipfile.ZipFile(io.BytesIO(body)), story)
    assert data["storyteller"]["real_name"] == "Dana Quokkafield"

    entry = Event.objects.get(verb=SUBJECT_ACCESS)
    assert entry.actor == facilitator
    assert (entry.target_type, entry.target_id) == ("stories.storyteller", str(dana.pk))
    assert entry.data["stories"] == [story.pk]
    assert not [m for m in DANA_MARKERS if m in json.dumps(entry.data)]


def test_the_storytellers_page_offers_it_to_facilitators_only(client, project, held):
    facilitator, dana, _ = held
    url = reverse("stories:storyteller_detail", args=[project.slug, dana.pk])
    held_url = reverse("audit:subject_access", args=[project.slug, dana.pk])
    client.force_login(facilitator)
    assert held_url in client.get(url).content.decode()
    client.force_login(make_member(project, ProjectRole.COMMUNITY_REPORTER))
    assert held_url not in client.get(url).content.decode()
    assert client.post(held_url).status_code == 403


def test_the_command_line_writes_the_same_file(project, held, tmp_path, capsys):
    facilitator, dana, story = held
    out = tmp_path / "dana.zip"
    code = cli_main(
        [
            "subject-access",
            "--project",
            project.slug,
            "--storyteller",
            "  dana ",
            "--output",
            str(out),
            "--as",
            facilitator.email,
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    _check(zipfile.ZipFile(out), story)
    entry = Event.objects.get(verb=SUBJECT_ACCESS)
    assert entry.actor == facilitator and entry.data["via"] == "command line"
    # It never overwrites a file unless asked.
    assert (
        cli_main(
            [
                "subject-access",
                "--project",
                project.slug,
                "--storyteller",
                "Dana",
                "--output",
                str(out),
            ]
        )
        == 1
    )
    assert "exists already" in capsys.readouterr().err


def test_the_command_line_names_what_it_cannot_find(project, held, tmp_path, capsys):
    code = cli_main(
        [
            "subject-access",
            "--project",
            project.slug,
            "--storyteller",
            "Nobody",
            "--output",
            str(tmp_path / "x.zip"),
        ]
    )
    assert code == 2
    assert "there is no storyteller called 'Nobody'" in capsys.readouterr().err
    assert not Path(tmp_path / "x.zip").exists()


def test_after_withdrawal_it_says_what_is_left(client, project, held):
    facilitator, dana, _ = held
    story_services.consent_withdraw(storyteller=dana, actor=facilitator)
    client.force_login(facilitator)
    response = client.post(reverse("audit:subject_access", args=[project.slug, dana.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("data.json"))
    assert data["stories"] == []
    assert data["storyteller"]["withdrawn_at"]
    assert data["consent_history"][-1]["withdrawn"] is True
    assert "they were removed when consent was withdrawn" in archive.read("index.html").decode()
    assert not [
        m
        for m in ("Kestrelcall", "Title-Bramblecot")
        if m.encode() in b"".join(archive.read(n) for n in archive.namelist())
    ]
