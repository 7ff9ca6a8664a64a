"""Recording an observation in a real browser: Debian's Chromium driven by Playwright against the Voilà app."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_browser_editor import (  # the same server and browser machinery as the ACH editor's browser tests
    CHROMIUM,
    KERNEL_READY,
    RUN_TIMEOUT_MS,
    STEP_TIMEOUT,
    TOKEN,
    browser,  # noqa: F401 - a fixture
    chromium,  # noqa: F401 - a fixture
    free_port,
    open_in_lab,
    serve,
    voila_command,
    wait_until,
)

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium"),
]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    from sat.paths import cases_dir

    site = tmp_path / "site"
    # From the session's pristine copy: another worker may be editing the live case (tests/test_pristine.py).
    shutil.copytree(cases_dir() / "karish", site / "data" / "cases" / "karish")
    (site / "notebooks" / "indicators").mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / "indicators" / "observations_editor.ipynb", site / "notebooks" / "indicators")
    return site


@pytest.fixture
def voila(site: Path, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    for _ in serve(voila_command("notebooks/indicators/observations_editor.ipynb", port), site, tmp_path, port):
        yield f"http://127.0.0.1:{port}/?token={TOKEN}"


@pytest.fixture
def lab(lab_server: tuple[Path, int], site: Path) -> Iterator[str]:
    root, port = lab_server
    yield from open_in_lab(port, root, site, "notebooks/indicators/observations_editor.ipynb")


def record_and_check(page, site: Path, tmp_path: Path, name: str) -> None:
    """Fill the form for I02 and record it: the row is appended on disk and the timeline shows its date."""
    log = site / "data" / "cases" / "karish" / "observations.csv"
    before = log.read_text()
    page.locator(".sat-indicators-editor").wait_for(timeout=RUN_TIMEOUT_MS)
    page.locator(".sat-indicators-editor select").select_option(index=1)  # I02
    page.get_by_placeholder("YYYY-MM-DD").fill("2025-01-15")
    page.get_by_role("button", name="observed", exact=True).click()
    page.get_by_role("button", name="high", exact=True).click()
    page.get_by_placeholder("where it was seen (publisher, date, URL)").fill("Test leak, 15 Jan 2025")
    page.get_by_role("button", name="Record observation").click()
    page.get_by_text("Recorded: I02 observed on 2025-01-15").wait_for(timeout=STEP_TIMEOUT * 1000)
    wait_until(
        lambda: log.read_text() == before + 'I02,2025-01-15,observed,high,"Test leak, 15 Jan 2025",\n',
        "the row appended to observations.csv",
    )
    page.locator(".sat-timeline", has_text="2025-01-15").wait_for(timeout=STEP_TIMEOUT * 1000)
    page.screenshot(path=str(tmp_path / name))


def test_voila_app_records_an_observation(voila, browser, site, tmp_path):  # noqa: F811 - browser is a fixture
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(voila)
    record_and_check(page, site, tmp_path, "indicators-voila.png")


def test_jupyterlab_notebook_records_an_observation(lab, browser, site, tmp_path):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(lab)
    page.locator(".jp-Notebook").wait_for(timeout=RUN_TIMEOUT_MS)
    page.wait_for_function(KERNEL_READY, timeout=RUN_TIMEOUT_MS)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    record_and_check(page, site, tmp_path, "indicators-lab.png")
