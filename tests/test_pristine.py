"""The notebook checks run on the committed cases: an analyst's edits to the live data never fail the suite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sat.paths import repo_root

ROOT = Path(__file__).resolve().parents[1]
LIVE = ROOT / "data" / "cases" / "karish"


def test_the_session_reads_a_pristine_copy_not_the_live_folder():
    assert repo_root() != ROOT
    assert (repo_root() / "data" / "cases" / "karish" / "case.yaml").read_bytes() != b""
    assert (repo_root() / "notebooks").resolve() == ROOT / "notebooks"


@pytest.mark.parametrize("turn", [1, 2])
def test_each_worker_reads_the_session_root(turn):
    """Run in parallel by the next test (``SAT_PRISTINE_PROBE``): note which worker read which root."""
    root = Path(os.environ["SAT_ROOT"])
    assert repo_root() == root and (root / "data" / "cases" / "karish" / "case.yaml").is_file()
    probe = os.environ.get("SAT_PRISTINE_PROBE")
    if probe:
        (Path(probe) / f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{turn}").write_text(str(root))


def test_xdist_workers_share_one_copy_that_is_removed_once_at_the_end(tmp_path):
    """`make test` runs pytest-xdist: the controller makes the pristine copy before starting its workers, both
    workers read that one copy, and it is gone when the run ends."""
    env = {k: v for k, v in os.environ.items() if k != "SAT_ROOT" and not k.startswith("PYTEST_XDIST")}
    # Only xdist among the plugins: the others (nbval's import chain above all) would triple the cost of the run.
    env |= {"SAT_PRISTINE_PROBE": str(tmp_path), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "xdist",
            "-p",
            "no:cacheprovider",
            "-n",
            "2",
            "--dist",
            "load",
            "tests/test_pristine.py::test_each_worker_reads_the_session_root",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    seen = {path.name: path.read_text() for path in tmp_path.iterdir()}
    assert {name.split("-")[0] for name in seen} == {"gw0", "gw1"}, seen
    [root] = set(seen.values())
    assert Path(root).name.startswith("sat-pristine-") and root != os.environ["SAT_ROOT"]
    assert not Path(root).exists()


@pytest.mark.skipif(
    subprocess.run(["git", "-C", str(ROOT), "rev-parse"], capture_output=True, check=False).returncode != 0,
    reason="the pristine copy comes from git; outside a checkout the live data is the only copy",
)
def test_report_notebook_check_passes_after_the_live_case_is_edited():
    """Rate a cell differently and add an evidence item in the live Karish case, as an analyst would in the
    editor, then run the ACH report's nbval check in a fresh pytest (its own pristine copy): it must pass."""
    ratings, case_file = LIVE / "ratings" / "levant_desk.csv", LIVE / "case.yaml"
    saved = {path: path.read_bytes() for path in (ratings, case_file)}
    try:
        ratings.write_text(saved[ratings].decode().replace("E16,II,", "E16,CC,", 1), encoding="utf-8")
        text = saved[case_file].decode()
        item = "  - id: E99\n    summary: An analyst's own new item.\n    type: other\n\n"
        case_file.write_text(text.replace("\nsources:\n", "\n" + item + "sources:\n", 1), encoding="utf-8")
        assert ratings.read_bytes() != saved[ratings] and b"E99" in case_file.read_bytes()
        env = {k: v for k, v in os.environ.items() if k != "SAT_ROOT"}
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # only nbval among the plugins: the others cost a second to load
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "nbval",
                "-p",
                "no:cacheprovider",
                "--nbval",
                "--nbval-sanitize-with",
                "tests/nbval_sanitize.cfg",
                "notebooks/ach/ach_report.ipynb",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    finally:
        for path, content in saved.items():
            path.write_bytes(content)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
