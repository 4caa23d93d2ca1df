"""Uploads are judged by what they are, not by what they claim: size, content and paths.

- A 2 GB upload is refused before its body is read, with what to do instead
  (core.middleware.RequestSizeMiddleware), for people signed in or not.
- A transcript file whose content disagrees with its name is refused through the
  import page with both named, and the good files beside it are still imported.
- A Word document with a path that climbs out of its folder ("zip-slip") is
  read in memory only: nothing is written where the path points.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cohub.apps.stories.models import Recording, Story
from tests.auth import VerifiedClient

TWO_GB = 2 * 1024**3
BOUNDARY = "cohubboundary"


class MadeAsRead:
    """A multipart body of ``size`` bytes, made as it is read, that counts what was read.

    It stops the test rather than make gigabytes: reading far into it means the hub
    would have streamed the whole upload to disk before refusing it.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.given = 0
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="long-story.m4a"\r\nContent-Type: audio/mp4\r\n\r\n'
        ).encode()

    def read(self, size: int = -1) -> bytes:
        if self.given > 16 * 1024 * 1024:
            raise AssertionError(f"the hub read {self.given:,} bytes of a body it should refuse")
        size = 64 * 1024 if size is None or size < 0 else min(size, 64 * 1024)
        size = min(size, self.size - self.given)
        start, self.given = self.given, self.given + size
        head = self.head[start : start + size]
        return head + bytes(size - len(head))

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def post_huge(client: Client, url: str, body: MadeAsRead):
    return client.generic(
        "POST",
        url,
        data=b"-",  # replaced below: generic() only sets the input when there is data
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(body.size),
        **{"wsgi.input": body},
    )


@pytest.mark.django_db
def test_a_2_gb_recording_is_refused_before_its_body_is_read(project, facilitator, storyteller):
    client = VerifiedClient()
    client.force_login(facilitator)
    body = MadeAsRead(TWO_GB)
    response = post_huge(client, reverse("stories:recording_add", args=[project.slug]), body)
    assert response.status_code == 413
    assert body.given == 0
    page = response.content.decode()
    assert "What you sent is 2,048 MB" in page
    limit = settings.COHUB_REQUEST_MAX_BYTES // (1024 * 1024)
    assert f"the hub takes at most {limit:,} MB at a time. Nothing of it was kept." in page
    assert "split it into shorter parts" in page
    assert not Story.objects.exists() and not Recording.objects.exists()
    # The page still carries the headers every page does.
    assert "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
def test_a_huge_body_is_refused_for_people_not_signed_in_too():
    body = MadeAsRead(TWO_GB)
    response = post_huge(Client(), reverse("accounts:login"), body)
    assert response.status_code == 413
    assert body.given == 0


@pytest.mark.django_db
def test_a_body_within_the_limit_reaches_the_page(project, facilitator, storyteller, settings):
    """Without this, a middleware that refused every upload would pass the tests above."""
    settings.COHUB_REQUEST_MAX_BYTES = 10_000
    client = VerifiedClient()
    client.force_login(facilitator)
    url = reverse("stories:story_import", args=[project.slug])
    small = SimpleUploadedFile("kit.txt", b"Kit: I waited all winter.")
    response = client.post(url, {"storyteller": storyteller.pk, "files": [small]})
    assert response.status_code in (200, 302)
    assert Story.objects.count() == 1
    big = SimpleUploadedFile("kit.txt", b"Kit: " + b"word " * 3000)
    response = client.post(url, {"storyteller": storyteller.pk, "files": [big]})
    assert response.status_code == 413
    assert Story.objects.count() == 1


def word_document(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_file_whose_name_and_content_disagree_is_refused_and_its_neighbour_kept(
    client, project, facilitator, storyteller
):
    client.force_login(facilitator)
    response = client.post(
        reverse("stories:story_import", args=[project.slug]),
        {
            "storyteller": storyteller.pk,
            "files": [
                SimpleUploadedFile("minutes.txt", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"),
                SimpleUploadedFile("kit.txt", b"Kit: The bus never came."),
            ],
        },
        follow=True,
    )
    page = response.content.decode()
    assert "minutes.txt" in page
    assert "name ends in .txt, but it holds a PDF document" in page
    assert list(Story.objects.values_list("source_filename", flat=True)) == ["kit.txt"]


@pytest.mark.django_db
def test_a_word_document_with_a_climbing_path_writes_nothing_there(
    client, project, facilitator, storyteller, tmp_path
):
    target = Path(settings.MEDIA_ROOT).parent / "escaped.xml"
    climbing = "../" * 12 + str(target).lstrip("/")
    source = io.BytesIO(word_document("Kit: The heater broke in March."))
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w") as crafted:
        for info in original.infolist():
            crafted.writestr(info, original.read(info))
        crafted.writestr(climbing, b"<x>escaped</x>")
        crafted.writestr("../../../../tmp/cohub-zip-slip.xml", b"<x>escaped</x>")
    client.force_login(facilitator)
    client.post(
        reverse("stories:story_import", args=[project.slug]),
        {"storyteller": storyteller.pk, "files": [SimpleUploadedFile("kit.docx", out.getvalue())]},
    )
    assert not target.exists()
    assert not Path("/tmp/cohub-zip-slip.xml").exists()  # noqa: S108 (the path it climbs to)
    story = Story.objects.get()
    assert "The heater broke in March." in story.transcripts.get().text
