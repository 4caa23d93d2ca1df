"""A round's results as the results page shows them: per item, figures, a chart and its table.

Built from ``selectors.round_results`` (the command line's scoring) in a fixed
number of queries however many items, people and comments there are. A group
below the round's minimum is named with "fewer than N people answered" and
never given a figure: not its count, not its median, not its share of the
spread (the spread shown is everyone's, and only once everyone together
reaches the minimum).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cohub.apps.assess import charts, scoring
from cohub.apps.assess.forms import DONT_KNOW_LABEL, answer_label
from cohub.apps.assess.models import AnswerKind, AssessmentAction, AssessmentItem, AssessmentRound
from cohub.apps.assess.peer_selectors import PeerFigure, peer_results
from cohub.apps.assess.selectors import (
    earlier_rounds,
    item_choices,
    item_comments,
    matrix_counts,
    round_actions,
    round_results,
)

EVERYONE = "everyone"
PEER = "peer"
SHORT = {
    EVERYONE: "All",
    PEER: "R",
    "lived_experience": "L",
    "practitioner": "P",
    "facilitator": "F",
    "decision_maker": "D",
}


def hidden_words(min_group: int) -> str:
    """What a hidden group says instead of a figure."""
    if min_group <= 1:
        return "no one answered"
    return f"fewer than {min_group} people answered"


def median_words(median: float | None, options: list[str]) -> str:
    """A median as words: "4 (agree)", or between two answers when the middle two differ."""
    if median is None:
        return ""
    if median.is_integer():
        step = int(median)
        return f"{step} ({answer_label(options[step - 1]).lower()})"
    low, high = int(median), int(median) + 1
    return (
        f"{median:g} (between {answer_label(options[low - 1]).lower()} "
        f"and {answer_label(options[high - 1]).lower()})"
    )


@dataclass
class GroupLine:
    """One row of an item's table: a group, and its figure or why it has none."""

    key: str
    label: str
    n: int | None
    median: str
    hidden_note: str
    value: float | None = None  # the median as a number (the round report's gap lines)


@dataclass
class ItemPanel:
    item: AssessmentItem
    kind: str
    options: list[str]
    gap: float | None
    groups: list[GroupLine]
    spread: list[tuple[str, int]]
    spread_shown: bool
    chart: Any
    chart_kind: str
    summary: str
    comments: list[str] = field(default_factory=list)
    actions: list[AssessmentAction] = field(default_factory=list)
    trend: list[TrendRow] = field(default_factory=list)
    # Beside the members' figures, never part of them (ADR 0034): None with no sent review.
    peer: GroupLine | None = None
    peer_comments: list[str] = field(default_factory=list)


@dataclass
class TrendRow:
    """One round's figures for an item, for the "over time" table: everyone, then each group."""

    round: AssessmentRound
    current: bool
    cells: list[str]


TREND_HEADINGS = ["Everyone", *(scoring.GROUP_WORDS[g] for g in scoring.GROUPS)]


def _trend_cells(result: scoring.ItemResult, options: list[str], min_group: int) -> list[str]:
    lines = _lines(_series(result, min_group), result, options, min_group)
    return [line.hidden_note or line.median for line in lines]


def _trends(assessment: AssessmentRound) -> dict[tuple[int, str], list[TrendRow]]:
    """Earlier rounds' medians of the same items (same framework, same item key), oldest first.

    Each round is scored with its own minimum; a question a later version
    reworded keeps its key, so it still lines up.
    """
    found: dict[tuple[int, str], list[TrendRow]] = {}
    for earlier in earlier_rounds(assessment):
        for item, result in round_results(earlier):
            if item.framework_version.answer_kind == AnswerKind.MATRIX:
                continue
            key = (item.framework_version.framework_id, item.key)
            found.setdefault(key, []).append(
                TrendRow(
                    round=earlier,
                    current=False,
                    cells=_trend_cells(result, item_choices(item), earlier.min_group_size),
                )
            )
    return found


def _series(result: scoring.ItemResult, min_group: int) -> list[charts.Series]:
    rows = [
        charts.Series(
            key=EVERYONE,
            label="Everyone",
            short=SHORT[EVERYONE],
            median=result.all.median,
            hidden=result.all.n < min_group,
        )
    ]
    for key in scoring.GROUPS:
        group = result.groups.get(key, scoring.GroupResult(n=0, median=None))
        rows.append(
            charts.Series(
                key=key,
                label=scoring.GROUP_WORDS[key],
                short=SHORT[key],
                median=group.median,
                hidden=group.n < min_group,
            )
        )
    return rows


def _lines(
    series: list[charts.Series], result: scoring.ItemResult, options: list[str], min_group: int
) -> list[GroupLine]:
    counts = {EVERYONE: result.all.n, **{k: g.n for k, g in result.groups.items()}}
    lines = []
    for one in series:
        if one.hidden:
            lines.append(GroupLine(one.key, one.label, None, "", hidden_words(min_group)))
        else:
            lines.append(
                GroupLine(
                    one.key,
                    one.label,
                    counts.get(one.key, 0),
                    median_words(one.median, options) or "no median: only \u201cdon't know\u201d",
                    "",
                    one.median,
                )
            )
    return lines


