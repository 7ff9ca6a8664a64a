"""Instructor keys of ACH exercises: the ``key.yaml`` format, its reader, its hash, and the derivation of a key from
the matrices of a case's analysts.

A key is a YAML file an instructor can read and diff (format in ``docs/training.md``). Its ``version`` is a number
the instructor raises on every change, and its hash (SHA-256 of the file's bytes, first 12 hex digits shown) is
quoted in every grade and feedback page, so a grade can always be traced to the exact key that produced it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import Problem
from ..model import RATING_CODES, Case
from ..validation import FieldReader, Problems, field_name, is_number, shown
from ..yamlio import line_of, load_yaml
from .grading import ONE_STEP_CREDIT, STEP, bayes_posterior

KEY_FIELDS = (
    "exercise",
    "version",
    "note",
    "rubric",
    "one_step_credit",
    "cells",
    "diagnostic",
    "non_diagnostic",
    "linchpins",
    "ranking",
    "top",
    "normative",
)
CELL_FIELDS = ("rating", "accept", "weight", "why")
#: Rubric components and their default points (a component whose key list is empty is left out of the total).
RUBRIC_DEFAULTS: dict[str, float] = {
    "cells": 40.0,
    "kappa": 10.0,
    "ranking": 10.0,
    "top": 10.0,
    "diagnostic": 10.0,
    "non_diagnostic": 5.0,
    "linchpins": 10.0,
    "accuracy": 0.0,
}
#: An item counts as diagnostic in a matrix when its likelihood ratio (as in the report) is at least this.
DIAGNOSTIC_RATIO = 2.0


@dataclass(frozen=True)
class KeyCell:
    """The key of one cell: the expected rating, every acceptable rating (expected first), weight and why."""

    rating: str
    accept: tuple[str, ...]
    weight: float = 1.0
    why: str = ""


@dataclass
class Key:
    """An instructor key of an ACH exercise."""

    exercise: str
    version: int
    digest: str
    cells: dict[tuple[str, str], KeyCell]
    rubric: dict[str, float] = field(default_factory=lambda: dict(RUBRIC_DEFAULTS))
    one_step_credit: float = ONE_STEP_CREDIT
    diagnostic: tuple[str, ...] = ()
    non_diagnostic: tuple[str, ...] = ()
    linchpins: tuple[str, ...] = ()
    ranking: tuple[str, ...] = ()
    top: tuple[str, ...] = ()
    normative: dict[str, float] | None = None  # the computed posterior per hypothesis
    note: str = ""

    @property
    def short_hash(self) -> str:
        """The first 12 hex digits of the key file's SHA-256, as quoted in feedback."""
        return self.digest[:12]

    @property
    def label(self) -> str:
        """``key <exercise> v<version> (sha256 <short hash>)``: how grades cite the key."""
        return f"key {self.exercise} v{self.version} (sha256 {self.short_hash})"

    def texts(self) -> list[str]:
        """Every rationale of the key and its note (for the pack's leak check)."""
        return [c.why for c in self.cells.values() if c.why] + ([self.note] if self.note else [])


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, in hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _codes(r: FieldReader, value: Any, where: str, line: int | None) -> tuple[str, ...]:
    """Rating codes written as ``C``, ``C/CC`` or a list; a problem for an unknown code."""
    if isinstance(value, str):
        parts = [p.strip().upper() for p in value.split("/")]
    elif isinstance(value, list):
        parts = [str(p).strip().upper() for p in value]
    else:
        r.problem(
            where, "must be a rating code, codes separated by '/', or a list of codes", shown(value), line, "type"
        )
        return ()
    bad = [p for p in parts if p not in RATING_CODES]
    if bad or not parts:
        r.problem(where, f"unknown rating code (expected {', '.join(RATING_CODES)})", shown(value), line, "choice")
        return ()
    return tuple(dict.fromkeys(parts))


def _cell(r: FieldReader, value: Any, where: str, line: int | None) -> KeyCell | None:
    if not isinstance(value, dict):
        accept = _codes(r, value, where, line)
        return KeyCell(accept[0], accept) if accept else None
    r.unknown(value, CELL_FIELDS, where)
    rating = r.text(value, "rating", where).upper()
    accept = (
        _codes(r, value["accept"], field_name(where, "accept"), line_of(value, "accept")) if "accept" in value else ()
    )
    if rating and rating not in RATING_CODES:
        r.problem(
            field_name(where, "rating"),
            f"unknown rating code (expected {', '.join(RATING_CODES)})",
            rating,
            line_of(value, "rating"),
            "choice",
        )
        return None
    if not rating and not accept:
        r.problem(where, "needs a rating or an accept list", line=line, code="required")
        return None
    rating = rating or accept[0]
    weight = r.number(value, "weight", where, 1.0, low=0.0, what="a weight of 0 or more")
    return KeyCell(rating, tuple(dict.fromkeys((rating, *accept))), weight, r.text(value, "why", where))


