"""A vectorised reader for the common case of a ratings file: a regular grid of plain rating codes.

Analysts' files written by the workbook (or by a spreadsheet saving plain CSV) are a header, then one line per
evidence item with exactly one cell per column, each cell a code as the workbook writes it (``CC``, ``C``, ``N``,
``I``, ``II``, ``NA`` or empty). Such a file is split at its commas and line ends with numpy and each cell is
looked up by its length and first two bytes, so a 20,000 x 100 matrix reads in milliseconds rather than through a
string per cell (Windows line ends are fine). Anything else -- quotes, lone carriage returns, blank lines,
lower-case or spaced codes, unknown ids,
ragged lines -- returns None, and the line-by-line reader of the data layer reads the file and reports each
problem with its line.
"""

from __future__ import annotations

import numpy as np

from .model import MATRIX_CODES, UNRATED

#: The codes a cell may hold on the fast path, in the order of their index in the result.
GRID_CODES: tuple[str, ...] = MATRIX_CODES
_LETTERS = sorted({ch for code in GRID_CODES for ch in code})
#: Class of each byte: 0 for a delimiter (the end of a short cell), 1... for the letters codes use, 15 otherwise.
_CLASS = np.full(256, 15, dtype=np.uint8)
_CLASS[[ord(","), ord("\n"), 0]] = 0
_CLASS[[ord(ch) for ch in _LETTERS]] = np.arange(1, len(_LETTERS) + 1, dtype=np.uint8)
#: Code index of a cell from the classes of its first two bytes (first * 16 + second); -1 for anything else.
_KEYS = np.full(256, -1, dtype=np.int8)
for _index, _code in enumerate(GRID_CODES):
    _classes = [_LETTERS.index(ch) + 1 for ch in _code] + [0, 0]
    _KEYS[_classes[0] * 16 + _classes[1]] = _index
_COMMA, _NEWLINE = ord(","), ord("\n")
_IRREGULAR = (b'"', b"\r", b" ", b"\t")


def read_grid(data: bytes, hypothesis_ids: list[str], evidence_ids: list[str]) -> np.ndarray | None:
    """Indices into :data:`GRID_CODES` (evidence x hypotheses, in the case's order; unrated where the file has no
    row or column), or None when the file is not a regular grid of plain codes."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")  # Windows line ends (a lone carriage return stays irregular)
    end = data.find(b"\n")
    if end < 0:
        return None
    try:
        header = data[:end].decode("ascii").split(",")
    except UnicodeDecodeError:
        return None
    columns = header[1:]
    n_cols = len(header)
    if header[0] != "evidence" or len(set(columns)) != len(columns) or not set(columns) <= set(hypothesis_ids):
        return None
    body = np.frombuffer(data, dtype=np.uint8, offset=end + 1)
    if not body.size:
        return _place(np.empty((0, len(columns)), dtype=np.int8), [], columns, hypothesis_ids, evidence_ids)
    if body[-1] != _NEWLINE:
        body = np.append(body, np.uint8(_NEWLINE))
    if any(mark in data for mark in _IRREGULAR):
        return None
    delimiters = np.flatnonzero((body == _COMMA) | (body == _NEWLINE))
    if delimiters.size % n_cols:
        return None
    grid = delimiters.reshape(-1, n_cols)
    line_ends = np.flatnonzero(body == _NEWLINE)
    if len(line_ends) != len(grid) or (line_ends != grid[:, -1]).any():
        return None  # a line with more or fewer cells than the header
    starts = np.empty_like(grid)
    starts[:, 1:] = grid[:, :-1] + 1
    starts[1:, 0] = grid[:-1, -1] + 1
    starts[0, 0] = 0
    lengths = grid - starts
    cells, cell_lengths = starts[:, 1:], lengths[:, 1:]
    if (cell_lengths > 2).any():
        return None
    padded = np.append(body, np.uint8(0))
    # An empty cell starts on its delimiter (class 0); a one-letter cell's second byte is its delimiter (class 0).
    first = _CLASS[padded[cells]]
    second = _CLASS[padded[cells + 1]]
    second[first == 0] = 0  # after an empty cell comes the next cell, not part of this one
    first <<= 4
    first |= second
    codes = _KEYS[first]
    if (codes < 0).any():
        return None
    raw = bytes(body)
    try:
        ids = [raw[s : s + n].decode("utf-8") for s, n in zip(starts[:, 0].tolist(), lengths[:, 0].tolist())]
    except UnicodeDecodeError:
        return None
    return _place(codes, ids, columns, hypothesis_ids, evidence_ids)


def _place(
    codes: np.ndarray, ids: list[str], columns: list[str], hypothesis_ids: list[str], evidence_ids: list[str]
) -> np.ndarray | None:
    """The file's cells in the case's order; None for duplicate or unknown evidence ids."""
    if ids == evidence_ids and columns == hypothesis_ids:
        return codes  # complete and in order, as the workbook writes it
    position = {eid: i for i, eid in enumerate(evidence_ids)}
    rows = [position.get(eid, -1) for eid in ids]
    if -1 in rows or len(set(rows)) != len(rows):
        return None
    out = np.full((len(evidence_ids), len(hypothesis_ids)), GRID_CODES.index(UNRATED), dtype=np.int8)
    column_of = {hid: i for i, hid in enumerate(hypothesis_ids)}
    out[np.ix_(np.array(rows, dtype=np.intp), np.array([column_of[c] for c in columns], dtype=np.intp))] = codes
    return out
