"""Analyses on top of the exact consistent set: expert ensembles, judgment sensitivity, scenario explanations.

Formulas follow Weimer-Jehle 2006, TFSC 73:334-361 (impact balance, consistency); the ensemble reading (how many
expert matrices find a scenario consistent) follows the same paper's discussion of dissent between experts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .consistency import search
from .model import CIBMatrix, Scenario
from .scores import TIE_EPS, balances_many, impact_balances


# -- ensemble ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EnsembleResult:
    """Union of the consistent sets of several matrices; ``counts[k]`` matrices find ``scenarios[k]`` consistent.

    ``members[k]`` lists the indices of those matrices. Rows are ordered by count descending, then scenario.
    """

    scenarios: tuple[Scenario, ...]
    counts: tuple[int, ...]
    members: tuple[tuple[int, ...], ...]
    n_matrices: int

    @property
    def fractions(self) -> tuple[float, ...]:
        return tuple(c / self.n_matrices for c in self.counts)


def ensemble(matrices: Sequence[CIBMatrix], tolerance: float = 0.0) -> EnsembleResult:
    """For each scenario consistent in at least one matrix, how many (and which) matrices find it consistent."""
    if not matrices:
        raise ValueError("an ensemble needs at least one matrix")
    first = matrices[0].descriptors
    for k, m in enumerate(matrices[1:], start=1):
        if m.descriptors != first:
            raise ValueError(f"matrix {k} ({m.name or 'unnamed'}) does not have the same descriptors and variants")
    members: dict[Scenario, list[int]] = {}
    for k, m in enumerate(matrices):
        for row in search(m, tolerance):
            members.setdefault(tuple(int(v) for v in row), []).append(k)
    order = sorted(members, key=lambda z: (-len(members[z]), z))
    return EnsembleResult(
        scenarios=tuple(order),
        counts=tuple(len(members[z]) for z in order),
        members=tuple(tuple(members[z]) for z in order),
        n_matrices=len(matrices),
    )


# -- sensitivity ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SensitivityEntry:
    """Changing judgment C[source -> target] by ``change`` adds and removes these consistent scenarios."""

    source: int
    source_variant: int
    target: int
    target_variant: int
    old_value: float
    change: float
    added: tuple[Scenario, ...]
    removed: tuple[Scenario, ...]


def sensitivity(matrix: CIBMatrix, change: float = 1.0, tolerance: float = 0.0) -> list[SensitivityEntry]:
    """Every off-diagonal judgment cell whose change by +``change`` or -``change`` alters the consistent set.

    A cell (source variant k of Di, target variant c of Dj) only enters theta[j,c], and only for scenarios with
    z_i = k, moving it by the change. So every scenario consistent (within ``tolerance``) after the change has
    inconsistency at most ``tolerance + change`` before it: one exact search with that tolerance gives all
    candidates, and each cell is then settled by re-checking descriptor j on the candidates with z_i = k.
    Entries are in (source, source variant, target, target variant, change) order.
    """
    if change <= 0:
        raise ValueError("change must be > 0")
    candidates = search(matrix, tolerance + change)
    theta = balances_many(matrix, candidates)
    o = matrix.offsets
    chosen_score = theta[np.arange(len(candidates))[:, None], np.asarray(o[:-1]) + candidates]
    per_descriptor = np.stack([theta[:, o[j] : o[j + 1]].max(axis=1) for j in range(matrix.n_descriptors)], axis=1)
    per_descriptor -= chosen_score  # inconsistency of each descriptor in each candidate
    limit = tolerance + TIE_EPS
    entries: list[SensitivityEntry] = []
    for i in range(matrix.n_descriptors):
        for j in range(matrix.n_descriptors):
            if i == j:
                continue
            others_ok = np.delete(per_descriptor, j, axis=1).max(axis=1, initial=0.0) <= limit
            was = per_descriptor[:, j] <= limit
            segment = theta[:, o[j] : o[j + 1]]
            for k in range(matrix.sizes[i]):
                rows = np.flatnonzero((candidates[:, i] == k) & others_ok)
                if rows.size == 0:
                    continue
                for c in range(matrix.sizes[j]):
                    for delta in (change, -change):
                        moved = segment[rows].copy()
                        moved[:, c] += delta
                        chosen = moved[np.arange(rows.size), candidates[rows, j]]
                        now = moved.max(axis=1) - chosen <= limit
                        added = rows[now & ~was[rows]]
                        removed = rows[~now & was[rows]]
                        if added.size or removed.size:
                            entries.append(
                                SensitivityEntry(
                                    source=i,
                                    source_variant=k,
                                    target=j,
                                    target_variant=c,
                                    old_value=float(matrix.judgments[o[i] + k, o[j] + c]),
                                    change=delta,
                                    added=_tuples(candidates[added]),
                                    removed=_tuples(candidates[removed]),
                                )
                            )
    return entries


def _tuples(rows: np.ndarray) -> tuple[Scenario, ...]:
    return tuple(tuple(int(v) for v in row) for row in rows)


# -- explanation ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Influence:
    """What descriptor ``source`` (at its chosen variant) contributes to a descriptor's chosen variant and rival."""

    source: int
    source_variant: int
    to_chosen: float
    to_rival: float

    @property
    def net(self) -> float:
        """Push towards the chosen variant and away from the rival (positive) or the other way (negative)."""
        return self.to_chosen - self.to_rival


