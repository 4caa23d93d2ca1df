"""The site's named routes, read from the URL configuration, for the route tests.

Generated, so a route is covered the day it is added: ``tests/test_url_permissions.py``
proves project routes refuse strangers, ``tests/test_route_permissions.py``
pins each route to its permission.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: frozenset[str]


def walk(
    patterns: Sequence[URLPattern | URLResolver],
    prefix: str = "",
    inherited: frozenset[str] = frozenset(),
) -> Iterator[tuple[Route, Callable[..., Any]]]:
    """Every named route with the URL arguments it takes, and its view."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            params = inherited | frozenset(entry.pattern.converters)
            yield from walk(entry.url_patterns, namespace, params)
        elif isinstance(entry, URLPattern) and entry.name:
            params = inherited | frozenset(entry.pattern.converters)
            yield Route(f"{prefix}{entry.name}", params), entry.callback


def site_routes() -> list[tuple[Route, Callable[..., Any]]]:
    """Every named route of the site (there is no Django admin)."""
    return list(walk(get_resolver().url_patterns))
