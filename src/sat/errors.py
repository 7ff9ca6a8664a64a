"""Exceptions and problem records shared by every part of the package.

Bad input never surfaces as a traceback: readers collect :class:`Problem` records and raise one
:class:`ValidationError` holding all of them; the command line prints them and exits non-zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the format allows."""

    file: str
    field: str
    message: str
    value: Any = None
    line: int | None = None
    code: str = "invalid"  # a reason code of sat.validation.CODES

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        shown = "" if self.value is None else f" (value: {shown_value(self.value)})"
        return f"{where}: {self.field}: {self.message}{shown}"


#: Longest value shown in a message, in characters: a message never echoes a whole field or file.
MAX_SHOWN = 200


def shown_value(value: Any) -> str:
    """``repr(value)``, cut to :data:`MAX_SHOWN` characters (without building the whole repr of a huge value)."""
    if isinstance(value, str) and len(value) > MAX_SHOWN:
        value = value[:MAX_SHOWN]
        return repr(value)[:MAX_SHOWN] + "..."
    if isinstance(value, (list, tuple, dict, set)) and len(value) > 20:
        items = list(value.items() if isinstance(value, dict) else value)[:20]
        return shown_value(type(value)(items) if not isinstance(value, dict) else dict(items))[:MAX_SHOWN] + "..."
    try:
        text = repr(value)
    except (RecursionError, ValueError):
        return f"<{type(value).__name__}>"
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "..."


class SatError(Exception):
    """Base class of every error the package raises on purpose."""


class ValidationError(SatError):
    """Input failed validation; ``problems`` lists every problem found, not only the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ConflictError(SatError):
    """Files changed on disk since they were read, so writing them would lose someone's update; ``paths`` lists
    them. The writer should reload and redo its change."""

    def __init__(self, paths: list[Any], message: str = "changed on disk since it was read; reload first"):
        self.paths = list(paths)
        names = ", ".join(getattr(p, "name", str(p)) for p in self.paths)
        super().__init__(f"{names} {message}")


class CaseNotFoundError(SatError):
    """A case id or folder that does not exist, or a path that escapes the cases folder."""


class ReportError(SatError):
    """Rendering a report failed for a reason other than invalid input."""
