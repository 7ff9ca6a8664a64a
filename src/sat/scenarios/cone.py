"""Cone of Plausibility: a baseline from one assumption per driver, alternatives that flip named assumptions.

Technique: C. W. Taylor, *Alternative World Scenarios for Strategic Planning* (US Army War College, 1988), as taught
in Heuer & Pherson (2nd ed. 2015). Each key driver carries one assumption about how it runs over the horizon (here:
which of its two end states holds); together they give the baseline scenario. Each alternative scenario is the baseline
with one or more named assumptions flipped to the driver's other end state. Wild cards sit at the edge of the cone:
low-probability, high-impact events outside the driver logic.

The order in which scenarios are read affects judgments about them (Dhami, Wicke & Onkal 2022), so presentation is
counterbalanced with a Williams design: a Latin square in which, over a full cycle of readers, every scenario appears
once in every position and (for an even count; for an odd count over the doubled cycle) every scenario immediately
follows every other equally often. Reader ``r`` gets row ``r mod rows``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import pandas as pd

from .drivers import Driver
from .futures import Indicator

T = TypeVar("T")


@dataclass(frozen=True)
class Assumption:
    """The baseline assumption about one driver: which end state holds, stated in words."""

    driver: str
    state: str
    text: str


@dataclass(frozen=True)
class ConeScenario:
    """The baseline (no flips) or an alternative defined by the drivers whose assumptions it flips."""

    id: str
    name: str
    flips: tuple[str, ...]
    narrative: str
    indicators: tuple[Indicator, ...] = ()


@dataclass(frozen=True)
class WildCard:
    """A low-probability, high-impact event outside the driver logic."""

    id: str
    name: str
    description: str
    indicators: tuple[Indicator, ...] = ()


@dataclass(frozen=True)
class Cone:
    """Assumptions (one per driver), the baseline, alternatives and wild cards."""

    assumptions: tuple[Assumption, ...]
    baseline: ConeScenario
    alternatives: tuple[ConeScenario, ...]
    wild_cards: tuple[WildCard, ...] = ()

    @property
    def scenarios(self) -> tuple[ConeScenario, ...]:
        """Baseline first, then the alternatives in file order."""
        return (self.baseline, *self.alternatives)


def scenario_states(cone: Cone, scenario: ConeScenario, drivers: Mapping[str, Driver]) -> dict[str, str]:
    """End state of every cone driver in ``scenario``: the assumed state, or the other one where flipped."""
    return {
        a.driver: drivers[a.driver].other_state(a.state) if a.driver in scenario.flips else a.state
        for a in cone.assumptions
    }


def cone_table(cone: Cone, drivers: Mapping[str, Driver]) -> pd.DataFrame:
    """Scenarios as rows, cone drivers as columns (driver names), cells the end state; flipped cells end in ' *'."""
    rows = []
    for s in cone.scenarios:
        states = scenario_states(cone, s, drivers)
        row = {"scenario": s.name, "flips": len(s.flips)}
        for a in cone.assumptions:
            mark = " *" if a.driver in s.flips else ""
            row[drivers[a.driver].name] = states[a.driver] + mark
        rows.append(row)
    return pd.DataFrame(rows).set_index("scenario")


def assumption_table(cone: Cone, drivers: Mapping[str, Driver]) -> pd.DataFrame:
    """The baseline assumptions: driver, assumed end state, the assumption, and what flipping it would mean."""
    rows = [
        {
            "driver": drivers[a.driver].name,
            "assumed end state": a.state,
            "assumption": a.text,
            "if flipped": drivers[a.driver].other_state(a.state),
        }
        for a in cone.assumptions
    ]
    return pd.DataFrame(rows, columns=["driver", "assumed end state", "assumption", "if flipped"])


def williams_square(n: int) -> list[list[int]]:
    """Williams design over ``n`` items: n rows for even n, 2n rows (square and its mirror) for odd n.

    Row 0 is 0, 1, n-1, 2, n-2, ...; row r adds r (mod n) to every entry. Each row is a permutation, and
    each block of n rows is a Latin square (every item once in every position).
    """
    if n < 1:
        raise ValueError("a Williams square needs at least one item")
    first, low, high = [0], 1, n - 1
    while len(first) < n:
        first.append(low)
        low += 1
        if len(first) < n:
            first.append(high)
            high -= 1
    rows = [[(item + r) % n for item in first] for r in range(n)]
    if n % 2 == 1:
        rows += [list(reversed(row)) for row in rows]
    return rows


def counterbalanced(items: Sequence[T], reader: int) -> list[T]:
    """``items`` in the order for reader (or analyst) number ``reader`` (0-based) under the Williams design."""
    if reader < 0:
        raise ValueError("reader index must be 0 or more")
    if not items:
        return []
    rows = williams_square(len(items))
    return [items[i] for i in rows[reader % len(rows)]]


def presentation_order(cone: Cone, reader: int) -> list[ConeScenario]:
    """Baseline and alternatives in the counterbalanced order for ``reader``; wild cards are shown after them."""
    return counterbalanced(list(cone.scenarios), reader)
