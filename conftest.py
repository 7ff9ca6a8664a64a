"""Test sessions read the bundled cases from a pristine copy, so an analyst's own edits never fail the suite.

Before anything is collected, ``SAT_ROOT`` is pointed at a temporary root holding ``data/`` as committed
(``git archive HEAD``; a plain copy outside a git checkout) and a link to the live ``notebooks/``. Every test, and
every notebook kernel nbval starts (kernels inherit the environment), then reads the committed cases, whatever
has been rated or added in ``data/`` since. ``tests/test_pristine.py`` proves it by editing the live case first.
A ``SAT_ROOT`` already set is respected.
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
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", "HEAD", "data"],
                             capture_output=True, check=False)
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
