"""ACH scores of one rating matrix: PARC inconsistency, PARC weighted inconsistency, and likelihood posteriors.

Matrices are encoded once as small integers (:func:`encode`) so that every score is a vectorised table look-up;
sensitivity analysis and Monte Carlo reuse the same functions on many matrices at once (leading axes broadcast).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import model
from ..rating_scale import ALL_CODES, RATING_VALUE, SCORED_CODES

#: Code order of the integer encoding: index i stands for CODES[i] (the scale's order, scored codes first).
CODES: tuple[str, ...] = ALL_CODES
CODE_INDEX: dict[str, int] = {code: i for i, code in enumerate(CODES)}
NA, UNRATED = CODE_INDEX["NA"], CODE_INDEX[""]
_CODE_LOOKUP = pd.Index(list(CODES), dtype=object)
N_SCORED = len(SCORED_CODES)  # CC, C, N, I, II

#: Numeric rating (CC = 2 ... II = -2); NaN for NA and unrated.
RATING_NUMBER = np.array([RATING_VALUE.get(code, np.nan) for code in CODES], dtype=float)
#: PARC inconsistency points (TRADECRAFT.md §1.2): II = -2, I = -1, every other rating 0 (the negative part of the
#: numeric rating).
PARC_POINTS = np.array([min(RATING_VALUE.get(code, 0), 0) for code in CODES], dtype=float)


def encode(matrix: pd.DataFrame | np.ndarray) -> np.ndarray:
    """Rating codes to int8 indices into :data:`CODES` (missing values are unrated; unknown codes raise)."""
    values = np.asarray(matrix, dtype=object)
    flat = values.reshape(-1)
    codes = _CODE_LOOKUP.get_indexer(flat)
    missing = np.flatnonzero(codes < 0)
    if len(missing):
        null = pd.isna(flat[missing])
        if not null.all():
            raise ValueError(f"unknown rating code {flat[missing[~null][0]]!r}")
        codes[missing] = CODE_INDEX[""]
    return codes.astype(np.int8).reshape(values.shape)


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
    return np.array([likelihoods[c] for c in model.SCORED_CODES] + [likelihoods["N"]] * 2, dtype=float)


def row_likelihoods(likelihoods: Mapping[str, float], credibility: np.ndarray) -> np.ndarray:
    """Per-row likelihood tables (evidence x code) discounted for the credibility of each item.

    With probability ``c`` (the item's credibility weight) the item is what it appears to be and is seen with
    P(E | H) from the rating; otherwise it is noise, equally likely under every hypothesis, taken as the neutral
    likelihood q = P(N). So P(E* | H) = c * P(E | H) + (1 - c) * q. As c falls toward 0 every ratio
    P(E* | Hi) / P(E* | Hj) is pulled toward 1 -- an item of low credibility can neither confirm nor refute much --
    rather than merely being scaled as a count. (Our formula: a two-state mixture of a genuine and an
    uninformative report.)

    The defaults (:data:`sat.model.DEFAULT_CREDIBILITY`) give c = 1 to high *and* medium credibility, and so to an
    item that states none: a case's likelihood map is the analyst's statement of P(E | H), and an item of ordinary
    credibility must get exactly that, or Bayes' rule on a stated matrix would not give Bayes' answer. This mirrors
    PARC ACH, where medium is the neutral weight 1 (TRADECRAFT.md section 1.2). High credibility cannot sharpen a
    likelihood beyond what the map states, so it also takes c = 1; only low credibility (c = 0.5) discounts.
    """
    table = likelihood_table(likelihoods)
    neutral = likelihoods["N"]
    c = np.asarray(credibility, dtype=float)[:, None]
    return c * table[None, :] + (1.0 - c) * neutral


def cell_loglik(codes: np.ndarray, log_rows: np.ndarray) -> np.ndarray:
    """log P(evidence | hypothesis) per cell from per-row log tables (evidence is axis -2 of ``codes``)."""
    rows = np.arange(codes.shape[-2])[:, None]
    return log_rows[rows, codes]


def log_likelihoods(codes: np.ndarray, likelihoods: Mapping[str, float]) -> np.ndarray:
    """log P(evidence | hypothesis) per cell, with no credibility discount."""
    return np.log(likelihood_table(likelihoods))[codes]


def group_weights(loglik: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Which rows count in the likelihood mode: 1, or 0 for the members of a dependence group that stand down.

    Items that share a ``group`` (one source, one event) are not independent confirmations: the group contributes
    as its most diagnostic member (the largest spread of log-likelihood across hypotheses; the first in case
    order on a tie) and its other members count 0. Rows with group label -1 always count.
    """
    spread = loglik.max(axis=-1) - loglik.min(axis=-1)
    weights = np.ones(spread.shape)
    for label in np.unique(groups[groups >= 0]):
        members = np.flatnonzero(groups == label)
        best = members[np.argmax(spread[..., members], axis=-1)]
        weights[..., members] = 0.0
        np.put_along_axis(weights, np.asarray(best)[..., None], 1.0, axis=-1)
    return weights


def prior_vector(hypothesis_ids: Sequence[str], priors: Mapping[str, float] | None) -> np.ndarray:
    """Normalised priors in hypothesis order; uniform when none are given."""
    if not priors:
        return np.full(len(hypothesis_ids), 1.0 / len(hypothesis_ids))
    p = np.array([priors[h] for h in hypothesis_ids], dtype=float)
    p = p / p.max()  # first scaled to at most 1, so priors near the float limit (1e308) cannot overflow the sum
    return p / p.sum()


def posterior_from_loglik(loglik: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """Bayes' rule in log space: normalise log prior + sum of log likelihoods over evidence (axis -2)."""
    return softmax(np.log(prior) + loglik.sum(axis=-2))


def softmax(log_values: np.ndarray) -> np.ndarray:
    """Normalise log-space values along the last axis."""
    values = log_values - log_values.max(axis=-1, keepdims=True)
    np.exp(values, out=values)
    values /= values.sum(axis=-1, keepdims=True)
    return values


def posterior(codes: np.ndarray, likelihoods: Mapping[str, float], prior: np.ndarray) -> np.ndarray:
    """Posterior probability per hypothesis, treating evidence items as conditionally independent."""
    return posterior_from_loglik(log_likelihoods(codes, likelihoods), prior)


@dataclass(frozen=True)
class LikelihoodModel:
    """The likelihood mode of one case: per-row log tables (credibility discounted), groups, and priors."""

    log_rows: np.ndarray  # evidence x code index
    groups: np.ndarray  # evidence; -1 where the item is in no group
    prior: np.ndarray  # hypotheses

    @classmethod
    def for_case(cls, case: model.Case) -> LikelihoodModel:
        weights = np.array([case.scoring.credibility[e.credibility] for e in case.evidence], dtype=float)
        labels = {g: i for i, g in enumerate(dict.fromkeys(e.group for e in case.evidence if e.group))}
        groups = np.array([labels[e.group] if e.group else -1 for e in case.evidence], dtype=int)
        log_rows = np.log(row_likelihoods(case.scoring.likelihoods, weights))
        return cls(log_rows, groups, prior_vector(case.hypothesis_ids, case.scoring.priors))

    def loglik(self, codes: np.ndarray) -> np.ndarray:
        """Discounted log-likelihood per cell; ``codes`` must hold every evidence row (each row has its own table)."""
        if codes.shape[-2] != self.log_rows.shape[0]:
            raise ValueError(f"codes have {codes.shape[-2]} rows but the case has {self.log_rows.shape[0]} evidence rows")
        return cell_loglik(codes, self.log_rows)

    def contributions(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(log-likelihood per cell times the row's group weight, the weights)."""
        loglik = self.loglik(codes)
        weights = group_weights(loglik, self.groups)
        return loglik * weights[..., None], weights

    def posterior(self, codes: np.ndarray) -> np.ndarray:
        """Posterior per hypothesis (leading axes of ``codes`` are kept)."""
        contributions, _ = self.contributions(codes)
        return posterior_from_loglik(contributions, self.prior)


def rank(posteriors: np.ndarray, weighted: np.ndarray, tolerance: float = 1e-9) -> np.ndarray:
    """1-based ranks: highest posterior first; posteriors within ``tolerance`` tie, and the less negative weighted
    inconsistency wins the tie; remaining ties keep the case order."""
    rounded = np.round(posteriors / tolerance) * tolerance
    order = np.lexsort((np.arange(len(posteriors)), -weighted, -rounded))
    ranks = np.empty(len(posteriors), dtype=int)
    ranks[order] = np.arange(1, len(posteriors) + 1)
    return ranks
