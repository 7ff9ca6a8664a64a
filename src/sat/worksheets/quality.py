"""Quality of Information Check: the source register's checks (pure: a case and its scores in, tables out).

After the CIA Tradecraft Primer (2009, pp. 10-11), ICD 206 (2015) and the Admiralty grading of STANAG 2511 /
FM 2-22.3 App. B, as summarised in TRADECRAFT.md §5a:

- **Origins.** A source that re-reports another (``re_reports``) is followed down its chain to the source that
  does not (its *origin*); corroboration counts distinct origins, never reports. A recalled source is no origin.
- **Marks.** Each evidence item and each key judgment is *conflicting* (it has a declared conflict: an item's
  ``conflicts_with``, either way, or a judgment's ``against``), else *unsupported* (no origin), *single-source*
  (one origin) or *corroborated* (two or more).
- **Dependence groups.** Items resting on one origin only are not independent confirmations; when two or more such
  items are not already all in one ACH ``group``, they are offered as one.
- **Two axes.** Source reliability (A-F) and information credibility (1-6) stay apart; ACH's credibility level of an
  item is compared with the level the case's visible mapping gives its 1-6 grade
  (``scoring.information_credibility``, default :data:`sat.model.DEFAULT_INFORMATION_MAPPING`).
- **Support of the leader.** Each item's weight for the leading hypothesis against the runner-up is its
  log-likelihood ratio as ACH counts it (credibility discount and dependence groups included), averaged over the
  analysts; the items' weights add up to the log posterior odds minus the log prior odds (Bayes' rule in log space,
  :mod:`sat.ach.scoring`). Positive weights are traced to their origins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..model import INFORMATION_CREDIBILITY, RELIABILITY, Case, Evidence, Source
from .assumptions_file import Judgment

MARKS: tuple[str, ...] = ("corroborated", "single-source", "conflicting", "unsupported")
NO_SOURCE = "(no source)"


def origin_map(sources: Iterable[Source]) -> dict[str, str]:
    """Source id -> the id at the end of its re-reporting chain (itself when it re-reports nothing).

    The case reader refuses unknown targets and loops, so every chain ends.
    """
    repeats = {s.id: s.re_reports for s in sources}
    out = {}
    for sid in repeats:
        current, seen = sid, {sid}
        while repeats.get(current) and repeats[current] in repeats and repeats[current] not in seen:
            current = repeats[current]  # type: ignore[assignment]
            seen.add(current)
        out[sid] = current
    return out


def origins_of(source_ids: Iterable[str], origins: Mapping[str, str], recalled: set[str]) -> tuple[str, ...]:
    """The distinct origins of some sources, in first-seen order; recalled sources (or origins) count for none."""
    found = [origins.get(s, s) for s in source_ids if s not in recalled]
    return tuple(dict.fromkeys(o for o in found if o not in recalled))


def mark(n_origins: int, conflicting: bool) -> str:
    """The Quality of Information Check mark of an item or judgment."""
    if conflicting:
        return "conflicting"
    if n_origins == 0:
        return "unsupported"
    return "single-source" if n_origins == 1 else "corroborated"


def conflicts(evidence: Iterable[Evidence]) -> dict[str, tuple[str, ...]]:
    """Evidence id -> the items it conflicts with, declared on either side."""
    pairs: dict[str, list[str]] = {}
    for e in evidence:
        for other in e.conflicts_with:
            pairs.setdefault(e.id, []).append(other)
            pairs.setdefault(other, []).append(e.id)
    return {k: tuple(dict.fromkeys(v)) for k, v in pairs.items()}


def credibility_mapping(case: Case) -> dict[int, str]:
    """The case's grade -> ACH level mapping (``scoring.information_credibility`` over the defaults)."""
    return dict(case.scoring.information_credibility)


def item_marks(case: Case) -> pd.DataFrame:
    """Per evidence item: its sources, their origins, the origins' reliability, the two Admiralty axes, the ACH
    credibility against the mapped level, the mark, and the register's warnings about its sources."""
    origins = origin_map(case.sources)
    by_id = {s.id: s for s in case.sources}
    recalled = {s.id for s in case.sources if s.status == "recalled"}
    conflict = conflicts(case.evidence)
    mapping = credibility_mapping(case)
    rows = []
    for e in case.evidence:
        found = origins_of(e.sources, origins, recalled)
        grade = e.information_credibility
        mapped = mapping.get(grade) if grade is not None else None
        cited = [by_id[s] for s in e.sources if s in by_id]
        rows.append(
            {
                "evidence": e.id,
                "type": e.type,
                "sources": ", ".join(e.sources),
                "origins": ", ".join(found),
                "n_origins": len(found),
                "reliability": ", ".join(f"{o}:{by_id[o].reliability or '?'}" for o in found if o in by_id),
                "information_credibility": grade,
                "ach_credibility": e.credibility,
                "mapped_credibility": mapped or "",
                "credibility_differs": mapped is not None and mapped != e.credibility,
                "conflicts_with": ", ".join(conflict.get(e.id, ())),
                "mark": mark(len(found), e.id in conflict),
                "recalled": ", ".join(s.id for s in cited if s.status == "recalled"),
                "corrected": ", ".join(s.id for s in cited if s.status == "corrected"),
                "second_hand": ", ".join(s.id for s in cited if s.access == "second-hand"),
                "grade_check": _grade_check(grade, len(found)),
            }
        )
    return pd.DataFrame(rows).set_index("evidence") if rows else _empty_marks()


def _grade_check(grade: int | None, n_origins: int) -> str:
    """A 1-6 grade that the source base contradicts: 1 means confirmed by other sources (FM 2-22.3 App. B)."""
    if grade == 1 and n_origins < 2:
        return "graded 1 (confirmed by other sources) but rests on fewer than two independent origins"
    return ""


