"""The ACH editor in a real browser: Debian's Chromium driven by Playwright against Voila and JupyterLab.

Each test has a temporary root (its "site") that holds a copy of the Karish case and of the editor notebook, rates a
cell by clicking, and checks the CSV on disk and the score on screen. Servers listen on 127.0.0.1 (free port, token,
``--allow-root`` where the server has it): each Voila test starts its own over its site (``SAT_ROOT`` points the
kernel at it); the JupyterLab tests of the session share one (``lab_server`` in ``conftest.py``) over the session's
temporary folder, each opening its own site's notebook in a workspace of its own (the kernel, started in the
notebook's folder, finds the site's ``data/cases`` above it). Each module launches Chromium once; each test's pages
are contexts of their own, closed after it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TOKEN = "sat-browser-test"
BIN = Path(sys.executable).parent
START_TIMEOUT = 90  # seconds for a server to listen
RUN_TIMEOUT_MS = 120_000  # for the notebook's kernel to start and the editor to appear
STEP_TIMEOUT = 30  # seconds for a change to reach the disk or the screen
#: What the browser tests save near their end: when none is there, the test failed before.
LAST_SCREENSHOTS = ("editor-lab.png", "editor-voila.png", "indicators-lab.png", "indicators-voila.png")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition: Callable[[], bool], what: str, timeout: float = STEP_TIMEOUT) -> None:
    """Poll ``condition`` until it holds or the deadline passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A root with data/cases/karish and notebooks/ach/ach_editor.ipynb: the kernel's cases (see the docstring)."""
    from sat.paths import cases_dir

    site = tmp_path / "site"
    # From the session's pristine copy: another worker may be editing the live case (tests/test_pristine.py).
    shutil.copytree(cases_dir() / "karish", site / "data" / "cases" / "karish")
    (site / "notebooks" / "ach").mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / "ach" / "ach_editor.ipynb", site / "notebooks" / "ach")
    return site


