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
is the consistency test itself. Self-impact blocks C[j,j] (see :mod:`.model`) enter as one more source; the
bound stays valid, only a little looser while j is unassigned.
"""

from __future__ import annotations

import numpy as np

from .limits import MAX_LISTED, MAX_SEARCH_TABLE_BYTES, SearchTooLarge
from .model import CIBMatrix
from .scores import TIE_EPS, ScenarioScores, score_many

#: Upper bound on the number of cells of A held by one batch (64 MB in float64, half that in float32).
_BATCH_CELLS = 8_000_000


class _Bounds:
    """Precomputed increments of the bound A for one matrix.

    A is stored per partial scenario as an (N, S, S) block, S = the largest number of variants: entry (j, l, v)
    bounds theta[j,v] - theta[j,l]. Padding keeps the layout regular: l beyond descriptor j's variants is +inf
    (never the minimum), v beyond them is -inf (never feasible). The minimum over l is taken as S - 1
    element-wise minima of contiguous slices, which numpy does much faster than a reduction over a short axis.
    """

    def __init__(self, matrix: CIBMatrix, tolerance: float):
        sizes = matrix.sizes
        self.offsets = np.asarray(matrix.offsets)
        self.n = n = len(sizes)
        self.sizes = sizes
        self.s = s_max = max(sizes)
        self.width = n * s_max * s_max
        judgments = matrix.judgments
        # diff[r, j, l, v] = C[r, (j, v)] - C[r, (j, l)] for source variant row r.
        diff: np.ndarray = np.zeros((matrix.n_variants, n, s_max, s_max))
        pad = np.zeros((n, s_max, s_max))
        for j, size in enumerate(sizes):
            seg = judgments[:, matrix.offsets[j] : matrix.offsets[j + 1]]
            diff[:, j, :size, :size] = seg[:, None, :] - seg[:, :, None]
            pad[j, size:, :] = np.inf
            pad[j, :, size:] = -np.inf
        diff = diff.reshape(matrix.n_variants, self.width)
        best = np.stack([diff[self.offsets[i] : self.offsets[i + 1]].max(axis=0) for i in range(n)])
        # Integer judgments whose sums stay below 2**24 are exact in float32, which halves the memory traffic.
        exact32 = np.array_equal(judgments, np.round(judgments)) and 2 * n * np.abs(judgments).max() < 2**24
        self.dtype = np.float32 if exact32 else np.float64
        self.step = (diff - np.repeat(best, sizes, axis=0)).astype(self.dtype)
        self.start = (best.sum(axis=0) + pad.reshape(-1)).astype(self.dtype)
        self.threshold = -float(tolerance) - TIE_EPS

    def feasible(self, bound: np.ndarray) -> np.ndarray:
        """(F, N, S) booleans: variant v of descriptor j still reachable within tolerance, per partial scenario."""
        blocks = bound.reshape(len(bound), self.n, self.s, self.s)
        lowest = blocks[:, :, 0, :]
        for rival in range(1, self.s):
            lowest = np.minimum(lowest, blocks[:, :, rival, :])
        return lowest >= self.threshold


def search(matrix: CIBMatrix, tolerance: float = 0.0) -> np.ndarray:
    """All scenarios with inconsistency <= ``tolerance`` as an (n, N) int array, in lexicographic order.

    ``tolerance`` 0 gives exactly the consistent scenarios.
    """
    if tolerance < 0:
        raise ValueError("tolerance must be >= 0")
    sizes = matrix.sizes
    table = matrix.n_variants * len(sizes) * max(sizes) ** 2 * 8 * 3
    if table > MAX_SEARCH_TABLE_BYTES:
        raise SearchTooLarge(
            f"the exact search would build {table / 2**30:.1f} GiB of bound tables for "
            f"{len(sizes)} descriptors with up to {max(sizes)} variants; use fewer variants per "
            "descriptor, or succession from a start scenario"
        )
    bounds = _Bounds(matrix, tolerance)
    bound = bounds.start[None, :].copy()
    chosen = np.full((1, bounds.n), -1, dtype=np.int16)
    feasible = bounds.feasible(bound)
    found = _Found()
    none = np.zeros(bounds.n, dtype=bool)
    if _valid(feasible, chosen, none)[0]:
        _descend(bounds, bound, chosen, np.arange(1), feasible, none, found)
    result = np.concatenate(found) if found else np.zeros((0, bounds.n), dtype=np.int16)
    result = result.astype(np.int64)
    if len(result):
        result = result[np.lexsort(result.T[::-1])]
    return result


def consistent_set(matrix: CIBMatrix, tolerance: float = 0.0) -> ScenarioScores:
    """The complete set of consistent scenarios (or all within ``tolerance``) with scores, by TIS descending."""
    return score_many(matrix, search(matrix, tolerance)).sorted_by_tis()


class _Found(list[np.ndarray]):
    """Blocks of complete scenarios found so far, and how many rows they hold together."""

    rows = 0


def _valid(feasible: np.ndarray, chosen: np.ndarray, assigned: np.ndarray) -> np.ndarray:
    """Rows whose assigned variants are all feasible and whose unassigned descriptors keep a feasible variant."""
    ok = np.ones(len(feasible), dtype=bool)
    fixed = np.flatnonzero(assigned)
    if fixed.size:
        ok &= feasible[np.arange(len(feasible))[:, None], fixed[None, :], chosen[:, fixed]].all(axis=1)
    free = np.flatnonzero(~assigned)
    if free.size:
        some = feasible[:, free, 0]
        for v in range(1, feasible.shape[2]):
            some = some | feasible[:, free, v]
        ok &= some.all(axis=1)
    return ok


def _descend(
    bounds: _Bounds,
    bound: np.ndarray,
    chosen: np.ndarray,
    live: np.ndarray,
    feasible: np.ndarray,
    assigned: np.ndarray,
    found: _Found,
) -> None:
    """Extend a batch of valid partial scenarios (sharing the same assigned descriptors) to completion.

    The batch is the rows ``live`` of ``bound``/``chosen`` (kept unfiltered to save a copy); ``feasible`` holds
    the feasibility of those rows only.
    """
    free = np.flatnonzero(~assigned)
    if free.size == 0:
        found.append(chosen[live])
        found.rows += len(live)
        if found.rows > MAX_LISTED:
            raise SearchTooLarge(
                f"more than {MAX_LISTED:,} scenarios are consistent (within the tolerance): too many to list, and "
                "the sign of a model that is still mostly zero. Fill in more judgments, lower --tolerance, or "
                "follow succession from a start scenario (--succession global --start ...) instead"
            )
        return
    counts = feasible.sum(axis=(0, 2))
    d = int(free[np.argmin(counts[free])])
    rows_limit = max(1, _BATCH_CELLS // (bounds.width * bounds.sizes[d]))
    if len(live) > rows_limit:
        for lo in range(0, len(live), rows_limit):
            part = slice(lo, lo + rows_limit)
            _descend(bounds, bound, chosen, live[part], feasible[part], assigned, found)
        return
    picks = [live[feasible[:, d, k]] for k in range(bounds.sizes[d])]
    total = sum(len(p) for p in picks)
    if total == 0:
        return
    next_bound = np.empty((total, bounds.width), dtype=bound.dtype)
    next_chosen = np.empty((total, bounds.n), dtype=chosen.dtype)
    at = 0
    for k, rows in enumerate(picks):
        if rows.size:
            part = slice(at, at + rows.size)
            np.take(bound, rows, axis=0, out=next_bound[part])
            next_bound[part] += bounds.step[bounds.offsets[d] + k]
            np.take(chosen, rows, axis=0, out=next_chosen[part])
            next_chosen[part, d] = k
            at += rows.size
    next_assigned = assigned.copy()
    next_assigned[d] = True
    next_feasible = bounds.feasible(next_bound)
    keep = _valid(next_feasible, next_chosen, next_assigned)
    if keep.any():
        _descend(bounds, next_bound, next_chosen, np.flatnonzero(keep), next_feasible[keep], next_assigned, found)
