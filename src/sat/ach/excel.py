"""Excel workbooks: export a whole case, and read one analyst's matrix sheet back into the case.

The workbook has the sheets ``Case`` (field, value), ``Hypotheses``, ``Evidence``, ``Sources``, one matrix sheet per
analyst, and ``Scores``. A matrix sheet is named after its analyst (the first 31 characters, Excel's limit; ``Matrix
<n>`` if that name is taken) and holds a header row ``evidence, summary, <hypothesis ids>`` and one row per evidence
item, cells coloured as in the report (:data:`sat.palette.RATING_COLOURS`). ``Scores`` lists every method side by
side (PARC inconsistency, weighted inconsistency, posterior) with the rank, for all analysts combined and for each.
Every text cell that could run as a formula is neutralised (:func:`sat.spreadsheet.neutralise`), so no cell is a
formula. The file is written atomically.

:func:`import_matrix` reads one matrix sheet: the first column holds evidence ids and the header row hypothesis ids;
a ``summary`` column (or any column with an empty header) is ignored; rows and columns the sheet lacks are unrated.
Every unknown code, evidence id or hypothesis id is reported with sheet, cell and value, and nothing is written
unless the whole sheet is valid.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet.worksheet import Worksheet

from .. import model
from ..errors import Problem, SatError, ValidationError
from ..fileio import atomic_write_bytes
from ..inputs import check_file
from ..model import Case
from ..palette import RATING_COLOURS, RATING_TEXT
from ..spreadsheet import neutralise
from ..store import normalise_code, save_ratings
from ..validation import Problems
from .longcsv import chosen_analysts

FIXED_SHEETS: tuple[str, ...] = ("Case", "Hypotheses", "Evidence", "Sources", "Scores")
SHEET_NAME_LIMIT = 31
#: Largest total uncompressed size of a workbook read back (bytes); a zip bomb is refused before opening it.
MAX_UNCOMPRESSED = 100 * 1024 * 1024
#: Largest workbook file read (bytes, compressed).
MAX_FILE_BYTES = 50 * 1024 * 1024
#: Most rows and columns read from a matrix sheet (see docs/formats/limits.md).
MAX_ROWS = 100_000
MAX_COLUMNS = 1_000
HEADER_FONT = Font(bold=True)
DATE_FORMAT = "yyyy-mm-dd"


# --- export ----------------------------------------------------------------------------------------------------


def matrix_sheet_names(analysts: Iterable[str]) -> dict[str, str]:
    """Analyst -> the name of their matrix sheet (unique, case-insensitively, among all sheets)."""
    taken = {name.lower() for name in FIXED_SHEETS}
    names: dict[str, str] = {}
    for number, analyst in enumerate(analysts, start=1):
        name = analyst[:SHEET_NAME_LIMIT]
        if name.lower() in taken:
            name = f"Matrix {number}"
        taken.add(name.lower())
        names[analyst] = name
    return names


class _Sheets:
    """Writes rows into a workbook, neutralising text and recording text Excel cannot hold."""

    def __init__(self, case: Case):
        self.case = case
        self.book = Workbook()
        self.book.remove(self.book.active)
        self.problems: list[Problem] = []
        self.next_row: dict[str, int] = {}

    def sheet(self, title: str, header: Iterable[str]) -> Worksheet:
        sheet = self.book.create_sheet(title)
        self.row(sheet, list(header))
        for cell in sheet[1]:
            cell.font = HEADER_FONT
        sheet.freeze_panes = "A2"
        return sheet

    def row(self, sheet: Worksheet, values: list[Any]) -> None:
        number = self.next_row.get(sheet.title, 1)
        self.next_row[sheet.title] = number + 1
        for column, value in enumerate(values, start=1):
            try:
                cell = sheet.cell(row=number, column=column, value=neutralise(value))
            except IllegalCharacterError:
                reference = f"{get_column_letter(column)}{number}"
                self.problems.append(
                    Problem(
                        f"{self.case.id}/case.yaml",
                        f"sheet {sheet.title!r}, cell {reference}",
                        "holds a control character that Excel cannot hold",
                        value,
                        code="invalid",
                    )
                )
                continue
            if isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT

    def widths(self, sheet: Worksheet, widths: Iterable[int]) -> None:
        for column, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = width


def workbook_bytes(case: Case, analysts: list[str]) -> bytes:
    """The ``.xlsx`` file of a case with the matrix sheets of ``analysts``."""
    out = _Sheets(case)
    _case_sheet(out, case)
    _table(
        out,
        "Hypotheses",
        ("id", "title", "description", "milestones"),
        (8, 50, 70, 70),
        ([h.id, h.title, h.description, "\n".join(h.milestones)] for h in case.hypotheses),
    )
    _table(
        out,
        "Evidence",
        ("id", "summary", "date", "type", "sources", "credibility", "relevance", "group", "notes"),
        (8, 60, 12, 18, 12, 11, 10, 16, 70),
        (
            [e.id, e.summary, e.date, e.type, ", ".join(e.sources), e.credibility, e.relevance, e.group or "", e.notes]
            for e in case.evidence
        ),
    )
    _table(
        out,
        "Sources",
        ("id", "title", "publisher", "date", "url", "reliability"),
        (8, 50, 30, 12, 50, 10),
        ([s.id, s.title, s.publisher, s.date, s.url, s.reliability or ""] for s in case.sources),
    )
    for analyst, name in matrix_sheet_names(analysts).items():
        _matrix_sheet(out, name, case.matrix(analyst))
    _scores_sheet(out, case, analysts)
    if out.problems:
        raise ValidationError(out.problems)
    buffer = io.BytesIO()
    out.book.save(buffer)
    return buffer.getvalue()


def export_xlsx(case: Case, path: str | os.PathLike[str], analyst: str | None = None) -> list[str]:
    """Write the workbook atomically with one analyst's matrix or all; return the sheet names."""
    analysts = chosen_analysts(case, analyst)
    data = workbook_bytes(case, analysts)
    atomic_write_bytes(path, data)
    return [*FIXED_SHEETS[:4], *matrix_sheet_names(analysts).values(), FIXED_SHEETS[4]]


