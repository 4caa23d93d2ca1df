"""Tidying the lists people pick or type (sectors, roles, topics) before they are stored."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cohub.apps.core.errors import ServiceError


def clean_choices(values: Iterable[str], valid: Sequence[str], what: str) -> list[str]:
    """Keep the order given, drop repeats, and refuse anything not offered."""
    cleaned: list[str] = []
    for value in values:
        if value not in valid:
            raise ServiceError(f"Unknown {what} {value!r}; choose from {', '.join(valid)}.")
        if value not in cleaned:
            cleaned.append(value)
    return cleaned


def clean_topics(topics: Iterable[str]) -> list[str]:
    """Free-text topics with spacing tidied and repeats (ignoring case) dropped."""
    seen: list[str] = []
    for topic in topics:
        topic = " ".join(topic.split())
        if topic and topic.casefold() not in (t.casefold() for t in seen):
            seen.append(topic)
    return seen
