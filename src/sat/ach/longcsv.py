"""Long-format CSV of a case's ratings for other tools (R, pandas, spreadsheets, BI tools).

One row per analyst, evidence item and hypothesis, in case order: ``analyst,evidence,hypothesis,rating,rationale``
(``rating`` empty when not yet rated; ``rationale`` from ``ratings/<analyst>.notes.csv``, several notes on one cell
joined by a blank line). UTF-8 without byte-order mark, ``\\n`` line ends. Every text cell that a spreadsheet would
run as a formula is neutralised (:func:`sat.spreadsheet.neutralise`).
"""

from __future__ import annotations

import csv
import io
import os

from ..errors import SatError
from ..fileio import atomic_write_text
from ..model import Case
from ..spreadsheet import neutralise

HEADER: tuple[str, ...] = ("analyst", "evidence", "hypothesis", "rating", "rationale")


def chosen_analysts(case: Case, analyst: str | None) -> list[str]:
    """``[analyst]`` if given (and known), else every analyst of the case."""
    if analyst is None:
        return case.analysts
    if analyst not in case.ratings:
        known = ", ".join(case.analysts) or "none"
        raise SatError(f"case {case.id!r}: no analyst {analyst!r} (analysts: {known})")
    return [analyst]


def rationale_by_cell(case: Case, analyst: str) -> dict[tuple[str, str], str]:
    """(evidence, hypothesis) -> the analyst's rationale for that cell."""
    notes: dict[tuple[str, str], str] = {}
    frame = case.rationale.get(analyst)
    if frame is None:
        return notes
    for row in frame.itertuples(index=False):
        key = (str(row.evidence), str(row.hypothesis))
        notes[key] = f"{notes[key]}\n\n{row.rationale}" if key in notes else str(row.rationale)
    return notes


def long_rows(case: Case, analysts: list[str]) -> list[tuple[str, str, str, str, str]]:
    """One row per (analyst, evidence, hypothesis), in case order, not neutralised."""
    rows = []
    for analyst in analysts:
        matrix = case.matrix(analyst)
        notes = rationale_by_cell(case, analyst)
        for eid in case.evidence_ids:
            for hid in case.hypothesis_ids:
                rows.append((analyst, eid, hid, str(matrix.loc[eid, hid]), notes.get((eid, hid), "")))
    return rows


def long_csv(rows: list[tuple[str, str, str, str, str]]) -> str:
    """The CSV text of ``rows`` under :data:`HEADER`, every cell neutralised against formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()


def export_long_csv(case: Case, path: str | os.PathLike[str], analyst: str | None = None) -> int:
    """Write the long CSV atomically (one analyst, or all); return the number of data rows."""
    rows = long_rows(case, chosen_analysts(case, analyst))
    atomic_write_text(path, long_csv(rows))
    return len(rows)
