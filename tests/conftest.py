"""Shared fixtures: temporary copies of cases so tests never touch the committed ones.

The session reads the bundled cases from a pristine copy (the repository's top-level ``conftest.py``).
"""

from __future__ import annotations

import shutil
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