def _id_list(r: FieldReader, data: Mapping[Any, Any], name: str, known: list[str], kind: str) -> tuple[str, ...]:
    ids = r.text_list(data, name, "")
    return tuple(r.refs(ids, name, line_of(data, name), kind, known))


def parse_key(data: Any, file: str, case: Case, digest: str) -> tuple[Key | None, Problems]:
    """A key from its parsed YAML, checked against the exercise's case; every problem found is returned."""
    problems = Problems()
    r = FieldReader(file, problems)
    root = r.mapping(data, "key.yaml", 1)
    if root is None:
        return None, problems
    r.unknown(root, KEY_FIELDS, "")
    exercise = r.identifier(root, "exercise", "")
    version = r.whole_number(root, "version", "", hint=" (raise it on every change of the key)")
    rubric = dict(RUBRIC_DEFAULTS)
    raw_rubric = root.get("rubric")
    if raw_rubric is not None:
        section = r.mapping(raw_rubric, "rubric", line_of(root, "rubric"))
        if section is not None:
            r.unknown(section, tuple(RUBRIC_DEFAULTS), "rubric")
            for name in RUBRIC_DEFAULTS:
                rubric[name] = r.number(
                    section, name, "rubric", RUBRIC_DEFAULTS[name], low=0.0, what="points, 0 or more"
                )
    one_step = r.number(
        root, "one_step_credit", "", ONE_STEP_CREDIT, low=0.0, high=1.0, what="a credit between 0 and 1"
    )
    hids, eids = case.hypothesis_ids, case.evidence_ids
    cells: dict[tuple[str, str], KeyCell] = {}
    raw_cells = root.get("cells")
    rows = r.mapping(raw_cells, "cells", line_of(root, "cells")) if raw_cells is not None else None
    if raw_cells is None:
        r.problem("cells", "is required: the expected rating of each cell", line=1, code="required")
    for eid, row in (rows or {}).items():
        where = f"cells.{eid}"
        if str(eid) not in eids:
            r.problem(where, "refers to an evidence id that is not in the case", eid, line_of(rows, eid), "reference")
            continue
        row_map = r.mapping(row, where, line_of(rows, eid))
        for hid, value in (row_map or {}).items():
            if str(hid) not in hids:
                r.problem(
                    f"{where}.{hid}",
                    "refers to a hypothesis id that is not in the case",
                    hid,
                    line_of(row_map, hid),
                    "reference",
                )
                continue
            cell = _cell(r, value, f"{where}.{hid}", line_of(row_map, hid))
            if cell is not None:
                cells[(str(eid), str(hid))] = cell
    ranking = _id_list(r, root, "ranking", hids, "hypothesis")
    if ranking and sorted(ranking) != sorted(hids):
        r.problem(
            "ranking",
            "must list every hypothesis once, most likely first",
            list(ranking),
            line_of(root, "ranking"),
            "structure",
        )
    normative = _normative(r, root, hids, eids)
    key = Key(
        exercise=exercise,
        version=int(version),
        digest=digest,
        cells=cells,
        rubric=rubric,
        one_step_credit=one_step,
        diagnostic=_id_list(r, root, "diagnostic", eids, "evidence"),
        non_diagnostic=_id_list(r, root, "non_diagnostic", eids, "evidence"),
        linchpins=_id_list(r, root, "linchpins", eids, "evidence"),
        ranking=ranking,
        top=_id_list(r, root, "top", hids, "hypothesis"),
        normative=normative,
        note=r.text(root, "note", ""),
    )
    if key.rubric["accuracy"] > 0 and normative is None:
        r.problem(
            "rubric.accuracy",
            "gives points for accuracy but the key has no normative section",
            line=1,
            code="structure",
        )
    return (key if not problems else None), problems


