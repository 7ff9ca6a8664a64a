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
from .scoring import CODES, LikelihoodModel, group_weights, softmax

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
        frame = pd.DataFrame({
            "evidence": np.tile(self.evidence_ids, n_k),
            "change": np.repeat(list(CHANGES), n_e),
            "leader": np.array(self.hypothesis_ids, dtype=object)[self.new_leader.ravel()],
            "leader_changes": self.leader_changes.ravel(),
            "band_changes": self.band_changes.ravel(),
        })
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

    def entries(self, decimals: int = 6) -> dict[str, list[dict[str, object]]]:
        """Per evidence id, its four changes as plain data (for JSON): the leader after the change, the two flags,
        and ``changed_posteriors``, the new posterior of each hypothesis whose posterior changes at ``decimals``
        places (every other hypothesis keeps its base posterior)."""
        n_k, n_e, _ = self.posteriors.shape
        hids = np.array(self.hypothesis_ids, dtype=object)
        rounded = np.round(self.posteriors, decimals)
        k_i, e_i, h_i = np.nonzero(rounded != np.round(self.base_posterior.to_numpy(), decimals))
        names, values = hids[h_i].tolist(), rounded[k_i, e_i, h_i].tolist()
        bounds = np.searchsorted(k_i * n_e + e_i, np.arange(n_k * n_e + 1)).tolist()  # np.nonzero sorts (k, e, h)
        moved = [dict(zip(names[a:b], values[a:b])) for a, b in zip(bounds[:-1], bounds[1:])]
        leaders = hids[self.new_leader].tolist()
        leader_changes, band_changes = self.leader_changes.tolist(), self.band_changes.tolist()
        changes = list(CHANGES)
        return {
            eid: [
                {
                    "change": changes[k],
                    "leader": leaders[k][e],
                    "leader_changes": leader_changes[k][e],
                    "band_changes": band_changes[k][e],
                    "changed_posteriors": moved[k * n_e + e],
                }
                for k in range(n_k)
            ]
            for e, eid in enumerate(self.evidence_ids)
        }


def changed_posteriors(stack: np.ndarray, lm: LikelihoodModel) -> np.ndarray:
    """Group posterior (mean of each analyst's normalised posterior) after each change of each item.

    ``stack`` is analysts x evidence x hypotheses of code indices; the result is changes x evidence x hypotheses,
    in the order of :data:`CHANGES`. A changed item outside any group swaps its own contribution; a changed member
    of a dependence group re-elects the group's representative (:func:`sat.ach.scoring.group_weights`) with its
    new row in place of the old one.
    """
    n_a, n_e, n_h = stack.shape
    loglik = lm.loglik(stack)
    weights = group_weights(loglik, lm.groups)
    contributions = loglik * weights[..., None]
    total = contributions.sum(axis=1)  # analysts x hypotheses
    log_prior = np.log(lm.prior)
    out = np.empty((len(CHANGES), n_e, n_h))
    grouped = np.flatnonzero(lm.groups >= 0)
    if len(grouped):
        rival, rival_spread, group_old = _group_rivals(loglik, contributions, lm.groups, grouped)
        analysts = np.arange(n_a)[:, None]
        rival_rows = loglik[analysts, rival, :]  # analysts x grouped items x hypotheses
    for k, mapping in enumerate(CHANGES.values()):
        changed = lm.loglik(mapping[stack])  # analysts x evidence x hypotheses
        # Ungrouped rows: swap the row's contribution.
        new_total = total[:, None, :] - contributions + changed  # analysts x evidence x hypotheses
        if len(grouped):
            # A changed group member represents its group if its new row is the most diagnostic; on a tie the
            # first in case order wins, as in group_weights.
            new_rows = changed[:, grouped, :]
            spread = new_rows.max(axis=-1) - new_rows.min(axis=-1)
            wins = (spread > rival_spread) | ((spread == rival_spread) & (grouped < rival))
            group_new = np.where(wins[..., None], new_rows, rival_rows)
            new_total[:, grouped, :] = total[:, None, :] - group_old + group_new
        posteriors = softmax(log_prior + new_total)  # analysts x evidence x hypotheses
        out[k] = posteriors.mean(axis=0)
    return out


def _group_rivals(loglik: np.ndarray, contributions: np.ndarray, groups: np.ndarray,
                  grouped: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each grouped item (``grouped``: evidence indices) and analyst: the most diagnostic other member of its
    group (first in case order on a tie), that member's spread (-inf when the item is alone in its group), and the
    group's current contribution (analysts x items x hypotheses)."""
    n_a = loglik.shape[0]
    spread = loglik.max(axis=-1) - loglik.min(axis=-1)  # analysts x evidence
    rival = np.empty((n_a, len(grouped)), dtype=int)
    rival_spread = np.full((n_a, len(grouped)), -np.inf)
    group_old = np.empty((n_a, len(grouped), loglik.shape[-1]))
    rows = np.arange(n_a)
    labels = groups[grouped]
    for label in np.unique(labels):
        members = np.flatnonzero(groups == label)
        first = np.argmax(spread[:, members], axis=1)  # per analyst, the group's representative
        rest = spread[:, members].copy()
        rest[rows, first] = -np.inf
        second = np.argmax(rest, axis=1)  # and the member that would replace it
        for item in np.flatnonzero(labels == label):
            best = np.where(members[first] == grouped[item], members[second], members[first])
            rival[:, item] = best
            if len(members) > 1:
                rival_spread[:, item] = spread[rows, best]
        group_old[:, labels == label, :] = contributions[:, members, :].sum(axis=1)[:, None, :]
    return rival, rival_spread, group_old


def sensitivity(stack: np.ndarray, lm: LikelihoodModel, evidence_ids: list[str], hypothesis_ids: list[str],
                base: np.ndarray, leader: str) -> Sensitivity:
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
    lines = zip(np.array(evidence_ids, dtype=object)[e_i][order].tolist(),
                np.array([PHRASES[c] for c in CHANGES], dtype=object)[k_i][order].tolist(),
                np.array(hypothesis_ids, dtype=object)[winner][order].tolist(),
                changed[k_i, e_i, winner][order].tolist(), p_lead[order].tolist(),
                np.array([b.term for b in ICD203], dtype=object)[icd203_band_index(p_lead)][order].tolist())
    before = icd203_band(base_p).term
    sentences, linchpins = [], []
    for eid, phrase, new, p_new, p_after, after in lines:
        linchpins.append(eid)
        if new != leader:
            sentences.append(f"If {eid} {phrase}, {new} would lead ({percent_text(p_new)}); "
                             f"{_old_leader(leader, base_p, p_after)}.")
        else:
            sentences.append(f"If {eid} {phrase}, {leader} would still lead but move from {before} "
                             f"({percent_text(base_p)}) to {after} ({percent_text(p_after)}).")
    return Sensitivity(evidence_ids, hypothesis_ids, changed, new_leader, leader_changes, band_changes,
                       pd.Series(base, index=hypothesis_ids), leader, list(dict.fromkeys(linchpins)), sentences)


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
