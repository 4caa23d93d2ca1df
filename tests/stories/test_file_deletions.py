"""Files of removed stories are deleted after the commit, and retried until they are gone."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from cohub.apps.jobs.registry import get as get_kind
from cohub.apps.stories.jobs import DELETE_FILES, VACUUM
from cohub.apps.stories.models import FileDeletion
from cohub.apps.stories.purge import file_deletions_run, files_delete_on_commit, purged_tables
from cohub.apps.stories.services import consent_withdraw
from tests.factories import make_story, make_storyteller

pytestmark = pytest.mark.django_db


def test_files_go_only_once_the_removal_commits(tmp_path, django_capture_on_commit_callbacks):
    name = default_storage.save("recordings/kit.wav", ContentFile(b"Kit's voice"))
    local = tmp_path / "upload.part"
    local.write_bytes(b"half a recording")
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        files_delete_on_commit(names=[name], paths=[local])
        # Not yet: a rollback would otherwise lose the files of a story that stays.
        assert default_storage.exists(name) and local.exists()
    assert FileDeletion.objects.count() == 2
    for callback in waiting:
        callback()
    assert not default_storage.exists(name) and not local.exists()
    assert not FileDeletion.objects.exists()


def test_a_process_killed_before_deleting_is_finished_by_the_periodic_job(
    django_capture_on_commit_callbacks,
):
    name = default_storage.save("recordings/kit.wav", ContentFile(b"Kit's voice"))
    with django_capture_on_commit_callbacks(execute=False):
        files_delete_on_commit(names=[name])
    # The callbacks were never run, as when the process dies right after the commit.
    assert default_storage.exists(name)
    job = get_kind(DELETE_FILES)
    assert job.every is not None
    assert file_deletions_run() == 0
    assert not default_storage.exists(name)
    assert not FileDeletion.objects.exists()


def test_a_file_that_cannot_be_deleted_yet_is_kept_and_counted(tmp_path):
    stuck = tmp_path / "stuck"
    stuck.mkdir()  # a directory where a file was expected: unlinking it fails
    row = FileDeletion.objects.create(where="path", name=str(stuck))
    assert file_deletions_run() == 1
    row.refresh_from_db()
    assert row.attempts == 1
    assert row.last_error in {"IsADirectoryError", "PermissionError"}
    assert str(stuck) not in row.last_error
    stuck.rmdir()
    stuck.write_bytes(b"now a file")
    assert file_deletions_run() == 0
    assert not stuck.exists() and not FileDeletion.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_nightly_job_clears_the_database_files_only_after_a_purge(project):
    from cohub.apps.jobs.models import Job
    from cohub.apps.jobs.services import job_run

    first = Job.objects.create(kind=VACUUM)
    assert job_run(first.pk).result == {
        "vacuumed": 0,
        "note": "nothing was removed since the last run",
    }
    teller = make_storyteller(project, pseudonym="Kit")
    make_story(project, storyteller=teller)
    consent_withdraw(storyteller=teller, actor=None)
    second = job_run(Job.objects.create(kind=VACUUM).pk)
    if connection.vendor == "postgresql":
        assert second.result == {"vacuumed": len(purged_tables())}
        assert "stories_story" in purged_tables() and "django_session" in purged_tables()
    else:
        assert second.result == {"vacuumed": 0, "checkpoint": True}
