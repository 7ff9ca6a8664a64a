"""Updating: the probability of each target at each date, from what was observed, absent or unknown.

At a date, P(target) is proportional to prior x product over indicators of P(status | target) (Bayes' rule with
conditionally independent indicators, as in ACH's likelihood mode; TRADECRAFT.md §1.5):

* ``observed`` uses the mapping, P(observed | t) = m(rating);
* ``absent`` uses its complement, 1 - m(rating): looked for and not seen is evidence (Grabo);
* ``unknown`` (or never observed) contributes nothing.

An observation's credibility discounts it the way ACH discounts evidence (:func:`sat.ach.scoring.row_likelihoods`):
with probability c it is what it appears to be, otherwise uninformative noise taken at the neutral rating's value,
P* = c·P + (1 - c)·P(·|C). Indicators sharing a ``group`` count once, through the member whose discounted
log-likelihood varies most across targets (:func:`sat.ach.scoring.group_weights`).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..ach.scoring import group_weights, softmax
from .validator import NEUTRAL, observed_probability


def status_loglik(
    p_observed: np.ndarray, statuses: Sequence[str], credibility: np.ndarray, neutral: float
) -> np.ndarray:
    """log P*(status | target) per indicator (rows) and target; rows of ``unknown`` indicators are 0.

    ``p_observed``: P(observed | target) per cell; ``credibility``: the weight c of each row's observation;
    ``neutral``: P(observed | C), the value an uninformative report takes.
    """
    status = np.asarray(statuses, dtype=object)[:, None]
    c = np.asarray(credibility, dtype=float)[:, None]
    observed = c * p_observed + (1.0 - c) * neutral
    p = np.where(status == "observed", observed, np.where(status == "absent", 1.0 - observed, 1.0))
    return np.log(p)


def posterior(loglik: np.ndarray, groups: np.ndarray, prior: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(posterior per target, each row's weight) with each group counted through its most diagnostic member."""
    weights = group_weights(loglik, groups)
    return softmax(np.log(prior) + (loglik * weights[:, None]).sum(axis=0)), weights


@dataclass(frozen=True)
class Timeline:
    """Probabilities per target at each distinct observation date, and the observations that moved them most."""

    probabilities: pd.DataFrame  # dates (index) x targets; the first row, dated None, is the prior
    movers: dict[dt.date, pd.DataFrame]  # per date: indicator, status, shift (total variation), sorted by shift


def group_labels(groups: Sequence[str | None]) -> np.ndarray:
    """Group names to integer labels (-1 for none), first appearance first."""
    labels = {g: i for i, g in enumerate(dict.fromkeys(g for g in groups if g))}
    return np.array([labels[g] if g else -1 for g in groups], dtype=int)


def timeline(
    ratings: pd.DataFrame,
    groups: Sequence[str | None],
    observations: pd.DataFrame,
    prior: Mapping[str, float],
    mapping: Mapping[str, float],
    credibility: Mapping[str, float],
    until: dt.date | None = None,
) -> Timeline:
    """The probability timeline of ``ratings``' targets from ``observations`` (dates up to ``until``).

    Each observation that changed at a date is scored by how far the posterior would move back if that
    indicator's status were returned to what it was before the date: half the sum of absolute differences
    (total variation distance), so that group effects are counted as they really act.
    """
    indicators = list(ratings.index)
    targets = list(ratings.columns)
    p_obs = observed_probability(ratings, mapping).to_numpy()
    neutral = mapping[NEUTRAL]
    labels = group_labels(groups)
    prior_vec = np.array([prior[t] for t in targets], dtype=float)
    prior_vec = prior_vec / prior_vec.sum()
    position = {i: k for k, i in enumerate(indicators)}
    log = observations.assign(_row=np.arange(len(observations)))
    if until is not None:
        log = log[log["date"] <= until]
    log = log.sort_values(["date", "_row"], kind="stable")  # within a date, file order: the later row wins

    def probabilities(statuses: list[str], weights: np.ndarray) -> np.ndarray:
        return posterior(status_loglik(p_obs, statuses, weights, neutral), labels, prior_vec)[0]

    statuses = ["unknown"] * len(indicators)
    weights = np.ones(len(indicators))
    rows, dates = [prior_vec], []
    movers: dict[dt.date, pd.DataFrame] = {}
    records_in_order = zip(log["date"], log["indicator"], log["status"], log["credibility"])
    for date, today in itertools.groupby(records_in_order, key=lambda record: record[0]):
        before_status, before_weight = list(statuses), weights.copy()
        changed: dict[str, None] = {}
        for _, indicator, status, level in today:
            k = position[indicator]
            statuses[k] = status
            weights[k] = credibility.get(level, 1.0)
            changed[indicator] = None
        now = probabilities(statuses, weights)
        records = []
        for i in changed:
            k = position[i]
            back_status, back_weight = list(statuses), weights.copy()
            back_status[k], back_weight[k] = before_status[k], before_weight[k]
            shift = 0.5 * float(np.abs(now - probabilities(back_status, back_weight)).sum())
            records.append({"indicator": i, "status": statuses[k], "shift": shift})
        movers[date] = (
            pd.DataFrame(records, columns=["indicator", "status", "shift"])
            .sort_values("shift", ascending=False, kind="stable")
            .reset_index(drop=True)
        )
        rows.append(now)
        dates.append(date)
    index = pd.Index([None, *dates], name="date", dtype=object)
    return Timeline(pd.DataFrame(np.array(rows), index=index, columns=targets), movers)