def _empty_marks() -> pd.DataFrame:
    columns = [
        "type",
        "sources",
        "origins",
        "n_origins",
        "reliability",
        "information_credibility",
        "ach_credibility",
        "mapped_credibility",
        "credibility_differs",
        "conflicts_with",
        "mark",
        "recalled",
        "corrected",
        "second_hand",
        "grade_check",
    ]
    return pd.DataFrame(columns=columns, index=pd.Index([], name="evidence"))


def judgment_marks(case: Case, judgments: Iterable[Judgment]) -> pd.DataFrame:
    """Per key judgment: the origins of its evidence and sources, and its mark (``against`` makes it conflicting)."""
    origins = origin_map(case.sources)
    recalled = {s.id for s in case.sources if s.status == "recalled"}
    by_item = {e.id: e for e in case.evidence}
    rows = []
    for j in judgments:
        cited = [s for eid in j.evidence for s in by_item[eid].sources] + list(j.sources)
        found = origins_of(cited, origins, recalled)
        rows.append(
            {
                "judgment": j.id,
                "text": j.text,
                "evidence": ", ".join(j.evidence),
                "origins": ", ".join(found),
                "n_origins": len(found),
                "against": ", ".join(j.against),
                "mark": mark(len(found), bool(j.against)),
            }
        )
    frame = pd.DataFrame(rows, columns=["judgment", "text", "evidence", "origins", "n_origins", "against", "mark"])
    return frame.set_index("judgment")


@dataclass(frozen=True)
class GroupOffer:
    """Items that rest on one origin only and are not yet one ACH dependence group."""

    origin: str
    members: tuple[str, ...]
    groups: tuple[str, ...]  # the groups the members are in now ("" for none)

    @property
    def name(self) -> str:
        """The group to put them in: the one group some of them share already, else ``origin-<id>``."""
        named = [g for g in dict.fromkeys(self.groups) if g]
        return named[0] if len(named) == 1 else f"origin-{self.origin}"


def dependence_offers(case: Case) -> list[GroupOffer]:
    """One offer per origin carrying two or more single-origin items that are not all in one group."""
    origins = origin_map(case.sources)
    recalled = {s.id for s in case.sources if s.status == "recalled"}
    single: dict[str, list[Evidence]] = {}
    for e in case.evidence:
        found = origins_of(e.sources, origins, recalled)
        if len(found) == 1:
            single.setdefault(found[0], []).append(e)
    offers = []
    for origin, items in single.items():
        groups = tuple(e.group or "" for e in items)
        if len(items) >= 2 and (len(set(groups)) > 1 or not groups[0]):
            offers.append(GroupOffer(origin, tuple(e.id for e in items), groups))
    return offers


def group_changes(case: Case) -> dict[str, str]:
    """Evidence id -> the group the offers put it in, for the items whose group would change.

    An offer whose members already sit in two or more different groups is left to the analyst: merging groups
    changes what each group stands for.
    """
    by_id = {e.id: e for e in case.evidence}
    changes = {}
    for offer in dependence_offers(case):
        if len({g for g in offer.groups if g}) > 1:
            continue
        for eid in offer.members:
            if by_id[eid].group != offer.name:
                changes[eid] = offer.name
    return changes


def credibility_changes(case: Case) -> dict[str, str]:
    """Evidence id -> the ACH credibility level its 1-6 grade maps to, for the graded items whose level differs."""
    mapping = credibility_mapping(case)
    return {
        e.id: mapping[e.information_credibility]
        for e in case.evidence
        if e.information_credibility is not None and mapping[e.information_credibility] != e.credibility
    }


def item_support(contributions: np.ndarray, leader: int, rival: int) -> np.ndarray:
    """Per item, the log-likelihood ratio of the leader against the rival as the likelihood mode counts it.

    ``contributions`` is analysts x evidence x hypotheses of group-weighted, credibility-discounted log-likelihoods
    (:meth:`sat.ach.scoring.LikelihoodModel.contributions`); the result is the mean over analysts. Summed over the
    items it equals the mean over analysts of log(P(leader | E) / P(rival | E)) - log(prior odds).
    """
    return np.asarray((contributions[:, :, leader] - contributions[:, :, rival]).mean(axis=0), dtype=float)


def support_by_origin(support: pd.Series, item_origins: Mapping[str, tuple[str, ...]]) -> pd.DataFrame:
    """The positive support of the leader traced to origins: an item resting on k origins gives each 1/k of its
    weight; items without a source go to ``(no source)``. Sorted by weight, with each origin's share and items."""
    weight: dict[str, float] = {}
    items: dict[str, list[str]] = {}
    for eid, value in support.items():
        if value <= 0:
            continue
        found = item_origins.get(str(eid)) or (NO_SOURCE,)
        for origin in found:
            weight[origin] = weight.get(origin, 0.0) + float(value) / len(found)
            items.setdefault(origin, []).append(str(eid))
    total = sum(weight.values())
    frame = pd.DataFrame(
        {
            "origin": list(weight),
            "weight": list(weight.values()),
            "share": [w / total if total else 0.0 for w in weight.values()],
            "items": [", ".join(items[o]) for o in weight],
        }
    )
    return frame.sort_values(["weight", "origin"], ascending=[False, True], kind="stable").set_index("origin")


def reliability_label(grade: str | None) -> str:
    """``B (usually reliable)``; ``not graded`` for None."""
    return f"{grade} ({RELIABILITY[grade]})" if grade else "not graded"


def credibility_label(grade: int | None) -> str:
    """``2 (probably true)``; ``not graded`` for None."""
    return f"{grade} ({INFORMATION_CREDIBILITY[grade]})" if grade is not None else "not graded"
