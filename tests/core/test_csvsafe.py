"""CSV cells that a spreadsheet would run as formulas come out as plain text."""

from __future__ import annotations

import csv
import io

import pytest

from cohub.apps.core.csvsafe import neutralise, to_csv


def _read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://example.org","click")',
        "+1 555 0100",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_formula_triggers_get_a_leading_apostrophe(cell):
    assert neutralise(cell) == "'" + cell
    assert _read(to_csv([[cell]])) == [["'" + cell]]


@pytest.mark.parametrize(
    "cell",
    [
        "I waited eleven weeks.",
        "a = b, and c - d",
        "email me at someone@example.org",
        "It's fine",
        "",
        "Ça va? Très bien — merci",
    ],
)
def test_ordinary_text_is_untouched(cell):
    assert neutralise(cell) == cell
    assert _read(to_csv([[cell]])) == [[cell]]


def test_none_and_numbers_become_text():
    assert neutralise(None) == ""
    assert neutralise(3) == "3"
    assert neutralise(-3) == "'-3"


def test_header_row_and_bom_and_quoting():
    text = to_csv([("Theme", "Quote"), ("Waiting", 'She said, "call back"\nand hung up')])
    assert text.startswith('\ufeff"Theme","Quote"\r\n')
    assert _read(text) == [["Theme", "Quote"], ["Waiting", 'She said, "call back"\nand hung up']]
