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

import numpy as np

from ..rating_scale import RATING_VALUE
from .scoring import CODES, NA, UNRATED

LEVELS: tuple[tuple[str, float], ...] = (("consensus", 0.5), ("mild", 1.5), ("large", 2.0), ("extreme", np.inf))
#: Level by the largest gap in steps (index = gap), used when two or three analysts rated the cell.
GAP_LEVELS: tuple[str, ...] = ("consensus", "mild", "large", "extreme", "extreme")
#: Up to this many ratings in a cell, the level is read from the largest gap rather than the standard deviation.
FEW_RATERS = 3


def disagreement_level(spread: float) -> str:
    """Open Synthesis's label of a per-cell standard deviation."""
    return next(label for label, bound in LEVELS if spread < bound)


#: Numeric rating per code index as small integers (CC = 2 ... II = -2; NA and unrated 0, and not counted).
_NUMBER = np.array([RATING_VALUE.get(code, 0) for code in CODES], dtype=np.int8)
_RATED = np.array([code in RATING_VALUE for code in CODES], dtype=np.int8)
_CODE_OBJECTS = np.array(CODES, dtype=object)
_LOWEST = min(RATING_VALUE.values())
#: Code index of each numeric rating, lowest first (index = value - lowest value).
_CODE_OF_VALUE = np.array(
    [CODES.index(code) for code in sorted(RATING_VALUE, key=RATING_VALUE.__getitem__)], dtype=np.int8
)


def cell_moments(stack: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cell, over the analysts (axis 0) who gave a rating: their count, the sum and the sum of squares of their
    numeric ratings, as exact integers (accumulated one analyst at a time: no analysts x cells float array)."""
    shape = stack.shape[1:]
    count = np.zeros(shape, dtype=np.int32)
    total = np.zeros(shape, dtype=np.int32)
    squares = np.zeros(shape, dtype=np.int32)
    for codes in stack:
        number = _NUMBER[codes]
        count += _RATED[codes]
        total += number
        number *= number
        squares += number
    return count, total, squares


Moments = tuple[np.ndarray, np.ndarray, np.ndarray]


def cell_spread(stack: np.ndarray, moments: Moments | None = None) -> np.ndarray:
    """Population std of the analysts' numeric ratings per cell (analysts on axis 0); 0 where fewer than two.

    Computed from exact integer moments: n^2 var = n * sum(x^2) - (sum x)^2, so a spread that sits on a level's
    bound (0.5, 1.5, 2) is never pushed across it by rounding. ``moments``: :func:`cell_moments`, if computed.
    """
    count, total, squares = cell_moments(stack) if moments is None else moments
    scaled = count.astype(np.int64) * squares - total.astype(np.int64) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = np.sqrt(scaled) / count
    return np.where(count >= 2, spread, 0.0)


def cell_gap(stack: np.ndarray) -> np.ndarray:
    """Largest gap in steps between two analysts' ratings of each cell (0 where fewer than two rated it),
    accumulated one analyst at a time in small integers."""
    high = np.full(stack.shape[1:], -128, dtype=np.int8)
    low = np.full(stack.shape[1:], 127, dtype=np.int8)
    for codes in stack:
        rated = _RATED[codes].astype(bool)
        number = _NUMBER[codes]
        np.maximum(high, np.where(rated, number, -128), out=high)
        np.minimum(low, np.where(rated, number, 127), out=low)
    return np.where(high >= low, high.astype(np.int16) - low, 0).astype(int)


#: Every level in order of severity (the index :func:`cell_level_index` returns).
LEVEL_NAMES: tuple[str, ...] = tuple(label for label, _ in LEVELS)


def cell_level_index(stack: np.ndarray, moments: Moments | None = None) -> np.ndarray:
    """Disagreement level of each cell as an index into :data:`LEVEL_NAMES`: by the largest gap with two or
    three ratings, by Open Synthesis's standard-deviation cut-offs with four or more."""
    moments = cell_moments(stack) if moments is None else moments
    spread = cell_spread(stack, moments)
    by_spread = np.searchsorted(np.array([bound for _, bound in LEVELS[:-1]]), spread, side="right")
    by_gap = np.array([LEVEL_NAMES.index(label) for label in GAP_LEVELS])[cell_gap(stack)]
    return np.where(moments[0] <= FEW_RATERS, by_gap, by_spread).astype(np.int8)


def cell_levels(stack: np.ndarray, moments: Moments | None = None) -> np.ndarray:
    """Disagreement level of each cell by name (see :func:`cell_level_index`)."""
    return np.array(LEVEL_NAMES, dtype=object)[cell_level_index(stack, moments)]


def na_split(stack: np.ndarray) -> np.ndarray:
    """Cells that at least one analyst rated NA while another gave a rating."""
    is_na = (stack == NA).any(axis=0)
    rated = (stack < NA).any(axis=0)  # codes below NA are the five ratings
    return is_na & rated


def cell_mean(stack: np.ndarray, moments: Moments | None = None) -> np.ndarray:
    """Mean numeric rating per cell over the analysts who rated it (NaN where nobody did)."""
    count, total, _ = cell_moments(stack) if moments is None else moments
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def round_half_away(values: np.ndarray) -> np.ndarray:
    """Round to the nearest integer, halves away from zero (so {I, N} -> I and {N, C} -> C, symmetrically).

    Python's and numpy's round() send halves to the even neighbour, which makes the group verdict depend on
    which side of neutral a tie falls; Open Synthesis shows that quirk, and we do not repeat it.
    """
    return np.sign(values) * np.floor(np.abs(values) + 0.5)


def group_codes(stack: np.ndarray, moments: Moments | None = None) -> np.ndarray:
    """The group verdict per cell as a code: NA when NA votes are the majority of votes cast, unrated when nobody
    voted, else the mean rating rounded half away from zero (``moments``: :func:`cell_moments`, if computed).

    The rounding is done in integers: with n ratings summing to s, the verdict is sign(s) * floor((2|s| + n) / 2n),
    which is :func:`round_half_away` of s / n with no floating-point step.
    """
    count, total, _ = cell_moments(stack) if moments is None else moments
    na_votes = (stack == NA).sum(axis=0, dtype=np.int32)
    cast = count + na_votes
    rated = np.maximum(count, 1)
    rounded = np.sign(total) * ((2 * np.abs(total) + rated) // (2 * rated))  # -2 ... 2
    index = _CODE_OF_VALUE[rounded - _LOWEST]
    index[(na_votes * 2 > cast) | (count == 0)] = NA
    index[cast == 0] = UNRATED
    return _CODE_OBJECTS[index]


def group_posterior(posteriors: np.ndarray) -> np.ndarray:
    """Mean over analysts (axis 0) of posteriors each already normalised to sum to 1."""
    normalised = posteriors / posteriors.sum(axis=-1, keepdims=True)
    return normalised.mean(axis=0)


__all__ = [
    "CODES",
    "LEVEL_NAMES",
    "cell_gap",
    "cell_level_index",
    "cell_levels",
    "cell_mean",
    "cell_moments",
    "cell_spread",
    "disagreement_level",
    "group_codes",
    "group_posterior",
    "na_split",
    "round_half_away",
]
