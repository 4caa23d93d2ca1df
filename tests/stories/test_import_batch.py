"""Importing a batch of files: each file stands alone, and each refusal names its file."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cohub.apps.core.errors import ServiceError
from cohub.apps.core.models import Event
from cohub.apps.stories import services
from cohub.apps.stories.consent import current_consent
from cohub.apps.stories.models import Segment, Story, Storyteller, Transcript
from tests.factories import GATHER_ONLY, TWO_SPEAKER_VTT, make_storyteller

pytestmark = pytest.mark.django_db

BROKEN_VTT = b"""WEBVTT

1
00:00:01.000 --> 00:00:04.500
<v Sam>Fine so far.</v>

2
00:00:05.000 -> 00:00:09
<v Robin>This cue has a broken timing line.</v>
"""


def _file(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def _batch(project, *files, **options) -> services.BatchResult:
    return services.stories_import_batch(project=project, actor=None, files=files, **options)


def test_an_empty_and_a_broken_file_do_not_stop_the_good_one(project):
    storyteller = make_storyteller(project)
    result = _batch(
        project,
        _file("empty.vtt", b""),
        _file("broken.vtt", BROKEN_VTT),
        _file("good.vtt", TWO_SPEAKER_VTT),
        storyteller=storyteller,
    )
    assert [item.filename for item in result.files] == ["empty.vtt", "broken.vtt", "good.vtt"]
    empty, broken, good = result.files
    assert empty.story is None and "empty" in empty.error
    assert broken.story is None and broken.error.startswith("Line 8 (cue 2):")
    assert good.story is not None
    assert result.imported == [good]
    assert result.failed == [empty, broken]
    assert broken.message.startswith("broken.vtt was not imported: Line 8 (cue 2):")
    assert good.message == f"good.vtt was added as the story '{good.story.title}'."
    # Only the good file left anything behind.
    assert list(Story.objects.values_list("source_filename", flat=True)) == ["good.vtt"]
    assert Transcript.objects.count() == 1
    assert Segment.objects.count() == 3


def test_the_same_file_twice_in_one_batch_keeps_the_first(project):
    storyteller = make_storyteller(project)
    result = _batch(
        project,
        _file("first.vtt", TWO_SPEAKER_VTT),
        _file("copy.vtt", TWO_SPEAKER_VTT),
        storyteller=storyteller,
    )
    first, copy = result.files
    assert first.story is not None
    assert copy.story is None
    assert copy.error == (
        f"This transcript is already in the project as the story '{first.story.title}'. "
        "Nothing new was added."
    )
    assert list(Story.objects.values_list("source_filename", flat=True)) == ["first.vtt"]


def test_without_a_storyteller_each_file_gets_its_own_and_a_failed_file_keeps_none(project):
    result = _batch(
        project,
        _file("robin-call.vtt", TWO_SPEAKER_VTT),
        _file("alex.vtt", BROKEN_VTT),
        consent_for_new=GATHER_ONLY,
        consent_note="From a batch.",
    )
    good, broken = result.files
    assert good.storyteller_created and good.story is not None
    assert good.story.storyteller.pseudonym == "robin-call"
    assert broken.story is None and not broken.storyteller_created
    assert list(Storyteller.objects.values_list("pseudonym", flat=True)) == ["robin-call"]
    consent = current_consent(good.story.storyteller)
    assert [str(scope) for scope in consent.granted_scopes()] == ["record", "transcribe"]
    assert consent.note == "From a batch."
    # The storyteller made for the broken file left no trace in the audit trail either.
    assert Event.objects.filter(verb="storyteller.create").count() == 1


def test_a_named_storyteller_is_made_once_for_the_whole_batch(project):
    other = b"Sam: And after that?\n\nAlex: I found a group that met on Saturdays."
    result = _batch(
        project,
        _file("broken.vtt", BROKEN_VTT),
        _file("one.vtt", TWO_SPEAKER_VTT),
        _file("two.txt", other),
        storyteller_pseudonym="Alex",
        consent_for_new={**GATHER_ONLY, "keep_until": None},
        title="Saturday group",
    )
    assert [item.storyteller_created for item in result.files] == [False, True, False]
    alex = Storyteller.objects.get(project=project)
    assert alex.pseudonym == "Alex"
    assert {story.storyteller for story in Story.objects.all()} == {alex}
    assert list(Story.objects.values_list("title", flat=True)) == ["Saturday group"] * 2


def test_an_existing_storyteller_found_by_name_keeps_their_consent(project):
    robin = make_storyteller(project, pseudonym="Robin")
    result = _batch(
        project,
        _file("one.vtt", TWO_SPEAKER_VTT),
        storyteller_pseudonym="Robin",
        consent_for_new={"record": True},
    )
    assert result.files[0].story.storyteller == robin
    assert not result.files[0].storyteller_created
    assert current_consent(robin).version == 1


def test_a_name_two_storytellers_share_is_refused_before_any_file(project):
    # The services and the database refuse a shared name; rows written around them
    # (here two names that fold alike in Python but not in SQL) must still not be guessed
    # between.
    Storyteller.objects.create(project=project, pseudonym="Straße")
    Storyteller.objects.create(project=project, pseudonym="STRASSE")
    with pytest.raises(ServiceError, match="Two storytellers in this project are called"):
        _batch(project, _file("one.vtt", TWO_SPEAKER_VTT), storyteller_pseudonym="strasse")
    assert not Story.objects.exists()


class _CountingUpload:
    """A large upload that records how much the import asked to read."""

    name = "big.txt"

    def __init__(self, size: int) -> None:
        self.data = b"x" * size
        self.asked: list[int] = []

    def read(self, size: int = -1, /) -> bytes:
        self.asked.append(size)
        return self.data if size < 0 else self.data[:size]


def test_an_upload_is_read_at_most_one_byte_past_the_limit(project, monkeypatch):
    monkeypatch.setattr("cohub.apps.stories.services.MAX_TRANSCRIPT_BYTES", 10)
    monkeypatch.setattr("cohub.pipeline.formats.base.MAX_TRANSCRIPT_BYTES", 10)
    upload = _CountingUpload(500)
    result = _batch(project, upload, storyteller=make_storyteller(project))
    assert upload.asked == [11]
    assert "over the 0 MB limit" in result.files[0].error
    assert not Story.objects.exists()


class _UnreadableUpload:
    name = "gone.vtt"

    def read(self, size: int = -1, /) -> bytes:
        raise FileNotFoundError(2, "No such file or directory")


def test_a_file_that_cannot_be_read_is_named_and_the_rest_imported(project):
    result = _batch(
        project,
        _UnreadableUpload(),
        _file("good.vtt", TWO_SPEAKER_VTT),
        storyteller=make_storyteller(project),
    )
    gone, good = result.files
    assert gone.message == (
        "gone.vtt was not imported: The file could not be read (No such file or directory)."
    )
    assert good.story is not None
