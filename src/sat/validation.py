"""The one validation toolkit every reader uses: problems with reason codes, a typed field reader, one id rule.

The contract, after pandera's lazy validation: a reader *collects* every problem it finds (file, line, field,
value and a stable reason code) and raises once, with all of them, through :meth:`Problems.raise_if_any`. A value
that is itself invalid is not reported again where it is referred to: readers record the ids they rejected in
:attr:`Problems.rejected` and :meth:`FieldReader.refs` stays silent about those.

The vocabulary (one word for one problem) is :data:`CODES`; ``docs/formats/`` lists it for analysts.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeGuard

from .errors import Problem, ValidationError
from .yamlio import LineList, line_of

__all__ = ["CODES", "ITEM_ID", "FieldReader", "Problem", "Problems", "field_name", "is_number", "shown"]

#: The id rule of every item (hypothesis, evidence, source, driver, indicator, assumption, ...).
ITEM_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
ITEM_ID_RULE = "must start with a letter or digit and use only letters, digits, '.', '-' and '_' (at most 64)"

#: Stable reason codes and what each means. Messages may be refined; codes never change meaning.
CODES: dict[str, str] = {
    "required": "a field that must be present is missing",
    "empty": "a field that must hold text is empty",
    "unknown-field": "a field the format does not define (often a typo)",
    "type": "a value of the wrong kind (text where a list is expected, ...)",
    "id": "an id that breaks the id rule",
    "duplicate": "an id used twice in one list",
    "reference": "a reference to an id that does not exist",
    "choice": "a value outside the allowed set",
    "date": "not a real date written YYYY-MM-DD",
    "number": "not a finite number, or out of its range",
    "limit": "beyond a size limit no real case reaches",
    "encoding": "a file that is not UTF-8 text",
    "syntax": "a file that cannot be parsed at all (YAML, CSV, XML, zip)",
    "structure": "a file whose parts do not fit together (rows, columns, sections)",
    "file": "a path that is missing, not a regular file, or outside the case",
    "conflict": "a file changed by someone else since it was read",
    "invalid": "any other problem",
}


class Problems(list[Problem]):
    """The problems of one reading, collected (never raised one by one) and raised once at the end."""

    def __init__(self, problems: Iterable[Problem] = ()) -> None:
        super().__init__(problems)
        self.rejected: set[tuple[str, str]] = set()  # (kind, id) of items dropped as invalid

    def reject(self, kind: str, item_id: str) -> None:
        """Remember that item ``item_id`` of ``kind`` was invalid, so references to it are not reported again."""
        if item_id:
            self.rejected.add((kind, item_id))

    def raise_if_any(self) -> None:
        """Raise :class:`~sat.errors.ValidationError` holding every problem collected, if there are any."""
        if self:
            raise ValidationError(list(self))


def field_name(where: str, key: Any) -> str:
    """The dotted name of a field: ``evidence[2].date``, or just ``id`` at the top level."""
    return f"{where}.{key}" if where else str(key)


def shown(value: Any) -> Any:
    """A value as shown in a message: scalars as they are (long texts cut), containers by their kind."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str) and len(value) > 80:
        return value[:77] + "..."
    return value


