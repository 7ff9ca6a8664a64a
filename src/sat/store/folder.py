"""A whole case folder: ``case.yaml`` and every analyst's ratings and rationale, validated together."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import Problem, ValidationError
from ..inputs import decode, read_bytes
from ..model import Case
from ..paths import ANALYST_NAME, CASE_FILE, resolve_case
from ..yamlio import load_yaml
from .case_yaml import parse_case
from .ratings_csv import NOTES_SUFFIX, RATINGS_DIR, ratings_files, read_ratings_csv, read_rationale_csv


def load_case(case: str | os.PathLike[str]) -> Case:
    """Load and validate a case (folder path or case id); raise ValidationError listing every problem."""
    folder = resolve_case(case)
    shown = _shown_path(folder)
    data = load_yaml(folder / CASE_FILE, shown_as=f"{shown}/{CASE_FILE}", inside=folder)
    parsed, problems = parse_case(data, f"{shown}/{CASE_FILE}")
    hypothesis_ids = parsed.hypothesis_ids if parsed else _raw_ids(data, "hypotheses")
    evidence_ids = parsed.evidence_ids if parsed else _raw_ids(data, "evidence")
    ratings: dict[str, pd.DataFrame] = {}
    rationale: dict[str, pd.DataFrame] = {}
    versions: dict[str, str] = {}
    for analyst, path in ratings_files(folder).items():
        name = f"{shown}/{RATINGS_DIR}/{path.name}"
        if not ANALYST_NAME.match(analyst):
            problems.append(Problem(name, "file", "analyst file names use only letters, digits, '-' and '_'",
                                    path.name))
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
        analyst = notes_path.name[: -len(NOTES_SUFFIX)]
        if analyst not in ratings_files(folder):
            problems.append(Problem(f"{shown}/{RATINGS_DIR}/{notes_path.name}", "file",
                                    "rationale file without a ratings file of the same analyst", notes_path.name))
    if problems or parsed is None:
        raise ValidationError(problems)
    parsed.ratings = ratings
    parsed.rationale = rationale
    parsed.folder = folder
    parsed.versions = versions
    return parsed


def validate_case(case: str | os.PathLike[str]) -> list[Problem]:
    """Every problem in a case folder (empty when valid)."""
    try:
        load_case(case)
    except ValidationError as exc:
        return exc.problems
    return []


def _raw_ids(data: Any, key: str) -> list[str]:
    """Ids as written, so ratings can still be checked when case.yaml has other problems."""
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    ids = [str(i.get("id")).strip() for i in items if isinstance(i, dict) and i.get("id") is not None]
    return list(dict.fromkeys(ids))


def _shown_path(folder: Path) -> str:
    """A folder as shown in messages: relative to the current directory where possible."""
    try:
        relative = os.path.relpath(folder)
    except ValueError:
        return str(folder)
    return str(folder) if relative.startswith("..") else relative