def serve(
    command: list[str], site: Path, tmp_path: Path, port: int, sat_root: bool = True
) -> Iterator[subprocess.Popen[bytes]]:
    """Start a server in ``site`` in its own process group; always stop it (and its kernels) afterwards.

    ``sat_root``: its kernels read the cases of ``site`` (``SAT_ROOT``); else each kernel finds the ``data/cases``
    above its own folder (``sat.paths``).
    """
    env = {
        **os.environ,
        "SAT_ROOT": str(site),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
    if not sat_root:
        del env["SAT_ROOT"]
    labconfig = tmp_path / "config" / "labconfig"
    labconfig.mkdir(parents=True)
    (labconfig / "page_config.json").write_text(
        '{"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": true}}'
    )
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 - the server writes to it until the finally below
    proc = subprocess.Popen(command, cwd=site, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:

        def listening() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"server exited: {(tmp_path / 'server.log').read_text()[-2000:]}")
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0

        wait_until(listening, f"{command[0]} to listen on {port}", START_TIMEOUT)
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def voila_command(notebook: str, port: int) -> list[str]:
    """Voila serving ``notebook`` (relative to the site) on 127.0.0.1:``port`` with the test token."""
    return [str(BIN / "voila"), notebook, "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1", f"--token={TOKEN}"]


def lab_command(site: Path, tmp_path: Path, port: int) -> list[str]:
    """JupyterLab on ``site`` at 127.0.0.1:``port`` with the test token and its own settings and workspaces."""
    return [
        str(BIN / "jupyter"),
        "lab",
        "--no-browser",
        "--allow-root",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--ServerApp.token={TOKEN}",
        f"--ServerApp.root_dir={site}",
        f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
        f"--LabApp.user_settings_dir={tmp_path / 'settings'}",
        "--LabApp.expose_app_in_browser=True",
    ]


@pytest.fixture
def voila(site: Path, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    for _ in serve(voila_command("notebooks/ach/ach_editor.ipynb", port), site, tmp_path, port):
        yield f"http://127.0.0.1:{port}/?token={TOKEN}&case=karish&analyst=levant_desk"  # who and which: the URL


def start_lab(root: Path, tmp_path: Path) -> Iterator[int]:
    """JupyterLab over ``root`` (its files in ``tmp_path``), each kernel reading the cases above its notebook: its
    port."""
    port = free_port()
    for _ in serve(lab_command(root, tmp_path, port), root, tmp_path, port, sat_root=False):
        yield port


def open_in_lab(port: int, root: Path, site: Path, notebook: str) -> Iterator[str]:
    """The URL of ``site``'s ``notebook`` in the JupyterLab on ``port`` over ``root``, in a workspace of its own;
    afterwards, shut down the kernels of the site's notebooks."""
    where = site.relative_to(root).as_posix()
    yield f"http://127.0.0.1:{port}/lab/workspaces/{site.parent.name}/tree/{where}/{notebook}?token={TOKEN}"
    api = f"http://127.0.0.1:{port}/api/sessions"
    headers = {"Authorization": f"token {TOKEN}"}
    with urllib.request.urlopen(urllib.request.Request(api, headers=headers), timeout=STEP_TIMEOUT) as answer:
        sessions = json.load(answer)
    for session in sessions:
        if session["path"].startswith(f"{where}/"):
            stop = urllib.request.Request(f"{api}/{session['id']}", headers=headers, method="DELETE")
            urllib.request.urlopen(stop, timeout=STEP_TIMEOUT).close()


@pytest.fixture
def lab(lab_server: tuple[Path, int], site: Path) -> Iterator[str]:
    root, port = lab_server
    yield from open_in_lab(port, root, site, "notebooks/ach/ach_editor.ipynb")


@pytest.fixture(scope="module")
def chromium():
    """Chromium, launched once for the module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def browser(chromium, tmp_path: Path):
    """The module's Chromium for one test; afterwards its pages are closed, and after a failure the last one is saved
    as failure.png in the test's temporary folder."""
    yield chromium
    pages = [pg for ctx in chromium.contexts for pg in ctx.pages]
    if pages and not any((tmp_path / name).exists() for name in LAST_SCREENSHOTS):
        pages[-1].screenshot(path=str(tmp_path / "failure.png"))
    for context in chromium.contexts:
        context.close()


#: The notebook's kernel is connected and idle (JupyterLab exposes its application object with expose_app_in_browser).
KERNEL_READY = """() => {
  const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = widget && widget.sessionContext && widget.sessionContext.session
    && widget.sessionContext.session.kernel;
  return !!kernel && kernel.connectionStatus === "connected" && kernel.status === "idle";
}"""


def ratings_row(site: Path, evidence: str) -> dict[str, str]:
    """An evidence item's row of levant_desk's ratings file as it is on disk now."""
    text = (site / "data" / "cases" / "karish" / "ratings" / "levant_desk.csv").read_text()
    header, *rows = [line.split(",") for line in text.splitlines()]
    row = next(r for r in rows if r[0] == evidence)
    return dict(zip(header, row))


def cell(page, evidence: str, hypothesis: str):
    """The grid cell of an evidence item under a hypothesis."""
    column = page.locator("th.satg-col").evaluate_all(
        f"(ths) => ths.findIndex((th) => th.dataset.id === {hypothesis!r})"
    )
    return page.locator(f"th.satg-row[data-id={evidence!r}] ~ td.satg-cell").nth(column)


def probability(page, hypothesis: str):
    return page.locator(f".satp table.ranking tr[data-hypothesis={hypothesis!r}] .prob")


def open_in_the_case_tab(page, case: str, analyst: str) -> None:
    """The editor opened with nobody asks who you are: pick the case, type the name, Open."""
    page.get_by_text("Who are you?").wait_for(timeout=STEP_TIMEOUT * 1000)
    page.locator(".widget-dropdown", has=page.locator("label", has_text="Case")).locator("select").select_option(case)
    page.get_by_placeholder("your name, as in ratings/<name>.csv").fill(analyst)
    page.get_by_role("button", name="Open").click()


def rate_by_click_and_check(page, site: Path) -> None:
    """Pick II and click E05 x H3: the CSV changes on disk and H3's probability on screen."""
    assert ratings_row(site, "E05")["H3"] == "CC"
    before = probability(page, "H3").inner_text()
    page.locator("button.satg-brush[data-code='II']").click()
    cell(page, "E05", "H3").click()
    wait_until(lambda: ratings_row(site, "E05")["H3"] == "II", "E05/H3 = II in ratings/levant_desk.csv")
    page.wait_for_function(
        "([sel, old]) => { const el = document.querySelector(sel); return el && el.textContent !== old; }",
        arg=[".satp table.ranking tr[data-hypothesis='H3'] .prob", before],
        timeout=STEP_TIMEOUT * 1000,
    )
    assert cell(page, "E05", "H3").inner_text() == "II"
    page.locator(".sat-status-saved").wait_for(timeout=STEP_TIMEOUT * 1000)


def explain_the_rating(page, site: Path) -> None:
    """The clicked cell is the one "Why this rating?" shows: write a reason, save it, find it in the notes file."""
    box = page.locator(".sat-rationale")
    box.locator("code", has_text="E05").wait_for(timeout=STEP_TIMEOUT * 1000)
    box.locator("textarea").fill("Owner-side knots are common in this harbour")
    box.get_by_role("button", name="Save why").click()
    notes = site / "data" / "cases" / "karish" / "ratings" / "levant_desk.notes.csv"
    wait_until(
        lambda: "E05,H3,Owner-side knots are common in this harbour" in notes.read_text(),
        "the reason for E05/H3 in ratings/levant_desk.notes.csv",
    )
    page.locator("td.satg-cell.satg-noted").first.wait_for(timeout=STEP_TIMEOUT * 1000)


def add_evidence_through_the_form(page, site: Path) -> None:
    page.locator(".lm-TabBar-tab", has_text="Evidence").click()
    summary = page.locator(".widget-textarea", has=page.locator("label", has_text="Summary")).locator("textarea")
    summary.fill("Hezbollah media praised the agreement as a resistance victory")
    page.get_by_role("button", name="Add evidence").click()
    page.locator("th.satg-row[data-id='E24']").wait_for(timeout=STEP_TIMEOUT * 1000)
    wait_until(
        lambda: "praised the agreement" in (site / "data" / "cases" / "karish" / "case.yaml").read_text(),
        "E24 in case.yaml",
    )


def screenshot(page, tmp_path: Path, name: str) -> None:
    """Save the editor as the analyst sees it; also to docs/editor.png when SAT_UPDATE_SCREENSHOT=1."""
    page.locator(".sat-editor").evaluate("(el) => { document.activeElement?.blur(); el.scrollIntoView(); }")
    page.screenshot(path=str(tmp_path / name), full_page=False)
    if os.environ.get("SAT_UPDATE_SCREENSHOT") == "1":
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copy(tmp_path / name, ROOT / "docs" / "editor.png")


def test_voila_app_rates_by_click_adds_evidence_and_keeps_it_after_reopening(voila, browser, site, tmp_path):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(voila)
    page.locator("td.satg-cell").first.wait_for(timeout=RUN_TIMEOUT_MS)
    rate_by_click_and_check(page, site)
    explain_the_rating(page, site)
    add_evidence_through_the_form(page, site)
    page.locator(".lm-TabBar-tab", has_text="Scores").click()
    page.get_by_role("button", name="Compare with group").click()
    page.locator("td.satg-cell.satg-m-mild").first.wait_for(timeout=STEP_TIMEOUT * 1000)
    page.get_by_text("You and the group").wait_for(timeout=STEP_TIMEOUT * 1000)
    page.screenshot(path=str(tmp_path / "editor-voila-compare.png"))
    page.get_by_role("button", name="Compare with group").click()
    page.locator("td.satg-cell.satg-m-mild").first.wait_for(state="detached", timeout=STEP_TIMEOUT * 1000)
    screenshot(page, tmp_path, "editor-voila.png")
    page.close()  # close everything, then open the app again: a new kernel reads the files
    again = browser.new_page(viewport={"width": 1440, "height": 900})
    again.goto(voila)
    again.locator("td.satg-cell").first.wait_for(timeout=RUN_TIMEOUT_MS)
    assert cell(again, "E05", "H3").inner_text() == "II"
    assert again.locator("th.satg-row[data-id='E24']").count() == 1


def test_jupyterlab_notebook_rates_by_click_and_by_key(lab, browser, site, tmp_path):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(lab)
    page.locator(".jp-Notebook").wait_for(timeout=RUN_TIMEOUT_MS)
    page.wait_for_function(KERNEL_READY, timeout=RUN_TIMEOUT_MS)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    open_in_the_case_tab(page, "karish", "levant_desk")
    page.locator("td.satg-cell").first.wait_for(timeout=RUN_TIMEOUT_MS)
    rate_by_click_and_check(page, site)
    target = cell(page, "E02", "H2")
    target.click()  # the brush is II now
    wait_until(lambda: ratings_row(site, "E02")["H2"] == "II", "E02/H2 = II")
    page.keyboard.press("4")  # key 4 = I, typed into the focused cell, not a notebook command
    wait_until(lambda: ratings_row(site, "E02")["H2"] == "I", "E02/H2 = I after pressing 4")
    assert target.inner_text() == "I"
    assert page.locator(".jp-Cell").count() == 3  # no notebook shortcut fired
    add_evidence_through_the_form(page, site)
    page.locator(".lm-TabBar-tab", has_text="Scores").click()
    page.locator(".sat-editor").evaluate("(el) => el.scrollIntoView()")
    page.screenshot(path=str(tmp_path / "editor-lab.png"))