def is_number(value: Any) -> TypeGuard[int | float]:
    """A finite int or float (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


class FieldReader:
    """Reads typed fields out of one YAML mapping (or a form's dict), recording a :class:`Problem` for each bad one.

    Every ``read`` method returns a usable value (a default when the field is bad), so a reader can go on and find
    the next problem.
    """

    def __init__(self, file: str, problems: Problems | None = None):
        self.file = file
        self.problems: Problems = problems if problems is not None else Problems()

    def problem(
        self, field: str, message: str, value: Any = None, line: int | None = None, code: str = "invalid"
    ) -> None:
        """Record one problem."""
        self.problems.append(Problem(self.file, field, message, value, line, code))

    def mapping(self, data: Any, where: str, line: int | None) -> dict[Any, Any] | None:
        """``data`` if it is a mapping; else a problem and None."""
        if isinstance(data, dict):
            return data
        self.problem(where, "must be a mapping of field: value", shown(data), line, "type")
        return None

    def unknown(self, data: dict[Any, Any], allowed: Iterable[str], where: str) -> None:
        """A problem for every key of ``data`` not in ``allowed``."""
        allowed = tuple(allowed)
        for key in data:
            if key not in allowed:
                self.problem(
                    field_name(where, key),
                    f"unknown field (expected one of: {', '.join(allowed)})",
                    shown(key),
                    line_of(data, key),
                    "unknown-field",
                )

    def text(self, data: Mapping[Any, Any], key: str, where: str, required: bool = False) -> str:
        """A text field, stripped; numbers are read as their text."""
        value = data.get(key)
        if type(value) is str:
            text = value.strip()
        elif value is None:
            if required:
                self.problem(field_name(where, key), "is required", line=getattr(data, "line", None), code="required")
            return ""
        elif isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.problem(field_name(where, key), "must be text", shown(value), line_of(data, key), "type")
            return ""
        else:
            text = str(value).strip()
        if required and not text:
            self.problem(field_name(where, key), "must not be empty", line=line_of(data, key), code="empty")
        return text

    def identifier(
        self, data: Mapping[Any, Any], key: str, where: str, pattern: str = ITEM_ID, rule: str = ITEM_ID_RULE
    ) -> str:
        """A required id that follows the id rule (or ``pattern``, described by ``rule``)."""
        value = self.text(data, key, where, required=True)
        if value and not re.match(pattern, value):
            self.problem(field_name(where, key), rule, shown(value), line_of(data, key), "id")
        return value

    def date(self, data: Mapping[Any, Any], key: str, where: str, required: bool = False) -> dt.date | None:
        """A date written YYYY-MM-DD (YAML may already have read it as a date)."""
        value = data.get(key)
        field = field_name(where, key)
        if value is None:
            if required:
                self.problem(
                    field, "is required (a date written YYYY-MM-DD)", line=getattr(data, "line", None), code="required"
                )
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problem(field, "must be a date written YYYY-MM-DD", shown(value), line_of(data, key), "date")
        return None

    def choice(
        self, data: Mapping[Any, Any], key: str, where: str, choices: Iterable[str], default: str | None
    ) -> str | None:
        """One of ``choices`` (compared without case); ``default`` when absent."""
        choices = tuple(choices)
        value = data.get(key)
        if value is None:
            return default
        if value in choices:
            return value  # type: ignore[no-any-return]
        text = str(value).strip() if isinstance(value, (str, int, float)) else None
        for choice in choices:
            if text is not None and text.lower() == choice.lower():
                return choice
        self.problem(
            field_name(where, key), f"must be one of: {', '.join(choices)}", shown(value), line_of(data, key), "choice"
        )
        return default

    def number(
        self,
        data: Mapping[Any, Any],
        key: str,
        where: str,
        default: float,
        low: float | None = None,
        high: float | None = None,
        low_open: bool = False,
        what: str = "a number",
    ) -> float:
        """A finite number within [low, high] (``low_open``: strictly above ``low``); ``default`` when absent."""
        value = data.get(key)
        if value is None:
            return default
        ok = is_number(value)
        if ok and low is not None:
            ok = float(value) > low if low_open else float(value) >= low
        if ok and high is not None:
            ok = float(value) <= high
        if not ok:
            self.problem(field_name(where, key), f"must be {what}", shown(value), line_of(data, key), "number")
            return default
        return float(value)

    def whole_number(
        self, data: Mapping[Any, Any], key: str, where: str, low: int = 1, hint: str = "", default: int = 0
    ) -> int:
        """A required whole number of at least ``low`` (``hint`` is added to the message); ``default`` if bad."""
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= low:
            return value
        self.problem(
            field_name(where, key),
            f"must be a whole number, {low} or more{hint}",
            shown(value),
            line_of(data, key) or getattr(data, "line", None) or 1,
            "required" if value is None else "number",
        )
        return default

    def text_list(self, data: Mapping[Any, Any], key: str, where: str) -> tuple[str, ...]:
        """A list of non-empty texts (a single text is read as a list of one)."""
        value = data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = LineList([value])
        if not isinstance(value, list):
            self.problem(field_name(where, key), "must be a list", shown(value), line_of(data, key), "type")
            return ()
        items: list[str] = []
        for index, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, (str, int, float)) or not str(item).strip():
                self.problem(
                    f"{field_name(where, key)}[{index}]",
                    "must be non-empty text",
                    shown(item),
                    line_of(value, index),
                    "type",
                )
                continue
            items.append(str(item).strip())
        return tuple(items)

    def refs(self, ids: Iterable[str], field: str, line: int | None, kind: str, known: Iterable[str]) -> list[str]:
        """The ids among ``ids`` that name a known ``kind``; a ``reference`` problem for each unknown one.

        Ids of items that were themselves rejected (see :meth:`Problems.reject`) are dropped silently: one bad
        value gives one problem, not one more for every place that cites it.
        """
        known = set(known)
        rejected = self.problems.rejected
        kept = []
        for item_id in ids:
            if item_id in known:
                kept.append(item_id)
            elif (kind, item_id) not in rejected:
                article = "an" if kind[:1] in "aeiou" else "a"
                self.problem(field, f"refers to {article} {kind} id that is not defined", item_id, line, "reference")
        return kept
