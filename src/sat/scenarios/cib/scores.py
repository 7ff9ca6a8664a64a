"""Impact balances and scenario scores of a CIB model (Weimer-Jehle 2006, TFSC 73:334-361, sections 3-4).

For a scenario z (one variant z_i per descriptor i) the impact score of variant l of descriptor j is
``theta[j,l](z) = sum over i != j of C[i,j][z_i, l]``; the vector over l is the impact balance of descriptor j.
The whole balance vector is the sum of the judgment rows of the chosen variants. A non-zero diagonal block C[j,j]
(self-impact, see :mod:`.model`) is added too, as ScenarioWizard does; with zero diagonal blocks this is exactly
the sum over i != j.

* z is consistent when every chosen variant has the highest score in its own balance (ties allowed);
* inconsistency of descriptor j: ``max_l theta[j,l] - theta[j,z_j]``; of the scenario: the maximum over j;
* consistency margin: ``min_j (theta[j,z_j] - max_{l != z_j} theta[j,l])`` (negative when inconsistent);
* total impact score (TIS): ``sum_j theta[j,z_j]``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .model import CIBMatrix, Scenario

#: Slack used when comparing sums of non-integer judgments (integer judgments are compared exactly).
TIE_EPS = 1e-9


@dataclass(frozen=True)
class Evaluation:
    """Scores of one scenario; ``balances[j]`` is the impact balance (theta[j, :]) of descriptor j."""

    scenario: Scenario
    balances: tuple[np.ndarray, ...]
    descriptor_inconsistency: tuple[float, ...]
    inconsistency: float
    margin: float
    tis: float

    @property
    def consistent(self) -> bool:
        return self.inconsistency <= TIE_EPS


@dataclass(frozen=True)
class ScenarioScores:
    """Scores of many scenarios at once: ``scenarios`` is (n, N) with 0-based variants; the rest have length n."""

    scenarios: np.ndarray
    tis: np.ndarray
    margin: np.ndarray
    inconsistency: np.ndarray

    def __len__(self) -> int:
        return len(self.scenarios)

    def as_tuples(self) -> list[Scenario]:
        return [tuple(int(v) for v in row) for row in self.scenarios]

    def sorted_by_tis(self) -> ScenarioScores:
        """Rows by TIS descending, then margin descending, then scenario (lexicographic) for a stable order."""
        keys = [self.scenarios[:, k] for k in range(self.scenarios.shape[1] - 1, -1, -1)]
        order = np.lexsort([*keys, -self.margin, -self.tis]) if len(self) else np.arange(0)
        return ScenarioScores(self.scenarios[order], self.tis[order], self.margin[order], self.inconsistency[order])


def impact_balances(matrix: CIBMatrix, scenario: Iterable[int]) -> np.ndarray:
    """theta for every variant (length V, in matrix column order) of one scenario."""
    z = matrix.check_scenario(scenario)
    rows = np.asarray(matrix.offsets[:-1]) + np.asarray(z)
    theta: np.ndarray = matrix.judgments[rows].sum(axis=0)
    return theta


def evaluate(matrix: CIBMatrix, scenario: Iterable[int]) -> Evaluation:
    """Balances, inconsistency, margin and TIS of one scenario."""
    z = matrix.check_scenario(scenario)
    theta = impact_balances(matrix, z)
    balances = tuple(theta[a:b].copy() for a, b in zip(matrix.offsets[:-1], matrix.offsets[1:]))
    per_descriptor = tuple(float(seg.max() - seg[v]) for seg, v in zip(balances, z))
    margins = [_rival_gap(seg, v) for seg, v in zip(balances, z)]
    return Evaluation(
        scenario=z,
        balances=balances,
        descriptor_inconsistency=per_descriptor,
        inconsistency=max(per_descriptor),
        margin=min(margins),
        tis=float(sum(seg[v] for seg, v in zip(balances, z))),
    )


def _rival_gap(segment: np.ndarray, chosen: int) -> float:
    """theta of the chosen variant minus the best rival; +inf for a descriptor with a single variant."""
    rivals = np.delete(segment, chosen)
    return float(segment[chosen] - rivals.max()) if rivals.size else float("inf")


def balances_many(matrix: CIBMatrix, scenarios: np.ndarray) -> np.ndarray:
    """(n, V) impact balances of n scenarios given as an (n, N) array of 0-based variants."""
    z = np.asarray(scenarios, dtype=np.int64).reshape(-1, matrix.n_descriptors)
    rows = z + np.asarray(matrix.offsets[:-1])
    out = np.zeros((len(z), matrix.n_variants))
    for column in rows.T:  # N additions of (n, V) rows; avoids an (n, N, V) temporary
        out += matrix.judgments[column]
    return out


def score_many(matrix: CIBMatrix, scenarios: np.ndarray) -> ScenarioScores:
    """TIS, margin and inconsistency of n scenarios (vectorised over scenarios)."""
    z = np.asarray(scenarios, dtype=np.int64).reshape(-1, matrix.n_descriptors)
    theta = balances_many(matrix, z)
    n = len(z)
    tis = np.zeros(n)
    margin = np.full(n, np.inf)
    inconsistency = np.zeros(n)
    rows = np.arange(n)
    for j, (a, b) in enumerate(zip(matrix.offsets[:-1], matrix.offsets[1:])):
        segment = theta[:, a:b]
        chosen = segment[rows, z[:, j]]
        tis += chosen
        inconsistency = np.maximum(inconsistency, segment.max(axis=1) - chosen)
        if b - a > 1:
            rivals = segment.copy()
            rivals[rows, z[:, j]] = -np.inf
            margin = np.minimum(margin, chosen - rivals.max(axis=1))
    return ScenarioScores(z, tis, margin, inconsistency)
