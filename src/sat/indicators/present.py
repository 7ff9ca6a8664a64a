"""Tables (pandas Styler, HTML-escaped, fixed ids) and figures (matplotlib) of an indicator board, for the report
notebook and the editor. The validator matrix is coloured like the ACH matrix: HL as CC ... HU as II."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from ..ach.figures import _short, _styler
from ..htmltext import esc
from ..language import ICD203, icd203_term
from ..palette import RATING_COLOURS, RATING_TEXT
from .tracking import board as status_board
from .tracking import period_ends
from .validator import CRITERIA, SCALE_LABEL, criteria_summary

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .board import Board

#: Pherson's scale on the ACH matrix's colours (most likely green, least likely red).
SCALE_AS_ACH: dict[str, str] = {"HL": "CC", "L": "C", "C": "N", "U": "I", "HU": "II", "": ""}
STATUS_COLOURS: dict[str, str] = {"observed": "#1a9850", "absent": "#fdae61", "unknown": "#ffffff"}
STATUS_TEXT: dict[str, str] = {"observed": "#ffffff"}


def rating_css(code: str) -> str:
    ach = SCALE_AS_ACH.get(code, "")
    return (
        f"background-color: {RATING_COLOURS.get(ach, '#ffffff')}; color: {RATING_TEXT.get(ach, '#000000')}; "
        "text-align: center; font-weight: 600"
    )


def status_css(status: str) -> str:
    return (
        f"background-color: {STATUS_COLOURS.get(status, '#ffffff')}; color: {STATUS_TEXT.get(status, '#000')}; "
        "text-align: center"
    )


def validator_table(board: Board, uid: str = "validator") -> Styler:
    """Indicators down, targets across (coloured ratings), then every diagnosticity rule and the flag."""
    table = board.validator_table()
    ratings = board.ratings
    rule = board.spec.rule
    frame = ratings.copy()
    frame.index = [f"{i.id}: {_short(i.text, 70)}" for i in board.spec.indicators]
    frame["Spread (steps)"] = table["spread"].to_numpy()
    frame["Home − best other (steps)"] = table["home_vs_other"].to_numpy()
    frame["Log likelihood ratio"] = table["llr"].to_numpy()
    frame["Diagnostic"] = np.where(table["diagnostic"], "yes", f"no ({rule})")
    formats = {"Spread (steps)": "{:.0f}", "Home − best other (steps)": "{:.0f}", "Log likelihood ratio": "{:.2f}"}
    return (
        _styler(frame, uid, formats)
        .map(rating_css, subset=board.targets)
        .set_table_styles(
            [{"selector": "th.row_heading", "props": "text-align: left; font-weight: normal; max-width: 36em"}]
        )
    )


def scale_table(board: Board, uid: str = "scale") -> Styler:
    """The rating scale and the probability each rating stands for."""
    frame = pd.DataFrame(
        {
            "Meaning": [SCALE_LABEL[c] for c in board.spec.mapping],
            "P(observed | target)": list(board.spec.mapping.values()),
            "P(absent | target)": [1 - p for p in board.spec.mapping.values()],
        },
        index=pd.Index(list(board.spec.mapping), name="Rating"),
    )
    return (
        _styler(frame, uid, {"P(observed | target)": "{:.2f}", "P(absent | target)": "{:.2f}"})
        .map(lambda _: "", subset=["Meaning"])
        .apply_index(lambda s: [rating_css(v) for v in s], axis=0)
    )


def criteria_table(board: Board, uid: str = "criteria") -> Styler:
    """Each indicator's five criteria, and the count per level underneath."""
    frame = board.criteria.copy()
    summary = criteria_summary(board.criteria).T
    for level, row in summary.iterrows():
        frame.loc[f"indicators rated {level}"] = [int(row[c]) for c in CRITERIA]
    colours = {"high": "#a6d96a", "medium": "#f7f7f7", "low": "#fdae61"}
    return _styler(frame.astype(str), uid).map(lambda v: f"background-color: {colours.get(v, '#ffffff')}")


def coverage_table(board: Board, uid: str = "coverage") -> Styler:
    """Per target: how many diagnostic indicators point to it, and whether that reaches the case's minimum."""
    cover = board.coverage()
    frame = pd.DataFrame(
        {
            "Target": [f"{t}: {_short(board.target_names.get(t, ''), 60)}" for t in cover.index],
            "Diagnostic indicators pointing to it": cover["indicators"].replace("", "none"),
            "Count": cover["count"],
            f"At least {board.spec.coverage}": np.where(cover["covered"], "yes", "NO"),
        }
    )
    return (
        _styler(frame, uid)
        .hide(axis="index")
        .map(lambda v: "background-color: #ffc078" if v == "NO" else "", subset=[f"At least {board.spec.coverage}"])
    )