def _table(
    out: _Sheets, title: str, header: tuple[str, ...], widths: tuple[int, ...], rows: Iterable[list[Any]]
) -> None:
    sheet = out.sheet(title, header)
    for values in rows:
        out.row(sheet, values)
    out.widths(sheet, widths)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _case_sheet(out: _Sheets, case: Case) -> None:
    rows: list[list[Any]] = [
        ["id", case.id],
        ["title", case.title],
        ["question", case.question],
        ["as_of", case.as_of],
        ["description", case.description],
        ["analysts", ", ".join(case.analysts)],
    ]
    rows += [[f"P(evidence | hypothesis) if {code}", case.scoring.likelihoods[code]] for code in model.SCORED_CODES]
    rows += [[f"prior of {hid}", value] for hid, value in (case.scoring.priors or {}).items()]
    _table(out, "Case", ("field", "value"), (32, 100), rows)


def _matrix_sheet(out: _Sheets, name: str, matrix: pd.DataFrame) -> None:
    case = out.case
    sheet = out.sheet(name, ["evidence", "summary", *case.hypothesis_ids])
    for e in case.evidence:
        out.row(sheet, [e.id, e.summary, *matrix.loc[e.id].tolist()])
    for row in sheet.iter_rows(min_row=2, min_col=3):
        for cell in row:
            code = cell.value or model.UNRATED
            cell.fill = PatternFill("solid", fgColor=RATING_COLOURS.get(code, "#ffffff")[1:].upper())
            cell.font = Font(bold=True, color=RATING_TEXT.get(code, "#000000")[1:].upper())
            cell.alignment = Alignment(horizontal="center")
    out.widths(sheet, (10, 60, *(8 for _ in case.hypothesis_ids)))
    sheet.freeze_panes = "C2"


def _scores_sheet(out: _Sheets, case: Case, analysts: list[str]) -> None:
    from .analysis import score_case

    header = ("analysts", "hypothesis", "title", "rank", "inconsistency", "weighted_inconsistency", "posterior")
    sheet = out.sheet("Scores", header)
    out.widths(sheet, (24, 10, 60, 6, 14, 22, 10))
    try:
        scores = score_case(case, analysts[0] if len(analysts) == 1 else None)
    except SatError as exc:
        out.row(sheet, [f"No scores: {exc}"])
        return
    blocks = {"all analysts combined" if len(analysts) > 1 else analysts[0]: scores.hypotheses}
    if len(analysts) > 1:
        blocks.update(scores.by_analyst)
    for who, frame in blocks.items():
        for hid, row in frame.sort_values(["rank"]).iterrows():
            out.row(
                sheet,
                [
                    who,
                    hid,
                    row["title"],
                    int(row["rank"]),
                    float(row["inconsistency"]),
                    float(row["weighted_inconsistency"]),
                    float(row["posterior"]),
                ],
            )
    for row in sheet.iter_rows(min_row=2, min_col=5):
        for cell in row:
            cell.number_format = "0.000"


# --- import ----------------------------------------------------------------------------------------------------


def read_matrix_sheet(path: str | os.PathLike[str], case: Case, sheet: str) -> pd.DataFrame:
    """One matrix sheet as a rating matrix in case order; raise ValidationError naming every bad cell."""
    shown = os.fspath(path)
    book = _open_workbook(shown)
    try:
        if sheet not in book.sheetnames:
            raise SatError(f"{shown}: no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})")
        rows = _sheet_rows(book[sheet], shown, sheet)
    finally:
        book.close()
    return _MatrixReader(shown, sheet, case).read(rows)


