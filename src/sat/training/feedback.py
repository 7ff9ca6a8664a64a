"""Offline HTML pages (one per trainee, one class view) and the class gradebook CSV.

Every page is one self-contained file: inline CSS and inline SVG figures, no script and no link to anything
outside it (no CDN). Every text that comes from a case, a key or a submission is escaped (:mod:`sat.htmltext`);
every gradebook cell that a spreadsheet could run as a formula is neutralised (:mod:`sat.spreadsheet`).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..htmltext import esc
from ..language import icd203_band
from ..palette import RATING_COLOURS, RATING_TEXT
from ..spreadsheet import neutralise

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..model import Case
    from .ach_grade import Grade
    from .calibration import DrillScores, Forecasts
    from .exercise import Exercise
    from .key import Key

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.45}
table{border-collapse:collapse;margin:.6em 0 1.2em}td,th{border:1px solid #ccc;padding:3px 7px;font-size:.9em}
th{background:#f3f3f3;text-align:left}.num{text-align:right}.code{text-align:center;font-weight:600;min-width:2.4em}
.cost{outline:3px solid #c92a2a;outline-offset:-3px}.pair{display:flex;gap:2em;flex-wrap:wrap}
.total{font-size:1.4em;font-weight:700}.muted{color:#666;font-size:.9em}figure{margin:1em 0}
"""
LABELS = {
    "cells": "Cell agreement (partial credit one step off)",
    "kappa": "Quadratic-weighted kappa",
    "ranking": "Ranking (Kendall tau)",
    "top": "Leading hypothesis",
    "diagnostic": "Diagnostic items found",
    "non_diagnostic": "Non-diagnostic items found",
    "linchpins": "Linchpins found",
    "accuracy": "Accuracy against the computed answer",
}


def page(title: str, body: str) -> str:
    """A complete, self-contained HTML page."""
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
        f"<style>{CSS}</style></head><body>\n{body}\n</body></html>\n"
    )


