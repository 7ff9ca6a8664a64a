"""Tables (pandas Styler) and figures (matplotlib) shared by the report notebooks and the editor.

Every Styler escapes its cells and labels as HTML and carries a fixed id, so rendered notebooks are reproducible
(nbval) and analyst text cannot inject markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from ..htmltext import plain_text_figures
from ..language import ICD203, icd203_term, percent_text
from ..palette import LEVEL_COLOURS, RATING_COLOURS, RATING_TEXT

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..model import Case
    from .analysis import AchScores


def _styler(frame: pd.DataFrame, uid: str, formats: dict[str, str] | None = None) -> Styler:
    """A Styler with a fixed id whose every cell and label is HTML-escaped.

    ``formats`` maps columns to format strings. It is applied in the same ``format`` call as the escaping: a
    later ``Styler.format`` call would reset the other columns to pandas' default, unescaped, formatter.
    """
    styler = frame.style.set_uuid(uid)
    text_columns = [c for c in frame.columns if frame[c].dtype == object]
    if text_columns:
        styler = styler.set_properties(subset=text_columns, **{"text-align": "left"})
    number_columns = [
        c
        for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c].dtype) and not pd.api.types.is_bool_dtype(frame[c].dtype)
    ]
    if number_columns:
        styler = styler.set_properties(subset=number_columns, **{"text-align": "right"})
    return (
        styler.format(formats, escape="html", na_rep="")
        .format_index(escape="html", axis=0)
        .format_index(escape="html", axis=1)
    )


def rating_cell_css(code: str) -> str:
    """CSS of one matrix cell."""
    colour = RATING_COLOURS.get(code, "#ffffff")
    text = RATING_TEXT.get(code, "#000000")
    return f"background-color: {colour}; color: {text}; text-align: center; font-weight: 600"


def matrix_table(case: Case, matrix: pd.DataFrame, uid: str = "matrix", order: list[str] | None = None) -> Styler:
    """The rating matrix: evidence down (id and summary), hypotheses across, cells coloured by rating."""
    rows = order or list(matrix.index)
    shown = matrix.loc[rows].copy()
    summaries = {e.id: e.summary for e in case.evidence}
    shown.index = [f"{eid}: {_short(summaries.get(eid, ''), 70)}" for eid in rows]
    shown.columns = [f"{h.id}" for h in case.hypotheses if h.id in matrix.columns]
    return (
        _styler(shown, uid)
        .map(rating_cell_css)
        .set_table_styles(
            [{"selector": "th.row_heading", "props": "text-align: left; font-weight: normal; max-width: 36em"}]
        )
    )


def hypotheses_table(case: Case, scores: AchScores, uid: str = "scores") -> Styler:
    """Scores under each method side by side, ranked."""
    frame = scores.hypotheses.sort_values("rank")
    shown = pd.DataFrame(
        {
            "Rank": frame["rank"],
            "Hypothesis": [f"{hid}: {title}" for hid, title in zip(frame.index, frame["title"])],
            "Inconsistency (PARC)": frame["inconsistency"],
            "Weighted inconsistency (PARC)": frame["weighted_inconsistency"],
            "Probability (likelihood mode)": frame["posterior"],
            "ICD 203 term": [icd203_term(p) for p in frame["posterior"]],
        }
    ).reset_index(drop=True)
    formats = {
        "Inconsistency (PARC)": "{:.2f}",
        "Weighted inconsistency (PARC)": "{:.3f}",
        "Probability (likelihood mode)": "{:.1%}",
    }
    return (
        _styler(shown, uid, formats)
        .hide(axis="index")
        .bar(subset=["Probability (likelihood mode)"], color="#74a9cf", vmin=0, vmax=1)
    )


def evidence_table(scores: AchScores, uid: str = "diagnosticity") -> Styler:
    """Evidence by diagnosticity, most diagnostic first; items with no diagnostic value marked."""
    frame = scores.evidence
    shown = pd.DataFrame(
        {
            "Evidence": [f"{eid}: {_short(s, 90)}" for eid, s in zip(frame.index, frame["summary"])],
            "Type": frame["type"],
            "Likelihood ratio (max/min)": frame["likelihood_ratio"],
            "Rating spread (std)": frame["rating_spread"],
            "Diagnostic value": np.where(frame["diagnostic"], "", "none: rated alike for every hypothesis"),
        }
    ).reset_index(drop=True)
    return (
        _styler(shown, uid, {"Likelihood ratio (max/min)": "{:.2f}", "Rating spread (std)": "{:.2f}"})
        .hide(axis="index")
        .bar(subset=["Likelihood ratio (max/min)"], color="#9ecae1", vmin=1)
    )


def disagreement_table(scores: AchScores, uid: str = "disagreement") -> Styler:
    """Cells on which the analysts differ, with each analyst's rating and the level of dispute."""
    rows = scores.disagreements
    frame = pd.DataFrame(
        {
            "Evidence": rows["evidence"],
            "Hypothesis": rows["hypothesis"],
            **{a: [r[a] for r in rows["ratings"]] for a in scores.analysts},
            "Gap (steps)": rows["gap"],
            "Spread (std)": rows["spread"],
            "Level": [lvl + (" (split on NA)" if na else "") for lvl, na in zip(rows["level"], rows["na_split"])],
        }
    )
    styler = _styler(frame, uid, {"Spread (std)": "{:.2f}"}).hide(axis="index")
    styler = styler.map(rating_cell_css, subset=list(scores.analysts))
    return styler.map(lambda lvl: f"background-color: {LEVEL_COLOURS.get(lvl.split(' ')[0], '#fff')}", subset=["Level"])


