"""Key Assumptions Check: what the worksheet computes (pure: the worksheet, the case and its scores in; tables out).

After the CIA Tradecraft Primer (2009, pp. 7-8) and Heuer & Pherson (TRADECRAFT.md §5, §5a):

- a confidence x impact grid (the assumptions least believed and most consequential are the ones to work on);
- the unsupported, high-impact assumptions as collection needs;
- "what could undermine it" as indicator candidates;
- the sweep: the evidence items an assumption stands behind (the assumption-type item that states it, or items
  that mean something only if it holds) are removed, as in ACH's sensitivity analysis (Heuer 1999, ch. 8, step 6;
  the "removed" change of :mod:`sat.ach.sensitivity`), and the move of the ACH result is shown;
- cue phrases of hidden assumptions ("will always", "would have to be", "based on") found in the case's own text,
  as prompts for the analyst, not verdicts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..language import icd203_term
from ..model import LEVELS, Case
from .assumptions_file import Assumption, KeyAssumptions

#: Cue phrases named by the Primer and Heuer & Pherson (TRADECRAFT.md §5a) ...
CITED_CUES: tuple[str, ...] = ("will always", "would have to be", "based on")
#: ... and our additions of the same kind (absolutes and necessities stated as facts).
OUR_CUES: tuple[str, ...] = (
    "will never",
    "would never",
    "has always",
    "have always",
    "would have to",
    "must have",
    "it is assumed",
)
CUE_PHRASES: tuple[str, ...] = CITED_CUES + OUR_CUES
_CUE = re.compile(
    r"\b(" + "|".join(re.escape(c) for c in sorted(CUE_PHRASES, key=len, reverse=True)) + r")\b", re.IGNORECASE
)
SNIPPET = 60  # characters of context on each side of a cue


def grid(worksheet: KeyAssumptions) -> pd.DataFrame:
    """The confidence x impact grid: rows impact (high first), columns confidence (low first), cells the ids."""
    cells = {(i, c): [] for i in LEVELS for c in LEVELS}  # type: dict[tuple[str, str], list[str]]
    for a in worksheet.assumptions:
        cells[(a.impact, a.confidence)].append(a.id)
    return pd.DataFrame(
        [[", ".join(cells[(i, c)]) for c in LEVELS] for i in reversed(LEVELS)],
        index=pd.Index(list(reversed(LEVELS)), name="impact"),
        columns=pd.Index(list(LEVELS), name="confidence"),
    )


def collection_needs(worksheet: KeyAssumptions) -> list[Assumption]:
    """The unsupported assumptions of high impact: what collection should answer first (Primer 2009)."""
    return [a for a in worksheet.assumptions if a.category == "unsupported" and a.impact == "high"]


@dataclass(frozen=True)
class Candidate:
    """An indicator candidate: something that would undermine an assumption if it were observed."""

    id: str
    text: str
    assumption: str


def indicator_candidates(worksheet: KeyAssumptions) -> list[Candidate]:
    """Every "what could undermine it" of every assumption, with the id ``KAC-<assumption>-<n>``."""
    return [
        Candidate(f"KAC-{a.id}-{n}", text, a.id)
        for a in worksheet.assumptions
        for n, text in enumerate(a.undermined_by, start=1)
    ]


@dataclass(frozen=True)
class SweepRow:
    """How the ACH result moves when an assumption's assumption-type evidence is removed."""

    assumption: str
    removed: tuple[str, ...]
    leader: str
    p_leader: float
    new_leader: str
    p_new_leader: float
    p_old_leader: float
    posteriors: dict[str, float]

    @property
    def leader_changes(self) -> bool:
        return self.new_leader != self.leader

    @property
    def sentence(self) -> str:
        items = " and ".join(self.removed)
        if self.leader_changes:
            return (
                f"Without {items} ({self.assumption}), {self.new_leader} would lead ({self.p_new_leader:.0%}) "
                f"and {self.leader} would be at {self.p_old_leader:.0%} (now {self.p_leader:.0%})."
            )
        return (
            f"Without {items} ({self.assumption}), {self.leader} would still lead: {self.p_old_leader:.0%}, "
            f"{icd203_term(self.p_old_leader)} (now {self.p_leader:.0%}, {icd203_term(self.p_leader)})."
        )


