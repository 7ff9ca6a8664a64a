"""Pure grading functions: numbers in, numbers out, no I/O.

Sources (TRADECRAFT.md §7): per-cell agreement with partial credit and acceptable sets, quadratic-weighted kappa and
Kendall's tau follow the grading of ACH matrices described there; the kappa is Cohen's weighted kappa (J. Cohen,
"Weighted kappa", Psychological Bulletin 70:213-220, 1968) with quadratic disagreement weights (J. L. Fleiss &
J. Cohen, Educational and Psychological Measurement 33:613-619, 1973); tau-b is Kendall's (M. G. Kendall, "The
treatment of ties in ranking problems", Biometrika 33:239-251, 1945). Probability scores: G. W. Brier,
"Verification of forecasts expressed in terms of probability", Monthly Weather Review 78:1-3 (1950), whose score
sums the squared errors over the options (0 best, 2 worst); the decomposition is A. H. Murphy's, "A new vector
partition of the probability score", Journal of Applied Meteorology 12:595-600 (1973), and is exact when the
forecasts are grouped by their distinct values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

#: The ordinal ACH scale, most consistent first; a "step" is one place along it (NA and unrated are off the scale).
ORDINAL: tuple[str, ...] = ("CC", "C", "N", "I", "II")
STEP: dict[str, int] = {code: index for index, code in enumerate(ORDINAL)}
#: Default credit for a rating one step away from the nearest acceptable rating.
ONE_STEP_CREDIT = 0.5


def cell_credit(given: str, accepted: Iterable[str], one_step: float = ONE_STEP_CREDIT) -> float:
    """Credit for one cell: 1 inside the acceptable set, ``one_step`` one step from its nearest member, else 0.

    NA earns credit only when the key accepts NA; an unrated cell (``""``) earns nothing.
    """
    accepted = tuple(accepted)
    if not given:
        return 0.0
    if given in accepted:
        return 1.0
    if given not in STEP:
        return 0.0
    steps = [abs(STEP[given] - STEP[a]) for a in accepted if a in STEP]
    return one_step if steps and min(steps) == 1 else 0.0


def weighted_agreement(credits: Sequence[float], weights: Sequence[float]) -> float:
    """Weighted mean credit over the cells of a key: sum(w * credit) / sum(w) (0 when every weight is 0)."""
    total = float(sum(weights))
    return float(sum(c * w for c, w in zip(credits, weights)) / total) if total > 0 else 0.0


def quadratic_kappa(a: Sequence[int], b: Sequence[int], categories: int = len(ORDINAL)) -> float:
    """Cohen's weighted kappa with quadratic weights between two raters' category indices (0 .. categories-1).

    kappa = 1 - sum(w O) / sum(w E), with w_ij = (i - j)^2 / (k - 1)^2, O the observed proportions and E the
    product of the two raters' marginal proportions. NaN when it is undefined (no pair, or sum(w E) = 0: both
    raters used a single, same category).
    """
    x, y = np.asarray(a, dtype=int), np.asarray(b, dtype=int)
    if x.size == 0 or x.size != y.size:
        return math.nan
    k = categories
    observed = np.zeros((k, k))
    np.add.at(observed, (x, y), 1.0)
    observed /= x.size
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    i, j = np.indices((k, k))
    weights = (i - j) ** 2 / (k - 1) ** 2
    chance = float((weights * expected).sum())
    if chance == 0:
        return math.nan
    return 1.0 - float((weights * observed).sum()) / chance


def kendall_tau_b(x: Sequence[float], y: Sequence[float]) -> float:
    """Kendall's tau-b between two scorings of the same items: (C - D) / sqrt((n0 - Tx)(n0 - Ty)).

    C and D count concordant and discordant pairs, n0 = n(n-1)/2, Tx and Ty the pairs tied in x and in y.
    NaN when either scoring ties every pair.
    """
    u, v = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    i, j = np.triu_indices(u.size, k=1)
    du, dv = np.sign(u[i] - u[j]), np.sign(v[i] - v[j])
    n0 = i.size
    tied_x, tied_y = int((du == 0).sum()), int((dv == 0).sum())
    denominator = math.sqrt((n0 - tied_x) * (n0 - tied_y))
    if denominator == 0:
        return math.nan
    return float((du * dv).sum()) / denominator


def brier(probabilities: Sequence[float], outcome: int) -> float:
    """Brier's score of one forecast over its options: sum_j (p_j - o_j)^2, o the 0/1 indicator of the outcome.

    0 is a perfect forecast and 2 the worst possible; a binary question (p, 1 - p) scores 2 (p - o)^2.
    """
    p = np.asarray(probabilities, dtype=float)
    o = np.zeros_like(p)
    o[outcome] = 1.0
    return float(((p - o) ** 2).sum())


def distance_to_normative(
    probabilities: Sequence[float] | np.ndarray, normative: Sequence[float] | np.ndarray
) -> tuple[float, float]:
    """How far a trainee's probabilities are from a computed (Bayesian) answer: the quadratic distance
    sum_j (p_j - q_j)^2 (Brier's form with the normative probabilities as the target, 0 to 2), and the mean
    absolute error, the accuracy measure of the ACH experiments (Mandel, Karvetski & Dhami 2018)."""
    p, q = np.asarray(probabilities, dtype=float), np.asarray(normative, dtype=float)
    return float(((p - q) ** 2).sum()), float(np.abs(p - q).mean())


def bayes_posterior(prior: Sequence[float], likelihoods: Sequence[Sequence[float]]) -> np.ndarray:
    """Posterior of each hypothesis from its prior and P(item | hypothesis) of each item (rows: items), the items
    taken as conditionally independent: prior * prod(likelihoods), normalised (Bayes' rule)."""
    weight = np.asarray(prior, dtype=float) * np.prod(np.asarray(likelihoods, dtype=float), axis=0)
    return weight / weight.sum()


def normalise(probabilities: Sequence[float]) -> np.ndarray:
    """Probabilities scaled to sum to 1 (Mandel, Karvetski & Dhami 2018 normalise before scoring)."""
    p = np.asarray(probabilities, dtype=float)
    total = p.sum()
    return p / total if total > 0 else np.full(p.size, 1.0 / p.size)


@dataclass(frozen=True)
class Murphy:
    """Murphy's partition of the mean (one-option) Brier score of binary events: bs = reliability - resolution +
    uncertainty + residual. ``residual`` is 0 (to rounding) when ``groups`` are the distinct forecast values."""

    bs: float
    reliability: float
    resolution: float
    uncertainty: float
    residual: float
    groups: int


def murphy(
    forecasts: Sequence[float] | np.ndarray, outcomes: Sequence[int] | np.ndarray, bins: int | None = None
) -> Murphy:
    """Murphy's decomposition of mean((f - o)^2) over binary events.

    Events are grouped by their distinct forecast values (exact), or with ``bins`` into equal-width bins of
    [0, 1] whose forecast is the bin's mean; then reliability = sum n_k (f_k - o_k)^2 / N, resolution =
    sum n_k (o_k - o)^2 / N, uncertainty = o (1 - o), and the residual (the within-bin spread of the forecasts)
    is what binning leaves unexplained.
    """
    f, o = np.asarray(forecasts, dtype=float), np.asarray(outcomes, dtype=float)
    if f.size == 0:
        raise ValueError("no forecasts to decompose")
    if bins is None:
        _, group = np.unique(f, return_inverse=True)
    else:
        group = np.minimum((f * bins).astype(int), bins - 1)
    _, group = np.unique(group, return_inverse=True)
    counts = np.bincount(group)
    mean_f = np.bincount(group, weights=f) / counts
    mean_o = np.bincount(group, weights=o) / counts
    base = o.mean()
    bs = float(((f - o) ** 2).mean())
    reliability = float((counts * (mean_f - mean_o) ** 2).sum() / f.size)
    resolution = float((counts * (mean_o - base) ** 2).sum() / f.size)
    uncertainty = float(base * (1 - base))
    residual = bs - (reliability - resolution + uncertainty)
    return Murphy(bs, reliability, resolution, uncertainty, residual, int(counts.size))


def calibration_table(
    forecasts: Sequence[float] | np.ndarray, outcomes: Sequence[int] | np.ndarray, bins: int | None = None
) -> list[tuple[float, float, int]]:
    """Points of a calibration curve: (mean forecast, observed frequency, count) per group of events, grouped as in
    :func:`murphy` (distinct values, or ``bins`` equal-width bins), lowest forecast first."""
    f, o = np.asarray(forecasts, dtype=float), np.asarray(outcomes, dtype=float)
    key = f if bins is None else np.minimum((f * bins).astype(int), bins - 1)
    _, group = np.unique(key, return_inverse=True)
    counts = np.bincount(group)
    mean_f = np.bincount(group, weights=f) / counts
    mean_o = np.bincount(group, weights=o) / counts
    return [(float(a), float(b), int(n)) for a, b, n in zip(mean_f, mean_o, counts)]
