"""The findings report as a file: a standalone HTML document, or a PDF drawn by WeasyPrint.

WeasyPrint never reaches the network (docs/adr/0031): ``core.pdf`` serves it
our own static files, here only ``cohub-static:reports/...`` (the report's
stylesheet), and refuses every other address. Pictures are drawn inline
(``templatetags/reports.py``), so the stylesheet is the one file it asks for.
"""

from __future__ import annotations

import logging
from typing import Any

from django.template.loader import render_to_string

from cohub.apps.core import pdf
from cohub.apps.core.pdf import STATIC_SCHEME, FetchRefused
from cohub.apps.reports.charts import themes_by_level
from cohub.apps.reports.report import OVERVIEW_THEMES, Kind, Report

__all__ = ["FetchRefused", "report_context", "report_html_document", "report_pdf"]

CSS_NAME = "reports/report.css"
FOLDERS = ("reports/",)
PDF_MAX_OVERVIEW_PAGES = 2

logger = logging.getLogger(__name__)


def _static_path(url: str) -> str:
    return pdf.static_path(url, folders=FOLDERS)


def _fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves the report's own files and refuses the rest."""
    return pdf.fetcher(folders=FOLDERS)


def report_context(report: Report, *, links: bool) -> dict[str, Any]:
    """What the report's templates need; ``links``: whether its tracing links are followed."""
    return {"report": report, "chart": themes_by_level(report), "links": links}


def _css() -> str:
    return pdf.static_text(CSS_NAME, folders=FOLDERS)


def report_html_document(report: Report) -> str:
    """The report as one HTML file with its stylesheet inside: it opens anywhere, offline."""
    context = {**report_context(report, links=True), "css": _css(), "css_href": ""}
    return render_to_string("reports/report_document.html", context)


def _pdf_source(report: Report) -> str:
    context = {**report_context(report, links=True), "css_href": STATIC_SCHEME + CSS_NAME}
    return render_to_string("reports/report_document.html", context)


def report_pdf(report: Report) -> bytes:
    """The report as a PDF; the two-page overview gives quotes to fewer themes until it fits."""
    maker = pdf.PdfMaker(folders=FOLDERS)
    document = maker.draw(_pdf_source(report))
    if report.kind == Kind.OVERVIEW:
        shown = min(OVERVIEW_THEMES, len(report.themes_with_quotes))
        while len(document.pages) > PDF_MAX_OVERVIEW_PAGES and shown > 0:
            shown -= 1
            report.overview_themes = shown
            document = maker.draw(_pdf_source(report))
        if len(document.pages) > PDF_MAX_OVERVIEW_PAGES:
            logger.warning(
                "The overview of %s takes %d pages", report.project.slug, len(document.pages)
            )
    return maker.pdf(document)
