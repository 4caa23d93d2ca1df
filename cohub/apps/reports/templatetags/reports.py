"""Template helpers for the findings report: its pictures, drawn inline from our own files."""

from __future__ import annotations

from functools import cache

from django import template
from django.contrib.staticfiles import finders
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ICONS = ("people", "talk", "star", "chart", "change")


@cache
def _icon_markup(name: str) -> str:
    path = finders.find(f"reports/icons/{name}.svg")
    if not path or isinstance(path, list):
        return ""
    with open(path, encoding="utf-8") as file:
        svg = file.read().strip()
    # A picture beside words that say the same: hidden from screen readers.
    return svg.replace(
        "<svg ", '<svg class="report-picture" aria-hidden="true" focusable="false" ', 1
    )


@register.simple_tag
def report_icon(name: str) -> SafeString:
    """One of our shipped pictures (``ICONS``), inline, so no file is fetched to show it.

    Inline, the same markup works on the page, in the PDF and in a saved HTML
    file; the files are ours and hold no script.
    """
    if name not in ICONS:
        return mark_safe("")  # noqa: S308  # empty
    return mark_safe(_icon_markup(name))  # noqa: S308  # our own static file
