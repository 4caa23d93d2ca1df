"""Withdrawal leaves no trace: a marker planted everywhere is found nowhere afterwards (issue 7).

A storyteller and their story get one unique marker in every field and file a
person can fill (names, descriptions, consent notes, title, file names,
transcript and its versions, speaker names, quotes, notes, ideas, themes,
board notes, redaction suggestions, suggested themes, cached vectors, job
parameters and results, a recording, an unfinished upload, a waiting
message). Consent is withdrawn through the page a facilitator uses. Then every
column of every table is read back through the database, every session is
decoded, and the raw bytes of every file under the data directory are read,
the SQLite database file and its write-ahead log included: the marker must be
nowhere. A second storyteller's story carries a control marker that must still
be found, so the search is known to reach the places a leak would be.
"""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse

from cohub.apps.analysis import services as coding
from cohub.apps.analysis.models import (
    BoardNote,
    Highlight,
    QuoteVector,
    Suggestion,
    SuggestionQuote,
    SuggestionRun,
    Theme,
)
from cohub.apps.core.models import Event
from cohub.apps.jobs.models import Job
from cohub.apps.jobs.services import job_run
from cohub.apps.projects.models import ProjectRole
from cohub.apps.redaction import services as redaction
from cohub.apps.stories import services as stories
from cohub.apps.stories.models import FileDeletion, Story, Storyteller
from cohub.apps.stories.recordings import story_add_recording
from cohub.apps.stories.resumable import upload_path
from cohub.pipeline.redact import Finding, Kind, number_findings
from tests.factories import ALL_SCOPES, ProjectFactory, make_member, make_storyteller, make_upload

pytestmark = pytest.mark.django_db(transaction=True)


def _vtt(first: str, second: str, words: str) -> bytes:
    return (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.500\n"
        f"<v {first}>How did it start?</v>\n\n2\n00:00:05.000 --> 00:00:09.000\n"
        f"<v {second}>I lost my job, and then {words} took me in.</v>\n"
    ).encode()


def _recording(folder: Path, name: str, marker: str) -> Path:
    """A real recording whose own bytes carry the marker (in its title tag)."""
    path = folder / name
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-nostdin",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=2",
            "-metadata",
            f"title={marker}",
            str(path),
        ],
        check=True,
    )
    assert marker.encode() in path.read_bytes()
    return path


@pytest.fixture
def data_dir(tmp_path, settings):
    """Files go to a real folder, as on a hub, so their bytes can be read back."""
    root = tmp_path / "data"
    (root / "media").mkdir(parents=True)
    (root / "uploads").mkdir()
    settings.MEDIA_ROOT = str(root / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root / "media")},
        },
    }
    settings.COHUB_UPLOADS_DIR = root / "uploads"
    # Jobs stay queued, as on a hub whose worker has not reached them yet.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return root