@dataclass(frozen=True)
class DescriptorExplanation:
    """Why descriptor ``descriptor`` sits at ``variant`` in a scenario; ``rival`` is the best other variant."""

    descriptor: int
    variant: int
    score: float
    rival: int | None
    rival_score: float | None
    influences: tuple[Influence, ...]

    @property
    def consistent(self) -> bool:
        return self.rival_score is None or self.score >= self.rival_score - TIE_EPS


def explain(matrix: CIBMatrix, scenario: Iterable[int]) -> list[DescriptorExplanation]:
    """Per descriptor: score of the chosen variant, its strongest rival, and every descriptor's contribution."""
    z = matrix.check_scenario(scenario)
    theta = impact_balances(matrix, z)
    o = matrix.offsets
    result = []
    for j, v in enumerate(z):
        segment = theta[o[j] : o[j + 1]]
        others = [k for k in range(len(segment)) if k != v]
        rival = max(others, key=lambda k: (segment[k], -k)) if others else None
        influences = tuple(
            Influence(
                source=i,
                source_variant=z[i],
                to_chosen=float(matrix.judgments[o[i] + z[i], o[j] + v]),
                to_rival=float(matrix.judgments[o[i] + z[i], o[j] + rival]) if rival is not None else 0.0,
            )
            for i in range(matrix.n_descriptors)
            if i != j or matrix.judgments[o[j] + v, o[j] : o[j + 1]].any()
        )
        result.append(
            DescriptorExplanation(
                descriptor=j,
                variant=v,
                score=float(segment[v]),
                rival=rival,
                rival_score=float(segment[rival]) if rival is not None else None,
                influences=influences,
            )
        )
    return result


def explanation_sentences(matrix: CIBMatrix, scenario: Iterable[int]) -> list[str]:
    """Plain-language sentences, one per descriptor, for teaching (who supports and who opposes each variant)."""
    sentences = []
    for item in explain(matrix, scenario):
        d = matrix.descriptors[item.descriptor]
        subject = f"{d.name} = {d.variants[item.variant]}"
        support = max(item.influences, key=lambda f: f.to_chosen, default=None)
        oppose = min(item.influences, key=lambda f: f.to_chosen, default=None)
        pro = support is not None and support.to_chosen > 0
        con = oppose is not None and oppose.to_chosen < 0
        if pro and con and support and oppose:
            why = (
                f"is supported most by {_label(matrix, support)} ({_signed(support.to_chosen)}) "
                f"and opposed most by {_label(matrix, oppose)} ({_signed(oppose.to_chosen)})"
            )
        elif pro and support:
            why = f"is supported most by {_label(matrix, support)} ({_signed(support.to_chosen)}) and opposed by none"
        elif con and oppose:
            why = f"has no support and is opposed most by {_label(matrix, oppose)} ({_signed(oppose.to_chosen)})"
        else:
            why = "is neither supported nor opposed"
        text = f"{subject} {why}; score {_number(item.score)}"
        if item.rival is None:
            text += "."
        else:
            rival = d.variants[item.rival]
            gap = item.score - (item.rival_score or 0.0)
            if abs(gap) <= TIE_EPS:
                text += f", tied with its strongest rival {rival}."
            elif item.consistent:
                rival_score = _number(item.rival_score or 0.0)
                text += f", ahead of its strongest rival {rival} ({rival_score}) by {_number(gap)}."
            else:
                text += (
                    f", behind {rival} ({_number(item.rival_score or 0.0)}) by {_number(-gap)}: "
                    "this descriptor is inconsistent."
                )
        sentences.append(text)
    return sentences


def _label(matrix: CIBMatrix, influence: Influence) -> str:
    d = matrix.descriptors[influence.source]
    return f"{d.name} = {d.variants[influence.source_variant]}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _signed(value: float) -> str:
    return ("+" if value > 0 else "") + _number(value)
