"""Row and column order of the grid, including blind rating mode (anti-anchoring).

In blind mode each analyst sees the hypotheses in a shuffled order of their own, so that nobody anchors on the order
in which the case author happened to list them; the order is fixed per analyst and case (a seed from a hash of both
names), so it does not move between sessions. Evidence with unrated cells comes first.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

import pandas as pd

from ..model import UNRATED


def blind_seed(analyst: str, case_id: str) -> int:
    """A stable seed from the analyst's name and the case id (independent of Python's hash randomisation)."""
    return int.from_bytes(hashlib.sha256(f"{case_id}\n{analyst}".encode()).digest()[:8], "big")


def shuffled_hypotheses(hypothesis_ids: Sequence[str], analyst: str, case_id: str) -> list[str]:
    """The hypotheses in the analyst's own fixed random order."""
    order = list(hypothesis_ids)
    random.Random(blind_seed(analyst, case_id)).shuffle(order)
    return order


def unrated_first(matrix: pd.DataFrame) -> list[str]:
    """Evidence ids with at least one unrated cell first, each group in case order."""
    open_rows = (matrix == UNRATED).any(axis=1)
    return [*matrix.index[open_rows], *matrix.index[~open_rows]]


def progress(matrix: pd.DataFrame) -> tuple[int, int]:
    """(rated cells, all cells) of a matrix; NA counts as rated."""
    return int((matrix != UNRATED).to_numpy().sum()), int(matrix.size)
