"""The results charts' geometry, worked out on the server (ADR 0029).

Pages draw each chart as an inline SVG from these numbers, with its data
table beside it: no chart script, nothing the Content Security Policy has to
allow, and the same picture on every browser and in print. Every function is
plain Python (no Django), so the shapes can be tested without a page.

A hidden group (fewer than the round's minimum answered) is never placed on
a chart: its row or column says so in words, and carries no figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 340
LABEL_EDGE = 122  # where the row labels end (they are right-aligned to it)
PLOT_LEFT = 140
PLOT_RIGHT = 322
ROW_HEIGHT = 34
TOP = 12


@dataclass(frozen=True)
class Series:
    """One group's figure for a chart: its words, its median (None: hidden or none known)."""

    key: str
    label: str
    short: str
    median: float | None
    hidden: bool


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class DotRow:
    label: str
    y: float
    text_y: float
    dot_x: float | None
    note: str
    key: str = ""

    @property
    def mark_x(self) -> float | None:
        """The left edge of the square the peer reviewers' row is drawn with."""
        return None if self.dot_x is None else round(self.dot_x - 7, 1)

    @property
    def mark_y(self) -> float:
        return round(self.y - 7, 1)


@dataclass(frozen=True)
class DotPlot:
    width: int
    height: int
    rows: list[DotRow]
    ticks: list[Tick]
    grid: list[float]
    plot_left: int
    plot_right: int
    label_edge: int
    axis_y: float


def _x(step: float, steps: int) -> float:
    if steps <= 1:
        return (PLOT_LEFT + PLOT_RIGHT) / 2
    return round(PLOT_LEFT + (step - 1) * (PLOT_RIGHT - PLOT_LEFT) / (steps - 1), 1)


def dot_plot(series: Sequence[Series], *, steps: int, hidden_note: str) -> DotPlot:
    """One row a group, a dot at its median on a 1..``steps`` axis; hidden rows say why."""
    rows = []
    for index, one in enumerate(series):
        y = TOP + index * ROW_HEIGHT + ROW_HEIGHT / 2
        if one.hidden:
            note = hidden_note
        elif one.median is None:
            note = "only \u201cdon't know\u201d"
        else:
            note = ""
        rows.append(
            DotRow(
                label=one.label,
                y=y,
                text_y=y + 5,
                dot_x=None if note else _x(one.median or 0, steps),
                note=note,
                key=one.key,
            )
        )
    axis_y = TOP + len(rows) * ROW_HEIGHT + 4
    ticks = [Tick(x=_x(s, steps), y=axis_y + 18, label=str(s)) for s in range(1, steps + 1)]
    return DotPlot(
        width=WIDTH,
        height=int(axis_y + 28),
        rows=rows,
        ticks=ticks,
        grid=[t.x for t in ticks],
        plot_left=PLOT_LEFT,
        plot_right=PLOT_RIGHT,
        label_edge=LABEL_EDGE,
        axis_y=axis_y,
    )


@dataclass(frozen=True)
class Rung:
    number: int
    label: str
    y: float
    text_y: float


@dataclass(frozen=True)
class Marker:
    short: str
    label: str
    x: float
    y: float
    text_y: float


@dataclass(frozen=True)
class LadderChart:
    width: int
    height: int
    rungs: list[Rung]
    markers: list[Marker]
    columns: list[Tick]
    rail_left: int
    rail_right: int
    label_edge: int
    top: float
    bottom: float


