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

from ..language import icd203_band
from .scoring import CODES, LikelihoodModel, softmax

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
    """Posteriors after each change of each item, the linchpins, and plain-language sentences."""

    table: pd.DataFrame  # one row per (evidence, change): leader, posteriors, flags
    base_posterior: pd.Series
    leader: str
    linchpins: list[str]
    sentences: list[str]

    def swing(self) -> pd.DataFrame:
        """Per item, the lowest and highest probability of the current leader over its changes (tornado data)."""
        col = f"p_{self.leader}"
        grouped = self.table.groupby("evidence", sort=False)[col]
        frame = pd.DataFrame({"low": grouped.min(), "high": grouped.max()})
        base = float(self.base_posterior[self.leader])
        frame["low"] = frame["low"].clip(upper=base)
        frame["high"] = frame["high"].clip(lower=base)
        frame["range"] = frame["high"] - frame["low"]
        return frame.sort_values("range", ascending=False)


def changed_posteriors(stack: np.ndarray, lm: LikelihoodModel) -> np.ndarray:
    """Group posterior (mean of each analyst's normalised posterior) after each change of each item.

    ``stack`` is analysts x evidence x hypotheses of code indices; the result is changes x evidence x hypotheses,
    in the order of :data:`CHANGES`.
    """
    n_a, n_e, n_h = stack.shape
    contributions, weights = lm.contributions(stack)
    total = contributions.sum(axis=1)  # analysts x hypotheses
    log_prior = np.log(lm.prior)
    out = np.empty((len(CHANGES), n_e, n_h))
    grouped = lm.groups >= 0
    for k, mapping in enumerate(CHANGES.values()):
        changed = lm.loglik(mapping[stack])  # analysts x evidence x hypotheses
        # Ungrouped rows: swap the row's contribution.
        new_total = total[:, None, :] - contributions + changed  # analysts x evidence x hypotheses
        for e in np.flatnonzero(grouped):
            members = np.flatnonzero(lm.groups == lm.groups[e])
            member_ll = lm.loglik(stack[:, members, :])
            member_ll[:, members == e, :] = changed[:, e : e + 1, :]
            spread = member_ll.max(axis=-1) - member_ll.min(axis=-1)
            best = np.argmax(spread, axis=-1)
            group_new = member_ll[np.arange(n_a), best]
            group_old = contributions[:, members, :].sum(axis=1)
            new_total[:, e, :] = total - group_old + group_new
        posteriors = softmax(log_prior + new_total)  # analysts x evidence x hypotheses
        out[k] = posteriors.mean(axis=0)
    return out


def sensitivity(stack: np.ndarray, lm: LikelihoodModel, evidence_ids: list[str], hypothesis_ids: list[str],
                base: np.ndarray, leader: str) -> Sensitivity:
    """Run every change of every item; ``base`` is the group posterior and ``leader`` the current leader."""
    changed = changed_posteriors(stack, lm)
    lead_index = hypothesis_ids.index(leader)
    base_band = icd203_band(float(base[lead_index]))
    rows = []
    for k, change in enumerate(CHANGES):
        for e, eid in enumerate(evidence_ids):
            post = changed[k, e]
            new_index = int(np.argmax(post))
            if np.isclose(post[new_index], post[lead_index], rtol=0, atol=1e-12):
                new_index = lead_index
            new_band = icd203_band(float(post[lead_index]))
            rows.append({
                "evidence": eid,
                "change": change,
                "leader": hypothesis_ids[new_index],
                "leader_changes": new_index != lead_index,
                "band_changes": new_band != base_band,
                **{f"p_{h}": float(post[i]) for i, h in enumerate(hypothesis_ids)},
            })
    table = pd.DataFrame(rows)
    table["shift"] = (table[f"p_{leader}"] - float(base[lead_index])).abs()
    hits = table[table["leader_changes"] | table["band_changes"]].sort_values(
        ["leader_changes", "shift"], ascending=[False, False], kind="stable"
    )
    linchpins = list(dict.fromkeys(hits["evidence"]))
    sentences = [_sentence(row, leader, float(base[lead_index])) for row in hits.itertuples(index=False)]
    base_series = pd.Series(base, index=hypothesis_ids)
    return Sensitivity(table, base_series, leader, linchpins, sentences)


def _sentence(row: tuple, leader: str, base_p: float) -> str:
    data = row._asdict()
    p_lead = data[f"p_{leader}"]
    change = PHRASES[data["change"]]
    if data["leader_changes"]:
        new = data["leader"]
        return (f"If {data['evidence']} {change}, {new} would lead ({data[f'p_{new}']:.0%}); "
                f"{leader} would fall from {base_p:.0%} to {p_lead:.0%}.")
    before, after = icd203_band(base_p).term, icd203_band(p_lead).term
    return (f"If {data['evidence']} {change}, {leader} would still lead but move from {before} ({base_p:.0%}) "
            f"to {after} ({p_lead:.0%}).")


__all__ = ["CHANGES", "CODES", "Sensitivity", "changed_posteriors", "sensitivity"]
