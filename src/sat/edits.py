"""Pure edits of a case: add, replace or remove hypotheses, evidence and sources; set a cell's written rationale.

Each function returns a new :class:`~sat.model.Case` and leaves its argument alone. Removing a hypothesis or an
evidence item also drops its column or row from every analyst's ratings and rationale, so that the files written
from the result stay valid together (a rating for an item that is not in ``case.yaml`` is an error).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import TypeVar

import pandas as pd

from .model import Case, Evidence, Hypothesis, Source

Item = TypeVar("Item", Hypothesis, Evidence, Source)


def replaced(items: Sequence[Item], item: Item, original_id: str | None) -> list[Item]:
    """``items`` with ``original_id`` replaced by ``item`` in place, or ``item`` appended when it is new."""
    out = list(items)
    for index, existing in enumerate(out):
        if original_id is not None and existing.id == original_id:
            out[index] = item
            return out
    out.append(item)
    return out


def with_hypothesis(case: Case, hypothesis: Hypothesis, original_id: str | None = None) -> Case:
    """The case with ``hypothesis`` added, or put in place of ``original_id``."""
    return dataclasses.replace(case, hypotheses=replaced(case.hypotheses, hypothesis, original_id))


def with_evidence(case: Case, evidence: Evidence, original_id: str | None = None) -> Case:
    """The case with ``evidence`` added, or put in place of ``original_id``."""
    return dataclasses.replace(case, evidence=replaced(case.evidence, evidence, original_id))


def with_source(case: Case, source: Source, original_id: str | None = None) -> Case:
    """The case with ``source`` added, or put in place of ``original_id``."""
    return dataclasses.replace(case, sources=replaced(case.sources, source, original_id))


def without_hypothesis(case: Case, hid: str) -> Case:
    """The case without hypothesis ``hid``: its ratings column, rationale and prior go with it."""
    scoring = case.scoring
    if scoring.priors:
        scoring = dataclasses.replace(scoring, priors={k: v for k, v in scoring.priors.items() if k != hid})
    return dataclasses.replace(
        case,
        hypotheses=[h for h in case.hypotheses if h.id != hid],
        scoring=scoring,
        ratings={a: m.drop(columns=[hid], errors="ignore") for a, m in case.ratings.items()},
        rationale={a: n[n["hypothesis"] != hid].reset_index(drop=True) for a, n in case.rationale.items()},
    )


def without_evidence(case: Case, eid: str) -> Case:
    """The case without evidence item ``eid``: its ratings row and rationale go with it."""
    return dataclasses.replace(
        case,
        evidence=[e for e in case.evidence if e.id != eid],
        ratings={a: m.drop(index=[eid], errors="ignore") for a, m in case.ratings.items()},
        rationale={a: n[n["evidence"] != eid].reset_index(drop=True) for a, n in case.rationale.items()},
    )


def without_source(case: Case, sid: str) -> Case:
    """The case without source ``sid``; evidence items that cited it no longer do, and sources that re-reported it
    no longer say so."""
    evidence = [
        dataclasses.replace(e, sources=tuple(s for s in e.sources if s != sid)) if sid in e.sources else e
        for e in case.evidence
    ]
    sources = [
        dataclasses.replace(s, re_reports=None) if s.re_reports == sid else s for s in case.sources if s.id != sid
    ]
    return dataclasses.replace(case, sources=sources, evidence=evidence)


def with_rationale(case: Case, analyst: str, eid: str, hid: str, text: str) -> Case:
    """The case with ``analyst``'s written reason for rating cell (``eid``, ``hid``) set to ``text`` (stripped);
    empty text removes it. Other cells and analysts keep theirs, in their order; a new reason goes last."""
    text = text.strip()
    old = case.rationale.get(analyst, pd.DataFrame(columns=["evidence", "hypothesis", "rationale"]))
    here = (old["evidence"] == eid) & (old["hypothesis"] == hid)
    if text and here.any():
        first = here.idxmax()
        new = old[~here | (old.index == first)].copy()  # one reason per cell
        new.loc[first, "rationale"] = text
    elif text:
        row = pd.DataFrame([{"evidence": eid, "hypothesis": hid, "rationale": text}])
        new = pd.concat([old, row], ignore_index=True) if len(old) else row
    else:
        new = old[~here]
    return dataclasses.replace(case, rationale={**case.rationale, analyst: new.reset_index(drop=True)})


def rationale_of(case: Case, analyst: str, eid: str, hid: str) -> str:
    """``analyst``'s written reason for cell (``eid``, ``hid``), or ``""``."""
    notes = case.rationale.get(analyst)
    if notes is None:
        return ""
    found = notes.loc[(notes["evidence"] == eid) & (notes["hypothesis"] == hid), "rationale"]
    return str(found.iloc[0]) if len(found) else ""


def citing(case: Case, sid: str) -> list[str]:
    """Ids of the evidence items that cite source ``sid``."""
    return [e.id for e in case.evidence if sid in e.sources]


def next_id(existing: Sequence[str], prefix: str) -> str:
    """A fresh id following the case's numbering: ``E24`` after ``E23``, ``S013`` after ``S012``, ``H1`` if none."""
    numbered = [m for m in (re.fullmatch(rf"{re.escape(prefix)}(\d+)", i) for i in existing) if m]
    if not numbered:
        return f"{prefix}1"
    width = max(len(m.group(1)) for m in numbered)
    number = max(int(m.group(1)) for m in numbered) + 1
    while f"{prefix}{number:0{width}d}" in existing:
        number += 1
    return f"{prefix}{number:0{width}d}"
