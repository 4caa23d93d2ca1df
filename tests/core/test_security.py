"""Spreadsheet formula injection: the cases the first csvsafe tests did not cover."""

from __future__ import annotations

import csv
import io

import pytest

from cohub.apps.core.csvsafe import neutralise, to_csv


@pytest.mark.parametrize(
    "cell",
    [
        "\0=1+1",
        ' =HYPERLINK("http://example.org")',
        "\u00a0@SUM(A1)",
        "＝1+1",
        "＋1",
        "－1",
        "＠SUM(A1)",
        # Invisible characters a spreadsheet may drop before it reads the cell.
        "\u200b=1+1",
        "\ufeff=1+1",
        "\u200d+1",
        "\u2060-1",
        " \u200b @SUM(A1)",
    ],
)
def test_more_formula_triggers_get_a_leading_apostrophe(cell):
    assert neutralise(cell) == "'" + cell


def test_every_cell_is_quoted_so_a_semicolon_separator_does_not_split_out_a_formula():
    text = to_csv([["hello;=1+1", "Waiting"]])
    body = text.removeprefix("\ufeff")
    assert body == '"hello;=1+1","Waiting"\r\n'
    # A spreadsheet whose list separator is ";" keeps the quoted cell whole.
    cells = next(csv.reader(io.StringIO(body), delimiter=";"))
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
