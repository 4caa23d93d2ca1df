"""Dates a person types: a story is not told in the future, nor kept until a day gone by.

Each rule is tried on the service (what the command line and jobs use), on
every page where the date is typed, and on the command line, and the refusal
names the date.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cohub import cli
from cohub.apps.core.dates import spoken_date
from cohub.apps.core.errors import ServiceError
from cohub.apps.projects.models import ProjectRole
from cohub.apps.stories import services
from cohub.apps.stories.consent import current_consent
from cohub.apps.stories.models import Story, Storyteller
from tests.factories import make_member, make_story

pytestmark = pytest.mark.django_db


def _today() -> dt.date:
    return timezone.localdate()


def _tomorrow() -> dt.date:
    return _today() + dt.timedelta(days=1)


def _yesterday() -> dt.date:
    return _today() - dt.timedelta(days=1)


def _url(name, project, **kwargs):
    return reverse(f"stories:{name}", kwargs={"project_slug": project.slug, **kwargs})


def _future_message(day: dt.date) -> str:
    return f"The day it was told cannot be in the future: {spoken_date(day)} has not come yet."


def test_spoken_date_is_how_people_say_it():
    assert spoken_date(dt.date(2026, 3, 1)) == "1 March 2026"


# --- Services --------------------------------------------------------------------------------


def test_a_typed_story_dated_tomorrow_is_refused_and_today_is_fine(project, storyteller):
    with pytest.raises(ServiceError, match=_future_message(_tomorrow())):
        services.story_create_from_text(
            project=project,
            storyteller=storyteller,
            actor=None,
            title="Too soon",
            text="Sam: Hello.",
            recorded_on=_tomorrow(),
        )
    assert not Story.objects.exists()
    story = services.story_create_from_text(
        project=project,
        storyteller=storyteller,
        actor=None,
        title="Today",
        text="Sam: Hello.",
        recorded_on=_today(),
    )
    assert story.recorded_on == _today()


def test_changing_a_story_to_a_future_date_is_refused(project, story):
    with pytest.raises(ServiceError, match=_future_message(_tomorrow())):
        services.story_update(story=story, actor=None, recorded_on=_tomorrow())
    story.refresh_from_db()
    assert story.recorded_on is None


def test_a_batch_dated_tomorrow_imports_nothing(project, storyteller):
    upload = SimpleUploadedFile("call.txt", b"Sam: Hello.")
    with pytest.raises(ServiceError, match=_future_message(_tomorrow())):
        services.stories_import_batch(
            project=project,
            actor=None,
            files=[upload],
            storyteller=storyteller,
            recorded_on=_tomorrow(),
        )
    assert not Story.objects.exists()


def test_consent_kept_until_yesterday_is_refused_naming_the_date(storyteller):
    with pytest.raises(ServiceError, match=spoken_date(_yesterday())):
        services.consent_record(
            storyteller=storyteller, actor=None, record=True, keep_until=_yesterday()
        )


# --- Pages -----------------------------------------------------------------------------------


def test_the_story_page_refuses_a_future_date_beside_the_field(client, project, storyteller):
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    page = client.get(_url("story_create", project)).content.decode()
    assert f'max="{_today().isoformat()}"' in page
    response = client.post(
        _url("story_create", project),
        {
            "storyteller": storyteller.pk,
            "title": "After the flood",
            "recorded_on": _tomorrow().isoformat(),
            "text": "Sam: What happened?",
        },
    )
    assert response.status_code == 200
    assert _future_message(_tomorrow()) in response.content.decode()
    assert "After the flood" in response.content.decode()  # what was typed is kept
    assert not Story.objects.exists()


def test_the_import_page_refuses_a_future_date(client, project, storyteller):
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    response = client.post(
        _url("story_import", project),
        {
            "storyteller": storyteller.pk,
            "recorded_on": _tomorrow().isoformat(),
            "files": [SimpleUploadedFile("call.txt", b"Sam: Hello.")],
        },
    )
    assert _future_message(_tomorrow()) in response.content.decode()
    assert not Story.objects.exists()


def test_the_story_details_page_refuses_a_future_date(client, project, storyteller):
    story = make_story(project, storyteller=storyteller, title="Kept")
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    response = client.post(
        _url("story_edit", project, story_id=story.pk),
        {"title": "Kept", "recorded_on": _tomorrow().isoformat()},
    )
    assert _future_message(_tomorrow()) in response.content.decode()
    story.refresh_from_db()
    assert story.recorded_on is None


def test_the_consent_pages_refuse_a_keep_until_date_gone_by(client, project, storyteller):
    client.force_login(make_member(project, ProjectRole.FACILITATOR))
    url = _url("consent_update", project, storyteller_id=storyteller.pk)
    assert f'min="{_today().isoformat()}"' in client.get(url).content.decode()
    response = client.post(
        url, {"record": "on", "transcribe": "on", "keep_until": _yesterday().isoformat()}
    )
    page = response.content.decode()
    assert (
        f"The &#x27;keep until&#x27; date cannot be in the past: {spoken_date(_yesterday())} "
        "has already gone." in page
    )
    assert current_consent(storyteller).version == 1


# --- The command line ------------------------------------------------------------------------


def test_the_cli_refuses_keep_until_gone_by_before_importing_anything(project, tmp_path, capsys):
    transcript = tmp_path / "call.txt"
    transcript.write_text("Sam: Hello.")
    code = cli.main(
        [
            "import-transcript",
            "--project",
            project.slug,
            "--keep-until",
            _yesterday().isoformat(),
            str(transcript),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert spoken_date(_yesterday()) in err and "has already gone" in err
    assert err.count("has already gone") == 1
    assert not Storyteller.objects.exists()