def _summary(panel_gap: float | None, lines: list[GroupLine]) -> str:
    shown = [line for line in lines if not line.hidden_note and line.key != EVERYONE]
    parts = [f"{line.label}: {line.median}" for line in shown]
    hidden = [line.label for line in lines if line.hidden_note and line.key != EVERYONE]
    text = "; ".join(parts) if parts else "No group has enough answers to show."
    if hidden:
        text += f" Not shown (too few answers): {', '.join(hidden)}."
    return text


def peer_line(figure: PeerFigure | None, options: list[str], kind: str) -> GroupLine | None:
    """The "Peer review" row of an item's table, or None when no reviewer's answer counts."""
    if figure is None or not figure.shown:
        return None
    if kind == AnswerKind.MATRIX:
        chosen = ", ".join(
            f"{answer_label(cell)} ({count})" for cell, count in sorted(figure.cells.items())
        )
        return GroupLine(PEER, "Peer review", figure.n, chosen, "")
    return GroupLine(
        PEER,
        "Peer review",
        figure.n,
        median_words(figure.median, options) or "no median: only \u201cdon't know\u201d",
        "",
    )


def _peer_series(figure: PeerFigure | None) -> list[charts.Series]:
    if figure is None or not figure.shown:
        return []
    return [
        charts.Series(
            key=PEER, label="Peer review", short=SHORT[PEER], median=figure.median, hidden=False
        )
    ]


def item_panels(
    assessment: AssessmentRound, *, comments_from_shown_groups: bool = False
) -> list[ItemPanel]:
    """Every item of the round, widest gap first, ready for the results page.

    ``comments_from_shown_groups``: keep only comments whose writer's group
    reached the minimum (the round report's stricter rule, ADR 0035).

    Peer reviewers' figures (``peer_selectors.peer_results``) are drawn beside
    the groups' in the chart and the table, after the members' own figures
    (the gap and the order) are worked out without them.
    """
    min_group = assessment.min_group_size
    peers = peer_results(assessment)
    comments = item_comments(
        assessment, min_count=min_group, shown_groups_only=comments_from_shown_groups
    )
    matrices = matrix_counts(assessment)
    actions = round_actions(assessment)
    trends = _trends(assessment)
    panels = []
    for item, result in round_results(assessment):
        kind = item.framework_version.answer_kind
        options = item_choices(item)
        if kind == AnswerKind.MATRIX:
            counts = matrices.get(item.pk, {})
            answered = sum(counts.values())
            shown = answered >= min_group
            spread = [(answer_label(o), counts.get(o, 0)) for o in options] + [
                (DONT_KNOW_LABEL, counts.get(scoring.DONT_KNOW, 0))
            ]
            lines = [
                GroupLine(EVERYONE, "Everyone", answered, "", "")
                if shown
                else GroupLine(EVERYONE, "Everyone", None, "", hidden_words(min_group))
            ]
            heat = charts.heat_map(counts, choices=options) if shown else None
            summary = (
                f"{answered} people chose a cell; the most chosen: "
                + ", ".join(
                    answer_label(o) for o in options if counts.get(o) == max(counts.values())
                )
                if shown and counts
                else f"Not shown: {hidden_words(min_group)}."
            )
            panels.append(
                ItemPanel(
                    item=item,
                    kind=kind,
                    options=options,
                    gap=None,
                    groups=lines,
                    spread=spread,
                    spread_shown=shown,
                    chart=heat,
                    chart_kind="heat_map",
                    summary=summary,
                    comments=comments.get(item.pk, []),
                    actions=actions.get(item.pk, []),
                    peer=peer_line(peers.get(item.pk), options, kind),
                    peer_comments=peers[item.pk].comments if item.pk in peers else [],
                )
            )
            continue
        series = _series(result, min_group)
        lines = _lines(series, result, options, min_group)
        earlier = trends.get((item.framework_version.framework_id, item.key), [])
        trend = (
            [
                *earlier,
                TrendRow(
                    round=assessment,
                    current=True,
                    cells=[line.hidden_note or line.median for line in lines],
                ),
            ]
            if earlier
            else []
        )
        shown = result.all.n >= min_group
        spread = [
            (answer_label(o), result.distribution.get(step, 0))
            for step, o in enumerate(options, start=1)
        ] + [(DONT_KNOW_LABEL, result.distribution.get(None, 0))]
        figure = peers.get(item.pk)
        drawn = [*series, *_peer_series(figure)]
        peer = peer_line(figure, options, kind)
        summary = _summary(result.gap, lines)
        if peer is not None:
            summary += f" Peer review (from outside the project, not in the gap): {peer.median}."
        if kind == AnswerKind.LADDER:
            chart: Any = charts.ladder_chart(drawn, rungs=options)
            chart_kind = "ladder"
        else:
            chart = charts.dot_plot(drawn, steps=len(options), hidden_note=hidden_words(min_group))
            chart_kind = "dot_plot"
        panels.append(
            ItemPanel(
                item=item,
                kind=kind,
                options=options,
                gap=result.gap,
                groups=lines,
                spread=spread,
                spread_shown=shown,
                chart=chart,
                chart_kind=chart_kind,
                summary=summary,
                comments=comments.get(item.pk, []),
                actions=actions.get(item.pk, []),
                trend=trend,
                peer=peer,
                peer_comments=figure.comments if figure else [],
            )
        )
    return panels
