"""Alternative Futures Analysis: the 2x2 matrix of two critical uncertainties.

Technique: Heuer & Pherson, *Structured Analytic Techniques* (2nd ed. 2015), "Alternative Futures Analysis", after
the Global Business Network practice: pick two critical uncertainties that vary independently, give each two end
states, name and narrate the four futures they span, attach observable indicators to each, and separate moves that
pay off in every future (robust) from moves that suit only one. No probabilities are attached to the quadrants.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .drivers import Driver


@dataclass(frozen=True)
class Indicator:
    """An observable signpost that a scenario is unfolding; ``id`` is unique within a case's scenarios file."""

    id: str
    text: str


@dataclass(frozen=True)
class Quadrant:
    """One of the four futures: the end state it takes on each axis, and what it means."""

    id: str
    name: str
    x_state: str
    y_state: str
    narrative: str
    indicators: tuple[Indicator, ...]
    implications: tuple[str, ...]
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Futures:
    """The 2x2: axis drivers (by id), the case for their independence, four quadrants and the robust moves."""

    x_axis: str
    y_axis: str
    independence: str
    quadrants: tuple[Quadrant, ...]
    robust_moves: tuple[str, ...] = ()

    def quadrant(self, x_state: str, y_state: str) -> Quadrant:
        """The quadrant at the given end states."""
        for q in self.quadrants:
            if (q.x_state, q.y_state) == (x_state, y_state):
                return q
        raise KeyError(f"no quadrant at ({x_state!r}, {y_state!r})")


def combinations(x: Driver, y: Driver) -> list[tuple[str, str]]:
    """The four (x end state, y end state) pairs a 2x2 on these axes must cover, x's first state first."""
    return [(xs, ys) for xs in x.end_states for ys in y.end_states]


def moves_table(futures: Futures) -> pd.DataFrame:
    """Robust moves (worth making in every future) first, then the options that suit one scenario only."""
    rows = [{"kind": "robust", "scenario": "all four", "move": m} for m in futures.robust_moves]
    rows += [{"kind": "scenario-specific", "scenario": q.name, "move": m} for q in futures.quadrants for m in q.options]
    return pd.DataFrame(rows, columns=["kind", "scenario", "move"])
