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
N_SCORED = len(SCORED_CODES)  # CC, C, N, I, II

#: Numeric rating (CC = 2 ... II = -2); NaN for NA and unrated.
RATING_NUMBER = np.array([RATING_VALUE.get(code, np.nan) for code in CODES], dtype=float)
#: PARC inconsistency points (TRADECRAFT.md §1.2): II = -2, I = -1, every other rating 0 (the negative part of the
#: numeric rating).
PARC_POINTS = np.array([min(RATING_VALUE.get(code, 0), 0) for code in CODES], dtype=float)


def encode(matrix: pd.DataFrame | np.ndarray) -> np.ndarray:
    """Rating codes to int8 indices into :data:`CODES` (see :func:`sat.model.encode_matrix`)."""
    return model.encode_matrix(matrix)


def parc_weights(credibility: Sequence[str], relevance: Sequence[str]) -> np.ndarray:
    """Per-evidence weight credibility x relevance with PARC's Low/Medium/High = 1/sqrt2, 1, sqrt2."""
    w = model.PARC_WEIGHTS
    return np.array([w[c] * w[r] for c, r in zip(credibility, relevance)], dtype=float)


def inconsistency(codes: np.ndarray) -> np.ndarray:
    """PARC inconsistency score per hypothesis: sum over evidence of I = -1 and II = -2 (axis -2 is evidence)."""
    return -(codes == CODE_INDEX["I"]).sum(axis=-2) - 2.0 * (codes == CODE_INDEX["II"]).sum(axis=-2)


