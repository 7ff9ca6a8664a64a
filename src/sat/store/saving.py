"""Writing a case: ``case.yaml`` and ratings files, each validated first and written atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hashlib

import pandas as pd

from .. import model
from ..errors import ConflictError, Problem, ValidationError
from ..fileio import atomic_write_text, locked
from ..model import Case
from ..paths import ANALYST_NAME, CASE_FILE
from ..yamlio import dump_yaml, loads_yaml
from .case_yaml import parse_case
from .ratings_csv import RATINGS_DIR, ratings_to_csv


def case_to_dict(case: Case) -> dict[str, Any]:
    """The YAML structure of ``case.yaml`` (optional fields omitted when empty)."""

    def clean(items: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in items.items() if v not in (None, "", (), [])}

    out: dict[str, Any] = {
        "id": case.id,
        "title": case.title,
        "question": case.question,
        "as_of": case.as_of,
        "description": case.description,
    }
    out = clean(out)
    out["hypotheses"] = [
        clean({"id": h.id, "title": h.title, "description": h.description, "milestones": list(h.milestones)})
        for h in case.hypotheses
    ]
    out["evidence"] = [
        clean({
            "id": e.id, "summary": e.summary, "date": e.date, "type": e.type, "sources": list(e.sources),
            "credibility": e.credibility, "relevance": e.relevance, "group": e.group, "notes": e.notes,
        })
        for e in case.evidence
    ]
    out["sources"] = [
        clean({"id": s.id, "title": s.title, "publisher": s.publisher, "date": s.date, "url": s.url,
               "reliability": s.reliability})
        for s in case.sources
    ]
    scoring: dict[str, Any] = {}
    if case.scoring.likelihoods != model.DEFAULT_LIKELIHOODS:
        scoring["likelihoods"] = dict(case.scoring.likelihoods)
    if case.scoring.priors:
        scoring["priors"] = dict(case.scoring.priors)
    if case.scoring.credibility != model.DEFAULT_CREDIBILITY:
        scoring["credibility"] = dict(case.scoring.credibility)
    if case.scoring.uncertainty != model.DEFAULT_UNCERTAINTY:
        scoring["uncertainty"] = case.scoring.uncertainty
    if case.scoring.analyst_uncertainty:
        scoring["analyst_uncertainty"] = dict(case.scoring.analyst_uncertainty)
    if scoring:
        out["scoring"] = scoring
    return out


def check_case(case: Case) -> list[Problem]:
    """Validate an in-memory case exactly as ``case.yaml`` would be validated (used by editors before saving)."""
    file = f"{case.id or 'case'}/{CASE_FILE}"
    text = dump_yaml(case_to_dict(case))
    _, problems = parse_case(loads_yaml(text, file), file)
    return problems


def save_case(case: Case, folder: Path | None = None) -> Path:
    """Write ``case.yaml`` (and nothing else) atomically after validating it; return its path."""
    target = Path(folder or case.folder or "")
    if not str(target):
        raise ValueError("save_case needs a folder: the case was not loaded from one")
    problems = check_case(case)
    if problems:
        raise ValidationError(problems)
    path = target / CASE_FILE
    atomic_write_text(path, dump_yaml(case_to_dict(case)))
    case.folder = target
    return path


def save_ratings(case: Case, analyst: str, matrix: pd.DataFrame | None = None) -> Path:
    """Write an analyst's matrix to ``ratings/<analyst>.csv`` atomically; return its path."""
    if case.folder is None:
        raise ValueError("save_ratings needs a case loaded from a folder")
    if not ANALYST_NAME.match(analyst):
        raise ValidationError([Problem(f"{RATINGS_DIR}/{analyst}.csv", "analyst",
                                       "analyst names use only letters, digits, '-' and '_'", analyst)])
    matrix = case.ratings[analyst] if matrix is None else matrix
    bad = sorted({str(v) for v in matrix.to_numpy().ravel() if v not in model.RATING_CODES and v != model.UNRATED})
    if bad:
        raise ValidationError([Problem(f"{RATINGS_DIR}/{analyst}.csv", "rating", "unknown rating code", v) for v in bad])
    folder = Path(case.folder)
    path = folder / RATINGS_DIR / f"{analyst}.csv"
    ratings_dir = path.parent
    if ratings_dir.is_symlink() and folder.resolve() not in ratings_dir.resolve().parents:
        raise ValidationError([Problem(f"{RATINGS_DIR}/", "file", "is a symbolic link out of the case folder; "
                                       "refusing to write there", str(ratings_dir.resolve()), code="file")])
    text = ratings_to_csv(matrix, case.evidence_ids, case.hypothesis_ids)
    with locked(path):
        current = file_version(path)
        expected = case.versions.get(analyst, MISSING)
        if current != expected:
            raise ConflictError([path], "changed on disk since it was read (another editor or a script saved it); "
                                "reload the case and redo the change")
        atomic_write_text(path, text)
    case.versions[analyst] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    case.ratings[analyst] = matrix
    return path


#: The version of a file that does not exist (see :func:`file_version`).
MISSING = "missing"


def file_version(path: Path) -> str:
    """SHA-256 of a file's bytes, or :data:`MISSING`: what :func:`save_ratings` compares before writing."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return MISSING

