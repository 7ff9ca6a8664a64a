"""Tracking: each indicator's status at any date, from an append-only log of observations.

An indicator's status at a date is its latest observation at or before that date; two rows of one indicator on one
date keep the later row (a correction is a new row, history is never rewritten). Grabo's distinction holds
throughout (*Anticipating Surprise*, 2002, ch. 3; TRADECRAFT.md §2): ``absent`` -- looked for and not seen -- is
information, ``unknown`` -- no information -- is not; an indicator never observed is ``unknown``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

STATUSES: tuple[str, ...] = ("observed", "absent", "unknown")
UNKNOWN = "unknown"
#: Columns of the observation log, as in ``observations.csv``.
COLUMNS: tuple[str, ...] = ("indicator", "date", "status", "credibility", "sources", "note")


def latest(observations: pd.DataFrame, date: dt.date | None) -> pd.DataFrame:
    """The latest observation of each indicator at or before ``date`` (every date when None), indexed by indicator.

    ``observations`` is in file order (columns of :data:`COLUMNS`); ties on a date keep the later row.
    """
    rows = observations if date is None else observations[observations["date"] <= date]
    ordered = rows.assign(_row=range(len(rows))).sort_values(["date", "_row"], kind="stable")
    return ordered.drop(columns="_row").drop_duplicates("indicator", keep="last").set_index("indicator")


def status_at(observations: pd.DataFrame, indicators: Sequence[str], date: dt.date | None) -> pd.DataFrame:
    """Status, credibility and observation date of every indicator at ``date`` (``unknown`` when never observed)."""
    last = latest(observations, date).reindex(list(indicators))
    last["status"] = last["status"].fillna(UNKNOWN)
    last["credibility"] = last["credibility"].fillna("")
    return last[["status", "date", "credibility", "sources", "note"]].rename_axis("indicator")


def board(
    observations: pd.DataFrame, indicators: Sequence[str], ends: Sequence[dt.date], labels: Sequence[str] | None = None
) -> pd.DataFrame:
    """Status board: indicators down, one column per period (its status at the period's end date)."""
    columns = list(labels) if labels is not None else [d.isoformat() for d in ends]
    frame = pd.DataFrame(
        {label: status_at(observations, indicators, end)["status"] for label, end in zip(columns, ends)},
        index=pd.Index(list(indicators), name="indicator"),
    )
    return frame


def period_ends(first: dt.date, last: dt.date, freq: str = "Q") -> tuple[list[dt.date], list[str]]:
    """End dates and labels of the calendar periods (``M`` months, ``Q`` quarters, ``Y`` years) from ``first``'s
    period to ``last``'s; the last period ends at ``last`` so nothing after it is shown."""
    periods = pd.period_range(pd.Period(first, freq), pd.Period(last, freq), freq=freq)
    ends = [min(p.end_time.date(), last) for p in periods]
    return ends, [str(p) for p in periods]
