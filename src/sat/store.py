"""Case folders: load, validate (every problem at once), and save atomically.

A case is a folder ``data/cases/<case-id>/`` with ``case.yaml`` and ``ratings/<analyst>.csv`` (plus optional
``ratings/<analyst>.notes.csv`` with the rationale of cells). Every reader collects :class:`~sat.errors.Problem`
records naming file, line, field and value, and raises one :class:`~sat.errors.ValidationError` with all of them.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import model
from .errors import ConflictError, Problem, ValidationError
from .fileio import atomic_write_text, locked
from .inputs import decode, read_bytes
from .model import Case, Evidence, Hypothesis, Scoring, Source
from .paths import ANALYST_NAME, CASE_FILE, CASE_ID, resolve_case
from .validation import ITEM_ID, FieldReader, field_name, is_number, shown
from .yamlio import LineDict, LineList, dump_yaml, line_of, load_yaml

RATINGS_DIR = "ratings"
#: Most columns of a ratings file (hypotheses plus the evidence column); see docs/formats/limits.md.
MAX_RATINGS_COLUMNS = 1_000
#: Problems after which a ratings or notes file is no longer read (the rest would only repeat them).
MAX_FILE_PROBLEMS = 1_000
NOTES_SUFFIX = ".notes.csv"

CASE_FIELDS = ("id", "title", "question", "as_of", "description", "hypotheses", "evidence", "sources", "scoring")
HYPOTHESIS_FIELDS = ("id", "title", "description", "milestones")
EVIDENCE_FIELDS = ("id", "summary", "date", "type", "sources", "credibility", "relevance", "group", "notes")
SOURCE_FIELDS = ("id", "title", "publisher", "date", "url", "reliability")
SCORING_FIELDS = ("likelihoods", "priors", "credibility", "uncertainty", "analyst_uncertainty")


# --- items -----------------------------------------------------------------------------------------------------


def _open_item(data: Any, file: str, where: str, line: int | None,
               fields: tuple[str, ...]) -> tuple[FieldReader, LineDict | None]:
    """A reader for one list item, which must be a mapping with only the given fields."""
    r = FieldReader(file, [])
    item = r.mapping(data, where, line)
    if item is not None:
        r.unknown(item, fields, where)
    return r, item


def parse_hypothesis(data: Any, file: str, where: str, line: int | None = None) -> tuple[Hypothesis | None, list[Problem]]:
    """One hypothesis from its YAML mapping (or a form's dict), with the problems found."""
    r, item = _open_item(data, file, where, line, HYPOTHESIS_FIELDS)
    if item is None:
        return None, r.problems
    problems = r.problems
    hid = r.identifier(item, "id", where)
    title = r.text(item, "title", where, required=True)
    hypothesis = Hypothesis(
        id=hid,
        title=title,
        description=r.text(item, "description", where),
        milestones=r.text_list(item, "milestones", where),
    )
    return (hypothesis if not problems else None), problems


def parse_evidence(data: Any, file: str, where: str, line: int | None = None) -> tuple[Evidence | None, list[Problem]]:
    """One evidence item from its YAML mapping (or a form's dict), with the problems found."""
    r, item = _open_item(data, file, where, line, EVIDENCE_FIELDS)
    if item is None:
        return None, r.problems
    problems = r.problems
    group = r.text(item, "group", where) or None
    evidence = Evidence(
        id=r.identifier(item, "id", where),
        summary=r.text(item, "summary", where, required=True),
        date=r.date(item, "date", where),
        type=r.choice(item, "type", where, model.EVIDENCE_TYPES, "other") or "other",
        sources=r.text_list(item, "sources", where),
        credibility=r.choice(item, "credibility", where, model.LEVELS, "medium") or "medium",
        relevance=r.choice(item, "relevance", where, model.LEVELS, "medium") or "medium",
        group=group,
        notes=r.text(item, "notes", where),
    )
    return (evidence if not problems else None), problems


def parse_source(data: Any, file: str, where: str, line: int | None = None) -> tuple[Source | None, list[Problem]]:
    """One source from its YAML mapping (or a form's dict), with the problems found."""
    r, item = _open_item(data, file, where, line, SOURCE_FIELDS)
    if item is None:
        return None, r.problems
    problems = r.problems
    reliability = r.choice(item, "reliability", where, tuple(model.RELIABILITY), None)
    source = Source(
        id=r.identifier(item, "id", where),
        title=r.text(item, "title", where, required=True),
        publisher=r.text(item, "publisher", where),
        date=r.date(item, "date", where),
        url=r.text(item, "url", where),
        reliability=reliability,
    )
    return (source if not problems else None), problems


def _parse_list(
    r: FieldReader,
    data: LineDict,
    key: str,
    parse: Callable[[Any, str, str, int | None], tuple[Any, list[Problem]]],
) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        r.problem(key, "must be a list", shown(value), line_of(data, key))
        return []
    items = []
    seen: dict[str, int | None] = {}
    for index, entry in enumerate(value):
        line = line_of(value, index)
        item, problems = parse(entry, r.file, f"{key}[{index}]", line)
        r.problems.extend(problems)
        raw_id = entry.get("id") if isinstance(entry, dict) else None
        if raw_id is not None:
            sid = str(raw_id).strip()
            if sid in seen:
                r.problem(f"{key}[{index}].id", f"duplicate id (first used on line {seen[sid]})", sid, line)
            else:
                seen[sid] = line
        if item is not None:
            items.append(item)
    return items


def _parse_scoring(r: FieldReader, data: LineDict, hypothesis_ids: set[str]) -> Scoring:
    raw = data.get("scoring")
    if raw is None:
        return Scoring()
    section = r.mapping(raw, "scoring", line_of(data, "scoring"))
    if section is None:
        return Scoring()
    r.unknown(section, SCORING_FIELDS, "scoring")
    likelihoods = dict(model.DEFAULT_LIKELIHOODS)
    raw_lk = section.get("likelihoods")
    if raw_lk is not None:
        lk = r.mapping(raw_lk, "scoring.likelihoods", line_of(section, "likelihoods"))
        if lk is not None:
            for code, value in lk.items():
                field = f"scoring.likelihoods.{code}"
                if str(code) not in model.SCORED_CODES:
                    r.problem(field, f"unknown rating code (expected one of: {', '.join(model.SCORED_CODES)})",
                              code, lk.line_of(code))
                elif not is_number(value) or not 0 < float(value) <= 1:
                    r.problem(field, "must be a probability greater than 0 and at most 1", shown(value),
                              lk.line_of(code))
                else:
                    likelihoods[str(code)] = float(value)
            ordered = [likelihoods[c] for c in model.SCORED_CODES]
            if all(is_number(v) for v in ordered) and any(a < b for a, b in zip(ordered, ordered[1:])):
                r.problem("scoring.likelihoods", "must not increase from CC to II (CC >= C >= N >= I >= II)",
                          {c: likelihoods[c] for c in model.SCORED_CODES}, lk.line)
    priors: dict[str, float] | None = None
    raw_priors = section.get("priors")
    if raw_priors is not None:
        pr = r.mapping(raw_priors, "scoring.priors", line_of(section, "priors"))
        if pr is not None:
            priors = {}
            for hid, value in pr.items():
                field = f"scoring.priors.{hid}"
                if str(hid) not in hypothesis_ids:
                    r.problem(field, "prior for an unknown hypothesis", hid, pr.line_of(hid))
                elif not is_number(value) or float(value) <= 0:
                    r.problem(field, "must be a positive number", shown(value), pr.line_of(hid))
                else:
                    priors[str(hid)] = float(value)
            missing = sorted(hypothesis_ids - set(map(str, pr)))
            if missing:
                r.problem("scoring.priors", "give a prior for every hypothesis, or none (uniform)",
                          ", ".join(missing), pr.line)
    credibility = dict(model.DEFAULT_CREDIBILITY)
    raw_cred = section.get("credibility")
    if raw_cred is not None:
        cred = r.mapping(raw_cred, "scoring.credibility", line_of(section, "credibility"))
        for level, value in (cred or {}).items():
            field = f"scoring.credibility.{level}"
            if str(level) not in model.LEVELS:
                r.problem(field, f"unknown credibility level (expected one of: {', '.join(model.LEVELS)})", level,
                          cred.line_of(level))
            elif not is_number(value) or not 0 <= float(value) <= 1:
                r.problem(field, "must be a probability between 0 and 1", shown(value), cred.line_of(level))
            else:
                credibility[str(level)] = float(value)
    uncertainty = model.DEFAULT_UNCERTAINTY
    if "uncertainty" in section:
        uncertainty = _probability(r, section, "uncertainty", "scoring.uncertainty", uncertainty)
    per_analyst: dict[str, float] = {}
    raw_pa = section.get("analyst_uncertainty")
    if raw_pa is not None:
        pa = r.mapping(raw_pa, "scoring.analyst_uncertainty", line_of(section, "analyst_uncertainty"))
        for name in pa or {}:
            per_analyst[str(name)] = _probability(r, pa, name, f"scoring.analyst_uncertainty.{name}", uncertainty)
    return Scoring(likelihoods=likelihoods, priors=priors, credibility=credibility, uncertainty=uncertainty,
                   analyst_uncertainty=per_analyst)


def _probability(r: FieldReader, data: LineDict, key: Any, field: str, default: float) -> float:
    value = data.get(key)
    if not is_number(value) or not 0 <= float(value) <= 1:
        r.problem(field, "must be a probability between 0 and 1", shown(value), line_of(data, key))
        return default
    return float(value)


def parse_case(data: Any, file: str) -> tuple[Case | None, list[Problem]]:
    """A case (without ratings) from the parsed ``case.yaml``; every problem found is returned."""
    problems: list[Problem] = []
    r = FieldReader(file, problems)
    root = r.mapping(data, "case.yaml", 1)
    if root is None:
        return None, problems
    r.unknown(root, CASE_FIELDS, "")
    case_id = r.identifier(root, "id", "", pattern=CASE_ID.pattern)
    title = r.text(root, "title", "", required=True)
    question = r.text(root, "question", "", required=True)
    as_of = r.date(root, "as_of", "", required=True)
    hypotheses = _parse_list(r, root, "hypotheses", parse_hypothesis)
    evidence = _parse_list(r, root, "evidence", parse_evidence)
    sources = _parse_list(r, root, "sources", parse_source)
    source_ids = {s.id for s in sources}
    raw_evidence = root.get("evidence") if isinstance(root.get("evidence"), list) else LineList()
    for index, entry in enumerate(raw_evidence):
        if not isinstance(entry, dict):
            continue
        for sid in r.text_list(LineDict(sources=entry.get("sources")), "sources", f"evidence[{index}]"):
            if sid not in source_ids:
                r.problem(f"evidence[{index}].sources", "refers to a source id that is not in sources", sid,
                          line_of(entry, "sources"))
    scoring = _parse_scoring(r, root, {h.id for h in hypotheses})
    case = Case(
        id=case_id,
        title=title,
        question=question,
        as_of=as_of,
        description=r.text(root, "description", ""),
        hypotheses=hypotheses,
        evidence=evidence,
        sources=sources,
        scoring=scoring,
    )
    return (case if not problems else None), problems


# --- ratings ---------------------------------------------------------------------------------------------------


def normalise_code(raw: str) -> str:
    """A rating cell as written (any case, spaces as in PARC's "C C") to its code; unknown text is kept."""
    return "".join(raw.split()).upper()


def _csv_text(path: Path, shown_as: str, text: str | None) -> tuple[str | None, list[Problem]]:
    """The text of a CSV file (``text`` when the caller already read it), or the problem that stops reading it."""
    if text is not None:
        return text, []
    try:
        return decode(read_bytes(path, shown_as), shown_as), []
    except ValidationError as exc:
        return None, exc.problems


def _csv_rows(text: str, shown_as: str) -> tuple[list[list[str]], list[Problem]]:
    """The rows of CSV text; a field beyond the csv module's limit (131,072 characters) or a NUL byte stops the
    reading with a problem at its line."""
    reader = csv.reader(io.StringIO(text))
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        reason = str(exc)
        if "field larger than field limit" in reason:
            reason = (f"a field is longer than {csv.field_size_limit():,} characters (no rating or rationale is "
                      "this long; the file may have an unclosed quote)")
        return rows, [Problem(shown_as, "row", f"cannot be read as CSV: {reason}", line=reader.line_num,
                              code="limit" if "longer than" in reason else "syntax")]
    return rows, []


def _stopped(shown_as: str, line: int) -> Problem:
    return Problem(shown_as, "file", f"more than {MAX_FILE_PROBLEMS:,} problems; stopped reading here (is this the "
                   "right file for this case?)", line=line, code="limit")


def _separator_problem(header: list[str], shown_as: str) -> Problem | None:
    """A problem saying the file uses another separator, when its header is one cell holding tabs or semicolons."""
    if len(header) != 1:
        return None
    for mark, name in (("\t", "tab"), (";", "semicolon")):
        if mark in header[0]:
            return Problem(shown_as, "header", f"this file is {name}-separated; save it as comma-separated CSV",
                           header[0], 1, "syntax")
    return None


def read_ratings_csv(
    path: Path, hypothesis_ids: list[str], evidence_ids: list[str], shown_as: str, text: str | None = None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """An analyst's rating matrix; rows and columns the file lacks are unrated. Problems name line and column."""
    text, problems = _csv_text(path, shown_as, text)
    if text is None:
        return None, problems
    first = text[: text.find("\n")] if "\n" in text else text
    if first.count(",") >= MAX_RATINGS_COLUMNS:
        return None, [Problem(shown_as, "header", f"more than {MAX_RATINGS_COLUMNS:,} columns; refused (a case has "
                              "far fewer hypotheses)", first.count(",") + 1, 1, "limit")]
    fast = _read_regular_ratings(text, hypothesis_ids, evidence_ids)
    if fast is not None:
        return fast, []
    rows, problems = _csv_rows(text, shown_as)
    if problems:
        return None, problems
    if not rows or not any(cell.strip() for cell in rows[0]):
        return None, [Problem(shown_as, "header", "the file is empty; expected a header: evidence,<hypothesis ids>", line=1)]
    header = [cell.strip() for cell in rows[0]]
    separator = _separator_problem(header, shown_as)
    if separator is not None:
        return None, [separator]
    if header[0].lower() != "evidence":
        problems.append(Problem(shown_as, "header", "the first column must be named 'evidence'", header[0], 1))
    known_h = set(hypothesis_ids)
    columns: list[str | None] = []
    taken: set[str] = set()
    for name in header[1:]:
        if name in taken:
            problems.append(Problem(shown_as, "header", "duplicate hypothesis column", name, 1))
            columns.append(None)
        elif name not in known_h:
            problems.append(Problem(shown_as, "header", "column for a hypothesis that is not in case.yaml", name, 1))
            columns.append(None)
        else:
            columns.append(name)
            taken.add(name)
    known_e = set(evidence_ids)
    allowed = set(model.RATING_CODES) | {model.UNRATED}
    position = {h: i for i, h in enumerate(hypothesis_ids)}
    cells = [(offset, column, position[column]) for offset, column in enumerate(columns, start=1) if column]
    rated: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(problems) >= MAX_FILE_PROBLEMS:
            problems.append(_stopped(shown_as, number))
            break
        if not any(cell.strip() for cell in row):
            continue
        eid = row[0].strip()
        if len(row) > len(header):
            problems.append(Problem(shown_as, "row", f"has {len(row)} cells but the header has {len(header)}",
                                    eid, number))
        if eid not in known_e:
            problems.append(Problem(shown_as, "evidence", "rating for an evidence id that is not in case.yaml",
                                    eid, number))
            continue
        if eid in seen:
            problems.append(Problem(shown_as, "evidence", f"duplicate row (first on line {seen[eid]})", eid, number))
            continue
        seen[eid] = number
        values = [model.UNRATED] * len(hypothesis_ids)
        for offset, column, target in cells:
            if offset >= len(row):
                break
            code = row[offset].strip().upper()
            if code not in allowed:
                code = normalise_code(row[offset])
            if code not in allowed:
                problems.append(Problem(
                    shown_as, column,
                    f"unknown rating code for {eid} (expected one of: {', '.join(model.RATING_CODES)}, or empty)",
                    row[offset].strip(), number,
                ))
                continue
            values[target] = code
        rated[eid] = values
    blank = [model.UNRATED] * len(hypothesis_ids)
    matrix = pd.DataFrame([rated.get(e, blank) for e in evidence_ids], index=pd.Index(evidence_ids, name="evidence"),
                          columns=hypothesis_ids, dtype=object)
    return (matrix if not problems else None), problems


def _read_regular_ratings(text: str, hypothesis_ids: list[str], evidence_ids: list[str]) -> pd.DataFrame | None:
    """Fast path for a well-formed ratings file (C parser, vectorised checks); None when anything is irregular, so
    that the line-by-line reader can report each problem with its line."""
    names = text[: text.find("\n")].split(",") if "\n" in text else text.split(",")
    if len(set(names)) != len(names):  # pandas renames duplicate columns in quadratic time; the slow path says why
        return None
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True,
                            engine="c", on_bad_lines="error")
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return None
    columns = [str(c).strip() for c in frame.columns]
    if not columns or columns[0].lower() != "evidence" or len(set(columns)) != len(columns):
        return None
    if not set(columns[1:]) <= set(hypothesis_ids) or any(c.startswith("Unnamed:") for c in columns):
        return None
    values = frame.to_numpy(dtype=object)
    ids = pd.Index([str(v).strip() for v in values[:, 0]])
    if ids.has_duplicates or not ids.isin(evidence_ids).all():
        return None
    cells = values[:, 1:]
    codes = set(model.RATING_CODES) | {model.UNRATED}
    if not set(pd.unique(cells.ravel())) <= codes:  # files written by the workbook are already clean
        cells = np.char.upper(np.char.strip(cells.astype(str))).astype(object)
        if not set(pd.unique(cells.ravel())) <= codes:
            return None
    # One object block in the case's order, unrated where the file has no row or column.
    rows = ids.get_indexer(evidence_ids)
    position = pd.Index(columns[1:]).get_indexer(hypothesis_ids)
    if cells.shape == (len(rows), len(position)) and (rows == np.arange(len(rows))).all() and (
            position == np.arange(len(position))).all():
        matrix = cells  # already complete and in order, as the workbook writes it
    else:
        matrix = np.full((len(evidence_ids), len(hypothesis_ids)), model.UNRATED, dtype=object)
        found, present = rows >= 0, position >= 0
        matrix[np.ix_(found, present)] = cells[np.ix_(rows[found], position[present])]
    return pd.DataFrame(matrix, index=pd.Index(evidence_ids, name="evidence"), columns=hypothesis_ids, dtype=object)


def read_rationale_csv(
    path: Path, hypothesis_ids: list[str], evidence_ids: list[str], shown_as: str, text: str | None = None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The long-form rationale file (evidence, hypothesis, rationale)."""
    text, problems = _csv_text(path, shown_as, text)
    if text is None:
        return None, problems
    rows, problems = _csv_rows(text, shown_as)
    if problems:
        return None, problems
    expected = ["evidence", "hypothesis", "rationale"]
    header = [h.strip() for h in (rows[0] if rows else [])]
    if header != expected:
        separator = _separator_problem(header, shown_as)
        return None, [separator or Problem(shown_as, "header", f"expected the header {','.join(expected)}",
                                           ",".join(header), 1)]
    records = []
    known_e, known_h = set(evidence_ids), set(hypothesis_ids)
    for number, cells in enumerate(rows[1:], start=2):
        if len(problems) >= MAX_FILE_PROBLEMS:
            problems.append(_stopped(shown_as, number))
            break
        if not cells:
            continue
        row = dict(zip(expected, cells))
        eid = (row.get("evidence") or "").strip()
        hid = (row.get("hypothesis") or "").strip()
        if eid not in known_e:
            problems.append(Problem(shown_as, "evidence", "rationale for an evidence id that is not in case.yaml",
                                    eid, number))
        if hid not in known_h:
            problems.append(Problem(shown_as, "hypothesis", "rationale for a hypothesis that is not in case.yaml",
                                    hid, number))
        records.append({"evidence": eid, "hypothesis": hid, "rationale": (row.get("rationale") or "").strip()})
    frame = pd.DataFrame(records, columns=expected)
    return (frame if not problems else None), problems


def ratings_files(folder: Path) -> dict[str, Path]:
    """Analyst name -> ratings CSV in a case folder (notes files excluded)."""
    ratings = folder / RATINGS_DIR
    if not ratings.is_dir():
        return {}
    return {
        p.name[: -len(".csv")]: p
        for p in sorted(ratings.glob("*.csv"))
        if not p.name.endswith(NOTES_SUFFIX) and not p.name.startswith(".")
    }


# --- whole case ------------------------------------------------------------------------------------------------


def load_case(case: str | os.PathLike[str]) -> Case:
    """Load and validate a case (folder path or case id); raise ValidationError listing every problem."""
    folder = resolve_case(case)
    shown = _shown_path(folder)
    data = load_yaml(folder / CASE_FILE, shown_as=f"{shown}/{CASE_FILE}")
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
            matrix, found = read_ratings_csv(path, hypothesis_ids, evidence_ids, name, decode(raw, name))
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


# --- writing ---------------------------------------------------------------------------------------------------


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
    from .yamlio import loads_yaml

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


def ratings_to_csv(matrix: pd.DataFrame, evidence_ids: list[str], hypothesis_ids: list[str]) -> str:
    """CSV text of a rating matrix in case order (unrated cells empty)."""
    aligned = matrix.astype(object).reindex(index=evidence_ids, columns=hypothesis_ids, fill_value=model.UNRATED)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["evidence", *hypothesis_ids])
    writer.writerows([eid, *row] for eid, row in zip(evidence_ids, aligned.fillna(model.UNRATED).to_numpy().tolist()))
    return buffer.getvalue()


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
