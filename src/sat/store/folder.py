"""A whole case folder: ``case.yaml`` and every analyst's ratings and rationale, validated together.

:func:`read_case` is the one reading of the core files; it also yields the :class:`CaseContext` that the
validators of the other case files (``scenarios.yaml``, ...; see :mod:`sat.store.registry`) check references
against.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import Problem, ValidationError
from ..inputs import decode, read_bytes
from ..model import Case
from ..paths import ANALYST_NAME, CASE_FILE, resolve_case
from ..validation import Problems
from ..yamlio import load_yaml
from .case_yaml import parse_case
from .ratings_csv import NOTES_SUFFIX, RATINGS_DIR, ratings_files, read_ratings_csv, read_rationale_csv


@dataclass(frozen=True)
class CaseContext:
    """What the validator of any file in a case folder may need to know about the case.

    ``case`` is the validated case with its ratings (None when a core file has problems); the ids are those
    written in ``case.yaml`` even when it has problems, so that a reference to an item that is itself invalid is
    not reported a second time. ``source_ids`` is None when ``case.yaml`` could not be read at all.
    """

    folder: Path
    shown: str
    case: Case | None
    hypothesis_ids: tuple[str, ...] = ()
    evidence_ids: tuple[str, ...] = ()
    source_ids: frozenset[str] | None = None

    def name(self, path: Path) -> str:
        """A file of the folder as named in messages."""
        return f"{self.shown}/{path.relative_to(self.folder).as_posix()}"


def read_case(case: str | os.PathLike[str]) -> tuple[CaseContext, Problems]:
    """Read ``case.yaml`` and every ratings and rationale file of a case; every problem is collected, none raised
    (except a case folder that does not exist)."""
    folder = resolve_case(case)
    shown = shown_path(folder)
    problems = Problems()
    try:
        data = load_yaml(folder / CASE_FILE, shown_as=f"{shown}/{CASE_FILE}", inside=folder)
    except ValidationError as exc:
        problems.extend(exc.problems)
        return CaseContext(folder, shown, None), problems
    parsed, found = parse_case(data, f"{shown}/{CASE_FILE}")
    problems.extend(found)
    problems.rejected |= getattr(found, "rejected", set())
    hypothesis_ids = parsed.hypothesis_ids if parsed else _raw_ids(data, "hypotheses")
    evidence_ids = parsed.evidence_ids if parsed else _raw_ids(data, "evidence")
    source_ids = frozenset(_raw_ids(data, "sources"))
    ratings: dict[str, pd.DataFrame] = {}
    rationale: dict[str, pd.DataFrame] = {}
    versions: dict[str, str] = {}
    analysts = ratings_files(folder)
    for analyst, path in analysts.items():
        name = f"{shown}/{RATINGS_DIR}/{path.name}"
        if not ANALYST_NAME.match(analyst):
            problems.append(
                Problem(
                    name, "file", "analyst file names use only letters, digits, '-' and '_'", path.name, code="file"
                )
            )
            continue
        try:
            raw = read_bytes(path, name, inside=folder)
            matrix, found = read_ratings_csv(path, hypothesis_ids, evidence_ids, name, raw)
        except ValidationError as exc:
            matrix, found = None, exc.problems
        problems.extend(found)
        if matrix is not None:
            ratings[analyst] = matrix
            versions[analyst] = hashlib.sha256(raw).hexdigest()
        notes_path = path.with_name(analyst + NOTES_SUFFIX)
        if notes_path.is_file() or notes_path.is_symlink():
            notes_name = f"{shown}/{RATINGS_DIR}/{notes_path.name}"
            try:
                notes_text = decode(read_bytes(notes_path, notes_name, inside=folder), notes_name)
            except ValidationError as exc:
                problems.extend(exc.problems)
                continue
            notes, found = read_rationale_csv(notes_path, hypothesis_ids, evidence_ids, notes_name, notes_text)
            problems.extend(found)
            if notes is not None:
                rationale[analyst] = notes
    for notes_path in sorted((folder / RATINGS_DIR).glob("*" + NOTES_SUFFIX)):
        if notes_path.name[: -len(NOTES_SUFFIX)] not in analysts:
            problems.append(
                Problem(
                    f"{shown}/{RATINGS_DIR}/{notes_path.name}",
                    "file",
                    "rationale file without a ratings file of the same analyst",
                    notes_path.name,
                    code="file",
                )
            )
    if parsed is not None and not problems:
        parsed.ratings = ratings
        parsed.rationale = rationale
        parsed.folder = folder
        parsed.versions = versions
    else:
        parsed = None
    context = CaseContext(folder, shown, parsed, tuple(hypothesis_ids), tuple(evidence_ids), source_ids)
    return context, problems


def load_case(case: str | os.PathLike[str]) -> Case:
    """Load and validate a case (folder path or case id); raise ValidationError listing every problem."""
    context, problems = read_case(case)
    problems.raise_if_any()
    assert context.case is not None
    return context.case


def _raw_ids(data: Any, key: str) -> list[str]:
    """Ids as written, so ratings can still be checked when case.yaml has other problems."""
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    ids = [str(i.get("id")).strip() for i in items if isinstance(i, dict) and i.get("id") is not None]
    return list(dict.fromkeys(ids))


def shown_path(path: Path) -> str:
    """A path as named in messages: relative to the current directory where possible, else absolute."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative
