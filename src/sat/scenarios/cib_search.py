"""Exact, complete search for the consistent scenarios of a CIB model.

Consistency (Weimer-Jehle 2006, TFSC 73:334-361, section 4) requires, for every descriptor j and every rival
variant l, ``theta[j,z_j] - theta[j,l] >= -tolerance``. With tolerance 0 this is the consistent set; with a
tolerance t > 0 it is every scenario whose inconsistency is at most t. No sampling: the result is complete.

Method: a depth-first branch and bound over descriptors, processed in batches with numpy.
For a partial assignment, each pair (j, v, l) keeps an upper bound
``A[j,v,l] = sum_{assigned i} D[i,j][z_i,v,l] + sum_{unassigned i} max_k D[i,j][k,v,l]``
with ``D[i,j][k,v,l] = C[i,j][k,v] - C[i,j][k,l]``: the best ``theta[j,v] - theta[j,l]`` any completion can reach.
Variant v of descriptor j stays feasible while ``min_l A[j,v,l] >= -tolerance``. A partial scenario is pruned when
an assigned descriptor's variant becomes infeasible or an unassigned descriptor has no feasible variant left
(forward checking). Assigning variant k of descriptor i adds a precomputed vector to A, so one step is one vector
addition; all open partial scenarios of a batch are extended at once, branching on the unassigned descriptor with
the fewest feasible variants. When every descriptor is assigned, A holds the exact differences, so the bound test
is the consistency test itself.
"""

from __future__ import annotations

import numpy as np

from .cib_eval import TIE_EPS, ScenarioScores, score_many
from .cib_model import CIBMatrix

#: Upper bound on the number of float64 cells of A held by one batch (about 64 MB).
_BATCH_CELLS = 8_000_000


class _Bounds:
    """Precomputed increments of the bound vector A for one matrix."""

    def __init__(self, matrix: CIBMatrix, tolerance: float):
        sizes = matrix.sizes
        self.offsets = np.asarray(matrix.offsets)
        self.n = len(sizes)
        self.sizes = sizes
        bases = np.concatenate([[0], np.cumsum([s * s for s in sizes])])
        self.width = int(bases[-1])
        # Start of every (j, v) run of l-entries in A, in variant order: A[start(j,v) + l].
        self.starts = np.array([bases[j] + v * s for j, s in enumerate(sizes) for v in range(s)], dtype=np.intp)
        # diff[r] = D for source variant row r against every target (j, v, l), flattened.
        judgments = matrix.judgments
        diff = np.empty((matrix.n_variants, self.width))
        for j, s in enumerate(sizes):
            seg = judgments[:, matrix.offsets[j] : matrix.offsets[j + 1]]
            diff[:, bases[j] : bases[j + 1]] = (seg[:, :, None] - seg[:, None, :]).reshape(len(seg), s * s)
        best = np.empty((self.n, self.width))
        for i in range(self.n):
            best[i] = diff[matrix.offsets[i] : matrix.offsets[i + 1]].max(axis=0)
        self.step = diff - np.repeat(best, sizes, axis=0)
        self.start = best.sum(axis=0)
        self.threshold = -float(tolerance) - TIE_EPS

    def feasible(self, bound: np.ndarray) -> np.ndarray:
        """(F, V) booleans: variant still reachable within tolerance, per partial scenario."""
        return np.minimum.reduceat(bound, self.starts, axis=1) >= self.threshold


def search(matrix: CIBMatrix, tolerance: float = 0.0) -> np.ndarray:
    """All scenarios with inconsistency <= ``tolerance`` as an (n, N) int array, in lexicographic order.

    ``tolerance`` 0 gives exactly the consistent scenarios.
    """
    if tolerance < 0:
        raise ValueError("tolerance must be >= 0")
    bounds = _Bounds(matrix, tolerance)
    bound = bounds.start[None, :].copy()
    chosen = np.full((1, bounds.n), -1, dtype=np.int16)
    feasible = bounds.feasible(bound)
    found: list[np.ndarray] = []
    if _valid(bounds, feasible, chosen, np.zeros(bounds.n, dtype=bool))[0]:
        _descend(bounds, bound, chosen, feasible, np.zeros(bounds.n, dtype=bool), found)
    result = np.concatenate(found) if found else np.zeros((0, bounds.n), dtype=np.int16)
    result = result.astype(np.int64)
    if len(result):
        result = result[np.lexsort(result.T[::-1])]
    return result


def consistent_set(matrix: CIBMatrix, tolerance: float = 0.0) -> ScenarioScores:
    """The complete set of consistent scenarios (or all within ``tolerance``) with scores, by TIS descending."""
    return score_many(matrix, search(matrix, tolerance)).sorted_by_tis()


def _valid(
    bounds: _Bounds, feasible: np.ndarray, chosen: np.ndarray, assigned: np.ndarray
) -> np.ndarray:
    """Rows whose assigned variants are all feasible and whose unassigned descriptors keep a feasible variant."""
    ok = np.ones(len(feasible), dtype=bool)
    fixed = np.flatnonzero(assigned)
    if fixed.size:
        columns = bounds.offsets[fixed][None, :] + chosen[:, fixed]
        ok &= np.take_along_axis(feasible, columns, axis=1).all(axis=1)
    free = np.flatnonzero(~assigned)
    if free.size:
        any_left = np.logical_or.reduceat(feasible, bounds.offsets[:-1], axis=1)
        ok &= any_left[:, free].all(axis=1)
    return ok


def _descend(
    bounds: _Bounds,
    bound: np.ndarray,
    chosen: np.ndarray,
    feasible: np.ndarray,
    assigned: np.ndarray,
    found: list[np.ndarray],
) -> None:
    """Extend a batch of valid partial scenarios (sharing the same assigned descriptors) to completion."""
    free = np.flatnonzero(~assigned)
    if free.size == 0:
        found.append(chosen)
        return
    counts = np.add.reduceat(feasible, bounds.offsets[:-1], axis=1).sum(axis=0)
    d = int(free[np.argmin(counts[free])])
    rows_limit = max(1, _BATCH_CELLS // (bounds.width * bounds.sizes[d]))
    if len(bound) > rows_limit:
        for lo in range(0, len(bound), rows_limit):
            part = slice(lo, lo + rows_limit)
            _descend(bounds, bound[part], chosen[part], feasible[part], assigned, found)
        return
    parts_bound, parts_chosen = [], []
    for k in range(bounds.sizes[d]):
        rows = feasible[:, bounds.offsets[d] + k]
        if not rows.any():
            continue
        parts_bound.append(bound[rows] + bounds.step[bounds.offsets[d] + k])
        child = chosen[rows]
        child[:, d] = k
        parts_chosen.append(child)
    if not parts_bound:
        return
    next_bound = np.concatenate(parts_bound)
    next_chosen = np.concatenate(parts_chosen)
    next_assigned = assigned.copy()
    next_assigned[d] = True
    next_feasible = bounds.feasible(next_bound)
    keep = _valid(bounds, next_feasible, next_chosen, next_assigned)
    if keep.any():
        _descend(bounds, next_bound[keep], next_chosen[keep], next_feasible[keep], next_assigned, found)
