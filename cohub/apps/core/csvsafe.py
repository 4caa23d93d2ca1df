"""CSV that is safe to open in a spreadsheet.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@``
(and, in some, a tab, carriage return or NUL) as a formula. Quotes from
stories are untrusted text, so every such cell gets a leading apostrophe,
which the spreadsheet shows as plain text. Leading spaces are looked past
(some importers trim them), and so are invisible characters a spreadsheet may
drop before reading the cell (a zero-width space or joiner, a word joiner, a
byte-order mark), and the full-width forms count too.

Every cell is also wrapped in double quotes (OWASP's advice): a spreadsheet
set up for a semicolon list separator would otherwise split an unquoted
``words;=HYPERLINK(...)`` into a second cell that starts with ``=``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0", "＝", "＋", "－", "＠")
# Spaces and invisible characters looked past: "\u200b=1+1" is still a formula.
_LEADING_SPACE = " \u00a0\u3000\u200b\u200c\u200d\u2060\ufeff"


def neutralise(value: Any) -> str:
    text = "" if value is None else str(value)
    if text.lstrip(_LEADING_SPACE).startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def write_rows(rows: Iterable[Iterable[Any]], out: io.TextIOBase | Any) -> None:
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])


def to_csv(rows: Iterable[Iterable[Any]]) -> str:
    """Render rows as CSV text with a UTF-8 byte-order mark so Excel reads accents right."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    write_rows(rows, buffer)
    return buffer.getvalue()
