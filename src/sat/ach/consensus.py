"""Several analysts on one matrix: per-cell disagreement, group verdicts, and group probabilities.

Disagreement levels follow Open Synthesis (openach/metrics.py): the population standard deviation of the analysts'
ratings of a cell, on a five-point scale with steps of one, labelled consensus (< 0.5), mild (< 1.5),
large (< 2.0) or extreme. NA and unrated votes are left out of the spread; a cell that some analysts call NA while
others rate it is flagged separately (``na_split``), because it is a disagreement about relevance, not degree.

Group probabilities average each analyst's *normalised* posterior (Mandel, Karvetski & Dhami 2018, Judgment and
Decision Making: normalise, then average).
"""

from __future__ import annotations

import warnings

import numpy as np

from ..rating_scale import RATING_VALUE
from .scoring import CODES, NA, RATING_NUMBER, UNRATED

LEVELS: tuple[tuple[str, float], ...] = (("consensus", 0.5), ("mild", 1.5), ("large", 2.0), ("extreme", np.inf))


def disagreement_level(spread: float) -> str:
    """Label of a per-cell standard deviation."""
    return next(label for label, bound in LEVELS if spread < bound)


def cell_spread(stack: np.ndarray) -> np.ndarray:
    """Population std of the analysts' numeric ratings per cell (analysts on axis 0); 0 where fewer than two."""
    numbers = RATING_NUMBER[stack]
    counts = np.sum(~np.isnan(numbers), axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        spread = np.nanstd(numbers, axis=0)
    return np.where(counts >= 2, spread, 0.0)


def na_split(stack: np.ndarray) -> np.ndarray:
    """Cells that at least one analyst rated NA while another gave a rating."""
    is_na = stack == NA
    rated = (stack != NA) & (stack != UNRATED)
    return is_na.any(axis=0) & rated.any(axis=0)


def cell_mean(stack: np.ndarray) -> np.ndarray:
    """Mean numeric rating per cell over the analysts who rated it (NaN where nobody did)."""
    numbers = RATING_NUMBER[stack]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(numbers, axis=0)


def round_half_away(values: np.ndarray) -> np.ndarray:
    """Round to the nearest integer, halves away from zero (so {I, N} -> I and {N, C} -> C, symmetrically).

    Python's and numpy's round() send halves to the even neighbour, which makes the group verdict depend on
    which side of neutral a tie falls; Open Synthesis shows that quirk, and we do not repeat it.
    """
    return np.sign(values) * np.floor(np.abs(values) + 0.5)


def group_codes(stack: np.ndarray) -> np.ndarray:
    """The group verdict per cell as a code: NA when NA votes are the majority of votes cast, unrated when nobody
    voted, else the mean rating rounded half away from zero."""
    cast = (stack != UNRATED).sum(axis=0)
    na_votes = (stack == NA).sum(axis=0)
    mean = cell_mean(stack)
    low = min(RATING_VALUE.values())
    by_number = np.array(sorted(RATING_VALUE, key=RATING_VALUE.__getitem__), dtype=object)  # index: mean - low
    rounded = round_half_away(np.nan_to_num(mean)).astype(int) - low
    out = by_number[rounded]
    out = np.where((na_votes * 2 > cast) | np.isnan(mean), "NA", out)
    return np.where(cast == 0, "", out).astype(object)


def group_posterior(posteriors: np.ndarray) -> np.ndarray:
    """Mean over analysts (axis 0) of posteriors each already normalised to sum to 1."""
    normalised = posteriors / posteriors.sum(axis=-1, keepdims=True)
    return normalised.mean(axis=0)


__all__ = ["CODES", "cell_mean", "cell_spread", "disagreement_level", "group_codes", "group_posterior", "na_split",
           "round_half_away"]
