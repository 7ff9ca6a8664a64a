"""Writing a case: ``case.yaml``, ratings and rationale files, each validated first and written atomically."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pandas as pd

from .. import model
from ..errors import ConflictError, Problem, ValidationError
from ..fileio import atomic_write_text, locked
from ..model import Case
from ..paths import ANALYST_NAME, CASE_FILE
from ..validation import Problems
from ..yamlio import dump_yaml, loads_yaml
from .case_yaml import parse_case
from .ratings_csv import NOTES_SUFFIX, RATINGS_DIR, ratings_to_csv, rationale_to_csv
from .yaml_edit import update_yaml


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
        clean(
            {
                "id": e.id,
                "summary": e.summary,
                "date": e.date,
                "type": e.type,
                "sources": list(e.sources),
                "credibility": e.credibility,
                "relevance": e.relevance,
                "group": e.group,
                "notes": e.notes,
                "information_credibility": e.information_credibility,
                "conflicts_with": list(e.conflicts_with),
            }
        )
        for e in case.evidence
    ]
    out["sources"] = [
        clean(
            {
                "id": s.id,
                "title": s.title,
                "publisher": s.publisher,
                "date": s.date,
                "url": s.url,
                "reliability": s.reliability,
                "type": s.type,
                "information_date": s.information_date,
                "access": s.access,
                "bias": s.bias,
                "re_reports": s.re_reports,
                "status": None if s.status == "current" else s.status,
                "ambiguity": s.ambiguity,
            }
        )
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
    if case.scoring.information_credibility != model.DEFAULT_INFORMATION_MAPPING:
        scoring["information_credibility"] = dict(case.scoring.information_credibility)
    if scoring:
        out["scoring"] = scoring
    return out


def check_case(case: Case) -> list[Problem]:
    """Validate an in-memory case as ``case.yaml`` is validated (used by editors before saving); the problems name
    fields and values (an in-memory case has no lines)."""
    _, problems = parse_case(case_to_dict(case), f"{case.id or 'case'}/{CASE_FILE}")
    return problems


def save_case(case: Case, folder: Path | None = None) -> Path:
    """Write ``case.yaml`` (and nothing else) atomically after validating it; return its path.

    An existing valid file keeps every line that does not change (:func:`case_yaml_text`); the text to be written
    is read back and validated exactly as the next load will read it, and nothing is written if it has problems.
    """
    target = Path(folder or case.folder or "")
    if not str(target):
        raise ValueError("save_case needs a folder: the case was not loaded from one")
    path = target / CASE_FILE
    text, problems = case_yaml_text(case, path)
    if problems:
        raise ValidationError(problems)
    if text is not None:
        atomic_write_text(path, text)
    case.folder = target
    return path


def case_yaml_text(case: Case, path: Path) -> tuple[str | None, list[Problem]]:
    """The text ``case.yaml`` must hold for ``case`` (None: the file at ``path`` already holds it), and the
    problems of that text. The existing file is kept with only the lines of what changed replaced
    (:mod:`sat.store.yaml_edit`); without a valid file to keep, or when the splice does not read back as ``case``,
    the case is written afresh."""
    wanted = case_to_dict(case)
    file = f"{case.id or 'case'}/{CASE_FILE}"
    edited = None
    try:
        text = path.read_text(encoding="utf-8")
        data = loads_yaml(text, file)
    except (OSError, UnicodeDecodeError, ValidationError):
        pass
    else:
        old, problems = parse_case(data, file)
        if old is not None and not problems:
            before = case_to_dict(old)
            if before == wanted:
                return None, []
            edited = update_yaml(text, data, before, wanted)
    if edited is not None:
        try:
            again, problems = parse_case(loads_yaml(edited, file), file)
        except ValidationError as exc:
            again, problems = None, exc.problems
        if again is not None and case_to_dict(again) == wanted:
            return edited, []
    fresh = dump_yaml(wanted)
    _, problems = parse_case(loads_yaml(fresh, file), file)
    return fresh, list(problems)


def save_ratings(case: Case, analyst: str, matrix: pd.DataFrame | None = None) -> Path:
    """Write an analyst's matrix to ``ratings/<analyst>.csv`` atomically; return its path."""
    if case.folder is None:
        raise ValueError("save_ratings needs a case loaded from a folder")
    if not ANALYST_NAME.match(analyst):
        raise ValidationError(
            [
                Problem(
                    f"{RATINGS_DIR}/{analyst}.csv",
                    "analyst",
                    "analyst names use only letters, digits, '-' and '_'",
                    analyst,
                    code="id",
                )
            ]
        )
    matrix = case.ratings[analyst] if matrix is None else matrix
    bad = sorted({str(v) for v in matrix.to_numpy().ravel() if v not in model.RATING_CODES and v != model.UNRATED})
    if bad:
        raise ValidationError(
            [Problem(f"{RATINGS_DIR}/{analyst}.csv", "rating", "unknown rating code", v, code="choice") for v in bad]
        )
    folder = Path(case.folder)
    path = folder / RATINGS_DIR / f"{analyst}.csv"
    ratings_dir = path.parent
    if ratings_dir.is_symlink() and folder.resolve() not in ratings_dir.resolve().parents:
        raise ValidationError(
            [
                Problem(
                    f"{RATINGS_DIR}/",
                    "file",
                    "is a symbolic link out of the case folder; refusing to write there",
                    str(ratings_dir.resolve()),
                    code="file",
                )
            ]
        )
    text = ratings_to_csv(matrix, case.evidence_ids, case.hypothesis_ids)
    with locked(path):
        current = file_version(path)
        expected = case.versions.get(analyst, MISSING)
        if current != expected:
            raise ConflictError(
                [path],
                "changed on disk since it was read (another editor or a script saved it); "
                "reload the case and redo the change",
            )
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


