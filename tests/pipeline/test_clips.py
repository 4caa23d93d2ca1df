"""Clips: byte ranges, media types, cutting and joining with ffmpeg, WebVTT, safe names."""

from __future__ import annotations

import json
import subprocess

import pytest

from cohub.pipeline.clips import (
    ClipSpan,
    PlaylistClip,
    RangeNotSatisfiable,
    content_type,
    cut_clip,
    join_clips,
    parse_range,
    playlist_captions,
    playlist_chapters,
    playlist_timeline,
    safe_name,
)
from cohub.pipeline.words import WordTime
from tests import media_support as media


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-99", (0, 99)),
        ("bytes=900-", (900, 999)),
        ("bytes=-100", (900, 999)),
        ("bytes=990-5000", (990, 999)),
        ("bytes=0-1,5-6", None),  # several ranges: the whole file instead
        ("items=0-5", None),
        ("bytes=50-10", None),
    ],
)
def test_a_range_header_is_read_as_players_send_it(header, expected):
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_a_range_past_the_end_cannot_be_met(header):
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 1000)


def test_the_media_type_comes_from_the_probe():
    assert content_type("ogg", has_video=False) == "audio/ogg"
    assert content_type("matroska,webm", has_video=False) == "audio/webm"
    assert content_type("mov,mp4,m4a,3gp,3g2,mj2", has_video=False) == "audio/mp4"
    assert content_type("mov,mp4,m4a,3gp,3g2,mj2", has_video=True) == "video/mp4"
    assert content_type("something-new", has_video=False) == "application/octet-stream"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("Zoë's story", "zoe-s-story"),
        ("/absolute\\windows\\path", "absolute-windows-path"),
        ("...", "clip"),
        ("\x00\x1f", "clip"),
    ],
)
def test_safe_names_are_never_paths(text, expected):
    assert safe_name(text) == expected


CLIPS = [
    PlaylistClip(
        start_ms=10_000,
        end_ms=12_000,
        words=(WordTime(10_000, 10_800, "Nobody", 0.9), WordTime(11_000, 12_000, "rang.", 0.9)),
        text="Nobody rang.",
        credit="Sky",
        title="Waiting <for> the council",
    ),
    PlaylistClip(
        start_ms=3_000,
        end_ms=4_500,
        words=(),
        text="It helped & it didn't.",
        credit="Interviewer (Sam)",
        title="Second story",
    ),
]


def test_captions_and_chapters_follow_the_clips_played_one_after_another():
    assert playlist_timeline(CLIPS, gap_ms=500) == [0, 2500]

    captions = playlist_captions(CLIPS, gap_ms=500)
    chapters = playlist_chapters(CLIPS, gap_ms=500)

    assert captions.startswith("WEBVTT\n\n")
    assert "00:00:00.000 --> 00:00:02.000\n<v Sky>Nobody rang.</v>" in captions
    assert (
        "00:00:02.500 --> 00:00:04.000\n<v Interviewer (Sam)>It helped &amp; it didn't.</v>"
        in captions
    )
    assert "clip-1\n00:00:00.000 --> 00:00:02.000\nClip 1: Sky, from “Waiting &lt;for&gt;" in (
        chapters
    )
    assert "clip-2\n00:00:02.500 --> 00:00:04.000\n" in chapters


def _seconds(path):
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(probe.stdout)
    return float(data["format"]["duration"]), data["streams"][0]["codec_name"]


def test_a_clip_is_cut_to_its_span_and_clips_join_with_a_pause(tmp_path):
    recording = media.speech(tmp_path, "story.wav")

    clip = cut_clip(ClipSpan(recording, 1000, 2500), tmp_path / "clip.ogg")
    joined = join_clips(
        [ClipSpan(recording, 1000, 2500), ClipSpan(recording, 3000, 4000)],
        tmp_path / "joined.ogg",
        gap_ms=700,
    )

    seconds, codec = _seconds(clip)
    assert codec == "opus" and seconds == pytest.approx(1.5, abs=0.05)
    seconds, _ = _seconds(joined)
    assert seconds == pytest.approx(1.5 + 0.7 + 1.0, abs=0.08)
