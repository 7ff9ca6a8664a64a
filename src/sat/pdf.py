"""Print a rendered report to PDF offline, with Chromium's own print engine driven by Playwright.

The report's print stylesheet (``templates/report.css``, ``@media print``) does the layout: tables that fit the
page width, rows, figures and the bottom line never split across pages, headings kept with what follows them.
No browser is downloaded: Playwright drives the Chromium already on the machine (Debian's ``chromium`` package at
``/usr/bin/chromium``, or the executable named by ``$SAT_CHROMIUM``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import SatError
from .fileio import atomic_write_bytes

if TYPE_CHECKING:
    from playwright.sync_api import PdfMargins

#: Paper sizes a report can be printed on, as Playwright names them.
PAPERS: tuple[str, ...] = ("A4", "Letter")
#: Page margins; the stylesheet's ``@page`` rule gives the same.
MARGIN: PdfMargins = {"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"}


def chromium_path() -> Path:
    """The Chromium executable: ``$SAT_CHROMIUM``, else ``chromium`` on the PATH."""
    named = os.environ.get("SAT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not named or not Path(named).is_file():
        raise SatError(
            "printing to PDF needs Chromium: install Debian's 'chromium' package, or set SAT_CHROMIUM to "
            "a Chromium executable"
        )
    return Path(named)


def html_to_pdf(html_path: str | os.PathLike[str], pdf_path: str | os.PathLike[str], paper: str = "A4") -> Path:
    """Print the report ``html_path`` to ``pdf_path`` on ``paper`` (A4 or Letter), atomically."""
    with PdfPrinter(paper) as printer:
        return printer.print(html_path, pdf_path)


class PdfPrinter:
    """Chromium, launched once, printing reports on ``paper`` (A4 or Letter) until the ``with`` block ends::

    with PdfPrinter("A4") as printer:
        printer.print("a.html", "a.pdf")
        printer.print("b.html", "b.pdf")
    """

    def __init__(self, paper: str = "A4") -> None:
        if paper not in PAPERS:
            raise SatError(f"paper {paper!r}: use one of {', '.join(PAPERS)}")
        self.paper = paper
        self._playwright: Any = None
        self._browser: Any = None

    def __enter__(self) -> PdfPrinter:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise SatError(
                "printing to PDF needs Playwright for Python (pip install playwright; no browser download is needed)"
            ) from None
        executable = chromium_path()
        args = ["--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
        if os.geteuid() == 0:  # Chromium refuses to run as root with its sandbox
            args.append("--no-sandbox")
        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(executable_path=str(executable), args=args)
        except BaseException:
            self._playwright.stop()
            raise
        return self

    def print(self, html_path: str | os.PathLike[str], pdf_path: str | os.PathLike[str]) -> Path:
        """Print the report ``html_path`` to ``pdf_path``, atomically; return ``pdf_path``."""
        page = self._browser.new_page()
        try:
            page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
            page.emulate_media(media="print")
            data = page.pdf(format=self.paper, margin=MARGIN, print_background=True, prefer_css_page_size=False)
        finally:
            page.close()
        atomic_write_bytes(pdf_path, data)
        return Path(pdf_path)

    def __exit__(self, *exc: object) -> None:
        try:
            self._browser.close()
        finally:
            self._playwright.stop()