def save_rationale(case: Case, analyst: str, frame: pd.DataFrame) -> Path:
    """Write an analyst's rationale to ``ratings/<analyst>.notes.csv`` atomically after validating it; return its
    path. The analyst's ratings file must exist (a rationale file without one is not a valid case folder)."""
    if case.folder is None:
        raise ValueError("save_rationale needs a case loaded from a folder")
    file = f"{RATINGS_DIR}/{analyst}{NOTES_SUFFIX}"
    if not ANALYST_NAME.match(analyst):
        raise ValidationError(
            [Problem(file, "analyst", "analyst names use only letters, digits, '-' and '_'", analyst, code="id")]
        )
    if not (case.folder / RATINGS_DIR / f"{analyst}.csv").is_file():
        raise ValidationError(
            [Problem(file, "file", "rationale file without a ratings file of the same analyst", analyst, code="file")]
        )
    problems = Problems()
    known_e, known_h = set(case.evidence_ids), set(case.hypothesis_ids)
    for number, row in enumerate(frame[["evidence", "hypothesis", "rationale"]].itertuples(index=False), start=2):
        if row.evidence not in known_e:
            problems.append(
                Problem(
                    file,
                    "evidence",
                    "rationale for an evidence id that is not in case.yaml",
                    row.evidence,
                    number,
                    "reference",
                )
            )
        if row.hypothesis not in known_h:
            problems.append(
                Problem(
                    file,
                    "hypothesis",
                    "rationale for a hypothesis that is not in case.yaml",
                    row.hypothesis,
                    number,
                    "reference",
                )
            )
        if not isinstance(row.rationale, str):
            problems.append(Problem(file, "rationale", "must be text", row.rationale, number, "type"))
    problems.raise_if_any()
    path = case.folder / RATINGS_DIR / f"{analyst}{NOTES_SUFFIX}"
    atomic_write_text(path, rationale_to_csv(frame))
    case.rationale[analyst] = frame.reset_index(drop=True)
    return path
