"""Every colour the workbook draws with: rating cells (from the rating scale), disagreement levels, driver classes.

The report's tables, the editor's grid and panel, the Excel export and the scenario figures all take their colours
from here, so that one rating or one level looks the same everywhere.
"""

from __future__ import annotations

from .rating_scale import SCALE

#: Cell background per rating code (see :data:`sat.rating_scale.SCALE`).
RATING_COLOURS: dict[str, str] = {r.code: r.colour for r in SCALE}
#: Cell text colour per rating code.
RATING_TEXT: dict[str, str] = {r.code: r.text_colour for r in SCALE}
#: Row colour per disagreement level between analysts (:func:`sat.ach.consensus.disagreement_level`).
LEVEL_COLOURS: dict[str, str] = {"consensus": "#ffffff", "mild": "#fff3bf", "large": "#ffc078", "extreme": "#ff8787"}
#: Marker colour per driver class of the impact/uncertainty chart (:func:`sat.scenarios.drivers.classify`).
DRIVER_CLASS_COLOURS: dict[str, str] = {
    "critical uncertainty": "#c0392b",
    "predetermined element": "#2c3e50",
    "secondary driver": "#95a5a6",
}