def svg(fig: Figure) -> str:
    """A matplotlib figure as inline SVG (no date in its metadata, so pages are reproducible)."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _number(value: float | None, digits: int = 2) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def _code_cell(text: str, costly: bool = False) -> str:
    """A matrix cell coloured by its (first) rating: ``C/CC`` is coloured as C."""
    code = text.split("/")[0]
    style = f"background:{RATING_COLOURS.get(code, '#fff')};color:{RATING_TEXT.get(code, '#000')}"
    return f'<td class="code{" cost" if costly else ""}" style="{style}">{esc(text)}</td>'


def _matrix(case: Case, codes: dict[tuple[str, str], str], costly: set[tuple[str, str]], caption: str) -> str:
    """A rating matrix; hovering an id shows the hypothesis's title or the item's summary."""
    head = "".join(f'<th title="{esc(h.title)}">{esc(h.id)}</th>' for h in case.hypotheses)
    rows = "".join(
        f'<tr><th title="{esc(e.summary)}">{esc(e.id)}</th>'
        + "".join(_code_cell(codes.get((e.id, h), ""), (e.id, h) in costly) for h in case.hypothesis_ids)
        + "</tr>"
        for e in case.evidence
    )
    return f"<div><h3>{esc(caption)}</h3><table><tr><th>evidence</th>{head}</tr>{rows}</table></div>"


def trainee_page(exercise: Exercise, case: Case, key: Key, grade: Grade) -> str:
    """The feedback page of one trainee: the grade, their matrix beside the key, the cells that cost points with
    the key's why, the items found, and what their own ratings imply (from the report's functions)."""
    costly = {(c.evidence, c.hypothesis) for c in grade.cells if c.credit < 1}
    mine = {(c.evidence, c.hypothesis): c.given for c in grade.cells}
    expected = {
        (c.evidence, c.hypothesis): "/".join(c.accept) if len(c.accept) > 1 else c.expected for c in grade.cells
    }
    parts = [
        f"<h1>{esc(exercise.title)}</h1>",
        f"<p>Feedback for <b>{esc(grade.trainee)}</b>. Graded with {esc(grade.key_label)}.</p>",
        f'<p class="total">{grade.total:.1f} / {grade.out_of:.0f} points</p>',
        "<table><tr><th>part</th><th>measure</th><th>points</th></tr>",
    ]
    measures = {
        "cells": f"{grade.agreement:.0%} of the weighted credit",
        "kappa": f"kappa {_number(grade.kappa)}",
        "ranking": f"tau {_number(grade.tau)}",
        "top": f"your leader {grade.leader}; the key accepts {', '.join(key.top)}",
        **{k: f"{len(grade.found[k])} of {len(grade.found[k]) + len(grade.missed[k])}" for k in grade.found},
        "accuracy": (
            f"distance {_number(grade.distance, 3)} (0 best, 2 worst), mean absolute error {_number(grade.mae, 3)}"
            if grade.distance is not None
            else ""
        ),
    }
    for name, top in grade.maximum.items():
        if top > 0:
            parts.append(
                f"<tr><td>{esc(LABELS[name])}</td><td>{esc(measures[name])}</td>"
                f'<td class="num">{grade.points[name]:.1f} / {top:.0f}</td></tr>'
            )
    parts.append("</table>")
    if grade.unrated:
        parts.append(f"<p>You left {grade.unrated} cell(s) unrated; an unrated cell earns nothing.</p>")
    parts.append(
        '<h2>Your matrix beside the key</h2><p class="muted">Outlined cells cost points. Where the key '
        "shows two or more ratings (C/CC), experts disagree and any of them earns full credit.</p>"
    )
    parts.append(
        f'<div class="pair">{_matrix(case, mine, costly, "Your matrix")}{_matrix(case, expected, costly, "Key")}</div>'
    )
    lost = [c for c in grade.cells if c.credit < 1]
    if lost:
        parts.append(
            "<h2>Cells that cost points</h2><table><tr><th>cell</th><th>yours</th><th>key</th>"
            "<th>credit</th><th>why</th></tr>"
        )
        for c in sorted(lost, key=lambda c: (c.credit, c.evidence, c.hypothesis)):
            parts.append(
                f"<tr><td>{esc(c.evidence)} / {esc(c.hypothesis)}</td><td>{esc(c.given or 'unrated')}</td>"
                f'<td>{esc("/".join(c.accept))}</td><td class="num">{c.credit:g}</td>'
                f"<td>{esc(c.why)}</td></tr>"
            )
        parts.append("</table>")
    parts.append("<h2>Items</h2><table><tr><th></th><th>found</th><th>missed</th></tr>")
    for name in ("diagnostic", "non_diagnostic", "linchpins"):
        if grade.found[name] or grade.missed[name]:
            parts.append(
                f"<tr><td>{esc(LABELS[name])}</td><td>{esc(', '.join(grade.found[name]) or '–')}</td>"
                f"<td>{esc(', '.join(grade.missed[name]) or '–')}</td></tr>"
            )
    parts.append("</table>")
    parts.append(_implied(case, grade, key))
    return page(f"{exercise.title}: {grade.trainee}", "\n".join(parts))


def _implied(case: Case, grade: Grade, key: Key) -> str:
    scores = grade.scores
    rows = []
    for hid in case.hypothesis_ids:
        row = scores.hypotheses.loc[hid]
        normative = f'<td class="num">{esc(_percent(key.normative[hid]))}</td>' if key.normative is not None else ""
        rows.append(
            f"<tr><td>{esc(hid)}</td><td>{esc(case.hypothesis(hid).title)}</td>"
            f'<td class="num">{int(row["rank"])}</td><td class="num">{row["inconsistency"]:g}</td>'
            f'<td class="num">{esc(_percent(row["posterior"]))}</td>'
            f'<td class="num">{esc(_percent(grade.probabilities[hid]))}</td>{normative}</tr>'
        )
    extra = "<th>computed answer</th>" if key.normative is not None else ""
    linchpins = scores.sensitivity.linchpins if scores.sensitivity else []
    sentences = scores.sensitivity.sentences[:6] if scores.sensitivity else []
    return (
        '<h2>What your own ratings imply</h2><p class="muted">The same scores the report would show for '
        "your matrix.</p><table><tr><th>id</th><th>hypothesis</th><th>rank</th><th>inconsistency</th>"
        f"<th>posterior from your ratings</th><th>your probability</th>{extra}</tr>{''.join(rows)}</table>"
        f"<p>Your linchpins: {esc(', '.join(linchpins) or 'none')}</p>"
        + "".join(f'<p class="muted">{esc(s)}</p>' for s in sentences)
    )


def _percent(p: float) -> str:
    """A probability as a number with its ICD 203 term in brackets: ``70% [likely]``."""
    return f"{p:.0%} [{icd203_band(min(max(float(p), 0.0), 1.0)).term}]"


# --- the class ----------------------------------------------------------------------------------------------------


def distribution_figure(case: Case, key: Key, share: pd.DataFrame) -> Figure:
    """The class's ratings per cell as a heatmap: one panel per hypothesis, evidence down, ratings across, the
    colour the share of trainees who gave that rating, the key's acceptable ratings outlined. Shares, not
    names: it reads the same for 20 trainees or 200."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    columns = list(share.columns)
    n_e, n_h = len(case.evidence_ids), len(case.hypothesis_ids)
    values = share.to_numpy().reshape(n_e, n_h, len(columns))
    fig = Figure(figsize=(1.6 + 1.9 * n_h, 1.2 + 0.24 * n_e))
    axes = fig.subplots(1, n_h, sharey=True, squeeze=False)[0]
    image = None
    for j, (ax, hid) in enumerate(zip(axes, case.hypothesis_ids)):
        image = ax.imshow(values[:, j, :], cmap="Blues", vmin=0, vmax=1, aspect="auto")
        for i, eid in enumerate(case.evidence_ids):
            for code in key.cells[(eid, hid)].accept:
                k = columns.index(code)
                ax.add_patch(Rectangle((k - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="#e8590c", linewidth=1.3))
        ax.set_xticks(range(len(columns)), ["CC", "C", "N", "I", "II", "NA", "–"], fontsize=7)
        ax.set_title(hid, fontsize=9)
        ax.tick_params(length=0)
    axes[0].set_yticks(range(n_e), case.evidence_ids, fontsize=7)
    if image is not None:
        fig.colorbar(image, ax=list(axes), shrink=0.6, label="share of trainees")
    return fig


def totals_figure(totals: Iterable[float], out_of: float) -> Figure:
    """Histogram of the class's totals."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5, 2.6))
    ax = fig.subplots()
    ax.hist(list(totals), bins=np.linspace(0, out_of, 21).tolist(), color="#4c6ef5", edgecolor="white")
    ax.set_xlabel(f"total (out of {out_of:g})")
    ax.set_ylabel("trainees")
    fig.tight_layout()
    return fig


def class_page(
    exercise: Exercise, case: Case, key: Key, grades: list[Grade], share: pd.DataFrame, hardest: pd.DataFrame
) -> str:
    """The instructor's class view: totals, the rating distribution per cell, the hardest cells."""
    totals = [g.total for g in grades]
    out_of = grades[0].out_of if grades else 0.0
    parts = [
        f"<h1>{esc(exercise.title)}: class view</h1>",
        f"<p>{len(grades)} trainees, graded with {esc(key.label)}. Median total {np.median(totals):.1f}, "
        f"lowest {min(totals):.1f}, highest {max(totals):.1f} (out of {out_of:g}).</p>",
        f"<figure>{svg(totals_figure(totals, out_of))}</figure>",
        "<h2>Hardest cells</h2><table><tr><th>cell</th><th>key</th><th>mean credit</th><th>why</th></tr>",
    ]
    for row in hardest.itertuples(index=False):
        parts.append(
            f"<tr><td>{esc(row.evidence)} / {esc(row.hypothesis)}</td><td>{esc(row.accept)}</td>"
            f'<td class="num">{row.mean_credit:.2f}</td><td>{esc(row.why)}</td></tr>'
        )
    parts.append(
        '</table><h2>How the class rated each cell</h2><p class="muted">Darker = more trainees gave '
        "that rating; outlined = a rating the key accepts.</p>"
    )
    parts.append(f"<figure>{svg(distribution_figure(case, key, share))}</figure>")
    return page(f"{exercise.title}: class view", "\n".join(parts))


def gradebook_csv(frame: pd.DataFrame) -> str:
    """The gradebook as CSV text, every text cell neutralised against formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False):
        writer.writerow([neutralise(_csv_value(v)) for v in row])
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    return value


# --- calibration drills ------------------------------------------------------------------------------------------


def drill_page(exercise: Exercise, scores: DrillScores, forecasts: Forecasts) -> str:
    """The feedback page of one trainee's drill: their Brier per question beside the class median, their
    calibration curve with Murphy's terms, and their numbers for the ICD 203 terms against the ranges."""
    from .calibration import calibration_figure, term_feedback, with_term

    row = scores.table.loc[forecasts.trainee]
    median = scores.brier.median(axis=0)
    parts = [
        f"<h1>{esc(exercise.title)}</h1>",
        f"<p>Feedback for <b>{esc(forecasts.trainee)}</b>. Scored with {esc(scores.bank.label)}.</p>",
        f'<p class="total">Mean Brier score {_number(row["brier"], 3)} '
        f'<span class="muted">(0 is perfect, 2 the worst; lower is better)</span></p>',
        f"<p>Relative to the class median: {_number(row['relative_to_median'], 3)} (below 0: better than "
        "the median forecaster on the same questions).</p>",
        "<table><tr><th>question</th><th>your forecast</th><th>what happened</th><th>your Brier</th>"
        "<th>class median</th></tr>",
    ]
    for q in scores.bank.questions:
        if q.resolution is None or q.id not in forecasts.forecasts:
            continue
        given = forecasts.forecasts[q.id]
        shown = "; ".join(f"{o}: {with_term(given[o])}" for o in q.options)
        parts.append(
            f"<tr><td>{esc(q.text)}</td><td>{esc(shown)}</td><td>{esc(q.resolution)}"
            f"{('<br><span class=muted>' + esc(q.note) + '</span>') if q.note else ''}</td>"
            f'<td class="num">{scores.brier.at[forecasts.trainee, q.id]:.3f}</td>'
            f'<td class="num">{median[q.id]:.3f}</td></tr>'
        )
    parts.append("</table>")
    fc, oc = scores.events[forecasts.trainee]
    if fc.size:
        fig = calibration_figure(fc, oc, f"Your calibration ({fc.size} probabilities, 5 bins)", bins=5)
        parts.append(f"<figure>{svg(fig)}</figure>")
    if forecasts.terms:
        parts.append("<h2>What do the words mean to you?</h2>")
        parts.extend(f"<p>{esc(term_feedback(t, v))}</p>" for t, v in forecasts.terms.items())
    return page(f"{exercise.title}: {forecasts.trainee}", "\n".join(parts))


def drill_class_page(exercise: Exercise, scores: DrillScores) -> str:
    """The instructor's view of a drill: the class table, the pooled calibration curve, and the terms drill."""
    from .calibration import calibration_figure, class_terms

    table = scores.table.sort_values("brier")
    parts = [
        f"<h1>{esc(exercise.title)}: class view</h1>",
        f"<p>{len(table)} trainees, scored with {esc(scores.bank.label)}.</p>",
        "<table><tr><th>trainee</th><th>answered</th><th>mean Brier</th><th>vs median</th>"
        "<th>reliability</th><th>resolution</th><th>terms in ICD 203 range</th></tr>",
    ]
    for trainee, row in table.iterrows():
        parts.append(
            f'<tr><td>{esc(trainee)}</td><td class="num">{int(row["answered"])}</td>'
            f'<td class="num">{_number(row["brier"], 3)}</td>'
            f'<td class="num">{_number(row["relative_to_median"], 3)}</td>'
            f'<td class="num">{_number(row.get("reliability"), 3)}</td>'
            f'<td class="num">{_number(row.get("resolution"), 3)}</td>'
            f'<td class="num">{int(row["terms_in_range"])} / {int(row["terms_given"])}</td></tr>'
        )
    parts.append("</table>")
    pooled_f = np.concatenate([f for f, _ in scores.events.values()]) if scores.events else np.array([])
    pooled_o = np.concatenate([o for _, o in scores.events.values()]) if scores.events else np.array([])
    if pooled_f.size:
        fig = calibration_figure(
            pooled_f, pooled_o, f"The class, pooled ({pooled_f.size} probabilities, by distinct value)", bins=None
        )
        parts.append(f"<figure>{svg(fig)}</figure>")
    terms = class_terms(scores)
    if len(terms):
        parts.append(
            "<h2>What the words mean to the class</h2><table><tr><th>term</th><th>ICD 203</th>"
            "<th>median</th><th>lowest</th><th>highest</th><th>in range</th></tr>"
        )
        for row in terms.itertuples(index=False):
            parts.append(
                f"<tr><td>{esc(row.term)}</td><td>{esc(row.icd203_range)}</td>"
                f'<td class="num">{row.median:.0%}</td><td class="num">{row.lowest:.0%}</td>'
                f'<td class="num">{row.highest:.0%}</td><td class="num">{row.in_range:.0%}</td></tr>'
            )
        parts.append("</table>")
    return page(f"{exercise.title}: class view", "\n".join(parts))


# --- question exercises ------------------------------------------------------------------------------------------


def _answer_text(value: Any) -> str:
    if value is None:
        return "no answer"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(empty)"
    return f"{value:g}" if isinstance(value, float) else str(value)


def questions_page(exercise: Exercise, grade: Any) -> str:
    """The feedback page of one trainee on a question exercise: each answer beside the key's, with its why."""
    parts = [
        f"<h1>{esc(exercise.title)}</h1>",
        f"<p>Feedback for <b>{esc(grade.trainee)}</b>. Graded with {esc(grade.key_label)}.</p>",
        f'<p class="total">{grade.total:.1f} / {grade.out_of:g} points</p>',
        "<table><tr><th>question</th><th>your answer</th><th>key</th><th>points</th><th>why</th></tr>",
    ]
    for q, given, credit in grade.rows:
        parts.append(
            f"<tr><td>{esc(q.prompt)}</td><td>{esc(_answer_text(given))}</td>"
            f'<td>{esc(_answer_text(q.answer))}</td><td class="num">{q.points * credit:.1f} / '
            f"{q.points:g}</td><td>{esc(q.why)}</td></tr>"
        )
    parts.append("</table>")
    return page(f"{exercise.title}: {grade.trainee}", "\n".join(parts))


def questions_class_page(exercise: Exercise, key: Any, grades: list[Any]) -> str:
    """The instructor's view of a question exercise: totals, and per question the mean credit and the answers
    given most often."""
    from collections import Counter

    totals = [g.total for g in grades]
    out_of = grades[0].out_of if grades else 0.0
    parts = [
        f"<h1>{esc(exercise.title)}: class view</h1>",
        f"<p>{len(grades)} trainees, graded with {esc(key.label)}. Median total {np.median(totals):.1f} "
        f"(out of {out_of:g}).</p>",
        f"<figure>{svg(totals_figure(totals, out_of))}</figure>",
        "<table><tr><th>question</th><th>key</th><th>mean credit</th><th>answers given most often</th></tr>",
    ]
    for k, q in enumerate(key.questions):
        given = Counter(_answer_text(g.rows[k][1]) for g in grades)
        mean = float(np.mean([g.rows[k][2] for g in grades]))
        common = "; ".join(f"{text} ({n})" for text, n in given.most_common(3))
        parts.append(
            f"<tr><td>{esc(q.prompt)}</td><td>{esc(_answer_text(q.answer))}</td>"
            f'<td class="num">{mean:.2f}</td><td>{esc(common)}</td></tr>'
        )
    parts.append("</table>")
    return page(f"{exercise.title}: class view", "\n".join(parts))
