"""Multiple Scenarios Generation: every pair of drivers as a 2x2, then a screen for the futures worth attention.

Technique: Heuer & Pherson, *Structured Analytic Techniques* (2nd ed. 2015), "Multiple Scenarios Generation".
With n drivers there are C(n,2) matrices and 4*C(n,2) quadrants. Each quadrant is judged by the analysts (recorded
in the scenarios file, never computed): is it plausible, would it matter (consequential), is it a fresh angle (novel),
and has the customer not yet considered it. The shortlist keeps the scenarios most deserving attention, each with
the reason it was kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from math import comb

import pandas as pd

from .drivers import Driver

#: The four screening questions, as file keys, in the order they are shown.
CRITERIA: tuple[str, ...] = ("plausible", "consequential", "novel", "not_yet_considered")


@dataclass(frozen=True)
class ScreenJudgment:
    """The analysts' judgment of one quadrant; a criterion left ``None`` has not been judged yet."""

    drivers: tuple[str, str]
    states: tuple[str, str]
    plausible: bool | None = None
    consequential: bool | None = None
    novel: bool | None = None
    not_yet_considered: bool | None = None
    shortlisted: bool = False
    name: str = ""
    reason: str = ""

    def normalised(self, order: Sequence[str]) -> ScreenJudgment:
        """The same judgment with its two drivers in the order they appear in ``order`` (the driver table)."""
        a, b = self.drivers
        if order.index(a) <= order.index(b):
            return self
        return ScreenJudgment(
            (b, a),
            (self.states[1], self.states[0]),
            self.plausible,
            self.consequential,
            self.novel,
            self.not_yet_considered,
            self.shortlisted,
            self.name,
            self.reason,
        )


def matrix_count(n: int) -> int:
    """Number of 2x2 matrices from n drivers: C(n,2)."""
    return comb(n, 2)


def quadrant_count(n: int) -> int:
    """Number of quadrants from n drivers: 4*C(n,2)."""
    return 4 * comb(n, 2)


def driver_pairs(drivers: Sequence[Driver]) -> list[tuple[Driver, Driver]]:
    """Every unordered pair of drivers, in driver-table order: C(n,2) pairs."""
    return list(combinations(drivers, 2))


def quadrant_key(drivers: tuple[str, str], states: tuple[str, str]) -> str:
    """A readable key for one quadrant, e.g. ``russia=Drained | israel=Escalating``."""
    return f"{drivers[0]}={states[0]} | {drivers[1]}={states[1]}"


def generate_quadrants(drivers: Sequence[Driver]) -> pd.DataFrame:
    """All 4*C(n,2) quadrants: matrix number (1-based), the two drivers (ids) and one end state of each."""
    rows = []
    for number, (a, b) in enumerate(driver_pairs(drivers), start=1):
        for sa in a.end_states:
            for sb in b.end_states:
                rows.append(
                    {
                        "matrix": number,
                        "driver A": a.id,
                        "state A": sa,
                        "driver B": b.id,
                        "state B": sb,
                        "key": quadrant_key((a.id, b.id), (sa, sb)),
                    }
                )
    return pd.DataFrame(rows, columns=["matrix", "driver A", "state A", "driver B", "state B", "key"])


def screen_table(drivers: Sequence[Driver], judgments: Sequence[ScreenJudgment]) -> pd.DataFrame:
    """Every generated quadrant with the recorded judgments (``<NA>`` where not judged yet).

    ``score`` counts the criteria judged yes (0-4); it orders the table for review and never replaces the
    analysts' shortlist, which is taken from the file as written.
    """
    order = [d.id for d in drivers]
    by_key = {}
    for j in judgments:
        n = j.normalised(order)
        by_key[quadrant_key(n.drivers, n.states)] = n
    table = generate_quadrants(drivers)
    for criterion in CRITERIA:
        values = [getattr(by_key[k], criterion) if k in by_key else None for k in table["key"]]
        table[criterion] = pd.array(values, dtype="boolean")
    table["score"] = table[list(CRITERIA)].fillna(False).astype(int).sum(axis=1)
    table["judged"] = table[list(CRITERIA)].notna().all(axis=1)
    table["shortlisted"] = [by_key[k].shortlisted if k in by_key else False for k in table["key"]]
    table["name"] = [by_key[k].name if k in by_key else "" for k in table["key"]]
    table["reason"] = [by_key[k].reason if k in by_key else "" for k in table["key"]]
    return table


def shortlist(drivers: Sequence[Driver], judgments: Sequence[ScreenJudgment]) -> pd.DataFrame:
    """The shortlisted quadrants, highest score first (file order among equals), with name and reason."""
    table = screen_table(drivers, judgments)
    kept = table[table["shortlisted"]]
    return kept.sort_values("score", ascending=False, kind="stable")[
        ["name", "driver A", "state A", "driver B", "state B", *CRITERIA, "score", "reason"]
    ].reset_index(drop=True)


def screen_summary(drivers: Sequence[Driver], judgments: Sequence[ScreenJudgment]) -> dict[str, int]:
    """Counts for the screen: matrices, quadrants, fully judged quadrants, yes per criterion, shortlisted."""
    table = screen_table(drivers, judgments)
    summary = {
        "drivers": len(drivers),
        "matrices": matrix_count(len(drivers)),
        "quadrants": len(table),
        "judged": int(table["judged"].sum()),
    }
    for criterion in CRITERIA:
        summary[criterion] = int(table[criterion].fillna(False).sum())
    summary["shortlisted"] = int(table["shortlisted"].sum())
    return summary
