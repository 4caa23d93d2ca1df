"""A big import runs as a job: the page hands over to the job's page, and the files go after."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cohub.apps.jobs.models import Job, JobStatus
from cohub.apps.stories import services
from cohub.apps.stories.models import Story
from cohub.apps.stories.uploads import IMPORT_BATCH
from tests.factories import TWO_SPEAKER_VTT

pytestmark = pytest.mark.django_db


def _vtt(n: int) -> SimpleUploadedFile:
    """A different small transcript per ``n``, so none is refused as a repeat."""
    return SimpleUploadedFile(f"call-{n}.vtt", TWO_SPEAKER_VTT.replace(b"Sam", f"Sam{n}".encode()))


def _big_txt() -> SimpleUploadedFile:
    """Over a megabyte, and still within the 20,000 parts a story may hold."""
    line = "Robin: I waited on hold again, day {n} of it, and nobody answered the phone."
    data = "\n\n".join(line.format(n=n) for n in range(15_000)).encode()
    assert len(data) > services.BIG_IMPORT_BYTES
    return SimpleUploadedFile("long.txt", data)


def _import(client, project, storyteller, files):
    return client.post(
        reverse("stories:story_import", kwargs={"project_slug": project.slug}),
        {"storyteller": storyteller.pk, "title": "", "files": files},
    )


def _stored_files() -> list[str]:
    folders = (
        default_storage.listdir("pending-imports")[0]
        if default_storage.exists("pending-imports")
        else []
    )
    return [
        f"pending-imports/{folder}/{name}"
        for folder in folders
        for name in default_storage.listdir(f"pending-imports/{folder}")[1]
    ]


def test_small_imports_stay_in_the_page_and_big_ones_become_jobs():
    small = [SimpleUploadedFile(f"{n}.vtt", b"x" * 1000) for n in range(5)]
    assert not services.import_runs_as_job(small)
    assert services.import_runs_as_job([*small, SimpleUploadedFile("6.vtt", b"x")])
    assert services.import_runs_as_job([SimpleUploadedFile("big.txt", b"x" * 1024 * 1024)])


def test_six_files_are_imported_by_a_job_that_then_deletes_them(
    client, project, facilitator, storyteller, django_capture_on_commit_callbacks
):
    client.force_login(facilitator)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = _import(client, project, storyteller, [_vtt(n) for n in range(6)])
    job = Job.objects.get(kind=IMPORT_BATCH)
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", kwargs={"job_id": job.pk})
    # Nothing is imported inside the request; the files wait where the worker reads them.
    assert not Story.objects.exists()
    assert len(_stored_files()) == 6
    assert job.params["storyteller_id"] == storyteller.pk

    for callback in queued:
        callback()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert Story.objects.filter(storyteller=storyteller).count() == 6
    assert _stored_files() == []
    assert job.result["lines"][0] == "call-0.vtt was added as the story 'Call 0'."
    page = client.get(response["Location"]).content.decode()
    assert "6 of 6 files became stories." in page
    assert "call-5.vtt was added as the story" in page


def test_a_big_file_with_a_bad_neighbour_keeps_the_good_one_and_names_the_other(
    client, project, facilitator, storyteller, django_capture_on_commit_callbacks
):
    client.force_login(facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _import(
            client,
            project,
            storyteller,
            [_big_txt(), SimpleUploadedFile("notes.pdf", b"%PDF-1.4")],
        )
    job = Job.objects.get(kind=IMPORT_BATCH)
    assert response.status_code == 302
    assert Story.objects.get().source_filename == "long.txt"
    assert job.result["lines"][1].startswith("notes.pdf was not imported: '.pdf' files cannot")
    assert "1 of 2 files became stories." in client.get(response["Location"]).content.decode()
    assert _stored_files() == []


def test_withdrawal_before_the_job_runs_deletes_the_files_and_imports_nothing(
    client, project, facilitator, storyteller, django_capture_on_commit_callbacks
):
    client.force_login(facilitator)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        _import(client, project, storyteller, [_vtt(n) for n in range(6)])
    assert len(_stored_files()) == 6

    with django_capture_on_commit_callbacks(execute=True):
        services.consent_withdraw(storyteller=storyteller, actor=facilitator)
    assert _stored_files() == []
    # The job listed the person's file names: it goes too, and the worker finds nothing to do.
    assert not Job.objects.filter(kind=IMPORT_BATCH).exists()

    for callback in queued:
        callback()
    assert not Story.objects.exists()
    assert not Job.objects.filter(kind=IMPORT_BATCH).exists()
