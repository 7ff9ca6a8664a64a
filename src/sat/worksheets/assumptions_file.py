"""The Key Assumptions Check file of a case, ``assumptions.yaml``: model, reader (through :mod:`sat.validation`)
and atomic writer.

Layout (fields after TRADECRAFT.md §5a; CIA Tradecraft Primer 2009, pp. 7-8; Heuer & Pherson)::

    analytic_line: the judgment under audit, in a sentence or two
    judgments:                      # the key judgments of the line, with what they rest on
      - id: J1
        text: ...
        evidence: [E15, E16]        # evidence ids of case.yaml that support it
        sources: [S18]              # optional: sources cited directly
        against: [E09]              # optional: evidence that cuts against it
    assumptions:
      - id: A1
        text: ...
        kind: stated                # or unstated
        basis: why it is believed
        evidence: [E17, E18]        # evidence ids it is believed on
        sources: [S01]
        stands_behind: [E19]        # evidence items that state it or mean something only if it holds: the
                                    # sweep removes them from ACH
        confidence: medium          # low / medium / high: confidence that it is correct
        undermined_by: [...]        # what could undermine it: offered as indicator candidates
        less_so_now: ...            # optional: how it was true in the past but is less so now
        impact: high                # low / medium / high: impact on the line if it is wrong
        category: unsupported       # solid / correct-with-caveats / unsupported
        disposition: collect        # collect / test / bound / flag; required for unsupported ones
        notes: ...
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Problem
from ..fileio import atomic_write_text
from ..model import LEVELS, Case
from ..validation import FieldReader, Problems, field_name, shown
from ..yamlio import dump_yaml, line_of, load_yaml, loads_yaml

if TYPE_CHECKING:
    from ..store.folder import CaseContext

ASSUMPTIONS_FILE = "assumptions.yaml"
KINDS: tuple[str, ...] = ("stated", "unstated")
#: Key Assumptions Check categories (Primer 2009; TRADECRAFT.md §5): unsupported ones are key uncertainties.
CATEGORIES: tuple[str, ...] = ("solid", "correct-with-caveats", "unsupported")
#: What is done about a key uncertainty: collect information, test it, bound it (state the range it may take), or
#: flag it to the reader.
DISPOSITIONS: tuple[str, ...] = ("collect", "test", "bound", "flag")

TOP_FIELDS = ("analytic_line", "judgments", "assumptions")
JUDGMENT_FIELDS = ("id", "text", "evidence", "sources", "against")
ASSUMPTION_FIELDS = (
    "id",
    "text",
    "kind",
    "basis",
    "evidence",
    "sources",
    "stands_behind",
    "confidence",
    "undermined_by",
    "less_so_now",
    "impact",
    "category",
    "disposition",
    "notes",
)


@dataclass(frozen=True)
class Judgment:
    """A key judgment of the analytic line and the evidence and sources it rests on (and that cut against it)."""

    id: str
    text: str
    evidence: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    against: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assumption:
    """One premise of the analytic line, as challenged in a Key Assumptions Check."""

    id: str
    text: str
    kind: str = "stated"
    basis: str = ""
    evidence: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    stands_behind: tuple[str, ...] = ()
    confidence: str = "medium"
    undermined_by: tuple[str, ...] = ()
    less_so_now: str = ""
    impact: str = "medium"
    category: str = "correct-with-caveats"
    disposition: str | None = None
    notes: str = ""


@dataclass
class KeyAssumptions:
    """The worksheet: the analytic line, its key judgments and its assumptions."""

    analytic_line: str
    judgments: list[Judgment] = field(default_factory=list)
    assumptions: list[Assumption] = field(default_factory=list)

    def assumption(self, aid: str) -> Assumption:
        return next(a for a in self.assumptions if a.id == aid)


def _items(r: FieldReader, root: dict[Any, Any], key: str) -> list[tuple[int, dict[Any, Any], str]]:
    """The mappings of a top-level list with their index and dotted name; problems for what is not a mapping and
    for duplicate ids."""
    value = root.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        r.problem(key, "must be a list", shown(value), line_of(root, key), "type")
        return []
    out = []
    seen: dict[str, int | None] = {}
    for index, entry in enumerate(value):
        where = f"{key}[{index}]"
        item = r.mapping(entry, where, line_of(value, index))
        if item is None:
            continue
        raw = item.get("id")
        if raw is not None:
            iid = str(raw).strip()
            if iid in seen:
                r.problem(
                    f"{where}.id",
                    f"duplicate id (first used on line {seen[iid]})",
                    iid,
                    line_of(item, "id"),
                    "duplicate",
                )
            seen[iid] = line_of(item, "id")
        out.append((index, item, where))
    return out


def _references(
    r: FieldReader, item: dict[Any, Any], key: str, where: str, kind: str, known: set[str] | None
) -> tuple[str, ...]:
    """The ids of a list field; each must name a known item (not checked when ``known`` is None)."""
    ids = r.text_list(item, key, where)
    if known is None:
        return ids
    return tuple(r.refs(ids, field_name(where, key), line_of(item, key), kind, known))


def parse_assumptions(
    data: Any, file: str, case: Case | None, evidence_ids: Iterable[str] = (), source_ids: Iterable[str] | None = ()
) -> tuple[KeyAssumptions | None, list[Problem]]:
    """The worksheet from parsed YAML, checked against ``case``'s evidence and source ids (or, without a case, the
    ids given: ``source_ids`` None when ``case.yaml`` could not be read, so that no reference is reported)."""
    problems = Problems()
    r = FieldReader(file, problems)
    root = r.mapping(data, ASSUMPTIONS_FILE, 1)
    if root is None:
        return None, problems
    r.unknown(root, TOP_FIELDS, "")
    if case is not None:
        evidence_ids, source_ids = case.evidence_ids, [s.id for s in case.sources]
    evidence_known = set(evidence_ids) if source_ids is not None else None
    source_known = set(source_ids) if source_ids is not None else None
    worksheet = KeyAssumptions(analytic_line=r.text(root, "analytic_line", "", required=True))
    for _, item, where in _items(r, root, "judgments"):
        r.unknown(item, JUDGMENT_FIELDS, where)
        worksheet.judgments.append(
            Judgment(
                id=r.identifier(item, "id", where),
                text=r.text(item, "text", where, required=True),
                evidence=_references(r, item, "evidence", where, "evidence", evidence_known),
                sources=_references(r, item, "sources", where, "source", source_known),
                against=_references(r, item, "against", where, "evidence", evidence_known),
            )
        )
    for _, item, where in _items(r, root, "assumptions"):
        r.unknown(item, ASSUMPTION_FIELDS, where)
        category = r.choice(item, "category", where, CATEGORIES, None)
        if category is None and item.get("category") is None:
            r.problem(
                field_name(where, "category"),
                f"is required (one of: {', '.join(CATEGORIES)})",
                line=getattr(item, "line", None),
                code="required",
            )
        disposition = r.choice(item, "disposition", where, DISPOSITIONS, None)
        if category == "unsupported" and disposition is None and item.get("disposition") is None:
            r.problem(
                field_name(where, "disposition"),
                f"is required for an unsupported assumption (one of: {', '.join(DISPOSITIONS)})",
                line=line_of(item, "category"),
                code="required",
            )
        worksheet.assumptions.append(
            Assumption(
                id=r.identifier(item, "id", where),
                text=r.text(item, "text", where, required=True),
                kind=r.choice(item, "kind", where, KINDS, "stated") or "stated",
                basis=r.text(item, "basis", where),
                evidence=_references(r, item, "evidence", where, "evidence", evidence_known),
                sources=_references(r, item, "sources", where, "source", source_known),
                stands_behind=_references(r, item, "stands_behind", where, "evidence", evidence_known),
                confidence=r.choice(item, "confidence", where, LEVELS, "medium") or "medium",
                undermined_by=r.text_list(item, "undermined_by", where),
                less_so_now=r.text(item, "less_so_now", where),
                impact=r.choice(item, "impact", where, LEVELS, "medium") or "medium",
                category=category or "correct-with-caveats",
                disposition=disposition,
                notes=r.text(item, "notes", where),
            )
        )
    return (worksheet if not problems else None), problems


def assumptions_path(case: Case) -> Path:
    """Where a case's worksheet lives (the case must have been loaded from a folder)."""
    if case.folder is None:
        raise ValueError("the case was not loaded from a folder")
    return case.folder / ASSUMPTIONS_FILE


