"""The validated content of a ``scenarios.yaml`` in memory (the layout is described in the package docstring)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..bridge import Bridge
from ..cib import CIBMatrix
from ..cone import Cone
from ..drivers import Driver
from ..futures import Futures
from ..multiple import ScreenJudgment

SCENARIOS_FILE = "scenarios.yaml"
TOP_KEYS = ("horizon", "framework", "drivers", "futures", "multiple", "cone", "cib", "bridge")


@dataclass(frozen=True)
class CaseInfo:
    """What the scenarios need from the case's ``case.yaml``: identity, focal question, date, citable sources."""

    id: str = ""
    title: str = ""
    question: str = ""
    as_of: dt.date | None = None
    source_ids: frozenset[str] | None = None  # None: citations are not checked


@dataclass(frozen=True)
class Scenarios:
    """Everything in one case's scenarios file, validated.

    ``cib`` is the main CIB matrix, ``cib_experts`` any other experts' matrices and ``cib_rationales`` the written
    reasons by (source, target) descriptor index. ``cib_raw`` is the ``cib:`` mapping as read: saving writes it
    back unchanged (comments aside) unless the model in memory differs from it.
    """

    case: CaseInfo
    path: Path
    horizon: str
    framework: str
    drivers: tuple[Driver, ...]
    futures: Futures | None = None
    screen: tuple[ScreenJudgment, ...] = ()
    cone: Cone | None = None
    cib: CIBMatrix | None = None
    cib_experts: tuple[CIBMatrix, ...] = ()
    cib_rationales: Mapping[tuple[int, int], str] = field(default_factory=dict)
    bridge: Bridge | None = None
    cib_raw: Any = field(default=None, repr=False, compare=False)

    @property
    def driver_map(self) -> dict[str, Driver]:
        """Drivers by id."""
        return {d.id: d for d in self.drivers}
