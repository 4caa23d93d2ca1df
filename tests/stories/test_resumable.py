"""Recordings sent in pieces by the tus protocol: resumed after a cut, checked, never kept twice.

Real requests through the real endpoint (Django's test client speaks HTTP to
the views and middleware), real recordings made by espeak-ng and ffmpeg, and a
real folder for the pieces, so each test sees exactly what a phone would get
back and what is left on the disk.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import tracemalloc
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from cohub.apps.jobs.registry import get as get_kind
from cohub.apps.projects.models import ProjectRole
from cohub.apps.stories import services
from cohub.apps.stories.jobs import EXPIRE_UPLOADS
from cohub.apps.stories.models import Recording, RecordingUpload, Story
from cohub.apps.stories.resumable import (
    upload_append,
    upload_create,
    upload_path,
    uploads_expire,
)
from cohub.pipeline.media import file_sha256
from tests import media_support as media
from tests.factories import ProjectFactory, make_member, make_storyteller

pytestmark = pytest.mark.django_db

TUS = {"Tus-Resumable": "1.0.0"}
PIECE = "application/offset+octet-stream"


@pytest.fixture
def pieces_dir(settings, tmp_path) -> Path:
    folder = tmp_path / "uploads"
    settings.COHUB_UPLOADS_DIR = folder
    return folder


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return root


@pytest.fixture
def reporter(project):
    return make_member(project, ProjectRole.COMMUNITY_REPORTER)


@pytest.fixture
def recording(tmp_path) -> Path:
    folder = tmp_path / "phone"
    folder.mkdir()
    return media.speech(folder, "kitchen-table.m4a")


def _metadata(**values: str) -> str:
    return ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in values.items()
    )


def _create(client, project, storyteller, length: int, filename: str = "kitchen-table.m4a"):
    return client.post(
        reverse("stories:upload_create", kwargs={"project_slug": project.slug}),
        headers={
            **TUS,
            "Upload-Length": str(length),
            "Upload-Metadata": _metadata(
                filename=filename, filetype="audio/mp4", storyteller=str(storyteller.pk)
            ),
        },
    )


def _patch(client, location: str, offset: int, data: bytes, **extra):
    return client.generic(
        "PATCH",
        location,
        data=data,
        content_type=PIECE,
        headers={**TUS, "Upload-Offset": str(offset)},
        **extra,
    )


def _head(client, location: str):
    return client.head(location, headers=TUS)


def test_a_recording_sent_in_pieces_becomes_a_story_like_one_sent_at_once(
    client, project, storyteller, reporter, recording, pieces_dir, media_root
):
    data = recording.read_bytes()
    client.force_login(reporter)

    created = _create(client, project, storyteller, len(data))

    assert created.status_code == 201, created.content
    assert created["Tus-Resumable"] == "1.0.0"
    assert created["Upload-Expires"]
    location = created["Location"]
    assert location.startswith("http://testserver/")
    third = len(data) // 3
    for start in (0, third, 2 * third):
        end = len(data) if start == 2 * third else start + third
        answer = _patch(client, location, start, data[start:end])
        assert answer.status_code == 204, answer.content
        assert answer["Upload-Offset"] == str(end)
    head = _head(client, location)
    assert (head.status_code, head["Upload-Offset"], head["Upload-Length"]) == (
        200,
        str(len(data)),
        str(len(data)),
    )
    assert "no-store" in head["Cache-Control"]

    upload = RecordingUpload.objects.get()
    page = client.post(
        reverse("stories:recording_add", kwargs={"project_slug": project.slug}),
        {"storyteller": storyteller.pk, "upload": upload.token, "title": ""},
    )

    assert page.status_code == 302, page.content.decode()[:2000]
    story = Story.objects.get(project=project)
    assert story.title == "Kitchen table"
    assert story.source_filename == "kitchen-table.m4a"
    assert Recording.objects.get(story=story).sha256 == file_sha256(recording)
    # Nothing is left of the upload: its row and its pieces went when it was kept.
    assert not RecordingUpload.objects.exists()
    assert list(pieces_dir.iterdir()) == []


def test_a_piece_cut_off_by_a_dropped_connection_keeps_what_arrived_and_resumes(
    client, project, storyteller, reporter, recording, pieces_dir
):
    data = recording.read_bytes()
    client.force_login(reporter)
    location = _create(client, project, storyteller, len(data))["Location"]
    half = len(data) // 2

    # The phone says the piece is the whole file, then the connection closes at half.
    cut = _patch(
        client,
        location,
        0,
        b"",
        CONTENT_LENGTH=str(len(data)),
        CONTENT_TYPE=PIECE,
        **{"wsgi.input": io.BytesIO(data[:half])},
    )

    assert cut.status_code == 204
    assert _head(client, location)["Upload-Offset"] == str(half)
    # The client asks where to go on, and sends the rest from there.
    rest = _patch(client, location, half, data[half:])
    assert rest.status_code == 204 and rest["Upload-Offset"] == str(len(data))
    upload = RecordingUpload.objects.get()
    assert upload_path(upload).read_bytes() == data


def test_a_connection_that_fails_mid_read_keeps_the_bytes_before_it(
    project, storyteller, reporter, pieces_dir
):
    upload = upload_create(
        project=project,
        actor=reporter,
        length=300_000,
        metadata=_metadata(filename="a.webm", storyteller=str(storyteller.pk)),
    )

    class Dropping(io.BytesIO):
        """A socket that hands over 100 KB and then reports the connection reset."""

        def read(self, size: int = -1, /) -> bytes:
            if self.tell() >= 100_000:
                raise ConnectionResetError("connection reset by peer")
            return super().read(min(size, 100_000 - self.tell()))

    appended = upload_append(
        upload=upload, offset=0, stream=Dropping(b"x" * 300_000), content_length=300_000
    )

    assert (appended.received, appended.offset, appended.complete) == (100_000, 100_000, False)
    assert upload_path(upload).stat().st_size == 100_000


def test_a_piece_sent_twice_is_written_once_and_the_hub_says_where_it_is(
    client, project, storyteller, reporter, recording, pieces_dir
):
    data = recording.read_bytes()
    client.force_login(reporter)
    location = _create(client, project, storyteller, len(data))["Location"]
    first = data[:1000]

    assert _patch(client, location, 0, first).status_code == 204
    # The answer was lost on the way back, so the phone sends the same piece again.
    replay = _patch(client, location, 0, first)

    assert replay.status_code == 409
    assert replay["Upload-Offset"] == "1000"
    assert "1000 bytes have arrived" in replay.content.decode()
    assert upload_path(RecordingUpload.objects.get()).read_bytes() == first
    # A piece that claims to start further on than what arrived is refused too.
    ahead = _patch(client, location, 5000, data[5000:6000])
    assert ahead.status_code == 409 and ahead["Upload-Offset"] == "1000"


def test_a_recording_over_the_size_limit_is_refused_before_any_byte_is_sent(
    client, project, storyteller, reporter, settings, pieces_dir
):
    settings.COHUB_RECORDING_MAX_BYTES = 2 * 1024 * 1024
    client.force_login(reporter)

    answer = _create(client, project, storyteller, 3 * 1024 * 1024, filename="long-call.mp4")

    assert answer.status_code == 413
    text = answer.content.decode()
    assert "long-call.mp4 is 3.0 MB" in text and "at most 2.0 MB" in text
    assert not RecordingUpload.objects.exists()
    assert not pieces_dir.exists() or list(pieces_dir.iterdir()) == []


def test_a_piece_that_goes_past_the_end_is_refused_whole(
    client, project, storyteller, reporter, pieces_dir
):
    client.force_login(reporter)
    location = _create(client, project, storyteller, 10)["Location"]

    answer = _patch(client, location, 0, b"x" * 11)

    assert answer.status_code == 413
    assert _head(client, location)["Upload-Offset"] == "0"


def test_an_upload_is_only_for_the_person_who_started_it_in_its_own_project(
    client, project, storyteller, reporter, pieces_dir
):
    client.force_login(reporter)
    location = _create(client, project, storyteller, 100)["Location"]
    token = RecordingUpload.objects.get().token

    # Another community reporter in the same project may not see or add to it.
    client.force_login(make_member(project, ProjectRole.COMMUNITY_REPORTER))
    assert _head(client, location).status_code == 403
    assert _patch(client, location, 0, b"x" * 10).status_code == 403
    assert client.delete(location, headers=TUS).status_code == 403

    # Through another project's address, even its own starter finds nothing there.
    other = ProjectFactory()
    make_member(other, ProjectRole.COMMUNITY_REPORTER, user=reporter)
    client.force_login(reporter)
    elsewhere = reverse(
        "stories:upload_detail", kwargs={"project_slug": other.slug, "upload_id": token}
    )
    assert _head(client, elsewhere).status_code == 404
    assert _patch(client, elsewhere, 0, b"x" * 10).status_code == 404
    assert upload_path(RecordingUpload.objects.get()).stat().st_size == 0


def test_only_people_who_may_add_stories_may_start_an_upload(
    client, project, storyteller, pieces_dir
):
    client.force_login(make_member(project, ProjectRole.DECISION_MAKER))

    assert _create(client, project, storyteller, 100).status_code == 403

    client.force_login(make_member(ProjectFactory(), ProjectRole.FACILITATOR))
    assert _create(client, project, storyteller, 100).status_code == 403
    assert not RecordingUpload.objects.exists()


def test_without_consent_to_record_nothing_is_received(client, project, reporter, pieces_dir):
    teller = make_storyteller(project, consent={"transcribe": True}, pseudonym="Kit")
    client.force_login(reporter)

    answer = _create(client, project, teller, 100)

    assert answer.status_code == 403
    assert answer.content.decode() == "Kit has not agreed that we record their story."
    assert not RecordingUpload.objects.exists()


def test_consent_taken_back_part_way_stops_the_upload_and_deletes_what_came(
    client, project, storyteller, reporter, pieces_dir
):
    client.force_login(reporter)
    location = _create(client, project, storyteller, 100)["Location"]
    assert _patch(client, location, 0, b"x" * 50).status_code == 204

    services.consent_record(storyteller=storyteller, actor=None, transcribe=True)
    answer = _patch(client, location, 50, b"x" * 50)

    assert answer.status_code == 403
    assert "has not agreed that we record their story" in answer.content.decode()
    assert not RecordingUpload.objects.exists()
    assert list(pieces_dir.iterdir()) == []


def test_withdrawal_removes_unfinished_uploads(
    client, project, storyteller, reporter, pieces_dir, django_capture_on_commit_callbacks
):
    client.force_login(reporter)
    location = _create(client, project, storyteller, 100)["Location"]
    _patch(client, location, 0, b"x" * 50)

    with django_capture_on_commit_callbacks(execute=True):
        services.consent_withdraw(storyteller=storyteller, actor=None)

    assert not RecordingUpload.objects.exists()
    assert list(pieces_dir.iterdir()) == []
    assert _head(client, location).status_code == 404


def test_an_abandoned_upload_is_removed_by_the_periodic_job(
    client, project, storyteller, reporter, pieces_dir
):
    client.force_login(reporter)
    stale = _create(client, project, storyteller, 100)["Location"]
    _patch(client, stale, 0, b"x" * 10)
    fresh = _create(client, project, storyteller, 100)["Location"]
    RecordingUpload.objects.filter(pk=RecordingUpload.objects.order_by("pk").first().pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    # A file no upload owns (its project was deleted), older than a day.
    stray = pieces_dir / "0123456789abcdef0123456789abcdef"
    stray.write_bytes(b"left behind")
    old = (timezone.now() - dt.timedelta(days=2)).timestamp()
    import os

    os.utime(stray, (old, old))

    # Past its expiry it is gone at once, before the job has even run.
    assert _head(client, stale).status_code == 404
    assert uploads_expire() == 2

    assert RecordingUpload.objects.count() == 1
    assert _head(client, fresh).status_code == 200
    assert sorted(p.name for p in pieces_dir.iterdir()) == [RecordingUpload.objects.get().token]
    kind = get_kind(EXPIRE_UPLOADS)
    assert kind.every == dt.timedelta(hours=1)


def test_a_finished_upload_that_is_not_a_recording_is_refused_and_nothing_is_kept(
    client, project, storyteller, reporter, pieces_dir, media_root
):
    data = b"Robin: this is a transcript, not a recording\n" * 20
    client.force_login(reporter)
    location = _create(client, project, storyteller, len(data), filename="interview.mp3")[
        "Location"
    ]
    assert _patch(client, location, 0, data).status_code == 204
    token = RecordingUpload.objects.get().token

    page = client.post(
        reverse("stories:recording_add", kwargs={"project_slug": project.slug}),
        {"storyteller": storyteller.pk, "upload": token},
    )

    assert page.status_code == 200
    text = page.content.decode()
    assert "interview.mp3" in text and "transcript" in text
    assert not Story.objects.filter(project=project).exists()
    assert not RecordingUpload.objects.exists()
    assert list(pieces_dir.iterdir()) == []
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))
    # The form no longer points at the upload that went.
    assert f'value="{token}"' not in text


def test_a_mistake_in_the_details_keeps_the_sent_recording_for_the_next_try(
    client, project, storyteller, reporter, recording, pieces_dir, media_root
):
    data = recording.read_bytes()
    client.force_login(reporter)
    location = _create(client, project, storyteller, len(data))["Location"]
    _patch(client, location, 0, data)
    token = RecordingUpload.objects.get().token
    url = reverse("stories:recording_add", kwargs={"project_slug": project.slug})

    wrong = client.post(
        url, {"storyteller": storyteller.pk, "upload": token, "recorded_on": "not a date"}
    )

    assert wrong.status_code == 200
    text = wrong.content.decode()
    assert "has arrived, so you do not need to send it again" in text
    assert f'value="{token}"' in text
    assert RecordingUpload.objects.filter(token=token).exists()

    right = client.post(url, {"storyteller": storyteller.pk, "upload": token, "title": "Kitchen"})
    assert right.status_code == 302
    assert Story.objects.get(project=project).title == "Kitchen"


def test_an_unfinished_upload_cannot_be_saved_yet(
    client, project, storyteller, reporter, pieces_dir
):
    client.force_login(reporter)
    location = _create(client, project, storyteller, 100, filename="walk.webm")["Location"]
    _patch(client, location, 0, b"x" * 40)

    page = client.post(
        reverse("stories:recording_add", kwargs={"project_slug": project.slug}),
        {"storyteller": storyteller.pk, "upload": RecordingUpload.objects.get().token},
    )

    assert page.status_code == 200
    assert "Only part of walk.webm has arrived (40 of 100 bytes)" in page.content.decode()
    assert RecordingUpload.objects.exists()


def test_the_endpoint_speaks_tus_and_says_so_when_asked_otherwise(
    client, project, storyteller, reporter, pieces_dir
):
    client.force_login(reporter)
    create_url = reverse("stories:upload_create", kwargs={"project_slug": project.slug})

    options = client.options(create_url)
    assert options.status_code == 204
    assert options["Tus-Version"] == "1.0.0"
    assert options["Tus-Extension"] == "creation,termination,expiration"
    assert int(options["Tus-Max-Size"]) > 0

    no_version = client.post(create_url, headers={"Upload-Length": "10"})
    assert no_version.status_code == 412 and no_version["Tus-Version"] == "1.0.0"
    no_length = client.post(create_url, headers=TUS)
    assert no_length.status_code == 400
    nobody = client.post(create_url, headers={**TUS, "Upload-Length": "10"})
    assert nobody.status_code == 400
    assert nobody.content.decode() == "Choose whose story this is before sending the recording."

    location = _create(client, project, storyteller, 10)["Location"]
    wrong_type = client.generic(
        "PATCH",
        location,
        data=b"x",
        content_type="audio/webm",
        headers={**TUS, "Upload-Offset": "0"},
    )
    assert wrong_type.status_code == 415
    assert client.delete(location, headers=TUS).status_code == 204
    assert not RecordingUpload.objects.exists()
    assert _head(client, location).status_code == 404


def test_a_big_piece_is_copied_to_disk_without_being_held_in_memory(
    project, storyteller, reporter, pieces_dir
):
    size = 8 * 1024 * 1024
    upload = upload_create(
        project=project,
        actor=reporter,
        length=size,
        metadata=_metadata(filename="long.webm", storyteller=str(storyteller.pk)),
    )
    source = pieces_dir.parent / "source.bin"
    source.write_bytes(b"\0" * size)

    with source.open("rb") as stream:
        tracemalloc.start()
        try:
            appended = upload_append(upload=upload, offset=0, stream=stream, content_length=size)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

    assert appended.complete
    assert peak < size / 16, f"held {peak} bytes at once for a {size} byte piece"


def test_without_tus_js_client_the_recorder_says_so_and_files_go_whole(
    client, project, storyteller, reporter, settings, tmp_path
):
    # As on a hub installed where npm was missing: no vendor folder to serve from.
    settings.STATICFILES_DIRS = [settings.BASE_DIR / "cohub" / "static"]
    settings.STATIC_ROOT = tmp_path / "static"
    client.force_login(reporter)

    record = client.get(reverse("stories:recording_record", args=[project.slug]))
    add = client.get(reverse("stories:recording_add", args=[project.slug]))

    text = record.content.decode()
    assert "Recording on this page is not available on this hub" in text
    assert "tus-js-client" in text and "add the recording file" in text
    assert "recorder.js" not in text
    # The file picker still works, sending the file with the form.
    assert "data-resumable-form" not in add.content.decode()
    assert 'type="file"' in add.content.decode()


def test_with_tus_js_client_both_pages_send_in_pieces(client, project, storyteller, reporter):
    client.force_login(reporter)

    record = client.get(reverse("stories:recording_record", args=[project.slug])).content.decode()
    add = client.get(reverse("stories:recording_add", args=[project.slug])).content.decode()

    assert "/static/vendor/tus-js-client/tus.min.js" in record and "recorder.js" in record
    assert "data-resumable-form" in add and "/static/vendor/tus-js-client/tus.min.js" in add
