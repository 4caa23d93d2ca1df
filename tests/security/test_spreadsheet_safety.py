"""Every CSV the hub or the command line writes is safe to open in a spreadsheet.

A storyteller's words, a theme's name or a person's display name that starts
with ``=`` would run as a formula in Excel or LibreOffice (``=HYPERLINK`` sends
the sheet's contents away). Every written text field of the consent walk's
world (the same generated list as tests/security/test_escaping.py) is made to
start with a formula; then every route is opened as a facilitator and every CSV
it answers, packs in a zip, or every workbook (XLSX) it answers, is read cell by
cell, with the command line's
``export-findings`` too. No cell may start with a formula trigger, and the
walk must have met the formulas (neutralised), so a walk that reached no
export could not pass.
"""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from cohub.apps.core.csvsafe import FORMULA_TRIGGERS
from cohub.cli import main as cli_main
from tests.auth import VerifiedClient
from tests.routes import site_routes
from tests.security.test_escaping import poison
from tests.test_consent_on_every_page import build_world

FORMULA = "=XSS({label})+"
# Spaces and invisible characters a spreadsheet looks past before reading a formula.
LOOKED_PAST = " \u00a0\u3000\u200b\u200c\u200d\u2060\ufeff"


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


def formulas(text: str) -> list[str]:
    return [cell for cell in cells(text) if cell.lstrip(LOOKED_PAST).startswith(FORMULA_TRIGGERS)]


def test_the_check_finds_a_formula_cell():
    assert formulas('"a","=XSS(1)+b"\r\n" @x","\'=XSS(2)+"\r\n') == ["=XSS(1)+b", " @x"]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_as_csv(body: bytes) -> str:
    """A workbook's cells as CSV text, each formula cell written as the formula it is."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(body))
    out = io.StringIO()
    writer = csv.writer(out)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            writer.writerow(
                ("=" + str(cell.value).lstrip("=")) if cell.data_type == "f" else cell.value
                for cell in row
            )
    return out.getvalue()


def downloads(response) -> dict[str, str]:
    """The CSV texts in one answer: itself, the .csv files of a zip, or a workbook's cells."""
    kind = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if kind.startswith("text/csv"):
        return {"": body.decode("utf-8")}
    if kind.startswith(XLSX):
        return {"": workbook_as_csv(body)}
    if kind.startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return {
                name: archive.read(name).decode("utf-8")
                for name in archive.namelist()
                if name.endswith(".csv")
            }
    return {}


@pytest.mark.django_db
def test_no_export_has_a_cell_a_spreadsheet_would_run(tmp_path):
    world = build_world()
    poison(world, FORMULA, at_start=True)
    client = VerifiedClient()
    client.force_login(world.facilitator)
    exports: dict[str, str] = {}
    for route, _ in site_routes():
        response = client.get(world.url(route))
        assert response.status_code < 500, f"{route.name} answered {response.status_code}"
        for name, text in downloads(response).items():
            exports[f"{route.name} {name}".strip()] = text
    out = tmp_path / "findings.csv"
    assert cli_main(["export-findings", "--project", world.project.slug, "--output", str(out)]) == 0
    exports["cohub export-findings"] = out.read_text(encoding="utf-8")

    reached = {"reports:findings_csv", "audit:log_csv", "exchange:quotes_xlsx"}
    assert reached | {"cohub export-findings"} <= set(exports)
    problems = [
        f"{where}: {cell[:40]!r}" for where, text in exports.items() for cell in formulas(text)
    ]
    assert not problems, "\n".join(problems)
    met = {where for where, text in exports.items() if "'=XSS(" in text or "=XSS(" in text}
    assert reached | {"cohub export-findings"} <= met, met


def test_the_workbook_reader_sees_formulas_and_text_that_would_become_one():
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["plain", "=XSS(1)+1", "'=XSS(2)"])
    out = io.BytesIO()
    book.save(out)
    assert formulas(workbook_as_csv(out.getvalue())) == ["=XSS(1)+1"]
