"""Robustness of the likelihood mode to rating uncertainty, by seeded Monte Carlo.

Model: each rating (CC ... II; NA and unrated cells are fixed) is independently one step more consistent with
probability u/2 and one step less consistent with probability u/2, where u is the analyst's uncertainty
(``scoring.uncertainty``, or ``scoring.analyst_uncertainty`` per analyst); a step past CC or II stays put. Each draw
rescores every analyst, normalises, and averages (as the group posterior does). We report P(each hypothesis ranks
first) and a 90% interval (5th to 95th percentile) of each posterior.

Dependence groups keep the representative chosen from the stated ratings in every draw.

Sampling is exact, cell by cell, while draws x cells stays within ``exact_budget``. Beyond it (thousands of items),
the per-hypothesis sum of the cells' log-likelihood changes -- a sum of thousands of independent bounded terms -- is
drawn from its normal approximation with the exact mean and variance (central limit theorem). Both paths are
vectorised over draws; no Python loop runs per draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import scoring
from .scoring import LikelihoodModel, softmax
from .sensitivity import CHANGES

UP = CHANGES["more consistent"]
DOWN = CHANGES["less consistent"]
EXACT_BUDGET = 20_000_000
CHUNK_CELLS = 4_000_000


@dataclass(frozen=True)
class Robustness:
    """P(rank first) and the 5th, 50th and 95th percentile of each hypothesis's group posterior."""

    p_top: np.ndarray
    low: np.ndarray
    median: np.ndarray
    high: np.ndarray
    draws: int
    method: str  # "exact" or "normal approximation"


def simulate(
    stack: np.ndarray,
    lm: LikelihoodModel,
    uncertainty: np.ndarray,
    draws: int = 10_000,
    seed: int = 0,
    exact_budget: int = EXACT_BUDGET,
) -> Robustness:
    """Draw ``draws`` perturbed versions of every analyst's matrix (``stack``: analysts x evidence x hypotheses)."""
    rng = np.random.default_rng(seed)
    u = np.asarray(uncertainty, dtype=float)[:, None, None]  # analysts x 1 x 1
    if draws * stack.size <= exact_budget:
        _, weights = lm.contributions(stack)
        posts = _exact(stack, lm, weights, u, draws, rng)
        method = "exact"
    else:
        posts = _normal(stack, lm, u, draws, rng)
        method = "normal approximation"
    winners = np.argmax(posts, axis=-1)
    p_top = np.bincount(winners, minlength=stack.shape[-1]) / draws
    low, median, high = np.percentile(posts, [5, 50, 95], axis=0)
    return Robustness(p_top, low, median, high, draws, method)


def _exact(
    stack: np.ndarray, lm: LikelihoodModel, weights: np.ndarray, u: np.ndarray, draws: int, rng: np.random.Generator
) -> np.ndarray:
    log_prior = np.log(lm.prior)
    up, down = UP[stack], DOWN[stack]
    chunk = max(1, CHUNK_CELLS // stack.size)
    out = []
    for start in range(0, draws, chunk):
        n = min(chunk, draws - start)
        r = rng.random((n, *stack.shape), dtype=np.float32)
        codes = np.where(r < u / 2, up, np.where(r < u, down, stack))
        total = (lm.loglik(codes) * weights[..., None]).sum(axis=-2)  # draws x analysts x hypotheses
        out.append(softmax(log_prior + total).mean(axis=1))
    return np.concatenate(out)


def _normal(stack: np.ndarray, lm: LikelihoodModel, u: np.ndarray, draws: int, rng: np.random.Generator) -> np.ndarray:
    # A cell's change d is +up or +down (each with probability u/2) or 0, where up and down depend only on the
    # row's log table and the cell's code: E[d] = u/2 (up + down), Var[d] = u/2 (up^2 + down^2) - E[d]^2.
    # Every sum over evidence is therefore a count of (table, code) pairs per hypothesis times a per-pair value:
    # one bincount per analyst, no analysts x cells array of floats.
    n_a, _, n_h = stack.shape
    up = (lm.tables[:, UP] - lm.tables).ravel()  # per flat (table, code) index
    down = (lm.tables[:, DOWN] - lm.tables).ravel()
    n_keys = lm.tables.size
    per_pair = np.stack([lm.tables.ravel(), up + down, up**2 + down**2, (up + down) ** 2])  # 4 x keys
    sums = np.empty((4, n_a, n_h))
    columns = (np.arange(n_h) * n_keys)[None, :]
    for a in range(n_a):
        index = lm.index(stack[a])
        weights = scoring.group_weights(np.take(lm.tables.ravel(), index), lm.groups)
        counted = index[weights > 0]  # rows that stand down in their group add nothing
        pairs = np.bincount((counted + columns).ravel(), minlength=n_h * n_keys).reshape(n_h, n_keys)
        sums[:, a, :] = per_pair @ pairs.T
    loglik, first, second, first_sq = sums
    half = u[:, :, 0] / 2  # analysts x 1
    mean = half * first  # analysts x hypotheses
    var = half * second - half**2 * first_sq  # independent cells add
    var = np.maximum(var, 0.0)  # rounding can leave -1e-17 where every cell is fixed
    scale, centre = np.sqrt(var), loglik + mean + np.log(lm.prior)
    out = np.empty((draws, n_h))
    chunk = max(1, CHUNK_CELLS // mean.size)  # the generator's stream is the same drawn whole or in chunks
    for start in range(0, draws, chunk):
        n = min(chunk, draws - start)
        total = rng.standard_normal((n, *mean.shape))  # draws x analysts x hypotheses, scaled in place
        total *= scale
        total += centre
        out[start : start + n] = softmax(total).mean(axis=1)
    return out
