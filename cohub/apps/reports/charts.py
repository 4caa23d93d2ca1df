"""Charts drawn on the server as SVG, for the report's page, its PDF and its file.

Drawn here, not in the browser, so the PDF (WeasyPrint draws SVG itself) and
a page with scripts turned off show the same chart, and the Content Security
Policy needs no exception: the markup uses presentation attributes and
classes, never ``style``. Each chart is an image with a title and a
description that say what it shows in words (``role="img"``,
``aria-labelledby``), and each is printed beside a real table of the same
numbers (``Chart.rows``), which is what a screen reader reads; the table and
the bars are built from the same list, so they cannot disagree.

Levels of change are told apart by a fill *and* a pattern of lines, so the
chart reads in grey print and for people who do not see the colours.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from cohub.apps.reports.report import Report

# value -> (fill, pattern id or ""): dark enough for 3:1 against white (WCAG 1.4.11).
LEVEL_LOOK = {
    "individual": ("#1d4f91", ""),
    "organisation": ("#b3541e", "hatch"),
    "society": ("#2e7d32", "dots"),
    "": ("#5f6368", "cross"),
}

LABEL_W = 210
BAR_W = 380
COUNT_W = 50
ROW_H = 26
BAR_H = 16
TOP = 8
LEGEND_H = 34


@dataclass(frozen=True)
class Segment:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class ChartRow:
    name: str
    anchor: str
    total: int
    stories: int
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    levels: tuple[tuple[str, str], ...]
    rows: tuple[ChartRow, ...]

    @property
    def svg(self) -> SafeString:
        return _draw(self)


def themes_by_level(report: Report, *, key: str = "chart-themes") -> Chart:
    """One bar per theme with quotes, as long as its count, split by level of change."""
    levels = tuple((c.value, c.label) for c in report.level_values)
    rows = tuple(
        ChartRow(
            name=theme.name,
            anchor=theme.anchor,
            total=theme.quote_count,
            stories=theme.story_count,
            segments=tuple(
                Segment(c.value, c.label, c.count)
                for c in theme.by_level
                if c.value in {v for v, _ in levels}
            ),
        )
        for theme in report.themes_with_quotes
    )
    if rows:
        top = rows[0]
        described = (
            f"{len(rows)} theme{'s' if len(rows) != 1 else ''}. The most quotes, {top.total}, "
            f"are about {top.name}. Each bar is split by level of change: "
            + ", ".join(label for _, label in levels)
            + ". The table after the chart gives every number."
        )
    else:
        described = "No theme has quotes yet."
    return Chart(
        key=key,
        title="Quotes for each theme, by level of change",
        description=described,
        levels=levels,
        rows=rows,
    )


def _patterns() -> str:
    return (
        "<defs>"
        '<pattern id="{k}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#b3541e"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/></pattern>'
        '<pattern id="{k}-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#2e7d32"/>'
        '<circle cx="3" cy="3" r="1.3" fill="#ffffff"/></pattern>'
        '<pattern id="{k}-cross" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#5f6368"/>'
        '<path d="M0 0L6 6M6 0L0 6" stroke="#ffffff" stroke-width="1"/></pattern>'
        "</defs>"
    )


def _fill(chart: Chart, value: str) -> str:
    colour, pattern = LEVEL_LOOK.get(value, LEVEL_LOOK[""])
    return f"url(#{chart.key}-{pattern})" if pattern else colour


def _draw(chart: Chart) -> SafeString:
    width = LABEL_W + BAR_W + COUNT_W
    height = TOP + ROW_H * max(len(chart.rows), 1) + LEGEND_H
    biggest = max((row.total for row in chart.rows), default=0) or 1
    parts = [
        format_html(
            '<svg class="report-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
            'viewBox="0 0 {} {}" width="{}" height="{}" aria-labelledby="{}-title {}-desc">'
            '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
            width,
            height,
            width,
            height,
            chart.key,
            chart.key,
            chart.key,
            chart.title,
            chart.key,
            chart.description,
        ),
        _patterns().replace("{k}", escape(chart.key)),
    ]
    for number, row in enumerate(chart.rows):
        y = TOP + number * ROW_H
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" fill="#202124" '
                'class="report-chart__label">{}</text>',
                LABEL_W - 8,
                y + BAR_H - 3,
                row.name if len(row.name) <= 30 else row.name[:29] + "…",
            )
        )
        x = float(LABEL_W)
        for segment in row.segments:
            if not segment.count:
                continue
            w = BAR_W * segment.count / biggest
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#ffffff" '
                    'stroke-width="1"><title>{}: {} {}</title></rect>',
                    f"{x:.1f}",
                    y,
                    f"{w:.1f}",
                    BAR_H,
                    _fill(chart, segment.value),
                    row.name,
                    segment.label.lower(),
                    segment.count,
                )
            )
            x += w
        parts.append(
            format_html(
                '<text x="{}" y="{}" fill="#202124" class="report-chart__count">{}</text>',
                f"{x + 6:.1f}",
                y + BAR_H - 3,
                row.total,
            )
        )
    legend_y = TOP + ROW_H * max(len(chart.rows), 1) + 10
    x = LABEL_W
    for value, label in chart.levels:
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="14" height="14" fill="{}"/>'
                '<text x="{}" y="{}" fill="#202124" class="report-chart__legend">{}</text>',
                x,
                legend_y,
                _fill(chart, value),
                x + 19,
                legend_y + 12,
                label,
            )
        )
        x += 30 + 8 * len(label)
    parts.append("</svg>")
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308  # every value escaped above