def ladder_chart(series: Sequence[Series], *, rungs: Sequence[str]) -> LadderChart:
    """The ladder drawn upright (the top rung highest), a column a shown group, its median marked.

    A median between two rungs (the middle two differ) sits halfway between them.
    """
    count = len(rungs)
    head = 30  # the column letters
    top = TOP + head

    def rung_y(value: float) -> float:
        return round(top + (count - value) * ROW_HEIGHT + ROW_HEIGHT / 2, 1)

    drawn_rungs = [
        Rung(number=n, label=label, y=rung_y(n), text_y=rung_y(n) + 5)
        for n, label in enumerate(rungs, start=1)
    ]
    shown = [s for s in series if not s.hidden and s.median is not None]
    width_each = (PLOT_RIGHT - PLOT_LEFT) / max(len(shown), 1)
    columns, markers = [], []
    for index, one in enumerate(shown):
        x = round(PLOT_LEFT + width_each * (index + 0.5), 1)
        columns.append(Tick(x=x, y=TOP + 16, label=one.short))
        y = rung_y(one.median or 0)
        markers.append(Marker(short=one.short, label=one.label, x=x, y=y, text_y=y + 5))
    bottom = top + count * ROW_HEIGHT
    return LadderChart(
        width=WIDTH,
        height=int(bottom + TOP),
        rungs=drawn_rungs,
        markers=markers,
        columns=columns,
        rail_left=PLOT_LEFT - 10,
        rail_right=PLOT_RIGHT + 10,
        label_edge=LABEL_EDGE,
        top=top,
        bottom=bottom,
    )


# The stylesheet's heat-0 .. heat-4, again as attributes on the SVG (a PDF reads these,
# not the page's CSS); the text colour on each keeps 4.5:1.
HEAT_FILLS = ("#ffffff", "#dbe7f5", "#9dbde3", "#3d6fae", "#163e70")
HEAT_TEXT_FILLS = ("#1b1b1b", "#1b1b1b", "#1b1b1b", "#ffffff", "#ffffff")


@dataclass(frozen=True)
class Cell:
    x: float
    y: float
    size: float
    count: int
    shade: int
    text_x: float
    text_y: float
    label: str

    @property
    def fill(self) -> str:
        return HEAT_FILLS[self.shade]

    @property
    def text_fill(self) -> str:
        return HEAT_TEXT_FILLS[self.shade]


@dataclass(frozen=True)
class HeatMap:
    width: int
    height: int
    rows: list[Tick]
    columns: list[Tick]
    cells: list[Cell]
    grid: list[list[int]]
    row_names: list[str]
    column_names: list[str]


def split_cells(choices: Sequence[str]) -> tuple[list[str], list[str]]:
    """The matrix's rows (who plans) and columns (who delivers), from "plan/deliver" choices."""
    rows: list[str] = []
    columns: list[str] = []
    for choice in choices:
        plan, _, deliver = choice.partition("/")
        if plan not in rows:
            rows.append(plan)
        if deliver not in columns:
            columns.append(deliver)
    return rows, columns


def heat_map(counts: dict[str, int], *, choices: Sequence[str]) -> HeatMap:
    """A square a cell, darker the more people chose it, with the number written in it.

    Five shades, each with a text colour that keeps 4.5:1 (the stylesheet's
    ``heat-0`` .. ``heat-4``); the number is always there, so colour is never
    the only way to read it.
    """
    row_names, column_names = split_cells(choices)
    left, top, size = 112, 34, 72
    most = max(counts.values(), default=0)
    cells, grid = [], []
    for r, plan in enumerate(row_names):
        line = []
        for c, deliver in enumerate(column_names):
            count = counts.get(f"{plan}/{deliver}", 0)
            line.append(count)
            shade = 0 if not count or not most else min(4, 1 + (3 * count) // most)
            x, y = left + c * (size + 4), top + r * (size + 4)
            cells.append(
                Cell(
                    x=x,
                    y=y,
                    size=size,
                    count=count,
                    shade=shade,
                    text_x=x + size / 2,
                    text_y=y + size / 2 + 7,
                    label=f"planned by {plan}, delivered by {deliver}: {count}",
                )
            )
        grid.append(line)
    return HeatMap(
        width=WIDTH,
        height=top + len(row_names) * (size + 4) + 4,
        rows=[
            Tick(x=left - 8, y=top + r * (size + 4) + size / 2 + 5, label=name)
            for r, name in enumerate(row_names)
        ],
        columns=[
            Tick(x=left + c * (size + 4) + size / 2, y=22, label=name)
            for c, name in enumerate(column_names)
        ],
        cells=cells,
        grid=grid,
        row_names=row_names,
        column_names=column_names,
    )