def _normative(r: FieldReader, root: Mapping[Any, Any], hids: list[str], eids: list[str]) -> dict[str, float] | None:
    """The normative answer: Bayes' rule over the stated priors and P(item | hypothesis) of each item."""
    raw = root.get("normative")
    if raw is None:
        return None
    section = r.mapping(raw, "normative", line_of(root, "normative"))
    if section is None:
        return None
    r.unknown(section, ("priors", "likelihoods"), "normative")
    before = len(r.problems)

    def probabilities(data: Any, where: str, line: int | None) -> list[float]:
        mapping = r.mapping(data, where, line)
        if mapping is None:
            return []
        values = []
        for hid in hids:
            value = mapping.get(hid)
            if not is_number(value) or not 0 <= float(value) <= 1:
                r.problem(
                    f"{where}.{hid}",
                    "needs a probability between 0 and 1 for every hypothesis",
                    shown(value),
                    line_of(mapping, hid) or getattr(mapping, "line", None),
                    "number",
                )
                values.append(0.0)
            else:
                values.append(float(value))
        for extra in set(map(str, mapping)) - set(hids):
            r.problem(
                f"{where}.{extra}",
                "refers to a hypothesis id that is not in the case",
                extra,
                line_of(mapping, extra),
                "reference",
            )
        return values

    priors = probabilities(section.get("priors"), "normative.priors", line_of(section, "priors"))
    if priors and abs(sum(priors) - 1) > 1e-6:
        r.problem("normative.priors", "must sum to 1", round(sum(priors), 6), line_of(section, "priors"), "number")
    raw_lk = section.get("likelihoods")
    items = r.mapping(raw_lk, "normative.likelihoods", line_of(section, "likelihoods")) or {}
    rows = []
    for eid, row in items.items():
        if str(eid) not in eids:
            r.problem(
                f"normative.likelihoods.{eid}",
                "refers to an evidence id that is not in the case",
                eid,
                line_of(items, eid),
                "reference",
            )
            continue
        rows.append(probabilities(row, f"normative.likelihoods.{eid}", line_of(items, eid)))
    if len(r.problems) > before or not priors:
        return None
    posterior = bayes_posterior(priors, rows) if rows else np.asarray(priors)
    return {h: float(p) for h, p in zip(hids, posterior)}


def load_key(path: Path, case: Case, shown_as: str) -> Key:
    """Read and check ``key.yaml`` against the exercise's case; raise ValidationError with every problem."""
    data = load_yaml(path, shown_as=shown_as)
    key, problems = parse_key(data, shown_as, case, file_digest(path))
    problems.raise_if_any()
    assert key is not None
    missing = [(e, h) for e in case.evidence_ids for h in case.hypothesis_ids if (e, h) not in key.cells]
    if missing:
        shown_cells = ", ".join(f"{e}/{h}" for e, h in missing[:6]) + (" ..." if len(missing) > 6 else "")
        Problems(
            [Problem(shown_as, "cells", f"no key for {len(missing)} cell(s): {shown_cells}", None, 1, "structure")]
        ).raise_if_any()
    return key


# --- derivation from a case's analysts ------------------------------------------------------------------------


def derive_key(
    case: Case,
    analysts: list[str],
    exercise: str,
    rationale: dict[tuple[str, str], dict[str, str]],
) -> dict[str, Any]:
    """A key (as the YAML mapping of ``key.yaml``, without ``version``) from the matrices of expert analysts.

    The rule, documented in ``docs/training.md``: a cell the analysts rate alike expects that rating; a cell they
    rate differently is "either is defensible": it accepts every rating from the lowest to the highest they gave,
    and expects the group verdict (the mean rating rounded half away from neutral, as in the report). Its why
    quotes each analyst's rationale. Diagnostic items: a likelihood ratio of at least 2 for every analyst;
    non-diagnostic: rated alike across the hypotheses by every analyst; linchpins: a linchpin for every analyst;
    ranking: the mean of the analysts' normalised posteriors; top: every analyst's leading hypothesis.
    """
    from ..ach import consensus, scoring
    from ..ach.analysis import encoded_stack, score_case

    scores = {a: score_case(case, a) for a in analysts}
    stack = encoded_stack(case, analysts)
    group = consensus.group_codes(stack)
    cells: dict[str, dict[str, Any]] = {}
    for i, eid in enumerate(case.evidence_ids):
        row: dict[str, Any] = {}
        for j, hid in enumerate(case.hypothesis_ids):
            given = [case.matrix(a).iat[i, j] for a in analysts]
            notes = rationale.get((eid, hid), {})
            if len(set(given)) == 1:
                why = " ".join(notes[a] for a in analysts if a in notes)
                row[hid] = {"rating": given[0], "why": why} if why else given[0]
                continue
            scored = sorted(STEP[g] for g in given if g in STEP)
            span = scoring.CODES[scored[0] : scored[-1] + 1] if scored else ()
            accept = list(dict.fromkeys([*span, *(g for g in given if g not in STEP)]))
            expected = str(group[i, j]) if str(group[i, j]) in accept else accept[0]
            reasons = " ".join(f"{a}: {notes[a]}" if a in notes else f"{a} rated {g}" for a, g in zip(analysts, given))
            row[hid] = {
                "rating": expected,
                "accept": [expected, *(c for c in accept if c != expected)],
                "why": f"Either is defensible. {reasons}",
            }
        cells[eid] = row
    ratio = {a: s.evidence["likelihood_ratio"] for a, s in scores.items()}
    diagnostic = [e for e in case.evidence_ids if all(ratio[a][e] >= DIAGNOSTIC_RATIO for a in analysts)]
    flat = [e for e in case.evidence_ids if all(not s.evidence.at[e, "diagnostic"] for s in scores.values())]
    linchpins = [
        e
        for e in case.evidence_ids
        if all(e in (s.sensitivity.linchpins if s.sensitivity else []) for s in scores.values())
    ]
    mean_posterior = consensus.group_posterior(
        np.stack([s.hypotheses["posterior"].reindex(case.hypothesis_ids).to_numpy() for s in scores.values()])
    )
    ranking = [case.hypothesis_ids[k] for k in np.argsort(-mean_posterior, kind="stable")]
    top = list(dict.fromkeys(s.leader for s in scores.values()))
    return {
        "exercise": exercise,
        "note": f"Derived from the matrices of {', '.join(analysts)} in case {case.id} by "
        "`sat exercise derive-key`; do not edit by hand.",
        "cells": cells,
        "diagnostic": diagnostic,
        "non_diagnostic": flat,
        "linchpins": linchpins,
        "ranking": ranking,
        "top": top,
    }