def posterior_figure(scores: AchScores) -> Figure:
    """Horizontal bars of each hypothesis's probability over the ICD 203 likelihood bands."""
    import matplotlib.pyplot as plt

    plain_text_figures()
    frame = scores.hypotheses.sort_values("rank", ascending=False)
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(frame) + 1.2))
    shades = ["#f7f7f7", "#ececec"]
    for i, band in enumerate(ICD203):
        ax.axvspan(band.low if i else 0, band.high if i < len(ICD203) - 1 else 1, color=shades[i % 2], zorder=0)
        ax.text(
            (band.low + band.high) / 2,
            len(frame) - 0.35,
            band.term,
            ha="center",
            va="bottom",
            fontsize=7,
            rotation=0 if band.high - band.low > 0.1 else 90,
            color="#555555",
        )
    ax.barh(range(len(frame)), frame["posterior"], color="#2b8cbe", zorder=2)
    ax.set_yticks(range(len(frame)), [f"{hid}" for hid in frame.index])
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(frame) + 0.4)
    ax.set_xlabel("probability (likelihood mode)")
    for y, p in enumerate(frame["posterior"]):
        ax.text(min(p + 0.01, 0.9), y, percent_text(p), va="center", fontsize=8, zorder=3)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def _short(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` characters at a word boundary, with an ellipsis when cut (a single word
    longer than ``width`` is cut inside). The full text is in the evidence table at the end of the report."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > 0 else cut).rstrip(" ,;:") + "…"


def evidence_details_table(case: Case, uid: str = "evidence") -> Styler:
    """Reference table of the evidence: date, type, credibility, relevance, sources and summary."""
    frame = case.evidence_frame()
    shown = frame[["date", "type", "credibility", "relevance", "sources", "summary"]].reset_index()
    shown.columns = ["Evidence", "Date", "Type", "Credibility", "Relevance", "Sources", "Summary"]
    return (
        _styler(shown, uid)
        .hide(axis="index")
        .set_table_styles([{"selector": "td", "props": "text-align: left; vertical-align: top"}])
    )


def tornado_figure(scores: AchScores, top: int = 12) -> Figure:
    """Tornado chart of step-6 sensitivity: per item, the range of the leader's probability over its changes."""
    import matplotlib.pyplot as plt

    plain_text_figures()
    assert scores.sensitivity is not None
    sens = scores.sensitivity
    swing = sens.swing().head(top).iloc[::-1]
    base = float(sens.base_posterior[sens.leader])
    fig, ax = plt.subplots(figsize=(8, 0.38 * len(swing) + 1.4))
    linchpins = set(sens.linchpins)
    colours = ["#d6604d" if eid in linchpins else "#92c5de" for eid in swing.index]
    ax.barh(range(len(swing)), swing["high"] - swing["low"], left=swing["low"], color=colours, zorder=2)
    ax.axvline(base, color="#333333", linewidth=1, zorder=3)
    for band in ICD203[1:]:
        ax.axvline(band.low, color="#cccccc", linewidth=0.6, linestyle=":", zorder=1)
    ax.set_yticks(range(len(swing)), list(swing.index))
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"probability of {sens.leader} when the item is removed, shifted a step, or reversed")
    ax.set_title(f"What moves {sens.leader} most (red: linchpins; line: as rated; dotted: ICD 203 bands)", fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def robustness_table(scores: AchScores, uid: str = "robustness") -> Styler:
    """P(rank first) and the 90% interval of each hypothesis's probability under rating uncertainty."""
    assert scores.robustness is not None
    frame = scores.hypotheses.sort_values("rank")
    shown = pd.DataFrame(
        {
            "Hypothesis": [f"{hid}: {title}" for hid, title in zip(frame.index, frame["title"])],
            "Probability as rated": frame["posterior"],
            "P(ranked first)": frame["p_top"],
            "90% interval": [f"{lo:.0%} to {hi:.0%}" for lo, hi in zip(frame["p_low"], frame["p_high"])],
        }
    ).reset_index(drop=True)
    formats = {"Probability as rated": "{:.1%}", "P(ranked first)": "{:.1%}"}
    return (
        _styler(shown, uid, formats).hide(axis="index").bar(subset=["P(ranked first)"], color="#74c476", vmin=0, vmax=1)
    )
