"""The findings report as a file: a standalone HTML document, or a PDF drawn by WeasyPrint.

WeasyPrint never reaches the network (docs/adr/0031): its URL fetcher here
serves our own static files, named ``cohub-static:reports/report.css``, and
refuses every other address (http, https, file, data, anything a theme name
or a quote might smuggle in as markup, which autoescaping stops anyway).
Pictures are drawn inline (``templatetags/reports.py``), so the stylesheet is
the one file it asks for. Fonts come from the system through fontconfig
(fonts-liberation, fonts-dejavu-core); the stylesheet declares no
``@font-face``.
"""

from __future__ import annotations

import logging
import mimetypes
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from cohub.apps.reports.charts import themes_by_level
from cohub.apps.reports.report import OVERVIEW_THEMES, Kind, Report

STATIC_SCHEME = "cohub-static:"
CSS_NAME = "reports/report.css"
PDF_MAX_OVERVIEW_PAGES = 2

logger = logging.getLogger(__name__)
# WeasyPrint says each step of every PDF at INFO ("Step 5 - Creating layout - Page 2"):
# noise in the hub's log and on the command line; its warnings still show.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class FetchRefused(ValueError):
    """An address the report's PDF may not load: only our static files are served."""


def _static_path(url: str) -> str:
    if not url.startswith(STATIC_SCHEME):
        raise FetchRefused(f"The report's PDF loads only cohub's own files, not {url[:80]!r}.")
    name = url.removeprefix(STATIC_SCHEME).lstrip("/")
    if ".." in name.split("/") or not name.startswith("reports/"):
        raise FetchRefused(f"The report's PDF loads only the report's own files, not {name!r}.")
    path = finders.find(name)
    if not path or isinstance(path, list):
        raise FetchRefused(f"There is no static file {name!r}.")
    return str(path)


def _fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves ``cohub-static:`` files and refuses the rest."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]

    class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint has no types
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = _static_path(url)
            with open(path, "rb") as file:
                body = file.read()
            kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": kind})

    return StaticOnlyFetcher(timeout=1, allowed_protocols=("cohub-static",))


def report_context(report: Report, *, links: bool) -> dict[str, Any]:
    """What the report's templates need; ``links``: whether its tracing links are followed."""
    return {"report": report, "chart": themes_by_level(report), "links": links}


def _css() -> str:
    with open(_static_path(STATIC_SCHEME + CSS_NAME), encoding="utf-8") as file:
        return file.read()


def report_html_document(report: Report) -> str:
    """The report as one HTML file with its stylesheet inside: it opens anywhere, offline."""
    context = {**report_context(report, links=True), "css": _css(), "css_href": ""}
    return render_to_string("reports/report_document.html", context)


def _pdf_source(report: Report) -> str:
    context = {**report_context(report, links=True), "css_href": STATIC_SCHEME + CSS_NAME}
    return render_to_string("reports/report_document.html", context)


def report_pdf(report: Report) -> bytes:
    """The report as a PDF; the two-page overview gives quotes to fewer themes until it fits."""
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

    fonts = FontConfiguration()
    fetcher = _fetcher()

    def draw() -> Any:
        return HTML(string=_pdf_source(report), url_fetcher=fetcher, base_url=None).render(
            font_config=fonts
        )

    document = draw()
    if report.kind == Kind.OVERVIEW:
        shown = min(OVERVIEW_THEMES, len(report.themes_with_quotes))
        while len(document.pages) > PDF_MAX_OVERVIEW_PAGES and shown > 0:
            shown -= 1
            report.overview_themes = shown
            document = draw()
        if len(document.pages) > PDF_MAX_OVERVIEW_PAGES:
            logger.warning(
                "The overview of %s takes %d pages", report.project.slug, len(document.pages)
            )
    return bytes(document.write_pdf())