def _shown(case: Case) -> str:
    path = assumptions_path(case)
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


def read_assumptions(case: Case) -> tuple[KeyAssumptions | None, list[Problem]]:
    """The case's worksheet (None when the case has no ``assumptions.yaml``) and the problems found in it."""
    path = assumptions_path(case)
    if not path.exists():
        return None, []
    from ..errors import ValidationError

    shown_as = _shown(case)
    try:
        data = load_yaml(path, shown_as=shown_as)
    except ValidationError as exc:
        return None, exc.problems
    return parse_assumptions(data, shown_as, case)


def check_file(path: Path, context: CaseContext) -> list[Problem]:
    """The problems of a case folder's ``assumptions.yaml`` (the validator of :mod:`sat.store.registry`)."""
    shown_as = context.name(path)
    data = load_yaml(path, shown_as=shown_as)
    return parse_assumptions(data, shown_as, context.case, context.evidence_ids, context.source_ids)[1]


def load_assumptions(case: Case) -> KeyAssumptions | None:
    """The case's worksheet, or None when it has none; raise ValidationError listing every problem."""
    worksheet, problems = read_assumptions(case)
    Problems(problems).raise_if_any()
    return worksheet


def assumptions_to_dict(worksheet: KeyAssumptions) -> dict[str, Any]:
    """The YAML structure of ``assumptions.yaml`` (optional fields omitted when empty or default)."""

    def clean(values: dict[str, Any]) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in values.items() if v not in (None, "", ())}

    return {
        "analytic_line": worksheet.analytic_line,
        "judgments": [
            clean({"id": j.id, "text": j.text, "evidence": j.evidence, "sources": j.sources, "against": j.against})
            for j in worksheet.judgments
        ],
        "assumptions": [
            clean(
                {
                    "id": a.id,
                    "text": a.text,
                    "kind": a.kind,
                    "basis": a.basis,
                    "evidence": a.evidence,
                    "sources": a.sources,
                    "stands_behind": a.stands_behind,
                    "confidence": a.confidence,
                    "undermined_by": a.undermined_by,
                    "less_so_now": a.less_so_now,
                    "impact": a.impact,
                    "category": a.category,
                    "disposition": a.disposition,
                    "notes": a.notes,
                }
            )
            for a in worksheet.assumptions
        ],
    }


def save_assumptions(case: Case, worksheet: KeyAssumptions) -> Path:
    """Validate ``worksheet`` exactly as the file would be read, then write ``assumptions.yaml`` atomically."""
    path = assumptions_path(case)
    text = dump_yaml(assumptions_to_dict(worksheet))
    _, problems = parse_assumptions(loads_yaml(text, ASSUMPTIONS_FILE), ASSUMPTIONS_FILE, case)
    Problems(problems).raise_if_any()
    atomic_write_text(path, text)
    return path
