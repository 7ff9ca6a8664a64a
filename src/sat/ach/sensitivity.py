"""Sensitivity analysis of the likelihood mode (Heuer 1999, ch. 8, step 6), done automatically for every item.

Each evidence item is changed in four ways -- removed; shifted one step toward consistent; shifted one step toward
inconsistent; reversed as if it were deceptive (CC <-> II, C <-> I, N stays) -- in every analyst's matrix at once,
and the posteriors are recomputed. A **linchpin** is an item one of whose changes gives the lead to another
hypothesis, or moves the leading hypothesis's probability into another ICD 203 likelihood band.

The posterior is a sum of row contributions in log space, so each change costs one row's update, not a rescoring;
items in a dependence group recompute only their group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..language import ICD203, icd203_band, icd203_band_index, percent_text
from .scoring import CODES, GroupLayout, LikelihoodModel, group_weights, softmax

#: How each change maps code indices (CC, C, N, I, II, NA, unrated); NA and unrated cells never change.
CHANGES: dict[str, np.ndarray] = {
    "removed": np.array([6, 6, 6, 6, 6, 6, 6]),
    "more consistent": np.array([0, 0, 1, 2, 3, 5, 6]),
    "less consistent": np.array([1, 2, 3, 4, 4, 5, 6]),
    "deceptive": np.array([4, 3, 2, 1, 0, 5, 6]),
}
PHRASES: dict[str, str] = {
    "removed": "were removed",
    "more consistent": "were read one step more consistent",
    "less consistent": "were read one step less consistent",
    "deceptive": "were deceptive (every rating reversed)",
}


@dataclass
class Sensitivity:
    """Posteriors after each change of each item, the linchpins, and plain-language sentences.

    Arrays are indexed [change, evidence] in the order of :data:`CHANGES` and of the case's evidence.
    """

    evidence_ids: list[str]
    hypothesis_ids: list[str]
    posteriors: np.ndarray  # change x evidence x hypothesis
    new_leader: np.ndarray  # change x evidence: index of the hypothesis that would lead
    leader_changes: np.ndarray  # change x evidence
    band_changes: np.ndarray  # change x evidence
    base_posterior: pd.Series
    leader: str
    linchpins: list[str]
    sentences: list[str]

    @property
    def table(self) -> pd.DataFrame:
        """One row per (evidence, change): the new leader, the flags, and every posterior as ``p_<id>``."""
        n_k, n_e, n_h = self.posteriors.shape
        frame = pd.DataFrame(
            {
                "evidence": np.tile(self.evidence_ids, n_k),
                "change": np.repeat(list(CHANGES), n_e),
                "leader": np.array(self.hypothesis_ids, dtype=object)[self.new_leader.ravel()],
                "leader_changes": self.leader_changes.ravel(),
                "band_changes": self.band_changes.ravel(),
            }
        )
        posts = pd.DataFrame(self.posteriors.reshape(-1, n_h), columns=[f"p_{h}" for h in self.hypothesis_ids])
        return pd.concat([frame, posts], axis=1)

    def swing(self) -> pd.DataFrame:
        """Per item, the lowest and highest probability of the current leader over its changes (tornado data)."""
        lead = self.hypothesis_ids.index(self.leader)
        values = self.posteriors[:, :, lead]
        base = float(self.base_posterior[self.leader])
        frame = pd.DataFrame(
            {"low": np.minimum(values.min(axis=0), base), "high": np.maximum(values.max(axis=0), base)},
            index=pd.Index(self.evidence_ids, name="evidence"),
        )
        frame["range"] = frame["high"] - frame["low"]
        return frame.sort_values("range", ascending=False, kind="stable")

    def entries(self, decimals: int = 6, threshold: float = 0.0) -> tuple[dict[str, list[dict[str, object]]], int]:
        """Per evidence id, its changes as plain data (for JSON), and how many changes were left out.

        Each entry gives the leader after the change, the two flags, and ``changed_posteriors``: the new posterior
        (rounded to ``decimals``) of each hypothesis whose posterior moves by more than ``threshold`` -- with
        ``threshold`` 0, every hypothesis whose posterior changes at ``decimals`` places (the others keep their base
        posterior). With ``threshold`` > 0 a change is listed only if it changes the leader, moves the leader into
        another ICD 203 band, or moves some posterior by more than ``threshold``; the count of the others is the
        second value returned.
        """
        n_k, n_e, _ = self.posteriors.shape
        hids = np.array(self.hypothesis_ids, dtype=object)
        base = self.base_posterior.to_numpy()
        if threshold > 0:
            moved_cells = np.abs(self.posteriors - base) > threshold
        else:
            moved_cells = np.round(self.posteriors, decimals) != np.round(base, decimals)
        k_i, e_i, h_i = np.nonzero(moved_cells)
        names, values = hids[h_i].tolist(), np.round(self.posteriors[k_i, e_i, h_i], decimals).tolist()
        bounds = np.searchsorted(k_i * n_e + e_i, np.arange(n_k * n_e + 1)).tolist()  # np.nonzero sorts (k, e, h)
        moved = [dict(zip(names[a:b], values[a:b])) for a, b in zip(bounds[:-1], bounds[1:])]
        keep = np.ones((n_k, n_e), dtype=bool)
        if threshold > 0:
            keep = moved_cells.any(axis=-1) | self.leader_changes | self.band_changes
        leaders = hids[self.new_leader].tolist()
        leader_changes, band_changes, kept = self.leader_changes.tolist(), self.band_changes.tolist(), keep.tolist()
        changes = list(CHANGES)
        listed = {
            eid: [
                {
                    "change": changes[k],
                    "leader": leaders[k][e],
                    "leader_changes": leader_changes[k][e],
                    "band_changes": band_changes[k][e],
                    "changed_posteriors": moved[k * n_e + e],
                }
                for k in range(n_k)
                if kept[k][e]
            ]
            for e, eid in enumerate(self.evidence_ids)
        }
        return listed, int(keep.size - keep.sum())


#: Rows per block in :func:`changed_posteriors`: a block of analysts' cells stays in the processor's cache.
BLOCK_CELLS = 65_536


def changed_posteriors(stack: np.ndarray, lm: LikelihoodModel) -> np.ndarray:
    """Group posterior (mean of each analyst's normalised posterior) after each change of each item.

    ``stack`` is analysts x evidence x hypotheses of code indices; the result is changes x evidence x hypotheses,
    in the order of :data:`CHANGES`. A changed item outside any group swaps its own contribution; a changed member
    of a dependence group re-elects the group's representative (:func:`sat.ach.scoring.group_weights`) with its
    new row in place of the old one.

    Swapping a row's contribution in log space is multiplying the unnormalised posterior by the ratio
    P(changed cell | H) / P(cell | H), which depends only on the row's table and the cell's code: one look-up in a
    small table per cell and per change, done analyst by analyst in cache-sized blocks of rows, so memory stays at
    a few rows' worth whatever the size of the case.
    """
    n_a, n_e, n_h = stack.shape
    flat = lm.tables.ravel()
    log_prior = np.log(lm.prior)
    ratios = [np.exp(lm.tables[:, mapping] - lm.tables).ravel() for mapping in CHANGES.values()]
    layout = GroupLayout.of(lm.groups)
    free = np.flatnonzero(lm.groups < 0) if layout is not None else None  # rows in no group
    out = np.zeros((len(CHANGES), n_e, n_h))
    block = max(1, BLOCK_CELLS // max(n_h, 1))
    for a in range(n_a):
        index = lm.index(stack[a])  # evidence x hypotheses, into flat
        loglik = np.take(flat, index)
        weights = group_weights(loglik, lm.groups)
        total = weights @ loglik  # hypotheses
        base = np.exp(log_prior + total - (log_prior + total).max())
        for k in range(len(CHANGES)):
            _swap_rows(out[k], index, ratios[k], base, free, block)
        if layout is not None:
            _grouped_rows(out, stack[a], lm, layout, loglik, weights, log_prior + total)
    out /= n_a
    return out


def _swap_rows(
    out: np.ndarray, index: np.ndarray, ratio: np.ndarray, base: np.ndarray, rows: np.ndarray | None, block: int
) -> None:
    """Add to ``out`` (evidence x hypotheses) each row's normalised posterior after its change (ungrouped rows)."""
    n = index.shape[0] if rows is None else len(rows)
    for start in range(0, n, block):
        part = slice(start, min(start + block, n)) if rows is None else rows[start : start + block]
        changed = np.take(ratio, index[part])  # unnormalised posterior ratio per cell
        changed *= base
        changed /= changed.sum(axis=1, keepdims=True)
        out[part] += changed


def _grouped_rows(
    out: np.ndarray,
    codes: np.ndarray,
    lm: LikelihoodModel,
    layout: GroupLayout,
    loglik: np.ndarray,
    weights: np.ndarray,
    log_total: np.ndarray,
) -> None:
    """Add to ``out`` (changes x evidence x hypotheses) one analyst's posterior after each change of each grouped
    row: the group's representative is re-elected with the changed row in place of the old one."""
    members = layout.members
    spread = loglik.max(axis=-1) - loglik.min(axis=-1)
    rival, rival_spread = layout.rivals(spread)
    contributions = loglik * weights[:, None]
    group_sum = np.add.reduceat(contributions[layout.order], layout.starts, axis=0)  # groups x hypotheses
    which = np.repeat(np.arange(len(layout.starts)), layout.sizes)
    group_of = np.empty(len(members), dtype=np.intp)
    group_of[np.searchsorted(members, layout.order)] = which
    group_old = group_sum[group_of]  # members x hypotheses
    rival_rows = loglik[rival]
    for k, mapping in enumerate(CHANGES.values()):
        new_rows = lm.loglik_rows(mapping[codes[members]], members)
        new_spread = new_rows.max(axis=-1) - new_rows.min(axis=-1)
        wins = (new_spread > rival_spread) | ((new_spread == rival_spread) & (members < rival))
        group_new = np.where(wins[:, None], new_rows, rival_rows)
        out[k, members] += softmax(log_total - group_old + group_new)


def sensitivity(
    stack: np.ndarray,
    lm: LikelihoodModel,
    evidence_ids: list[str],
    hypothesis_ids: list[str],
    base: np.ndarray,
    leader: str,
) -> Sensitivity:
    """Run every change of every item; ``base`` is the group posterior and ``leader`` the current leader."""
    changed = changed_posteriors(stack, lm)
    lead = hypothesis_ids.index(leader)
    new_leader = np.argmax(changed, axis=-1)
    ties = np.isclose(changed.max(axis=-1), changed[:, :, lead], rtol=0, atol=1e-12)
    new_leader = np.where(ties, lead, new_leader)
    leader_changes = new_leader != lead
    band_changes = icd203_band_index(changed[:, :, lead]) != icd203_band_index(np.array(base[lead]))
    base_p = float(base[lead])
    hits = np.argwhere(leader_changes | band_changes)  # (change, evidence) pairs
    k_i, e_i = hits[:, 0], hits[:, 1]
    p_lead = changed[k_i, e_i, lead]
    order = np.lexsort((-np.abs(p_lead - base_p), ~leader_changes[k_i, e_i]))  # new leaders first, then by shift
    winner = new_leader[k_i, e_i]
    lines = zip(
        np.array(evidence_ids, dtype=object)[e_i][order].tolist(),
        np.array([PHRASES[c] for c in CHANGES], dtype=object)[k_i][order].tolist(),
        np.array(hypothesis_ids, dtype=object)[winner][order].tolist(),
        changed[k_i, e_i, winner][order].tolist(),
        p_lead[order].tolist(),
        np.array([b.term for b in ICD203], dtype=object)[icd203_band_index(p_lead)][order].tolist(),
    )
    before = icd203_band(base_p).term
    sentences, linchpins = [], []
    for eid, phrase, new, p_new, p_after, after in lines:
        linchpins.append(eid)
        if new != leader:
            sentences.append(
                f"If {eid} {phrase}, {new} would lead ({percent_text(p_new)}); {_old_leader(leader, base_p, p_after)}."
            )
        else:
            sentences.append(
                f"If {eid} {phrase}, {leader} would still lead but move from {before} "
                f"({percent_text(base_p)}) to {after} ({percent_text(p_after)})."
            )
    return Sensitivity(
        evidence_ids,
        hypothesis_ids,
        changed,
        new_leader,
        leader_changes,
        band_changes,
        pd.Series(base, index=hypothesis_ids),
        leader,
        list(dict.fromkeys(linchpins)),
        sentences,
    )


def _old_leader(leader: str, before: float, after: float) -> str:
    """What happens to a leader that loses the lead, at the precision shown: with three or more hypotheses it can
    lose the lead while its own probability rises."""
    shown_before, shown_after = percent_text(before), percent_text(after)
    if shown_before == shown_after:
        return f"{leader} would lose the lead, staying at {shown_after}"
    if after > before:
        return f"{leader} would lose the lead although it rises from {shown_before} to {shown_after}"
    return f"{leader} would lose the lead, falling from {shown_before} to {shown_after}"


__all__ = ["CHANGES", "CODES", "Sensitivity", "changed_posteriors", "sensitivity"]