def _plant(project: Any, facilitator: Any, mark: Any, folder: Path) -> Storyteller:
    """Everything a team can write about one storyteller, each piece carrying ``mark``."""
    teller = make_storyteller(
        project,
        pseudonym=mark("pseudonym"),
        real_name=mark("realname"),
        self_description=mark("description"),
        age_range=mark("age"),
        gender=mark("gender"),
        ethnicity=mark("ethnicity"),
        location=mark("location"),
    )
    stories.consent_record(
        storyteller=teller, actor=facilitator, note=mark("consentnote"), **ALL_SCOPES
    )
    story = stories.story_import_transcript(
        project=project,
        storyteller=teller,
        actor=facilitator,
        data=_vtt(mark("interviewer"), mark("speaker"), mark("words")),
        filename=f"{mark('filename')}.vtt",
        title=mark("title"),
    )
    speaker = story.speakers.get(label=mark("speaker"))
    stories.speaker_update(speaker=speaker, actor=facilitator, display_name=mark("display"))
    revised = stories.transcript_revise(
        story=story,
        actor=facilitator,
        reason="Corrected",
        text=f"{mark('display')}: I lost my job, and then {mark('words')} took me in. "
        f"{mark('revised')} helped.",
    )
    transcript = revised.transcript
    start = transcript.text.index(mark("words"))
    quote = coding.highlight_create(
        story=story,
        transcript=transcript,
        char_start=start,
        char_end=start + len(mark("words")) + len(" took me in."),
        actor=facilitator,
    ).highlight
    coding.highlight_update(highlight=quote, actor=facilitator, note=mark("quotenote"))
    coding.review_sheet_update(
        story=story, actor=facilitator, ideas=mark("ideas"), summary=mark("summary")
    )
    theme = coding.theme_create(
        project=project, name=mark("theme"), actor=facilitator, description=mark("themedesc")
    ).theme
    coding.highlight_tag(highlight=quote, theme=theme, actor=facilitator)
    coding.board_note_add(project=project, theme=theme, text=mark("boardnote"), actor=facilitator)
    # A group's own note elsewhere that copies the quote's words.
    coding.board_note_add(project=project, text=f"We heard: {quote.snippet}", actor=facilitator)

    run = redaction.redaction_check_start(story=story, actor=facilitator).run
    at = run.transcript.text.index(mark("revised"))
    redaction.redaction_findings_store(
        run=run,
        findings=number_findings(
            [Finding(at, at + len(mark("revised")), Kind.PERSON, mark("revised"), "test")]
        ),
        engine_settings={"engine": "test"},
    )

    # A suggested theme worded from this quote alone, and the quote's cached vector.
    suggestions = SuggestionRun.objects.create(project=project, model="test")
    suggested = Suggestion.objects.create(
        run=suggestions, number=1, label=mark("suggestion"), suggested_label=mark("suggestion")
    )
    SuggestionQuote.objects.create(suggestion=suggested, highlight=quote)
    QuoteVector.objects.create(
        highlight=quote,
        story_id=story.pk,
        model="test",
        text_hash="0" * 64,
        dim=4,
        vector=mark("vector").encode()[:16].ljust(16, b"\0"),
    )

    # A recording kept as a story, and one still on its way in.
    story_add_recording(
        project=project,
        storyteller=teller,
        actor=facilitator,
        path=_recording(folder, "tone.wav", mark("media")),
        filename=f"{mark('recfile')}.wav",
        title=mark("rectitle"),
        speakers=None,
    )
    upload = make_upload(project, teller, facilitator, length=100)
    upload_path(upload).write_bytes(mark("tus").encode())

    # An import the worker ran (its result lists the file by name), and one still waiting.
    done = stories.stories_import_queue(
        project=project,
        actor=facilitator,
        files=[_Named(f"{mark('imported')}.txt", f"Kit: {mark('importwords')}".encode())],
        storyteller=teller,
        title=mark("importtitle"),
    )
    job_run(done.pk)
    stories.stories_import_queue(
        project=project,
        actor=facilitator,
        files=[_Named(f"{mark('waiting')}.txt", f"Kit: {mark('waitwords')}".encode())],
        storyteller=teller,
        title=mark("waittitle"),
    )
    return teller


class _Named:
    def __init__(self, name: str, data: bytes) -> None:
        self.name, self._data = name, data

    def read(self, size: int = -1, /) -> bytes:
        return self._data


