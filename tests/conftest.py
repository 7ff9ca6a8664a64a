"""Shared fixtures: temporary copies of cases so tests never touch the committed ones.

The session reads the bundled cases from a pristine copy (the repository's top-level ``conftest.py``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_REFERENCE = ROOT.parent / "shared" / "reference"


def bundled_case(case_id: str) -> Path:
    """The pristine copy of a bundled case (see the module docstring)."""
    from sat.paths import cases_dir

    return cases_dir() / case_id


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A writable copy of the hand-computed three-hypothesis case."""
    target = tmp_path / "tiny"
    shutil.copytree(FIXTURES / "tiny", target)
    return target


@pytest.fixture
def karish(tmp_path: Path) -> Path:
    """A writable copy of the flagship Karish case."""
    target = tmp_path / "karish"
    shutil.copytree(bundled_case("karish"), target)
    return target


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    """One JupyterLab for the session's browser tests, over the session's temporary folder (each test opens the
    notebook of its own site in it, see tests/test_browser_editor.py): (its root, its port)."""
    from test_browser_editor import start_lab

    root = tmp_path_factory.getbasetemp()
    for port in start_lab(root, tmp_path_factory.mktemp("lab-server")):
        yield root, port
