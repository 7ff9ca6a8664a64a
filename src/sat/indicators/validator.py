"""The Indicators Validator: how well each indicator tells the targets (hypotheses or scenarios) apart.

Each cell rates "if this target were true, how likely is this indicator to appear?" on Pherson's scale HL highly
likely, L likely, C could, U unlikely, HU highly unlikely (Pherson Associates' Indicators Validator, 2008; Heuer &
Pherson, *Structured Analytic Techniques for Intelligence Analysis*, ch. "Indicators Validator"; TRADECRAFT.md
§2). Pherson's own numeric scoring is not published, so three documented rules are computed and the case chooses
which one flags indicators as non-diagnostic:

* ``spread``: the highest minus the lowest rating of the row, in scale steps (HL = +2 ... HU = -2);
* ``home``: the rating of the indicator's home target minus the best rating among the other targets, in steps
  (Pherson: most diagnostic when HL at home and HU elsewhere);
* ``llr``: the natural log of the largest over the smallest P(indicator observed | target) through the mapping --
  the log likelihood ratio of the most to the least favoured target (Good 1950's weight of evidence).

Missing ratings are read as the scale's middle, C, like unrated ACH cells (a warning, not an error).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

#: Pherson's Indicators Validator scale, most likely first.
SCALE: tuple[str, ...] = ("HL", "L", "C", "U", "HU")
SCALE_LABEL: dict[str, str] = {
    "HL": "highly likely",
    "L": "likely",
    "C": "could",
    "U": "unlikely",
    "HU": "highly unlikely",
}
SCALE_STEPS: dict[str, int] = {"HL": 2, "L": 1, "C": 0, "U": -1, "HU": -2}
#: The neutral rating that stands in for a missing one.
NEUTRAL = "C"
#: Default P(indicator observed | target) per rating (the issue's documented default; editable per case).
DEFAULT_MAPPING: dict[str, float] = {"HL": 0.9, "L": 0.7, "C": 0.5, "U": 0.3, "HU": 0.1}
#: Pherson's five qualities of a good indicator (TRADECRAFT.md §2), each rated low / medium / high.
CRITERIA: tuple[str, ...] = ("observable", "valid", "reliable", "stable", "unique")
RULES: tuple[str, ...] = ("llr", "spread", "home")
#: Default threshold per rule: an indicator is diagnostic when its value reaches it. llr: a likelihood ratio of 3,
#: where Kass & Raftery (1995, JASA 90:773) begin "positive" evidence; spread: two steps; home: one step.
DEFAULT_THRESHOLD: dict[str, float] = {"llr": math.log(3), "spread": 2.0, "home": 1.0}
DEFAULT_COVERAGE = 3


def filled(ratings: pd.DataFrame) -> pd.DataFrame:
    """Ratings with every missing cell (NaN or "") read as :data:`NEUTRAL`."""
    return ratings.fillna(NEUTRAL).replace("", NEUTRAL)


def observed_probability(ratings: pd.DataFrame, mapping: Mapping[str, float]) -> pd.DataFrame:
    """P(indicator observed | target) per cell through ``mapping`` (missing cells neutral)."""
    return filled(ratings).apply(lambda column: column.map(mapping)).astype(float)


def home_targets(ratings: pd.DataFrame, declared: Sequence[str | None]) -> list[str]:
    """Each indicator's home target: the declared one (its ``from``) when it names a target, else the first target
    with the highest rating."""
    steps = filled(ratings).apply(lambda column: column.map(SCALE_STEPS)).to_numpy(dtype=float)
    targets = list(ratings.columns)
    return [
        home if home is not None and home in targets else str(targets[int(np.argmax(row))])
        for home, row in zip(declared, steps)
    ]


def validate(
    ratings: pd.DataFrame,
    homes: Sequence[str],
    mapping: Mapping[str, float],
    rule: str = "llr",
    threshold: float | None = None,
) -> pd.DataFrame:
    """Per indicator (rows of ``ratings``, targets across): every rule's value, the targets it points to, and whether
    it is diagnostic under ``rule`` (value >= ``threshold``, default :data:`DEFAULT_THRESHOLD`).

    An indicator points to the targets where it is most likely; one rated alike everywhere points nowhere.
    """
    if rule not in RULES:
        raise ValueError(f"unknown diagnosticity rule {rule!r} (expected one of {', '.join(RULES)})")
    limit = DEFAULT_THRESHOLD[rule] if threshold is None else threshold
    steps = filled(ratings).apply(lambda column: column.map(SCALE_STEPS)).to_numpy(dtype=float)
    logp = np.log(observed_probability(ratings, mapping).to_numpy())
    targets = list(ratings.columns)
    home_index = np.array([targets.index(h) for h in homes], dtype=int)
    rows = np.arange(len(ratings))
    others = steps.copy()
    others[rows, home_index] = -np.inf
    home_gap = steps[rows, home_index] - others.max(axis=1) if len(targets) > 1 else np.zeros(len(rows))
    table = pd.DataFrame(
        {
            "spread": steps.max(axis=1) - steps.min(axis=1),
            "home": list(homes),
            "home_vs_other": home_gap,
            "llr": logp.max(axis=1) - logp.min(axis=1),
            "missing": (ratings.isna() | (ratings == "")).sum(axis=1).to_numpy(),
        },
        index=ratings.index,
    )
    table["points_to"] = [
        tuple(t for t, v in zip(targets, row) if v == row.max()) if row.max() > row.min() else () for row in steps
    ]
    value = table["home_vs_other" if rule == "home" else rule]
    table["diagnostic"] = value >= limit - 1e-12
    return table


def coverage(table: pd.DataFrame, targets: Sequence[str], minimum: int = DEFAULT_COVERAGE) -> pd.DataFrame:
    """Per target: the diagnostic indicators that point to it, their count, and whether it has at least
    ``minimum`` of them (a target nothing points to can neither be confirmed nor told from its rivals)."""
    diagnostic = table[table["diagnostic"]]
    rows = []
    for target in targets:
        ids = [i for i, points in diagnostic["points_to"].items() if target in points]
        rows.append({"target": target, "indicators": ", ".join(ids), "count": len(ids), "covered": len(ids) >= minimum})
    return pd.DataFrame(rows).set_index("target")


def criteria_summary(criteria: pd.DataFrame) -> pd.DataFrame:
    """Per criterion (rows), how many indicators are rated low, medium, high or not rated (columns)."""
    levels = ("low", "medium", "high")
    out = {level: [(criteria[c] == level).sum() for c in CRITERIA] for level in levels}
    out["not rated"] = [(~criteria[c].isin(levels)).sum() for c in CRITERIA]
    return pd.DataFrame(out, index=pd.Index(CRITERIA, name="criterion")).astype(int)
