"""Checking recordings by their content, with real files that ffmpeg and espeak-ng make."""

from __future__ import annotations

import pytest

from cohub.pipeline.media import (
    MediaError,
    MediaLimits,
    MediaProblem,
    check_recording,
    describe_duration,
    file_sha256,
)
from tests import media_support as media

LIMITS = MediaLimits(max_bytes=50 * 1024 * 1024, max_seconds=10 * 60)


def _refusal(path, limits=LIMITS, name=None) -> MediaError:
    with pytest.raises(MediaError) as caught:
        check_recording(path, name=name or path.name, limits=limits)
    return caught.value


def test_speech_is_accepted_with_its_length_format_and_codec(tmp_path):
    info = check_recording(media.speech(tmp_path, "robin.m4a"), name="robin.m4a", limits=LIMITS)

    assert 5_000 < info.duration_ms < 20_000
    assert "mp4" in info.container
    assert info.audio_codec == "aac"
    assert not info.has_video
    assert info.loudest_db > -30


def test_a_text_file_named_mp3_is_not_a_recording_whatever_its_name(tmp_path):
    fake = tmp_path / "interview.mp3"
    fake.write_text("Robin: this is a transcript, not a recording\n")

    error = _refusal(fake)

    assert error.problem == MediaProblem.NOT_MEDIA
    assert str(error).startswith("interview.mp3 is not a sound or video recording")


def test_a_real_recording_with_the_wrong_name_is_still_accepted(tmp_path):
    mp3 = media.speech(tmp_path, "story.mp3")
    renamed = tmp_path / "story.txt"
    mp3.rename(renamed)

    assert check_recording(renamed, name="story.txt", limits=LIMITS).container == "mp3"


def test_an_m4a_cut_off_part_way_is_damaged(tmp_path):
    cut = media.cut_short(media.speech(tmp_path, "whole.m4a"), tmp_path, "cut.m4a")

    error = _refusal(cut)

    assert error.problem == MediaProblem.DAMAGED
    assert "cut.m4a is damaged or incomplete" in str(error)


def test_an_mp3_cut_off_part_way_says_how_much_could_be_played(tmp_path):
    cut = media.cut_short(media.speech(tmp_path, "whole.mp3"), tmp_path, "cut.mp3")

    error = _refusal(cut)

    assert error.problem == MediaProblem.DAMAGED
    assert "but only the first" in str(error)


def test_silence_is_refused_as_silent(tmp_path):
    error = _refusal(media.silence(tmp_path, seconds=4))

    assert error.problem == MediaProblem.SILENT
    assert str(error).startswith(
        "silence.wav is silent: there is no sound anywhere in its 4 seconds"
    )


def test_an_empty_file_is_refused_as_empty(tmp_path):
    empty = tmp_path / "nothing.ogg"
    empty.touch()

    error = _refusal(empty)

    assert (error.problem, str(error)) == (
        MediaProblem.EMPTY,
        "nothing.ogg is empty: there is nothing in it.",
    )


def test_too_long_is_refused_with_both_lengths(tmp_path):
    error = _refusal(media.tone(tmp_path, seconds=12), MediaLimits(10**9, max_seconds=5))

    assert error.problem == MediaProblem.TOO_LONG
    assert str(error).startswith(
        "tone.mp3 is 12 seconds long, and recordings can be at most 5 seconds."
    )


def test_too_big_is_refused_before_anything_is_decoded(tmp_path):
    error = _refusal(media.tone(tmp_path, seconds=3), MediaLimits(max_bytes=1000, max_seconds=60))

    assert error.problem == MediaProblem.TOO_BIG
    assert "recordings can be at most" in str(error)


def test_a_video_without_sound_is_refused(tmp_path):
    error = _refusal(media.pictures_only(tmp_path))

    assert error.problem == MediaProblem.NO_SOUND
    assert "has pictures but no sound" in str(error)


def test_a_transcript_file_is_sent_to_the_transcript_import(tmp_path):
    vtt = tmp_path / "call.vtt"
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:02.000\n<v Robin>Hello there\n")

    error = _refusal(vtt)

    assert error.problem == MediaProblem.TRANSCRIPT
    assert "Import a transcript file" in str(error)


def test_without_ffmpeg_the_refusal_says_to_install_it(tmp_path, monkeypatch):
    path = media.tone(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools-here"))

    error = _refusal(path)

    assert error.problem == MediaProblem.TOOLS_MISSING
    assert "apt-get install ffmpeg" in str(error)


def test_the_hash_is_of_the_bytes(tmp_path):
    one = media.tone(tmp_path, "a.mp3")
    two = tmp_path / "b.mp3"
    two.write_bytes(one.read_bytes())

    assert file_sha256(one) == file_sha256(two)
    assert len(file_sha256(one)) == 64


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "0 seconds"),
        (1, "1 second"),
        (59, "59 seconds"),
        (60, "1 minute"),
        (3900, "1 hour 5 minutes"),
    ],
)
def test_lengths_are_said_as_people_say_them(seconds, words):
    assert describe_duration(seconds) == words
