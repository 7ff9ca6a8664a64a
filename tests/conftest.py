"""Shared fixtures: temporary copies of cases so tests never touch the committed ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_REFERENCE = ROOT.parent / "shared" / "reference"


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
    shutil.copytree(ROOT / "data" / "cases" / "karish", target)
    return target
