"""How well each evidence item discriminates between hypotheses (Heuer 1999, ch. 8, steps 3-4).

Two readings, computed per row of a matrix (evidence x hypotheses):

* rating spread: population standard deviation across hypotheses of the numeric ratings (II = -2 ... CC = +2),
  NA and unrated cells left out -- the definition used by Open Synthesis (openach/metrics.py) on cell means;
* likelihood ratio: the largest over the smallest P(evidence | hypothesis) in the row, with the case's likelihood
  map; 1 means the item cannot tell any two hypotheses apart.

An item with a likelihood ratio of 1 (every rated cell the same) has no diagnostic value (Heuer step 4).
"""

from __future__ import annotations

import warnings

import numpy as np

from .scoring import RATING_NUMBER


def rating_spread(numbers: np.ndarray) -> np.ndarray:
    """Population std across hypotheses (last axis) of numeric ratings; NaN cells ignored; 0 if under two."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        spread = np.nanstd(numbers, axis=-1)
    counts = np.sum(~np.isnan(numbers), axis=-1)
    return np.where(counts >= 2, spread, 0.0)


def rating_spread_of_codes(codes: np.ndarray) -> np.ndarray:
    """:func:`rating_spread` of an encoded matrix."""
    return rating_spread(RATING_NUMBER[codes])


def likelihood_ratio(loglik: np.ndarray) -> np.ndarray:
    """max / min of P(evidence | hypothesis) across hypotheses (last axis), from log likelihoods."""
    return np.exp(loglik.max(axis=-1) - loglik.min(axis=-1))
