"""The worksheets' links into the other techniques, written to the case's files in one step each.

- :func:`write_candidates`: the Key Assumptions Check's "what could undermine it" into ``indicators.yaml`` (the
  file format of the indicators technique: ``targets``, then ``indicators`` with ``id`` and ``text``; ratings are
  left for the analyst, since only they can say how likely each candidate is under each target).
- :func:`apply_to_case`: the Quality of Information Check's dependence groups and its credibility mapping into
  ``case.yaml`` (ACH's ``group`` and ``credibility`` of the evidence items concerned).

Both change only the lines they must (:mod:`sat.worksheets.textedit`), check the result with the file's own reader,
and write atomically; nothing is written when anything is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import Problem, ValidationError
from ..fileio import atomic_write_text
from ..model import Case
from ..paths import CASE_FILE
from ..validation import Problems
from ..yamlio import LineDict, LineList, load_yaml, loads_yaml
from . import quality as qoic
from .key_assumptions import Candidate
from .textedit import append_items, set_item_fields

INDICATORS_FILE = "indicators.yaml"
CANDIDATE_COMMENT = "from the Key Assumptions Check (assumptions.yaml): rate against the targets before use"


def write_candidates(case: Case, candidates: Iterable[Candidate]) -> tuple[Path, list[str]]:
    """Append the candidates not yet in ``indicators.yaml`` (by id) to it, creating the file when absent with
    ``targets: hypotheses`` (or ``scenarios`` for a case without hypotheses). Return its path and the ids added."""
    assert case.folder is not None
    path = case.folder / INDICATORS_FILE
    shown = f"{case.id}/{INDICATORS_FILE}"
    if path.exists():
        text = path.read_text(encoding="utf-8")
        root = load_yaml(path, shown_as=shown)
        if not isinstance(root, LineDict):
            raise ValidationError(
                [Problem(shown, INDICATORS_FILE, "must be a mapping of field: value", line=1, code="type")]
            )
    else:
        targets = "hypotheses" if case.hypotheses else "scenarios"
        text = f"# Indicators of the {case.id} case.\ntargets: {targets}\n"
        root = loads_yaml(text, shown)
    present = root.get("indicators")
    known = (
        {str(i.get("id", "")).strip() for i in present if isinstance(i, dict)}
        if isinstance(present, LineList)
        else set()
    )
    new = [c for c in candidates if c.id not in known]
    if not new:
        return path, []
    edited = append_items(
        text, root, "indicators", [{"id": c.id, "text": c.text} for c in new], CANDIDATE_COMMENT, shown
    )
    _check_indicators(edited, shown)
    atomic_write_text(path, edited)
    return path, [c.id for c in new]


def _check_indicators(text: str, shown: str) -> None:
    """The edited file must read back as YAML with a list of indicators carrying the new ids."""
    data = loads_yaml(text, shown)
    items = data.get("indicators") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ValidationError([Problem(shown, "indicators", "could not be written as a list", code="structure")])


def apply_to_case(
    case: Case, groups: bool = False, credibility: bool = False
) -> tuple[Path, dict[str, dict[str, str]]]:
    """Write the offered dependence groups and/or the mapped credibility levels into ``case.yaml``.

    Returns the path and the changes made (evidence id -> field -> new value); the file is only written when there
    is a change, and only the lines of those fields change.
    """
    from ..store import parse_case

    assert case.folder is not None
    path = case.folder / CASE_FILE
    shown = f"{case.id}/{CASE_FILE}"
    changes: dict[str, dict[str, str]] = {}
    if groups:
        for eid, group in qoic.group_changes(case).items():
            changes.setdefault(eid, {})["group"] = group
    if credibility:
        for eid, level in qoic.credibility_changes(case).items():
            changes.setdefault(eid, {})["credibility"] = level
    if not changes:
        return path, {}
    text = path.read_text(encoding="utf-8")
    root = load_yaml(path, shown_as=shown)
    items = root.get("evidence") if isinstance(root, dict) else None
    if not isinstance(items, LineList):
        raise ValidationError([Problem(shown, "evidence", "must be a list", code="type")])
    edited = set_item_fields(text, items, changes, shown, "evidence")
    _, problems = parse_case(loads_yaml(edited, shown), shown)
    Problems(problems).raise_if_any()
    atomic_write_text(path, edited)
    return path, changes
