"""Test sessions read the bundled cases from a pristine copy, so an analyst's own edits never fail the suite.

Before anything is collected, ``SAT_ROOT`` is pointed at a temporary root holding ``data/`` as committed
(``git archive HEAD``; a plain copy outside a git checkout) and a link to the live ``notebooks/``. Every test, and
every notebook kernel nbval starts (kernels inherit the environment), then reads the committed cases, whatever
has been rated or added in ``data/`` since. ``tests/test_pristine.py`` proves it by editing the live case first.
A ``SAT_ROOT`` already set is respected.

Under pytest-xdist (``make test`` runs ``-n auto --dist loadgroup``) the controller makes the copy before it starts
its workers, which inherit ``SAT_ROOT`` and so share that one read-only copy; only the controller removes it, once,
at the end. Tests that must share a worker are grouped by ``pytest_xdist_make_scheduler`` below.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent


def pristine_root(target: Path) -> Path:
    """Fill ``target`` with the committed ``data/`` and a link to the live ``notebooks/``; return it."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", "HEAD", "data"], capture_output=True, check=False
    )
    if archive.returncode == 0:
        tar = target / "data.tar"
        tar.write_bytes(archive.stdout)
        with tarfile.open(tar) as bundle:
            bundle.extractall(target, filter="data")
        tar.unlink()
    else:
        shutil.copytree(ROOT / "data", target / "data")
    (target / "notebooks").symlink_to(ROOT / "notebooks", target_is_directory=True)
    return target


def pytest_configure(config: pytest.Config) -> None:
    if "SAT_ROOT" in os.environ:
        return
    folder = Path(tempfile.mkdtemp(prefix="sat-pristine-"))
    os.environ["SAT_ROOT"] = str(pristine_root(folder))

    def cleanup() -> None:
        os.environ.pop("SAT_ROOT", None)
        shutil.rmtree(folder, ignore_errors=True)

    config.add_cleanup(cleanup)


#: Test modules whose tests must run on one xdist worker, by group. Renders need no grouping (each runs in a fresh
#: process of its own, with its own working and temporary folders: see ``sat.sandbox``). ``test_browser_reports``
#: renders its reports and launches Chromium once per module (module fixtures): its tests stay on one worker so only
#: one pays for them. The ACH editor and indicator browser tests share one JupyterLab server (a session fixture,
#: tests/conftest.py): together on one worker, it starts once.
SAME_WORKER = {
    "tests/test_browser_reports.py": "browser-reports",
    "tests/test_browser_editor.py": "browser-apps",
    "tests/test_browser_indicators.py": "browser-apps",
    # one worker imports scikit-learn and SciPy for these reference comparisons, not both (about 0.5 s each)
    "tests/test_training_grading.py": "training-grading",
}


#: The longest-running modules (real servers, Chromium, Dask), first in this order, so that under xdist they start
#: at once on separate workers and the many short tests fill in around them instead of waiting at the end.
LONG_FIRST = (
    "tests/test_browser_editor.py",
    "tests/test_browser_indicators.py",
    "tests/test_hub_course.py",
    "tests/test_browser_reports.py",
    "tests/test_runner.py",
    "tests/test_report.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the modules of ``LONG_FIRST`` first; every other test keeps its place (nbval cells stay in order)."""
    rank = {path: i for i, path in enumerate(LONG_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, which a plain `pytest` may run without
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``--dist loadgroup`` with the groups decided here: each notebook's nbval cells (one kernel, run in order),
    the modules of ``SAME_WORKER``; every other test is scheduled on its own.

    xdist's own ``xdist_group`` marks cannot be used: xdist 3.8 tags a grouped test by rewriting ``item._nodeid``,
    which pytest 9.2 no longer reads, so the marks are silently ignored.
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            if path.endswith(".ipynb"):
                return path
            return SAME_WORKER.get(path, nodeid)

    return GroupScheduling(config, log)