def _db_hits(marker: str) -> list[str]:
    """Every table and column, read through the database, that holds ``marker`` in any case."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, memoryview):
                        value = value.tobytes()
                    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                    if marker in text.lower():
                        found.append(f"{table}.{column}")
    store = SessionStore()
    for session in Session.objects.all():
        if marker in str(store.decode(session.session_data)).lower():
            found.append(f"session {session.pk[:6]}… (decoded)")
    return found


def _database_files() -> list[Path]:
    if connection.vendor != "sqlite":
        return []
    name = Path(connection.settings_dict["NAME"])
    return [p for p in (name, Path(f"{name}-wal"), Path(f"{name}-journal")) if p.exists()]


def _file_hits(marker: str, root: Path) -> list[str]:
    found = []
    for path in [*sorted(p for p in root.rglob("*") if p.is_file()), *_database_files()]:
        if marker in str(path).lower() or marker.encode() in path.read_bytes().lower():
            found.append(str(path))
    return found


def test_withdrawal_leaves_no_trace_in_any_table_or_file(client, data_dir, tmp_path):
    marker = "zq" + uuid.uuid4().hex[:12]
    control = "zk" + uuid.uuid4().hex[:12]

    def mark(what: str) -> str:
        return f"{marker}{what}"

    project = ProjectFactory(name="Winter support")
    facilitator = make_member(project, ProjectRole.FACILITATOR)
    teller = _plant(project, facilitator, mark, tmp_path)

    # Someone else's story, in a theme both share: it and the theme stay.
    other = make_storyteller(project, pseudonym="Jo")
    kept = stories.story_create_from_text(
        project=project,
        storyteller=other,
        actor=facilitator,
        title=f"{control} title",
        text=f"Jo: The waiting list was {control} long.",
    )
    kept_quote = coding.highlight_create(
        story=kept,
        transcript=kept.transcripts.get(),
        char_start=0,
        char_end=20,
        actor=facilitator,
    ).highlight
    shared = coding.theme_create(project=project, name="Waiting", actor=facilitator).theme
    coding.highlight_tag(highlight=kept_quote, theme=shared, actor=facilitator)
    ours = Highlight.objects.get(review_sheet__story__storyteller=teller)
    coding.highlight_tag(highlight=ours, theme=shared, actor=facilitator)

    # A message naming the storyteller's speaker waits in the facilitator's session.
    client.force_login(facilitator)
    story = Story.objects.get(storyteller=teller, title=mark("title"))
    speaker = story.speakers.get(display_name=mark("display"))
    answer = client.post(
        reverse(
            "stories:speaker_edit",
            kwargs={"project_slug": project.slug, "story_id": story.pk, "speaker_id": speaker.pk},
        ),
        {"display_name": mark("renamed"), "part": speaker.part},
    )
    assert answer.status_code == 302

    # Before: the marker is in the tables, a session, the files and the database file.
    before = _db_hits(marker)
    assert {"stories_storyteller.real_name", "jobs_job.params", "analysis_boardnote.text"} <= {
        hit for hit in before
    }
    assert any(hit.startswith("session") for hit in before)
    assert any("media" in hit for hit in _file_hits(marker, data_dir))
    assert any("uploads" in hit for hit in _file_hits(marker, data_dir))
    if connection.vendor == "sqlite":
        assert any(str(p) in _file_hits(marker, data_dir) for p in _database_files())

    answer = client.post(
        reverse(
            "stories:consent_withdraw",
            kwargs={"project_slug": project.slug, "storyteller_id": teller.pk},
        ),
        {"confirm": "on", "note": "Asked by phone."},
    )
    assert answer.status_code == 302

    assert _db_hits(marker) == []
    assert _file_hits(marker, data_dir) == []
    assert not FileDeletion.objects.exists()

    # The search reaches where a leak would be: the other story is still found everywhere.
    assert "stories_story.title" in _db_hits(control)
    if connection.vendor == "sqlite":
        assert _file_hits(control, data_dir)
    # What stays: the shared theme with the other quote, and an audit entry without content.
    assert list(Theme.objects.values_list("name", flat=True)) == ["Waiting"]
    assert list(shared.highlight_links.values_list("highlight_id", flat=True)) == [kept_quote.pk]
    assert not BoardNote.objects.exists()
    assert not Suggestion.objects.exists()
    withdrawal = Event.objects.get(verb="consent.withdraw")
    assert withdrawal.actor == facilitator
    assert withdrawal.data == {"stories_removed": 3}
    # The finished import job keeps its row for the jobs page, emptied; the waiting one is gone.
    assert list(
        Job.objects.filter(kind="stories.import_batch").values_list("params", "result")
    ) == [({}, {})]
