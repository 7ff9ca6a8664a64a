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
from typing import TYPE_CHECKING

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
    if paper not in PAPERS:
        raise SatError(f"paper {paper!r}: use one of {', '.join(PAPERS)}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise SatError(
            "printing to PDF needs Playwright for Python (pip install playwright; no browser download is needed)"
        ) from None
    source = Path(html_path).resolve()
    executable = chromium_path()
    args = ["--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
    if os.geteuid() == 0:  # Chromium refuses to run as root with its sandbox
        args.append("--no-sandbox")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(executable), args=args)
        try:
            page = browser.new_page()
            page.goto(source.as_uri(), wait_until="load")
            page.emulate_media(media="print")
            data = page.pdf(format=paper, margin=MARGIN, print_background=True, prefer_css_page_size=False)
        finally:
            browser.close()
    atomic_write_bytes(pdf_path, data)
    return Path(pdf_path)
