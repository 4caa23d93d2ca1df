"""Quotes as JSON lines, for ``cohub themes suggest`` and the benchmark.

One JSON object per line with ``text`` (and optionally ``id``, a string or a
whole number). Every bad line is reported with its number and what is wrong,
all at once, so a person can fix the file in one go; nothing is grouped until
the whole file is good.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

MAX_ERRORS_SHOWN = 20
MAX_TEXT_CHARS = 20_000


@dataclass(frozen=True)
class Quote:
    id: str | int
    text: str


class QuotesFileError(ValueError):
    """The file has bad lines; ``str()`` lists them (line numbers from 1)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_ERRORS_SHOWN]
        more = len(problems) - len(shown)
        lines = "\n".join(shown) + (f"\n... and {more} more bad lines" if more > 0 else "")
        super().__init__(lines)


def read_quotes(lines: Iterable[str]) -> list[Quote]:
    """Parse JSON lines into quotes; blank lines are skipped. Raises :class:`QuotesFileError`."""
    quotes: list[Quote] = []
    problems: list[str] = []
    seen: dict[str | int, int] = {}
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: this is not JSON ({exc.msg}).")
            continue
        if not isinstance(value, dict):
            problems.append(f'line {number}: each line must be an object like {{"text": "..."}}.')
            continue
        text = value.get("text")
        if not isinstance(text, str):
            problems.append(
                f'line {number}: "text" is missing.'
                if text is None
                else f'line {number}: "text" must be a string, not {type(text).__name__}.'
            )
            continue
        if not text.strip():
            problems.append(f'line {number}: "text" is empty.')
            continue
        if len(text) > MAX_TEXT_CHARS:
            problems.append(
                f"line {number}: the text is {len(text):,} characters long; a quote can be "
                f"up to {MAX_TEXT_CHARS:,}."
            )
            continue
        quote_id = value.get("id", number)
        if isinstance(quote_id, bool) or not isinstance(quote_id, str | int):
            problems.append(f'line {number}: "id" must be a string or a whole number.')
            continue
        if quote_id in seen:
            problems.append(
                f"line {number}: the id {json.dumps(quote_id)} is already used on line "
                f"{seen[quote_id]}."
            )
            continue
        seen[quote_id] = number
        quotes.append(Quote(id=quote_id, text=text))
    if problems:
        raise QuotesFileError(problems)
    return quotes
