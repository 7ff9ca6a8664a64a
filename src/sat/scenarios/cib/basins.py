"""Succession: let a scenario evolve under its own impact balances (Weimer-Jehle 2006, TFSC 73:334-361, sec. 5).

From a start scenario, inconsistent descriptors are switched to the variant with the highest impact score until
the scenario no longer changes (a fixed point, which is consistent) or a scenario repeats (a cycle).

* ``global``: every descriptor switches to its top variant at once, all from the same balances.
* ``sequential`` (adiabatic): one descriptor at a time. Descriptors are visited in descriptor order, round robin;
  the visited descriptor switches if it is inconsistent, and the balances are recomputed before the next visit.
  The path records every change. It ends at a fixed point after a full round without change.

Tie rule (both kinds): a descriptor keeps its current variant when that variant is among the top scores; otherwise
it takes the top variant with the lowest index. This makes succession deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .model import CIBMatrix, Scenario
from .scores import TIE_EPS, balances_many, impact_balances

SuccessionKind = Literal["global", "sequential"]


@dataclass(frozen=True)
class SuccessionResult:
    """``path`` starts with the start scenario; for a cycle, ``cycle`` holds the repeating scenarios in order."""

    kind: SuccessionKind
    path: tuple[Scenario, ...]
    outcome: Literal["fixed_point", "cycle"]
    cycle: tuple[Scenario, ...] = ()

    @property
    def end(self) -> Scenario:
        return self.path[-1]


def top_variant(segment: np.ndarray, current: int) -> int:
    """Variant with the highest score; the current one wins ties, otherwise the lowest index does."""
    best = segment.max()
    if segment[current] >= best - TIE_EPS:
        return current
    return int(np.flatnonzero(segment >= best - TIE_EPS)[0])


def global_step(matrix: CIBMatrix, scenario: Scenario) -> Scenario:
    """One global succession step: every descriptor takes its top variant under the current balances."""
    theta = impact_balances(matrix, scenario)
    o = matrix.offsets
    return tuple(top_variant(theta[o[j] : o[j + 1]], v) for j, v in enumerate(scenario))


def succession(matrix: CIBMatrix, start: Iterable[int], kind: SuccessionKind = "global") -> SuccessionResult:
    """Run succession from ``start`` (0-based variants) until a fixed point or a cycle."""
    z = matrix.check_scenario(start)
    if kind == "global":
        return _global(matrix, z)
    if kind == "sequential":
        return _sequential(matrix, z)
    raise ValueError(f"unknown succession kind {kind!r}; use 'global' or 'sequential'")


def _global(matrix: CIBMatrix, z: Scenario) -> SuccessionResult:
    path = [z]
    seen = {z: 0}
    while True:
        nxt = global_step(matrix, path[-1])
        if nxt == path[-1]:
            return SuccessionResult("global", tuple(path), "fixed_point")
        if nxt in seen:
            return SuccessionResult("global", tuple(path), "cycle", tuple(path[seen[nxt] :]))
        seen[nxt] = len(path)
        path.append(nxt)


def _sequential(matrix: CIBMatrix, z: Scenario) -> SuccessionResult:
    n = matrix.n_descriptors
    o = matrix.offsets
    path = [z]
    # The dynamics is deterministic in (scenario, descriptor to visit next): a repeat of that pair is a cycle.
    seen: dict[tuple[Scenario, int], int] = {}
    current = list(z)
    unchanged = 0
    j = 0
    while unchanged < n:
        state = (tuple(current), j)
        if state in seen:
            return SuccessionResult("sequential", tuple(path), "cycle", tuple(path[seen[state] : -1]))
        seen[state] = len(path) - 1
        theta = impact_balances(matrix, current)
        best = top_variant(theta[o[j] : o[j + 1]], current[j])
        if best != current[j]:
            current[j] = best
            path.append(tuple(current))
            unchanged = 0
        else:
            unchanged += 1
        j = (j + 1) % n
    return SuccessionResult("sequential", tuple(path), "fixed_point")


def global_step_many(matrix: CIBMatrix, scenarios: np.ndarray) -> np.ndarray:
    """:func:`global_step` applied to every row of an (n, N) array of 0-based scenarios."""
    z = np.asarray(scenarios, dtype=np.int64)
    theta = balances_many(matrix, z)
    out = z.copy()
    rows = np.arange(len(z))
    for j, (a, b) in enumerate(zip(matrix.offsets[:-1], matrix.offsets[1:])):
        segment = theta[:, a:b]
        best = segment.max(axis=1)
        keep = segment[rows, z[:, j]] >= best - TIE_EPS
        first_top = np.argmax(segment >= (best - TIE_EPS)[:, None], axis=1)
        out[:, j] = np.where(keep, z[:, j], first_top)
    return out


def global_basins(matrix: CIBMatrix, batch: int = 65_536) -> tuple[dict[Scenario, int], int]:
    """Run global succession from every scenario of the space; count the starts ending at each fixed point.

    Returns ``(counts, cycling)``: ``counts[z]`` is the number of start scenarios whose succession ends at the
    consistent scenario z, ``cycling`` the number of starts that end in a cycle. This is the second field of a
    ScenarioWizard ``.sl`` row (checked against the reference files). The whole space is enumerated (one global
    step per scenario, in batches), so keep this to spaces of a few million scenarios at most. The ends are found
    by pointer doubling on the successor map: after 2**k >= n jumps every start sits on its terminal cycle, which
    is a fixed point exactly when the start's succession converges.
    """
    sizes = tuple(matrix.sizes)
    total = matrix.n_scenarios
    successor = np.empty(total, dtype=np.int64)
    for lo in range(0, total, batch):
        index = np.arange(lo, min(lo + batch, total))
        starts = np.stack(np.unravel_index(index, sizes), axis=1)
        successor[index] = np.ravel_multi_index(tuple(global_step_many(matrix, starts).T), sizes)
    end = successor.copy()
    for _ in range(max(1, total - 1).bit_length()):
        end = end[end]
    converged = successor[end] == end
    cycling = int(total - converged.sum())
    fixed, number = np.unique(end[converged], return_counts=True)
    counts = {tuple(int(v) for v in np.unravel_index(int(f), sizes)): int(k) for f, k in zip(fixed, number)}
    return counts, cycling
