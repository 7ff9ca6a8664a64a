"""Driving forces: the driver table, its rating scales, and the impact x uncertainty classification.

Technique: Alternative Futures Analysis (Heuer & Pherson, *Structured Analytic Techniques*, 2nd ed. 2015, ch. 6;
CIA *Tradecraft Primer* 2009). Drivers are listed by category (STEEP or PMESII), rated for how much they bear on the
focal question (impact) and how open their outcome is over the horizon (uncertainty). High impact with low
uncertainty is a *predetermined element* (it shapes every scenario alike); high impact with high uncertainty is a
*critical uncertainty* (a candidate axis for the 2x2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

#: Categories of the two usual checklists for driving forces.
FRAMEWORKS: dict[str, tuple[str, ...]] = {
    "STEEP": ("Social", "Technological", "Economic", "Environmental", "Political"),
    "PMESII": ("Political", "Military", "Economic", "Social", "Information", "Infrastructure"),
}

#: The 1-5 impact scale: how much the driver's outcome changes the answer to the focal question.
IMPACT_SCALE: dict[int, str] = {
    1: "negligible: the answer would hardly change",
    2: "minor: changes details, not the shape of the answer",
    3: "moderate: changes part of the answer",
    4: "major: changes the answer for one or more key actors",
    5: "decisive: the answer turns on it",
}

#: The 1-5 uncertainty scale: how open the driver's outcome is over the horizon.
UNCERTAINTY_SCALE: dict[int, str] = {
    1: "settled: its course over the horizon is all but known",
    2: "fairly clear: one outcome is much the more likely",
    3: "open: one outcome leans ahead, the other is quite possible",
    4: "very open: both end states are live",
    5: "wide open: no basis to favour either end state",
}

RATING_MIN, RATING_MAX = 1, 5

#: Documented thresholds of the classification (inclusive).
HIGH_IMPACT = 4
HIGH_UNCERTAINTY = 4
LOW_UNCERTAINTY = 2

CRITICAL_UNCERTAINTY = "critical uncertainty"
PREDETERMINED = "predetermined element"
SECONDARY = "secondary driver"


@dataclass(frozen=True)
class Driver:
    """One driving force with its two end states (the poles a 2x2 axis would run between)."""

    id: str
    name: str
    description: str
    category: str
    impact: int
    uncertainty: int
    end_states: tuple[str, str]
    sources: tuple[str, ...] = ()

    def other_state(self, state: str) -> str:
        """The end state opposite ``state``."""
        first, second = self.end_states
        if state == first:
            return second
        if state == second:
            return first
        raise KeyError(f"{state!r} is not an end state of driver {self.id!r}")


def classify(
    impact: int,
    uncertainty: int,
    high_impact: int = HIGH_IMPACT,
    high_uncertainty: int = HIGH_UNCERTAINTY,
    low_uncertainty: int = LOW_UNCERTAINTY,
) -> str:
    """Class of one driver from its ratings.

    impact >= ``high_impact`` and uncertainty >= ``high_uncertainty``: critical uncertainty;
    impact >= ``high_impact`` and uncertainty <= ``low_uncertainty``: predetermined element;
    anything else (lower impact, or the middle uncertainty rating): secondary driver.
    """
    if not low_uncertainty < high_uncertainty:
        raise ValueError("low_uncertainty must be below high_uncertainty")
    if impact >= high_impact and uncertainty >= high_uncertainty:
        return CRITICAL_UNCERTAINTY
    if impact >= high_impact and uncertainty <= low_uncertainty:
        return PREDETERMINED
    return SECONDARY


def driver_table(drivers: Sequence[Driver]) -> pd.DataFrame:
    """One row per driver (indexed by id): name, category, ratings, class and end states, in file order."""
    rows = [
        {
            "id": d.id,
            "driver": d.name,
            "category": d.category,
            "impact": d.impact,
            "uncertainty": d.uncertainty,
            "class": classify(d.impact, d.uncertainty),
            "end state A": d.end_states[0],
            "end state B": d.end_states[1],
            "description": d.description,
        }
        for d in drivers
    ]
    columns = [
        "id",
        "driver",
        "category",
        "impact",
        "uncertainty",
        "class",
        "end state A",
        "end state B",
        "description",
    ]
    return pd.DataFrame(rows, columns=columns).set_index("id")


def critical_uncertainties(drivers: Sequence[Driver]) -> list[Driver]:
    """Drivers classed as critical uncertainties, in file order."""
    return [d for d in drivers if classify(d.impact, d.uncertainty) == CRITICAL_UNCERTAINTY]


def predetermined_elements(drivers: Sequence[Driver]) -> list[Driver]:
    """Drivers classed as predetermined elements, in file order."""
    return [d for d in drivers if classify(d.impact, d.uncertainty) == PREDETERMINED]


def scales_table() -> pd.DataFrame:
    """The two rating scales side by side, indexed by rating."""
    rows = [{"rating": n, "impact": IMPACT_SCALE[n], "uncertainty": UNCERTAINTY_SCALE[n]} for n in IMPACT_SCALE]
    return pd.DataFrame(rows).set_index("rating")


def classification_rules(
    high_impact: int = HIGH_IMPACT, high_uncertainty: int = HIGH_UNCERTAINTY, low_uncertainty: int = LOW_UNCERTAINTY
) -> list[str]:
    """The thresholds of :func:`classify` in words."""
    return [
        f"{CRITICAL_UNCERTAINTY}: impact {high_impact} or more and uncertainty {high_uncertainty} or more",
        f"{PREDETERMINED}: impact {high_impact} or more and uncertainty {low_uncertainty} or less",
        f"{SECONDARY}: every other driver",
    ]