def _sheet_rows(worksheet: Any, shown: str, sheet: str) -> list[tuple[Any, ...]]:
    """The values of a sheet's rows, at most :data:`MAX_ROWS` rows and :data:`MAX_COLUMNS` columns; a damaged sheet
    (cut short, bad XML, impossible cell references) is a problem, not a traceback."""
    rows: list[tuple[Any, ...]] = []
    try:
        for row in worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            if len(rows) >= MAX_ROWS:
                raise ValidationError(
                    [
                        Problem(
                            shown,
                            f"sheet {sheet!r}",
                            f"more than {MAX_ROWS:,} rows; refused (no matrix has this many evidence items)",
                            code="limit",
                        )
                    ]
                )
            if len(row) > MAX_COLUMNS and row[MAX_COLUMNS] is not None:
                raise ValidationError(
                    [Problem(shown, f"sheet {sheet!r}", f"more than {MAX_COLUMNS:,} columns; refused", code="limit")]
                )
            rows.append(tuple(row[:MAX_COLUMNS]))
    except ValidationError:
        raise
    except Exception as exc:  # openpyxl raises XML, zip and value errors for damaged parts: all are bad input
        raise ValidationError(
            [
                Problem(
                    shown,
                    f"sheet {sheet!r}",
                    f"the sheet is damaged and cannot be read ({type(exc).__name__}: {str(exc)[:120]})",
                    code="syntax",
                )
            ]
        ) from None
    return rows


def import_matrix(path: str | os.PathLike[str], case: Case, analyst: str, sheet: str | None = None) -> Path:
    """Replace ``ratings/<analyst>.csv`` with a matrix sheet (default: the sheet named for the analyst)."""
    chosen = sheet if sheet is not None else analyst[:SHEET_NAME_LIMIT]
    matrix = read_matrix_sheet(path, case, chosen)
    return save_ratings(case, analyst, matrix)


def _open_workbook(shown: str) -> Workbook:
    if os.path.lexists(shown):  # a device or FIFO is refused before it is opened
        check_file(shown, shown, limit=MAX_FILE_BYTES)
    try:
        with zipfile.ZipFile(shown) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ValidationError(
            [Problem(shown, "file", "not an Excel .xlsx workbook (not a zip archive)", code="file")]
        ) from None
    except OSError as exc:
        raise SatError(f"{shown}: cannot be read: {exc.strerror or exc}") from None
    if total > MAX_UNCOMPRESSED:
        raise ValidationError(
            [Problem(shown, "file", f"unpacks to more than {MAX_UNCOMPRESSED // 2**20} MB; refused", code="limit")]
        )
    try:
        return load_workbook(shown, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for damaged parts; each is bad input, not a bug here
        raise ValidationError(
            [Problem(shown, "file", f"cannot be read as an Excel workbook ({exc})", code="file")]
        ) from None


class _MatrixReader:
    """Reads the rows of a matrix sheet, collecting a Problem for every bad cell."""

    def __init__(self, shown: str, sheet: str, case: Case):
        self.shown = shown
        self.sheet = sheet
        self.case = case
        self.problems = Problems()

    def problem(self, column: int, row: int, message: str, value: Any, code: str = "invalid") -> None:
        where = f"sheet {self.sheet!r}, cell {get_column_letter(column)}{row}"
        self.problems.append(Problem(self.shown, where, message, value, code=code))

    def read(self, rows: list[tuple[Any, ...]]) -> pd.DataFrame:
        if not rows or _text(rows[0][0] if rows[0] else None).lower() != "evidence":
            first = _text(rows[0][0]) if rows and rows[0] else ""
            self.problem(1, 1, "a matrix sheet starts with the header 'evidence' in A1", first, code="structure")
            raise ValidationError(self.problems)
        columns = self.columns(rows[0])
        matrix = self.case.empty_matrix()
        seen: dict[str, int] = {}
        for number, row in enumerate(rows[1:], start=2):
            if not any(_text(value) for value in row):
                continue
            eid = _text(row[0])
            if eid not in matrix.index:
                self.problem(1, number, "evidence id that is not in the case", eid, code="reference")
                continue
            if eid in seen:
                self.problem(1, number, f"duplicate row for {eid} (first on row {seen[eid]})", eid, code="duplicate")
                continue
            seen[eid] = number
            for column, value in enumerate(row, start=1):
                hid = columns.get(column)
                if hid is None:
                    continue
                code = normalise_code(_text(value))
                if code not in model.RATING_CODES and code != model.UNRATED:
                    self.problem(
                        column,
                        number,
                        f"unknown rating code for {eid} and {hid} (expected one of: "
                        f"{', '.join(model.RATING_CODES)}, or empty)",
                        value,
                        code="choice",
                    )
                    continue
                matrix.loc[eid, hid] = code
        if self.problems:
            raise ValidationError(self.problems)
        return matrix

    def columns(self, header: tuple[Any, ...]) -> dict[int, str]:
        """Column number -> hypothesis id, from the header row."""
        known = set(self.case.hypothesis_ids)
        columns: dict[int, str] = {}
        for column, value in enumerate(header[1:], start=2):
            name = _text(value)
            if not name or name.lower() == "summary":
                continue
            if name in columns.values():
                self.problem(column, 1, "duplicate hypothesis column", name, code="duplicate")
            elif name not in known:
                self.problem(column, 1, "column for a hypothesis that is not in the case", name, code="reference")
            else:
                columns[column] = name
        return columns


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()
