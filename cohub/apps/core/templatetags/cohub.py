"""Small template helpers shared by every app: ``{% load cohub %}``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def ms_to_clock(value: Any) -> str:
    """Milliseconds as a clock reading: 62000 -> "1:02", 3723000 -> "1:02:03".

    ``None``, "" or anything that is not a number gives "", so a missing time
    shows as nothing rather than as "0:00". Fractions of a second are dropped.
    """
    if value is None or value == "":
        return ""
    try:
        total_seconds = max(int(value), 0) // 1000
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(total_seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"


@register.filter
def ms_to_clock_tenths(value: Any) -> str:
    """Milliseconds to the tenth of a second, for clip edges people nudge: 5250 -> "0:05.3"."""
    if value is None or value == "":
        return ""
    try:
        tenths = round(max(int(value), 0) / 100)
    except (TypeError, ValueError):
        return ""
    return f"{ms_to_clock(tenths // 10 * 1000)}.{tenths % 10}"


@register.filter
def ms_to_seconds(value: Any) -> str:
    """Milliseconds as seconds for a media fragment (``#t=5.25``): 5250 -> "5.25"."""
    try:
        return f"{max(int(value), 0) / 1000:.3f}".rstrip("0").rstrip(".") or "0"
    except (TypeError, ValueError):
        return "0"


@register.filter
def labels(values: Iterable[Any] | None, mapping: Mapping[Any, Any] | None) -> list[Any]:
    """Map stored values to their labels: ``{{ project.sectors|labels:sector_labels }}``.

    Pass a dict such as ``dict(Sector.choices)``; a value the dict does not know
    is shown as it is, so nothing silently disappears. Join the result with
    ``|join:", "``.
    """
    if not values:
        return []
    if isinstance(values, str):
        values = [values]
    mapping = mapping or {}
    return [mapping.get(value, value) for value in values]


@register.simple_tag
def active_if(current: Any, name: Any) -> SafeString | str:
    """``aria-current="page"`` when ``current == name``, for the link to where you are.

    Usage: ``<a href="..." {% active_if active "stories" %}>Stories</a>``.
    """
    if current is not None and current != "" and str(current) == str(name):
        return mark_safe('aria-current="page"')  # noqa: S308 - a fixed literal
    return ""


class CaptureNode(template.Node):
    """Renders its contents once and stores the stripped text under a name."""

    child_nodelists = ("nodelist",)

    def __init__(self, nodelist: template.NodeList, name: str) -> None:
        self.nodelist = nodelist
        self.name = name

    def render(self, context: template.Context) -> str:
        context[self.name] = self.nodelist.render(context).strip()
        return ""


@register.tag
def capture(parser: template.base.Parser, token: template.base.Token) -> CaptureNode:
    """``{% capture as name %}…{% endcapture %}``: keep what is inside as a variable.

    ``project_base.html`` wraps ``{% block section %}`` in it, so a page names its
    section once (``{% block section %}stories{% endblock %}``) and the base turns
    that into the navigation's ``aria-current``. A block inside a tag can still be
    overridden because Django looks for blocks through ``child_nodelists``.
    """
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Use {% capture as name %}…{% endcapture %}.")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])