def weighted_inconsistency(codes: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """PARC weighted inconsistency: each row's points times its credibility x relevance weight.

    Evaluated one matrix at a time as ``weights @ (I + 2 II)``, so a large stack of matrices never becomes an
    array of floats of its own size.
    """
    flat = codes.reshape(-1, *codes.shape[-2:])
    out = np.empty((flat.shape[0], codes.shape[-1]))
    for i, matrix in enumerate(flat):
        points = (matrix == CODE_INDEX["I"]).astype(np.int8)
        points += 2 * (matrix == CODE_INDEX["II"])
        out[i] = 0.0 - weights @ points  # 0.0 - 0.0 is 0.0, where -(0.0) would print as "-0.00"
    return out.reshape(*codes.shape[:-2], codes.shape[-1])


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


def table_index(codes: np.ndarray, row_table: np.ndarray) -> np.ndarray:
    """Flat index of each cell into a stack of small per-level tables: ``row_table[row] * len(CODES) + code``.

    Rows share one of a few tables (one per credibility level), so a cell's likelihood is a look-up in a table of a
    few dozen numbers: one ``np.take`` instead of a two-dimensional fancy index (several times faster on large
    matrices, and the index is reused for every sensitivity change).
    """
    dtype = np.int16 if row_table.size and int(row_table.max()) * len(CODES) + len(CODES) > 127 else np.int8
    offsets: np.ndarray = (row_table.astype(dtype) * len(CODES))[:, None]
    cells: np.ndarray = codes.astype(dtype, copy=False)
    return cells + offsets


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
    layout = GroupLayout.of(groups)
    if layout is not None:
        weights[..., layout.members] = 0.0
        np.put_along_axis(weights, layout.best(spread)[0], 1.0, axis=-1)
    return weights


@dataclass(frozen=True)
class GroupLayout:
    """The grouped rows of a case sorted by group (case order within a group), for batched per-group maxima."""

    members: np.ndarray  # evidence indices of grouped rows, in case order
    order: np.ndarray  # evidence indices of grouped rows, sorted by group then case order
    starts: np.ndarray  # where each group begins in ``order``
    sizes: np.ndarray  # members per group

    @classmethod
    def of(cls, groups: np.ndarray) -> GroupLayout | None:
        members = np.flatnonzero(groups >= 0)
        if not len(members):
            return None
        order = members[np.argsort(groups[members], kind="stable")]
        sorted_labels = groups[order]
        starts = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
        sizes = np.diff(np.r_[starts, len(order)])
        return cls(members, order, starts, sizes)

    def _first_max(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per group (last axis), the position in ``order`` of the first member holding the maximum, and that max."""
        peak = np.maximum.reduceat(values, self.starts, axis=-1)
        positions = np.arange(len(self.order))
        at_peak = values == np.repeat(peak, self.sizes, axis=-1)
        first = np.minimum.reduceat(np.where(at_peak, positions, len(positions)), self.starts, axis=-1)
        return first, peak

    def best(self, spread: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per group, the evidence index of the most diagnostic member (first in case order on a tie) and the
        position of that member in ``order``; ``spread`` is ... x evidence."""
        first, _ = self._first_max(spread[..., self.order])
        return self.order[first], first

    def rivals(self, spread: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each grouped row (in ``members`` order): the most diagnostic *other* member of its group (first in
        case order on a tie) and that member's spread (-inf when the row is alone in its group)."""
        values = spread[..., self.order]
        first, _ = self._first_max(values)
        masked = values.copy()
        np.put_along_axis(masked, first, -np.inf, axis=-1)
        second, _ = self._first_max(masked)
        positions = np.arange(len(self.order))
        is_first = positions == np.repeat(first, self.sizes, axis=-1)
        rival_pos = np.where(is_first, np.repeat(second, self.sizes, axis=-1), np.repeat(first, self.sizes, axis=-1))
        rival_pos = np.minimum(rival_pos, len(positions) - 1)  # a lone member has no rival; its spread is -inf below
        rival_spread = np.take_along_axis(values, rival_pos, axis=-1)
        lone = np.repeat(self.sizes == 1, self.sizes)
        rival_spread = np.where(lone, -np.inf, rival_spread)
        back = np.empty(len(self.order), dtype=np.intp)
        back[np.searchsorted(self.members, self.order)] = positions  # members order -> position in order
        return self.order[rival_pos[..., back]], rival_spread[..., back]


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
    """The likelihood mode of one case: log tables (credibility discounted) shared by rows, groups, and priors.

    ``tables[t]`` is the log-likelihood per code index of table ``t``; row ``e`` uses ``tables[row_table[e]]``
    (one table per distinct credibility weight, so a case has a handful whatever its size).
    """

    tables: np.ndarray  # distinct tables x code index
    row_table: np.ndarray  # evidence: which table each row uses
    groups: np.ndarray  # evidence; -1 where the item is in no group
    prior: np.ndarray  # hypotheses

    @classmethod
    def for_case(cls, case: model.Case) -> LikelihoodModel:
        weights = np.array([case.scoring.credibility[e.credibility] for e in case.evidence], dtype=float)
        labels = {g: i for i, g in enumerate(dict.fromkeys(e.group for e in case.evidence if e.group))}
        groups = np.array([labels[e.group] if e.group else -1 for e in case.evidence], dtype=int)
        return cls.from_weights(
            case.scoring.likelihoods, weights, groups, prior_vector(case.hypothesis_ids, case.scoring.priors)
        )

    @classmethod
    def from_weights(
        cls, likelihoods: Mapping[str, float], credibility: np.ndarray, groups: np.ndarray, prior: np.ndarray
    ) -> LikelihoodModel:
        """A model from per-row credibility weights (rows with equal weights share one table)."""
        distinct, row_table = np.unique(np.asarray(credibility, dtype=float), return_inverse=True)
        tables = np.log(row_likelihoods(likelihoods, distinct)) if len(distinct) else np.empty((0, len(CODES)))
        return cls(tables, row_table.reshape(-1).astype(np.intp), np.asarray(groups, dtype=int), prior)

    @property
    def log_rows(self) -> np.ndarray:
        """Per-row log tables (evidence x code index)."""
        return self.tables[self.row_table]

    def index(self, codes: np.ndarray) -> np.ndarray:
        """Flat index of every cell into :attr:`tables` (see :func:`table_index`); checks the rows match the case."""
        if codes.shape[-2] != self.row_table.shape[0]:
            raise ValueError(
                f"codes have {codes.shape[-2]} rows but the case has {self.row_table.shape[0]} evidence rows"
            )
        return table_index(codes, self.row_table)

    def loglik(self, codes: np.ndarray) -> np.ndarray:
        """Discounted log-likelihood per cell; ``codes`` must hold every evidence row (each row has its own table)."""
        return np.take(self.tables.ravel(), self.index(codes))

    def loglik_rows(self, codes: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Discounted log-likelihood of the cells of some rows only (``codes``: ... x len(rows) x hypotheses)."""
        return np.take(self.tables.ravel(), table_index(codes, self.row_table[rows]))

    def contributions(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(log-likelihood per cell times the row's group weight, the weights)."""
        loglik = self.loglik(codes)
        weights = group_weights(loglik, self.groups)
        if (weights != 1.0).any():
            loglik *= weights[..., None]
        return loglik, weights

    def summarise(self, stack: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For a stack of analysts' matrices (analysts x evidence x hypotheses), one analyst at a time: each
        analyst's summed log-likelihood per hypothesis (with group weights), the group weights (analysts x
        evidence), and the mean over analysts of the log-likelihood per cell (evidence x hypotheses)."""
        n_a, n_e, n_h = stack.shape
        totals, weights, mean = np.empty((n_a, n_h)), np.empty((n_a, n_e)), np.zeros((n_e, n_h))
        for a in range(n_a):
            loglik = self.loglik(stack[a])
            weights[a] = group_weights(loglik, self.groups)
            totals[a] = weights[a] @ loglik
            mean += loglik
        mean /= max(n_a, 1)
        return totals, weights, mean

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
