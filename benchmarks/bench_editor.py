"""Benchmark of the ACH matrix editor at 20 hypotheses x 200 evidence items (prints figures; not a test).

Kernel side (always): opening the editor, and one cell change as a click sends it (validate, atomic write of
ratings/<analyst>.csv, rescoring with sensitivity, panel and grid update), in normal and comparison mode, with
three analysts; plus the size of the grid's state sent to the browser. Target: a cell change well under 100 ms.

Browser side (``--browser``, needs /usr/bin/chromium): Voila serving the editor notebook on the same case; time
from page load to the 4,000 cells drawn, and from a click to the rating saved on disk and confirmed in the grid.

Run: .venv/bin/python benchmarks/bench_editor.py [--changes N] [--browser]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from sat.rating_scale import RATING_CODES

ROOT = Path(__file__).resolve().parents[1]
CODES = list(RATING_CODES)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def make_case(folder: Path, hypotheses: int = 20, evidence: int = 200, analysts: int = 3) -> None:
    """A synthetic valid case with full matrices; analysts differ on about a tenth of the cells."""
    rng = np.random.default_rng(7)
    hids = [f"H{h + 1:02d}" for h in range(hypotheses)]
    eids = [f"E{e + 1:03d}" for e in range(evidence)]
    lines = [
        "id: large",
        "title: Synthetic 20 x 200 case",
        "question: Which of twenty explanations?",
        "as_of: 2024-01-01",
        "hypotheses:",
    ]
    lines += [f"  - {{id: {h}, title: Hypothesis {h} with a title of a realistic length}}" for h in hids]
    lines += ["evidence:"] + [f"  - {{id: {e}, summary: Evidence item {e} summarised in one sentence}}" for e in eids]
    (folder / "ratings").mkdir(parents=True)
    (folder / "case.yaml").write_text("\n".join(lines) + "\n")
    base = rng.choice(CODES, size=(evidence, hypotheses), p=[0.1, 0.3, 0.3, 0.2, 0.08, 0.02])
    for a in range(analysts):
        codes = np.where(rng.random(base.shape) < 0.1, rng.choice(CODES, size=base.shape), base)
        rows = [",".join(["evidence", *hids])] + [",".join([eid, *codes[i]]) for i, eid in enumerate(eids)]
        (folder / "ratings" / f"a{a + 1}.csv").write_text("\n".join(rows) + "\n")


def kernel_side(folder: Path, changes: int) -> None:
    from sat.widgets import AchEditor

    start = time.perf_counter()
    editor = AchEditor(folder, "a1")
    opened = time.perf_counter() - start
    state = json.dumps({k: v for k, v in editor.grid.get_state().items() if not k.startswith("_")})
    print(f"open the editor (load, lay out, first scores): {opened * 1000:.0f} ms")
    print(f"grid state sent to the browser: {len(state) / 1024:.0f} KiB")
    rng = np.random.default_rng(3)
    eids, hids = editor.session.case.evidence_ids, editor.session.case.hypothesis_ids
    for mode in ("normal", "comparison"):
        editor.compare_toggle.value = mode == "comparison"
        times = []
        for _ in range(changes):
            eid, hid = eids[rng.integers(len(eids))], hids[rng.integers(len(hids))]
            code = CODES[rng.integers(5)]
            t = time.perf_counter()
            editor.grid.receive({"event": "rate", "evidence": eid, "hypothesis": hid, "code": code})
            times.append((time.perf_counter() - t) * 1000)
            assert editor.status_state == "saved", editor.status.value
        times.sort()
        print(
            f"cell change, {mode} mode ({changes} changes): median {statistics.median(times):.1f} ms, "
            f"p95 {times[int(0.95 * (len(times) - 1))]:.1f} ms, max {times[-1]:.1f} ms"
        )


#: Click a cell and resolve, after the next frame, with the milliseconds until the kernel's ratings are shown.
CLICK_TO_CONFIRMED = """(el) => new Promise((done) => {
  const start = performance.now();
  const observer = new MutationObserver(() => {
    if (el.textContent === "II" && !el.classList.contains("satg-pending")) {
      observer.disconnect();
      requestAnimationFrame(() => done(performance.now() - start));
    }
  });
  observer.observe(el, {attributes: true, childList: true, characterData: true, subtree: true});
  el.click();
})"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser_side(site: Path) -> None:
    import nbformat
    from playwright.sync_api import sync_playwright

    notebook = nbformat.read(ROOT / "notebooks" / "ach" / "ach_editor.ipynb", as_version=4)
    parameters = notebook.cells[1]
    parameters.source = 'case = "large"  # help: case\nanalyst = "a1"  # help: analyst\nblind = False  # help: blind'
    nbformat.write(notebook, site / "editor.ipynb")
    port = free_port()
    env = {**os.environ, "SAT_ROOT": str(site)}
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "voila"),
            "editor.ipynb",
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            "--token=bench",
        ],
        cwd=site,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            if time.monotonic() > deadline:
                raise RuntimeError("voila did not start")
            time.sleep(0.1)
        ratings = site / "data" / "cases" / "large" / "ratings" / "a1.csv"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            t = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/?token=bench")
            page.wait_for_function("document.querySelectorAll('td.satg-cell').length === 4000", timeout=120_000)
            print(f"browser: page load to 4,000 cells drawn (kernel start included): {time.perf_counter() - t:.1f} s")
            page.locator("button.satg-brush[data-code='II']").click()
            times = []
            for r in range(20):
                cell = page.locator("td.satg-cell").nth(r * 20 + 140 + r % 20)
                before = ratings.read_bytes()
                if cell.inner_text() == "II":
                    continue
                # Click in the page and time until the kernel's answer is painted (the next frame after it).
                times.append(cell.evaluate(CLICK_TO_CONFIRMED))
                while ratings.read_bytes() == before:
                    time.sleep(0.001)
            print(
                f"browser: click to rating confirmed by the kernel and painted ({len(times)} clicks): median "
                f"{statistics.median(times):.0f} ms, max {max(times):.0f} ms"
            )
            browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=200, help="cell changes timed per mode")
    parser.add_argument("--browser", action="store_true", help="also time Voila in Chromium")
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}, numpy {np.__version__}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        folder = site / "data" / "cases" / "large"
        make_case(folder)
        print("case: 20 hypotheses x 200 evidence items, 3 analysts")
        kernel_side(folder, args.changes)
        if args.browser:
            shutil.rmtree(folder)
            make_case(folder)
            browser_side(site)


if __name__ == "__main__":
    main()