def collectors_list(board: Board) -> pd.DataFrame:
    """The non-diagnostic indicators, kept for collectors (their warning value; Pherson)."""
    table = board.validator_table()
    flat = table[~table["diagnostic"]]
    texts = {i.id: i.text for i in board.spec.indicators}
    return pd.DataFrame(
        {
            "indicator": flat.index,
            "text": [texts[i] for i in flat.index],
            "log likelihood ratio": flat["llr"].round(3).to_numpy(),
        }
    )


def collectors_table(board: Board, uid: str = "collectors") -> Styler:
    """:func:`collectors_list` as an escaped table."""
    return _styler(collectors_list(board), uid, {"log likelihood ratio": "{:.2f}"}).hide(axis="index")


def board_table(board: Board, freq: str = "Q", until: dt.date | None = None, uid: str = "board") -> Styler:
    """Status board: indicators down, periods across (status at each period's end)."""
    dates = board.observations["date"]
    if dates.empty:
        return _styler(pd.DataFrame({"status": ["no observations yet"]}), uid)
    last = until or max(dates)
    ends, labels = period_ends(min(dates), last, freq)
    frame = status_board(board.observations, board.spec.ids, ends, labels)
    return _styler(frame, uid).map(status_css)


def timeline_frame(board: Board, until: dt.date | None = None) -> pd.DataFrame:
    """The timeline as a table: date, each target's probability and ICD 203 term, what moved it most."""
    line = board.timeline(until)
    rows = []
    for date, probs in line.probabilities.iterrows():
        movers = line.movers.get(date)
        top = movers[movers["shift"] > 0].head(2) if movers is not None else movers
        moved = (
            "; ".join(f"{m.indicator} {m.status} ({m.shift:.2f})" for m in top.itertuples())
            if top is not None
            else "(prior)"
        )
        rows.append(
            {
                "Date": "prior" if date is None else date.isoformat(),
                **{t: f"{p:.0%} {icd203_term(float(p))}" for t, p in probs.items()},
                "Moved most (total variation)": moved,
            }
        )
    return pd.DataFrame(rows)


def timeline_figure(board: Board, until: dt.date | None = None) -> Figure:
    """Each target's probability over time, stepwise from the case's as-of date, over the ICD 203 bands."""
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    line = board.timeline(until).probabilities
    fig, ax = plt.subplots(figsize=(9, 4.2))
    shades = ["#f7f7f7", "#e8e8e8"]
    for i, band in enumerate(ICD203):
        ax.axhspan(band.low if i else 0, band.high if i < len(ICD203) - 1 else 1, color=shades[i % 2], zorder=0)
        ax.text(
            1.005,
            (band.low + band.high) / 2,
            band.term,
            transform=ax.get_yaxis_transform(),
            fontsize=7,
            va="center",
            color="#555555",
        )
    dates = list(line.index[1:])
    if dates:
        as_of = board.case.as_of
        start = as_of if as_of is not None and as_of < dates[0] else dates[0] - dt.timedelta(days=30)
        x = [start, *dates, dates[-1] + dt.timedelta(days=20)]
        for target in line.columns:
            y = line[target].to_numpy()
            ax.step(x, [*y, y[-1]], where="post", label=target, linewidth=1.8, zorder=2)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.set_ylim(0, 1)
    ax.set_ylabel("probability")
    if dates:
        ax.legend(
            loc="upper left", fontsize=8, ncol=min(5, len(line.columns)), frameon=False, bbox_to_anchor=(0, -0.12)
        )
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def board_link_html(folder: Path, case_id: str) -> str:
    """A paragraph linking to the case's indicators report (rendered beside this one by ``sat report``), or ""
    when the case has no ``indicators.yaml``."""
    from .files import INDICATORS_FILE

    if not (folder / INDICATORS_FILE).is_file():
        return ""
    href = esc(f"{case_id}-indicators.html")
    return (
        f"<p><b>Indicator board:</b> what was observed since, and how it moved the picture: "
        f'<a href="{href}">{href}</a>.</p>'
    )
