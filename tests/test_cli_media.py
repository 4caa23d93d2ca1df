"""``cohub import-media``: the same services and permission rules as the "Add a recording" page."""

from __future__ import annotations

import pytest

from cohub import cli
from cohub.apps.jobs.models import Job, JobStatus
from cohub.apps.projects.models import ProjectRole
from cohub.apps.stories.models import Story, Storyteller, Transcript
from cohub.apps.stories.recordings import TRANSCRIBE
from tests import media_support as media
from tests.factories import ProjectFactory, make_member


@pytest.fixture
def media_root(settings, tmp_path):
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return root


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "recordings"
    path.mkdir()
    return path


@pytest.mark.django_db(transaction=True)
def test_wait_transcribes_the_good_file_itself_and_names_the_bad_one(media_root, folder, capsys):
    project = ProjectFactory()
    good = media.speech(folder, "kitchen-table.m4a")
    bad = folder / "notes.mp3"
    bad.write_text("not a recording\n")

    code = cli.main(
        [
            "import-media",
            "--project",
            project.slug,
            "--storyteller",
            "Robin",
            "--wait",
            str(good),
            str(bad),
        ]
    )

    out, err = capsys.readouterr()
    assert code == 1
    story = Story.objects.get()
    assert f"added {good} as story #{story.pk} 'Kitchen table'; transcription queued" in out
    assert f"error {bad}: notes.mp3 is not a sound or video recording" in err
    assert "kitchen-table.m4a: transcribed: " in err
    assert Transcript.objects.filter(story=story).count() == 1
    assert Job.objects.get(kind=TRANSCRIBE).status == JobStatus.SUCCEEDED
    teller = Storyteller.objects.get()
    assert (teller.pseudonym, teller.consent_records.get().transcribe) == ("Robin", True)


@pytest.mark.django_db
def test_without_consent_to_transcribe_the_recording_is_kept_and_waits(media_root, folder, capsys):
    project = ProjectFactory()
    path = media.tone(folder, "walk.mp3")

    code = cli.main(["import-media", "--project", project.slug, "--consent", "record", str(path)])

    assert code == 0
    out = capsys.readouterr().out
    assert "it will be transcribed once walk agrees to transcription" in out
    assert not Job.objects.filter(kind=TRANSCRIBE).exists()


@pytest.mark.django_db
def test_without_consent_to_record_nothing_is_kept_and_no_storyteller_is_left(
    media_root, folder, capsys
):
    project = ProjectFactory()
    path = media.tone(folder, "walk.mp3")

    code = cli.main(
        ["import-media", "--project", project.slug, "--consent", "transcribe", str(path)]
    )

    assert code == 1
    assert "has not agreed that we record their story" in capsys.readouterr().err
    assert not Story.objects.exists() and not Storyteller.objects.exists()


@pytest.mark.django_db
def test_someone_who_may_not_add_stories_is_refused_as_on_the_web(media_root, folder, capsys):
    project = ProjectFactory()
    member = make_member(project, ProjectRole.MEMBER)
    path = media.tone(folder)

    code = cli.main(["import-media", "--project", project.slug, "--as", member.email, str(path)])

    assert code == 1
    assert f"{member.email} may not add stories" in capsys.readouterr().err
    assert not Story.objects.exists()


@pytest.mark.django_db
def test_the_same_recording_again_is_refused_and_queues_nothing(media_root, folder, capsys):
    project = ProjectFactory()
    path = media.tone(folder)
    assert (
        cli.main(["import-media", "--project", project.slug, "--storyteller", "Kit", str(path)])
        == 0
    )

    code = cli.main(["import-media", "--project", project.slug, "--storyteller", "Kit", str(path)])

    assert code == 1
    assert "already in the project as the story 'Tone'" in capsys.readouterr().err
    assert Story.objects.count() == 1 and Job.objects.filter(kind=TRANSCRIBE).count() == 1
