"""Exports of an indicator board for spreadsheets and collectors: ``.xlsx`` and CSV.

The validator matrix (one row per indicator: text, group, origin, a rating per target, every diagnosticity rule,
the flag, the targets it points to, the five criteria) and the observation log; the workbook adds the timeline and
the non-diagnostic list for collectors. Every text cell that could run as a formula is neutralised
(:func:`sat.spreadsheet.neutralise`, OWASP's CSV-injection rule), as in the ACH exports; files are written
atomically.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import Problem, ValidationError
from ..fileio import atomic_write_bytes, atomic_write_text
from ..spreadsheet import neutralise
from .present import collectors_list
from .tracking import COLUMNS
from .validator import CRITERIA

if TYPE_CHECKING:
    from .board import Board


def validator_frame(board: Board) -> pd.DataFrame:
    """The validator matrix as plain columns, one row per indicator in file order."""
    table = board.validator_table()
    rows = []
    for i in board.spec.indicators:
        t = table.loc[i.id]
        rows.append(
            {
                "indicator": i.id,
                "text": i.text,
                "group": i.group or "",
                "from": i.origin,
                **{target: i.ratings.get(target, "") for target in board.targets},
                "spread": float(t["spread"]),
                "home": t["home"],
                "home_vs_other": float(t["home_vs_other"]),
                "log_likelihood_ratio": round(float(t["llr"]), 6),
                "diagnostic": bool(t["diagnostic"]),
                "points_to": " ".join(t["points_to"]),
                **{c: i.criteria.get(c, "") for c in CRITERIA},
                "notes": i.notes,
            }
        )
    return pd.DataFrame(rows)


def observations_frame(board: Board) -> pd.DataFrame:
    return board.observations[list(COLUMNS)].copy()


def timeline_export(board: Board) -> pd.DataFrame:
    line = board.timeline().probabilities.round(6)
    line.index = ["prior" if d is None else d for d in line.index]
    return line.rename_axis("date").reset_index()


def _csv_text(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(frame.columns)
    for row in frame.itertuples(index=False):
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(value)


def export_csv(board: Board, folder: str | os.PathLike[str]) -> list[Path]:
    """Write ``<case>-indicators.csv`` (the validator matrix) and ``<case>-observations.csv``; return the paths."""
    target = Path(folder)
    paths = [target / f"{board.case.id}-indicators.csv", target / f"{board.case.id}-observations.csv"]
    for path, frame in zip(paths, (validator_frame(board), observations_frame(board))):
        atomic_write_text(path, _csv_text(frame))
    return paths


def workbook_bytes(board: Board) -> bytes:
    """The ``.xlsx`` file: sheets Validator, Observations, Timeline and For collectors."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = Workbook()
    book.remove(book.active)
    problems: list[Problem] = []
    sheets = {
        "Validator": validator_frame(board),
        "Observations": observations_frame(board),
        "Timeline": timeline_export(board),
        "For collectors": collectors_list(board),
    }
    for title, frame in sheets.items():
        sheet = book.create_sheet(title)
        sheet.append([str(c) for c in frame.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for number, row in enumerate(frame.itertuples(index=False), start=2):
            for column, value in enumerate(row, start=1):
                try:
                    cell = sheet.cell(row=number, column=column, value=neutralise(value))
                except IllegalCharacterError:
                    problems.append(
                        Problem(
                            f"{board.case.id}/indicators",
                            f"sheet {title!r}, row {number}",
                            "holds a control character that Excel cannot hold",
                            value,
                        )
                    )
                    continue
                if isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
    if problems:
        raise ValidationError(problems)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_xlsx(board: Board, path: str | os.PathLike[str]) -> Path:
    """Write the workbook atomically; return its path."""
    atomic_write_bytes(path, workbook_bytes(board))
    return Path(path)
