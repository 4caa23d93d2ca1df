"""HTML to PDF with WeasyPrint, fetching nothing but our own stylesheets (docs/adr/0031, 0035).

Shared by the findings report (``reports.render``) and the assessment round
report (``assess.report``). WeasyPrint never reaches the network: its URL
fetcher serves our static files named ``cohub-static:<folder>/<file>``, only
from the folders the caller names, and refuses every other address (http,
https, file, data, ``..``, another app's files). Pictures are inline SVG, so
the stylesheet is the one file a document asks for. Fonts come from the
system through fontconfig (fonts-liberation, fonts-dejavu-core); no
stylesheet declares ``@font-face``.

WeasyPrint draws SVG itself and applies only part of a page's CSS to it (no
custom properties, few selectors), so charts meant for a PDF carry their
colours as attributes on their elements.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Sequence
from typing import Any

from django.contrib.staticfiles import finders

STATIC_SCHEME = "cohub-static:"

# WeasyPrint says each step of every PDF at INFO ("Step 5 - Creating layout - Page 2"):
# noise in the hub's log and on the command line; its warnings still show.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class FetchRefused(ValueError):
    """An address a PDF may not load: only our static files, in the named folders, are served."""


def static_path(url: str, *, folders: Sequence[str]) -> str:
    """The file a ``cohub-static:`` address names, if it lies in one of ``folders``."""
    if not url.startswith(STATIC_SCHEME):
        raise FetchRefused(f"A PDF from cohub loads only cohub's own files, not {url[:80]!r}.")
    name = url.removeprefix(STATIC_SCHEME).lstrip("/")
    if ".." in name.split("/") or not any(name.startswith(f"{f.rstrip('/')}/") for f in folders):
        raise FetchRefused(f"This PDF loads only its own files, not {name!r}.")
    path = finders.find(name)
    if not path or isinstance(path, list):
        raise FetchRefused(f"There is no static file {name!r}.")
    return str(path)


def static_text(name: str, *, folders: Sequence[str]) -> str:
    """A static file's text (a stylesheet to put inside a standalone HTML file)."""
    with open(static_path(STATIC_SCHEME + name, folders=folders), encoding="utf-8") as file:
        return file.read()


def fetcher(*, folders: Sequence[str]) -> Any:
    """A WeasyPrint URL fetcher that serves ``cohub-static:`` files in ``folders`` only."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]

    allowed = tuple(folders)

    class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint has no types
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = static_path(url, folders=allowed)
            with open(path, "rb") as file:
                body = file.read()
            kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": kind})

    return StaticOnlyFetcher(timeout=1, allowed_protocols=("cohub-static",))


class PdfMaker:
    """Draws HTML as PDF pages; one maker keeps its fonts across several drafts of a document.

    ``draw`` gives WeasyPrint's laid-out document (its ``pages`` can be
    counted, so a caller can shorten and draw again); ``pdf`` writes one.
    """

    def __init__(self, *, folders: Sequence[str]) -> None:
        from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

        self.fonts = FontConfiguration()
        self.fetcher = fetcher(folders=folders)

    def draw(self, html: str) -> Any:
        from weasyprint import HTML  # type: ignore[import-untyped]

        return HTML(string=html, url_fetcher=self.fetcher, base_url=None).render(
            font_config=self.fonts
        )

    @staticmethod
    def pdf(document: Any) -> bytes:
        return bytes(document.write_pdf())


def html_to_pdf(html: str, *, folders: Sequence[str]) -> bytes:
    """One HTML document as a PDF, loading only the static files in ``folders``."""
    maker = PdfMaker(folders=folders)
    return maker.pdf(maker.draw(html))
