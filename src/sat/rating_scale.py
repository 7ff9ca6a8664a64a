"""The ACH rating scale, defined once: codes in order, numeric values, labels, editor keys and colours.

The five consistency ratings of PARC ACH 2.0 plus "not applicable" (Heuer 1999, ch. 8; TRADECRAFT.md §1.1), and
the empty code of a cell not yet rated. Every other module (the store, the scores, the report's tables, the
editor's grid, the Excel export) derives what it needs from :data:`SCALE`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rating:
    """One step of the scale: ``value`` is its numeric reading (II = -2 ... CC = +2; None for NA and unrated),
    ``key`` the editor's keyboard shortcut, ``colour`` and ``text_colour`` the cell's background and text."""

    code: str
    label: str
    value: int | None
    key: str
    colour: str
    text_colour: str


#: The scale in its order: most consistent first, then not applicable, then not yet rated. Colours: green
#: consistent, red inconsistent, grey neutral, pale for NA and unrated.
SCALE: tuple[Rating, ...] = (
    Rating("CC", "very consistent", 2, "1", "#1a9850", "#ffffff"),
    Rating("C", "consistent", 1, "2", "#a6d96a", "#000000"),
    Rating("N", "neutral or ambiguous", 0, "3", "#e0e0e0", "#000000"),
    Rating("I", "inconsistent", -1, "4", "#fdae61", "#000000"),
    Rating("II", "very inconsistent", -2, "5", "#d73027", "#ffffff"),
    Rating("NA", "not applicable", None, "6", "#f7f7f7", "#000000"),
    Rating("", "not yet rated", None, "0", "#ffffff", "#000000"),
)

#: The code of a cell not yet rated (an empty cell in a ratings file).
UNRATED = ""
#: Every code in scale order, the empty code last (the order of the scores' integer encoding).
ALL_CODES: tuple[str, ...] = tuple(r.code for r in SCALE)
#: The codes an analyst writes (a ratings file may also leave a cell empty).
RATING_CODES: tuple[str, ...] = tuple(r.code for r in SCALE if r.code != UNRATED)
#: Codes that carry a judgement on the numeric scale (NA and empty do not).
SCORED_CODES: tuple[str, ...] = tuple(r.code for r in SCALE if r.value is not None)
#: Numeric reading of a rating, used for disagreement and rating-based diagnosticity (II = -2 ... CC = +2).
RATING_VALUE: dict[str, int] = {r.code: r.value for r in SCALE if r.value is not None}
RATING_LABEL: dict[str, str] = {r.code: r.label for r in SCALE}
#: Editor keyboard shortcut per code.
RATING_KEYS: dict[str, str] = {r.key: r.code for r in SCALE}
