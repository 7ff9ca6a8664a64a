"""Both worksheets as one ``.xlsx`` workbook, formula-safe and written atomically.

Sheets: ``Assumptions``, ``Grid`` (confidence x impact), ``Collection needs``, ``Indicator candidates``, ``Sweep``,
``Cues`` (Key Assumptions Check, when the case has ``assumptions.yaml``); ``Source register``, ``Items``,
``Judgments``, ``Dependence groups``, ``Leader support``, ``Statement`` (Quality of Information Check). Every text
cell that a spreadsheet could run as a formula is neutralised (:func:`sat.spreadsheet.neutralise`).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font

from ..fileio import atomic_write_bytes
from ..spreadsheet import neutralise
from .analysis import AssumptionsCheck, QualityCheck


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, (bool, int, float)):
        return value
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))  # control characters Excel cannot hold


def _sheet(book: Workbook, title: str, frame: pd.DataFrame) -> None:
    sheet = book.create_sheet(title)
    sheet.append([_cell(str(c)) for c in frame.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False):
        sheet.append([_cell(v) for v in row])
    for column in sheet.columns:
        width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
        for c in column[1:]:
            c.alignment = Alignment(wrap_text=True, vertical="top")


def workbook_bytes(quality: QualityCheck, assumptions: AssumptionsCheck | None) -> bytes:
    """The workbook's bytes."""
    book = Workbook()
    book.remove(book.active)
    if assumptions is not None:
        _sheet(book, "Assumptions", assumptions.table().reset_index())
        _sheet(book, "Grid", assumptions.grid.reset_index())
        _sheet(
            book,
            "Collection needs",
            pd.DataFrame(
                [{"assumption": a.id, "disposition": a.disposition or "", "text": a.text} for a in assumptions.needs],
                columns=["assumption", "disposition", "text"],
            ),
        )
        _sheet(
            book,
            "Indicator candidates",
            pd.DataFrame(
                [{"id": c.id, "assumption": c.assumption, "text": c.text} for c in assumptions.candidates],
                columns=["id", "assumption", "text"],
            ),
        )
        _sheet(
            book,
            "Sweep",
            pd.DataFrame(
                [
                    {
                        "assumption": r.assumption,
                        "removed": ", ".join(r.removed),
                        "leader": r.new_leader,
                        **r.posteriors,
                        "sentence": r.sentence,
                    }
                    for r in assumptions.sweep
                ]
            ),
        )
        _sheet(
            book,
            "Cues",
            pd.DataFrame(
                [{"place": c.place, "phrase": c.phrase, "snippet": c.snippet} for c in assumptions.cues],
                columns=["place", "phrase", "snippet"],
            ),
        )
    _sheet(book, "Source register", quality.register().reset_index())
    _sheet(book, "Items", quality.marks.reset_index())
    _sheet(book, "Judgments", quality.judgments.reset_index())
    _sheet(
        book,
        "Dependence groups",
        pd.DataFrame(
            [
                {
                    "origin": o.origin,
                    "members": ", ".join(o.members),
                    "groups now": ", ".join(g or "-" for g in o.groups),
                    "offered group": o.name,
                }
                for o in quality.offers
            ],
            columns=["origin", "members", "groups now", "offered group"],
        ),
    )
    if quality.support is not None:
        _sheet(book, "Leader support", quality.support.origins.reset_index())
    _sheet(book, "Statement", pd.DataFrame({"paragraph": quality.statement}))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_workbook(path: str | os.PathLike[str], quality: QualityCheck, assumptions: AssumptionsCheck | None) -> Path:
    """Write the workbook to ``path`` atomically; return the path."""
    target = Path(path)
    atomic_write_bytes(target, workbook_bytes(quality, assumptions))
    return target
