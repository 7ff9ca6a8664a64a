"""Several analysts on one matrix: per-cell disagreement, group verdicts, and group probabilities.

The spread of a cell follows Open Synthesis (openach/metrics.py): the population standard deviation of the analysts'
ratings on a five-point scale with steps of one. With four or more ratings the level is Open Synthesis's label of
that spread: consensus (< 0.5), mild (< 1.5), large (< 2.0) or extreme. With two or three ratings a standard
deviation understates a split (two analysts two steps apart, II against N, have a spread of 1.0, "mild"), so the
level is read from the largest gap in steps instead: 0 consensus, 1 mild, 2 large, 3 or 4 extreme. NA and unrated
votes are left out; a cell that some analysts call NA while others rate it is flagged separately (``na_split``),
because it is a disagreement about relevance, not degree.

Group probabilities average each analyst's *normalised* posterior (Mandel, Karvetski & Dhami 2018, Judgment and
Decision Making: normalise, then average).
"""

from __future__ import annotations

import warnings

import numpy as np

from ..rating_scale import RATING_VALUE
from .scoring import CODES, NA, RATING_NUMBER, UNRATED

LEVELS: tuple[tuple[str, float], ...] = (("consensus", 0.5), ("mild", 1.5), ("large", 2.0), ("extreme", np.inf))
#: Level by the largest gap in steps (index = gap), used when two or three analysts rated the cell.
GAP_LEVELS: tuple[str, ...] = ("consensus", "mild", "large", "extreme", "extreme")
#: Up to this many ratings in a cell, the level is read from the largest gap rather than the standard deviation.
FEW_RATERS = 3


def disagreement_level(spread: float) -> str:
    """Open Synthesis's label of a per-cell standard deviation."""
    return next(label for label, bound in LEVELS if spread < bound)


def cell_gap(stack: np.ndarray) -> np.ndarray:
    """Largest gap in steps between two analysts' ratings of each cell (0 where fewer than two rated it)."""
    numbers = RATING_NUMBER[stack]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        gap = np.nanmax(numbers, axis=0) - np.nanmin(numbers, axis=0)
    return np.nan_to_num(gap).astype(int)


def cell_levels(stack: np.ndarray) -> np.ndarray:
    """Disagreement level of each cell: by the largest gap with two or three ratings, by Open Synthesis's
    standard-deviation cut-offs with four or more."""
    spread = cell_spread(stack)
    raters = np.sum(~np.isnan(RATING_NUMBER[stack]), axis=0)
    by_spread = np.select([spread < 0.5, spread < 1.5, spread < 2.0], ["consensus", "mild", "large"], "extreme")
    by_gap = np.array(GAP_LEVELS, dtype=object)[cell_gap(stack)]
    return np.where(raters <= FEW_RATERS, by_gap, by_spread).astype(object)


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


__all__ = ["CODES", "cell_gap", "cell_levels", "cell_mean", "cell_spread", "disagreement_level", "group_codes", "group_posterior", "na_split",
           "round_half_away"]
