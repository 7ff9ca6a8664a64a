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
from ..errors import Problem, ValidationError
from ..inputs import decode, read_bytes
from ..ratings_grid import read_grid

RATINGS_DIR = "ratings"
NOTES_SUFFIX = ".notes.csv"
#: Most columns of a ratings file (hypotheses plus the evidence column); see docs/formats/limits.md.
MAX_RATINGS_COLUMNS = 1_000
#: Problems after which a ratings or notes file is no longer read (the rest would only repeat them).
MAX_FILE_PROBLEMS = 1_000


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
            reason = (
                f"a field is longer than {csv.field_size_limit():,} characters (no rating or rationale is "
                "this long; the file may have an unclosed quote)"
            )
        return rows, [
            Problem(
                shown_as,
                "row",
                f"cannot be read as CSV: {reason}",
                line=reader.line_num,
                code="limit" if "longer than" in reason else "syntax",
            )
        ]
    return rows, []


def _stopped(shown_as: str, line: int) -> Problem:
    return Problem(
        shown_as,
        "file",
        f"more than {MAX_FILE_PROBLEMS:,} problems; stopped reading here (is this the right file for this case?)",
        line=line,
        code="limit",
    )


def _separator_problem(header: list[str], shown_as: str) -> Problem | None:
    """A problem saying the file uses another separator, when its header is one cell holding tabs or semicolons."""
    if len(header) != 1:
        return None
    for mark, name in (("\t", "tab"), (";", "semicolon")):
        if mark in header[0]:
            return Problem(
                shown_as,
                "header",
                f"this file is {name}-separated; save it as comma-separated CSV",
                header[0],
                1,
                "syntax",
            )
    return None


def read_ratings_csv(
    path: Path, hypothesis_ids: list[str], evidence_ids: list[str], shown_as: str, data: bytes | None = None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """An analyst's rating matrix; rows and columns the file lacks are unrated. Problems name line and column.

    ``data``: the file's bytes when the caller has read them already (so that what is read is what it hashed)."""
    if data is None:
        try:
            data = read_bytes(path, shown_as)
        except ValidationError as exc:
            return None, exc.problems
    first = data[: data.find(b"\n")] if b"\n" in data else data
    if first.count(b",") >= MAX_RATINGS_COLUMNS:
        return None, [
            Problem(
                shown_as,
                "header",
                f"more than {MAX_RATINGS_COLUMNS:,} columns; refused (a case has far fewer hypotheses)",
                first.count(b",") + 1,
                1,
                "limit",
            )
        ]
    grid = read_grid(data, hypothesis_ids, evidence_ids)
    if grid is not None:
        return model.ratings_frame(grid, evidence_ids, hypothesis_ids), []
    try:
        text = decode(data, shown_as)
    except ValidationError as exc:
        return None, exc.problems
    fast = _read_regular_ratings(text, hypothesis_ids, evidence_ids)
    if fast is not None:
        return fast.astype(model.RATINGS_DTYPE), []
    rows, problems = _csv_rows(text, shown_as)
    if problems:
        return None, problems
    if not rows or not any(cell.strip() for cell in rows[0]):
        return None, [
            Problem(
                shown_as,
                "header",
                "the file is empty; expected a header: evidence,<hypothesis ids>",
                line=1,
                code="structure",
            )
        ]
    header = [cell.strip() for cell in rows[0]]
    separator = _separator_problem(header, shown_as)
    if separator is not None:
        return None, [separator]
    if header[0].lower() != "evidence":
        problems.append(
            Problem(shown_as, "header", "the first column must be named 'evidence'", header[0], 1, "structure")
        )
    known_h = set(hypothesis_ids)
    columns: list[str | None] = []
    taken: set[str] = set()
    for name in header[1:]:
        if name in taken:
            problems.append(Problem(shown_as, "header", "duplicate hypothesis column", name, 1, "duplicate"))
            columns.append(None)
        elif name not in known_h:
            problems.append(
                Problem(shown_as, "header", "column for a hypothesis that is not in case.yaml", name, 1, "reference")
            )
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
            problems.append(
                Problem(
                    shown_as, "row", f"has {len(row)} cells but the header has {len(header)}", eid, number, "structure"
                )
            )
        if eid not in known_e:
            problems.append(
                Problem(
                    shown_as, "evidence", "rating for an evidence id that is not in case.yaml", eid, number, "reference"
                )
            )
            continue
        if eid in seen:
            problems.append(
                Problem(shown_as, "evidence", f"duplicate row (first on line {seen[eid]})", eid, number, "duplicate")
            )
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
                problems.append(
                    Problem(
                        shown_as,
                        column,
                        f"unknown rating code for {eid} (expected one of: {', '.join(model.RATING_CODES)}, or empty)",
                        row[offset].strip(),
                        number,
                        "choice",
                    )
                )
                continue
            values[target] = code
        rated[eid] = values
    blank = [model.UNRATED] * len(hypothesis_ids)
    matrix = pd.DataFrame(
        [rated.get(e, blank) for e in evidence_ids],
        index=pd.Index(evidence_ids, name="evidence"),
        columns=hypothesis_ids,
        dtype=object,
    )
    return (matrix.astype(model.RATINGS_DTYPE) if not problems else None), problems


def _read_regular_ratings(text: str, hypothesis_ids: list[str], evidence_ids: list[str]) -> pd.DataFrame | None:
    """Fast path for a well-formed ratings file (C parser, vectorised checks); None when anything is irregular, so
    that the line-by-line reader can report each problem with its line."""
    names = text[: text.find("\n")].split(",") if "\n" in text else text.split(",")
    if len(set(names)) != len(names):  # pandas renames duplicate columns in quadratic time; the slow path says why
        return None
    if any(line.count(",") >= len(names) for line in text.splitlines()):
        return None  # a row longer than the header: pandas would build an index of its extra cells (slowly)
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True, engine="c", on_bad_lines="error"
        )
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
    if (
        cells.shape == (len(rows), len(position))
        and (rows == np.arange(len(rows))).all()
        and (position == np.arange(len(position))).all()
    ):
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
        return None, [
            separator
            or Problem(
                shown_as, "header", f"expected the header {','.join(expected)}", ",".join(header), 1, "structure"
            )
        ]
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
            problems.append(
                Problem(
                    shown_as,
                    "evidence",
                    "rationale for an evidence id that is not in case.yaml",
                    eid,
                    number,
                    "reference",
                )
            )
        if hid not in known_h:
            problems.append(
                Problem(
                    shown_as,
                    "hypothesis",
                    "rationale for a hypothesis that is not in case.yaml",
                    hid,
                    number,
                    "reference",
                )
            )
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
