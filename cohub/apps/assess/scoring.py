"""Assessment scoring as plain functions (no Django): the hub and ``cohub assess`` share it.

Answers are positions on a scale ("scale steps"): 1 for "strongly disagree" to
5 for "strongly agree", or a rung of the ladder, 1 for coercing to 7 for
co-producing. "Don't know" is an answer (it counts in ``n``) but has no
position, so it is left out of medians. A group's median is shown only when
at least ``min_group`` people of that group answered the item; the gap is the
highest shown group median minus the lowest, and the items with the widest
gap come first (ADR 0028).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

GROUPS = ("lived_experience", "practitioner", "facilitator", "decision_maker")
GROUP_WORDS = {
    "lived_experience": "Lived experience",
    "practitioner": "Practitioner",
    "facilitator": "Facilitator",
    "decision_maker": "Decision-maker",
}
DONT_KNOW = "don't know"
SCALE = (
    "strongly disagree",
    "disagree",
    "neither agree nor disagree",
    "agree",
    "strongly agree",
)
DEFAULT_MIN_GROUP = 3


def scale_step(label: str, options: Sequence[str] = SCALE) -> int | None:
    """The step (1 = lowest) of ``label`` among ``options``; None for "don't know".

    Raises ValueError for a label that is neither.
    """
    cleaned = " ".join(label.strip().lower().replace("\u2019", "'").split())
    if cleaned in {DONT_KNOW, "dont know", "dont_know"}:
        return None
    lowered = [o.lower() for o in options]
    if cleaned not in lowered:
        raise ValueError(cleaned)
    return lowered.index(cleaned) + 1


@dataclass(frozen=True)
class ScoredAnswer:
    """One person's answer to one item: their group and step (None for "don't know")."""

    respondent: str
    group: str
    item: str
    step: int | None


@dataclass(frozen=True)
class GroupResult:
    n: int
    median: float | None

    def as_dict(self) -> dict[str, object]:
        return {"n": self.n, "median": self.median}


@dataclass(frozen=True)
class ItemResult:
    item: str
    all: GroupResult
    groups: dict[str, GroupResult]
    gap: float | None
    distribution: dict[int | None, int] = field(default_factory=dict)


def median(steps: Iterable[int | None]) -> float | None:
    """The median of the known steps ("don't know" left out); None when none are known."""
    known = [s for s in steps if s is not None]
    if not known:
        return None
    value = statistics.median(known)
    return float(value)


def group_result(steps: Sequence[int | None], *, min_group: int) -> GroupResult:
    """``n`` counts everyone who answered; the median shows only from ``min_group`` people."""
    shown = len(steps) >= min_group
    return GroupResult(n=len(steps), median=median(steps) if shown else None)


def gap(groups: dict[str, GroupResult]) -> float | None:
    """Highest minus lowest shown group median; None with fewer than two groups shown."""
    medians = [g.median for g in groups.values() if g.median is not None]
    if len(medians) < 2:
        return None
    return max(medians) - min(medians)


def score_item(
    item: str, answers: Iterable[ScoredAnswer], *, min_group: int = DEFAULT_MIN_GROUP
) -> ItemResult:
    mine = [a for a in answers if a.item == item]
    by_group: dict[str, list[int | None]] = {}
    for answer in mine:
        by_group.setdefault(answer.group, []).append(answer.step)
    groups = {
        name: group_result(by_group[name], min_group=min_group)
        for name in GROUPS
        if name in by_group
    }
    distribution: dict[int | None, int] = {}
    for answer in mine:
        distribution[answer.step] = distribution.get(answer.step, 0) + 1
    return ItemResult(
        item=item,
        # Everyone together is a group too: too few answers overall show no median.
        all=group_result([a.step for a in mine], min_group=min_group),
        groups=groups,
        gap=gap(groups),
        distribution=distribution,
    )


def rank_by_gap(results: Iterable[ItemResult], order: Sequence[str] = ()) -> list[ItemResult]:
    """Largest gap first; items with no gap after, then in ``order`` (the framework's)."""
    position = {key: index for index, key in enumerate(order)}

    def sort_key(result: ItemResult) -> tuple[int, float, int, str]:
        missing = result.gap is None
        return (
            int(missing),
            -(result.gap or 0.0),
            position.get(result.item, len(position)),
            result.item,
        )

    return sorted(results, key=sort_key)


def score_items(
    items: Sequence[str], answers: Sequence[ScoredAnswer], *, min_group: int = DEFAULT_MIN_GROUP
) -> list[ItemResult]:
    """Every item in ``items`` scored and ranked, largest gap first."""
    return rank_by_gap(
        [score_item(item, answers, min_group=min_group) for item in items], order=items
    )


class AnswersFileError(ValueError):
    """A bad row in an answers file; the message names its line."""


ANSWER_COLUMNS = ("respondent", "group", "item", "answer")


def read_answers(
    lines: Iterable[str], *, items: Sequence[str], options: Sequence[str] = SCALE
) -> list[ScoredAnswer]:
    """Answers from CSV text with the columns ``respondent,group,item,answer``.

    ``options`` are the answers allowed, lowest first (the scale's labels, or
    the ladder's rungs); "don't know" is always allowed. A bad row is refused
    with its line number, and nothing is read.
    """
    import csv

    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise AnswersFileError(
            "line 1: the file is empty; it needs the columns " + ",".join(ANSWER_COLUMNS)
        )
    if [h.strip().lower() for h in header] != list(ANSWER_COLUMNS):
        raise AnswersFileError(
            "line 1: the first line must name the columns " + ",".join(ANSWER_COLUMNS)
        )
    known_items = set(items)
    seen: set[tuple[str, str]] = set()
    answers: list[ScoredAnswer] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(ANSWER_COLUMNS):
            raise AnswersFileError(
                f"line {line}: expected {len(ANSWER_COLUMNS)} values "
                f"({','.join(ANSWER_COLUMNS)}), found {len(row)}"
            )
        respondent, group, item, answer = (cell.strip() for cell in row)
        if not respondent:
            raise AnswersFileError(f"line {line}: the respondent is empty")
        if group not in GROUPS:
            raise AnswersFileError(
                f"line {line}: group {group!r} is not one of {', '.join(GROUPS)}"
            )
        if item not in known_items:
            raise AnswersFileError(f"line {line}: item {item!r} is not in this framework")
        try:
            step = scale_step(answer, options)
        except ValueError:
            allowed = ", ".join([*options, DONT_KNOW])
            raise AnswersFileError(
                f"line {line}: answer {answer!r} is not one of: {allowed}"
            ) from None
        if (respondent, item) in seen:
            raise AnswersFileError(
                f"line {line}: {respondent!r} already answered {item!r} on an earlier line"
            )
        seen.add((respondent, item))
        answers.append(ScoredAnswer(respondent=respondent, group=group, item=item, step=step))
    return answers


def result_record(result: ItemResult, title: str) -> dict[str, object]:
    """One item's result as ``cohub assess results`` prints it (every group named)."""
    return {
        "item": result.item,
        "title": title,
        "all": result.all.as_dict(),
        "groups": {
            name: result.groups.get(name, GroupResult(n=0, median=None)).as_dict()
            for name in GROUPS
        },
        "gap": result.gap,
    }