def sweep(
    worksheet: KeyAssumptions,
    case: Case,
    stack: np.ndarray,
    base: np.ndarray,
    leader: str,
    removed_posteriors: np.ndarray,
) -> list[SweepRow]:
    """Per assumption that stands behind evidence items, the group posterior once those items are removed.

    ``stack`` (analysts x evidence x hypotheses of code indices), ``base`` (the group posterior) and ``leader`` are
    the ACH scores' own; ``removed_posteriors`` (evidence x hypotheses) is the "removed" change of
    :func:`sat.ach.sensitivity.changed_posteriors`, used as it is for an assumption behind one item. For several
    items they are removed together with the same change (every rating set to unrated) and the same likelihood
    model, dependence groups included.
    """
    from ..ach.consensus import group_posterior
    from ..ach.scoring import LikelihoodModel
    from ..ach.sensitivity import CHANGES

    hids, eids = case.hypothesis_ids, case.evidence_ids
    lead = hids.index(leader)
    rows = []
    lm: LikelihoodModel | None = None
    for a in worksheet.assumptions:
        items = a.stands_behind
        if not items:
            continue
        if len(items) == 1:
            after = removed_posteriors[eids.index(items[0])]
        else:
            lm = lm or LikelihoodModel.for_case(case)
            changed = stack.copy()
            index = [eids.index(i) for i in items]
            changed[:, index, :] = CHANGES["removed"][stack[:, index, :]]
            after = group_posterior(lm.posterior(changed))
        top = int(np.argmax(after))
        if np.isclose(after[top], after[lead], rtol=0, atol=1e-12):
            top = lead
        rows.append(
            SweepRow(
                a.id,
                items,
                leader,
                float(base[lead]),
                hids[top],
                float(after[top]),
                float(after[lead]),
                dict(zip(hids, map(float, after))),
            )
        )
    return rows


def sweep_frame(rows: Iterable[SweepRow]) -> pd.DataFrame:
    """The sweep as a table: the items removed, the leader after, and each hypothesis's posterior."""
    records = [
        {
            "assumption": r.assumption,
            "removed": ", ".join(r.removed),
            "leader": r.new_leader,
            **{f"p_{h}": p for h, p in r.posteriors.items()},
        }
        for r in rows
    ]
    return pd.DataFrame(records).set_index("assumption") if records else pd.DataFrame()


@dataclass(frozen=True)
class Cue:
    """A cue phrase found in the case's text: where, which phrase, and the words around it."""

    place: str
    phrase: str
    snippet: str


def find_cues(texts: Iterable[tuple[str, str]]) -> list[Cue]:
    """Every cue phrase in ``(place, text)`` pairs, longest phrase first where two overlap."""
    found = []
    for place, text in texts:
        flat = " ".join(str(text).split())
        for match in _CUE.finditer(flat):
            start, end = max(match.start() - SNIPPET, 0), min(match.end() + SNIPPET, len(flat))
            snippet = ("..." if start else "") + flat[start:end] + ("..." if end < len(flat) else "")
            found.append(Cue(place, match.group(1).lower(), snippet))
    return found


def case_texts(case: Case, worksheet: KeyAssumptions | None = None) -> Iterator[tuple[str, str]]:
    """The case's own prose, each with its place: description, hypotheses, evidence, rationale, and the worksheet."""
    yield "case.description", case.description
    for h in case.hypotheses:
        yield f"{h.id}.title", h.title
        yield f"{h.id}.description", h.description
    for e in case.evidence:
        yield f"{e.id}.summary", e.summary
        yield f"{e.id}.notes", e.notes
    for analyst, frame in sorted(case.rationale.items()):
        for eid, hid, text in frame[["evidence", "hypothesis", "rationale"]].itertuples(index=False):
            yield f"{analyst} on {eid}/{hid}", text
    if worksheet is not None:
        yield "analytic_line", worksheet.analytic_line
        for j in worksheet.judgments:
            yield f"{j.id}.text", j.text
        for a in worksheet.assumptions:
            yield f"{a.id}.text", a.text
            yield f"{a.id}.basis", a.basis


def yaml_texts(data: object, place: str) -> Iterator[tuple[str, str]]:
    """Every text of several words in parsed YAML (e.g. ``scenarios.yaml``), each with its dotted place."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from yaml_texts(value, f"{place}.{key}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from yaml_texts(value, f"{place}[{index}]")
    elif isinstance(data, str) and " " in data.strip():
        yield place, data
