"""``ratings/<analyst>.csv`` (the rating matrix) and ``ratings/<analyst>.notes.csv`` (the rationale of cells).

A vectorised path (:mod:`sat.ratings_grid`) reads the regular grids the workbook writes; anything irregular falls
back to a line-by-line reader that names the line and column of each problem. Matrices are returned with categorical
columns (:data:`sat.model.RATINGS_DTYPE`).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from .. import model
from ..errors import Problem
from ..ratings_grid import read_grid

RATINGS_DIR = "ratings"
NOTES_SUFFIX = ".notes.csv"


def normalise_code(raw: str) -> str:
    """A rating cell as written (any case, spaces as in PARC's "C C") to its code; unknown text is kept."""
    return "".join(raw.split()).upper()


def read_ratings_csv(
    path: Path, hypothesis_ids: list[str], evidence_ids: list[str], shown_as: str
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """An analyst's rating matrix; rows and columns the file lacks are unrated. Problems name line and column."""
    problems: list[Problem] = []
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(shown_as, "file", f"cannot be read: {exc.strerror}", code="file")]
    grid = read_grid(data, hypothesis_ids, evidence_ids)
    if grid is not None:
        return model.ratings_frame(grid, evidence_ids, hypothesis_ids), []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem(shown_as, "file", f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                              code="encoding")]
    fast = _read_regular_ratings(text, hypothesis_ids, evidence_ids)
    if fast is not None:
        return fast.astype(model.RATINGS_DTYPE), []
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(cell.strip() for cell in rows[0]):
        return None, [Problem(shown_as, "header", "the file is empty; expected a header: evidence,<hypothesis ids>",
                              line=1, code="structure")]
    header = [cell.strip() for cell in rows[0]]
    if header[0].lower() != "evidence":
        problems.append(Problem(shown_as, "header", "the first column must be named 'evidence'", header[0], 1,
                                "structure"))
    known_h = set(hypothesis_ids)
    columns: list[str | None] = []
    for name in header[1:]:
        if name in columns:
            problems.append(Problem(shown_as, "header", "duplicate hypothesis column", name, 1, "duplicate"))
            columns.append(None)
        elif name not in known_h:
            problems.append(Problem(shown_as, "header", "column for a hypothesis that is not in case.yaml", name, 1,
                                    "reference"))
            columns.append(None)
        else:
            columns.append(name)
    known_e = set(evidence_ids)
    allowed = set(model.RATING_CODES) | {model.UNRATED}
    position = {h: i for i, h in enumerate(hypothesis_ids)}
    cells = [(offset, column, position[column]) for offset, column in enumerate(columns, start=1) if column]
    rated: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        eid = row[0].strip()
        if len(row) > len(header):
            problems.append(Problem(shown_as, "row", f"has {len(row)} cells but the header has {len(header)}",
                                    eid, number, "structure"))
        if eid not in known_e:
            problems.append(Problem(shown_as, "evidence", "rating for an evidence id that is not in case.yaml",
                                    eid, number, "reference"))
            continue
        if eid in seen:
            problems.append(Problem(shown_as, "evidence", f"duplicate row (first on line {seen[eid]})", eid, number,
                                    "duplicate"))
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
                    row[offset].strip(), number, "choice",
                ))
                continue
            values[target] = code
        rated[eid] = values
    blank = [model.UNRATED] * len(hypothesis_ids)
    matrix = pd.DataFrame([rated.get(e, blank) for e in evidence_ids], index=pd.Index(evidence_ids, name="evidence"),
                          columns=hypothesis_ids, dtype=object)
    return (matrix.astype(model.RATINGS_DTYPE) if not problems else None), problems


def _read_regular_ratings(text: str, hypothesis_ids: list[str], evidence_ids: list[str]) -> pd.DataFrame | None:
    """Fast path for a well-formed ratings file (C parser, vectorised checks); None when anything is irregular, so
    that the line-by-line reader can report each problem with its line."""
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
    path: Path, hypothesis_ids: list[str], evidence_ids: list[str], shown_as: str
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The long-form rationale file (evidence, hypothesis, rationale)."""
    problems: list[Problem] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem(shown_as, "file", f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                              code="encoding")]
    reader = csv.DictReader(io.StringIO(text))
    expected = ["evidence", "hypothesis", "rationale"]
    header = [h.strip() for h in (reader.fieldnames or [])]
    if header != expected:
        return None, [Problem(shown_as, "header", f"expected the header {','.join(expected)}", ",".join(header), 1,
                              "structure")]
    records = []
    known_e, known_h = set(evidence_ids), set(hypothesis_ids)
    for number, row in enumerate(reader, start=2):
        eid = (row.get("evidence") or "").strip()
        hid = (row.get("hypothesis") or "").strip()
        if eid not in known_e:
            problems.append(Problem(shown_as, "evidence", "rationale for an evidence id that is not in case.yaml",
                                    eid, number, "reference"))
        if hid not in known_h:
            problems.append(Problem(shown_as, "hypothesis", "rationale for a hypothesis that is not in case.yaml",
                                    hid, number, "reference"))
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


def ratings_to_csv(matrix: pd.DataFrame, evidence_ids: list[str], hypothesis_ids: list[str]) -> str:
    """CSV text of a rating matrix in case order (unrated cells empty)."""
    aligned = matrix.astype(object).reindex(index=evidence_ids, columns=hypothesis_ids, fill_value=model.UNRATED)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["evidence", *hypothesis_ids])
    writer.writerows([eid, *row] for eid, row in zip(evidence_ids, aligned.fillna(model.UNRATED).to_numpy().tolist()))
    return buffer.getvalue()


def rationale_to_csv(frame: pd.DataFrame) -> str:
    """CSV text of a rationale table (evidence, hypothesis, rationale), one row per explained cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["evidence", "hypothesis", "rationale"])
    for row in frame[["evidence", "hypothesis", "rationale"]].itertuples(index=False):
        writer.writerow(list(row))
    return buffer.getvalue()