def derive_key_file(exercise: Any) -> tuple[Path, int, bool]:
    """Re-derive an exercise's ``key.yaml`` from the analysts named in its ``key_from`` (:func:`derive_key`).

    The file is rewritten only when its content changes, and then its version goes up by one; returns the path,
    the version, and whether the file changed. Repeatable: run it again after the case's ratings change.
    """
    from ..errors import ValidationError
    from ..fileio import atomic_write_text
    from ..store import load_case
    from ..yamlio import dump_yaml

    if exercise.key_from is None:
        raise ValidationError(
            [
                Problem(
                    exercise.shown("exercise.yaml"),
                    "key_from",
                    "this exercise's key is written "
                    "by hand: there is no key_from (case and analysts) to derive it from",
                    code="required",
                )
            ]
        )
    case_ref, analysts = exercise.key_from
    case = load_case(case_ref) if case_ref else load_case(exercise.case_folder)
    missing = [a for a in analysts if a not in case.ratings]
    if missing:
        raise ValidationError(
            [
                Problem(
                    exercise.shown("exercise.yaml"),
                    "key_from.analysts",
                    f"no ratings file in case {case.id} for this analyst",
                    a,
                    code="reference",
                )
                for a in missing
            ]
        )
    rationale: dict[tuple[str, str], dict[str, str]] = {}
    for analyst in analysts:
        notes = case.rationale.get(analyst)
        for eid, hid, text in [] if notes is None else notes.itertuples(index=False, name=None):
            if text:
                rationale.setdefault((eid, hid), {})[analyst] = text
    derived = derive_key(case, analysts, exercise.id, rationale)
    path = exercise.folder / "key.yaml"
    version = 1
    if path.is_file():
        old = load_yaml(path, shown_as=exercise.shown("key.yaml"))
        if isinstance(old, dict):
            old_version = old.get("version")
            old_rest = {k: v for k, v in old.items() if k != "version"}
            if isinstance(old_version, int) and _plain(old_rest) == _plain(derived):
                return path, old_version, False
            version = old_version + 1 if isinstance(old_version, int) else 1
    header = (
        f"# Instructor key of exercise {exercise.id}: never hand this file to trainees.\n"
        "# Format: docs/training.md. Derived, not hand-written: re-run `sat exercise derive-key "
        f"{exercise.id}` after the case's ratings change.\n"
    )
    atomic_write_text(
        path,
        header
        + dump_yaml(
            {"exercise": exercise.id, "version": version, **{k: v for k, v in derived.items() if k != "exercise"}}
        ),
    )
    return path, version, True


def _plain(data: Any) -> Any:
    """Nested dicts and lists without their YAML line bookkeeping, for comparison."""
    if isinstance(data, dict):
        return {str(k): _plain(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_plain(v) for v in data]
    return data
