"""Text for spreadsheets: neutralise cells that a spreadsheet program would run as a formula.

Following OWASP's CSV-injection guidance, a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is prefixed with a single quote, so Excel and LibreOffice show it as text and never evaluate it.
Used by every export a spreadsheet may open (``.xlsx`` workbooks and ``.csv`` files).
"""

from __future__ import annotations

from typing import TypeVar

#: First characters that make a spreadsheet program read a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

T = TypeVar("T")


def neutralise(value: T) -> T | str:
    """``value`` with a leading single quote if it is text that starts like a formula; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
