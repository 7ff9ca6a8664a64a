"""ACH scores of one rating matrix: PARC inconsistency, PARC weighted inconsistency, and likelihood posteriors.

Matrices are encoded once as small integers (:func:`encode`) so that every score is a vectorised table look-up;
sensitivity analysis and Monte Carlo reuse the same functions on many matrices at once (leading axes broadcast).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .. import model

#: Code order of the integer encoding: index i stands for CODES[i].
CODES: tuple[str, ...] = ("CC", "C", "N", "I", "II", "NA", "")
CODE_INDEX: dict[str, int] = {code: i for i, code in enumerate(CODES)}
NA, UNRATED = CODE_INDEX["NA"], CODE_INDEX[""]
N_SCORED = 5  # CC, C, N, I, II

#: PARC inconsistency points (TRADECRAFT.md §1.2): II = -2, I = -1, every other rating 0.
PARC_POINTS = np.array([0, 0, 0, -1, -2, 0, 0], dtype=float)
#: Numeric rating (CC = 2 ... II = -2); NaN for NA and unrated.
RATING_NUMBER = np.array([2, 1, 0, -1, -2, np.nan, np.nan], dtype=float)


def encode(matrix: pd.DataFrame | np.ndarray) -> np.ndarray:
    """Rating codes to int8 indices into :data:`CODES` (unknown codes raise ValueError)."""
    values = np.asarray(matrix, dtype=object)
    out = np.empty(values.shape, dtype=np.int8)
    flat = out.reshape(-1)
    for i, code in enumerate(values.reshape(-1)):
        flat[i] = CODE_INDEX[code if isinstance(code, str) else ""]
    return out


def parc_weights(credibility: Sequence[str], relevance: Sequence[str]) -> np.ndarray:
    """Per-evidence weight credibility x relevance with PARC's Low/Medium/High = 1/sqrt2, 1, sqrt2."""
    w = model.PARC_WEIGHTS
    return np.array([w[c] * w[r] for c, r in zip(credibility, relevance)], dtype=float)


def inconsistency(codes: np.ndarray) -> np.ndarray:
    """PARC inconsistency score per hypothesis: sum over evidence of I = -1 and II = -2 (axis -2 is evidence)."""
    return PARC_POINTS[codes].sum(axis=-2)


def weighted_inconsistency(codes: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """PARC weighted inconsistency: each row's points times its credibility x relevance weight."""
    return (PARC_POINTS[codes] * weights[:, None]).sum(axis=-2)


def likelihood_table(likelihoods: Mapping[str, float]) -> np.ndarray:
    """P(evidence | hypothesis) per code index. NA and unrated cells take the likelihood of N.

    A cell that is not applicable (or not yet rated) says nothing for or against its hypothesis, so it is read as
    neutral: within a row only ratios between hypotheses matter, and giving such a cell the neutral value keeps it
    from gaining (factor 1) or losing against its rated neighbours. A row with no rated cell is therefore
    neutral throughout and drops out of the posterior.
    """
    table = np.array([likelihoods[c] for c in model.SCORED_CODES] + [likelihoods["N"]] * 2, dtype=float)
    return table


def log_likelihoods(codes: np.ndarray, likelihoods: Mapping[str, float]) -> np.ndarray:
    """log P(evidence | hypothesis) per cell."""
    return np.log(likelihood_table(likelihoods))[codes]


def prior_vector(hypothesis_ids: Sequence[str], priors: Mapping[str, float] | None) -> np.ndarray:
    """Normalised priors in hypothesis order; uniform when none are given."""
    if not priors:
        return np.full(len(hypothesis_ids), 1.0 / len(hypothesis_ids))
    p = np.array([priors[h] for h in hypothesis_ids], dtype=float)
    return p / p.sum()


def posterior_from_loglik(loglik: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """Bayes' rule in log space: normalise log prior + sum of log likelihoods over evidence (axis -2)."""
    log_post = np.log(prior) + loglik.sum(axis=-2)
    log_post -= log_post.max(axis=-1, keepdims=True)
    post = np.exp(log_post)
    return post / post.sum(axis=-1, keepdims=True)


def posterior(codes: np.ndarray, likelihoods: Mapping[str, float], prior: np.ndarray) -> np.ndarray:
    """Posterior probability per hypothesis, treating evidence items as conditionally independent."""
    return posterior_from_loglik(log_likelihoods(codes, likelihoods), prior)


def rank(posteriors: np.ndarray, weighted: np.ndarray, tolerance: float = 1e-9) -> np.ndarray:
    """1-based ranks: highest posterior first; posteriors within ``tolerance`` tie, and the less negative weighted
    inconsistency wins the tie; remaining ties keep the case order."""
    rounded = np.round(posteriors / tolerance) * tolerance
    order = np.lexsort((np.arange(len(posteriors)), -weighted, -rounded))
    ranks = np.empty(len(posteriors), dtype=int)
    ranks[order] = np.arange(1, len(posteriors) + 1)
    return ranks
