"""The live panel beside the grid: scores under each method, ranking, diagnosticity, and the group comparison.

Every number comes from :func:`sat.ach.analysis.score_case`, the function behind the report; this module only
lays the numbers out as HTML, escaping every piece of analyst text.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from ..ach.analysis import AchScores, score_case
from ..errors import SatError
from ..htmltext import esc
from ..language import icd203_term
from ..model import Case
from ..palette import LEVEL_COLOURS, RATING_COLOURS, RATING_TEXT
from .grid import cell_key

#: How many evidence items and disputed cells the panel lists (the report has them all).
TOP_EVIDENCE = 8
TOP_DISPUTES = 12
TOP_LINCHPINS = 4

PANEL_CSS = """<style>
.satp { font: 13px/1.4 var(--jp-ui-font-family, system-ui, sans-serif); color: #1f2328; }
.satp h4 { margin: 10px 0 4px; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #57606a; }
.satp table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
.satp th { text-align: left; font-weight: 600; color: #57606a; border-bottom: 1px solid #d0d7de; padding: 2px 4px; }
.satp td { border-bottom: 1px solid #eaeef2; padding: 3px 4px; vertical-align: top; }
.satp td.num { text-align: right; white-space: nowrap; }
.satp .bar { background: #eaeef2; height: 6px; border-radius: 2px; width: 64px; margin: 2px 0 0 auto; }
.satp .bar > div { background: #2b8cbe; height: 6px; border-radius: 2px; }
.satp .term { font-size: 11px; color: #57606a; }
.satp .prob { font-weight: 600; }
.satp .lead td { background: #f0f7ff; }
.satp .code { display: inline-block; min-width: 2.2em; text-align: center; font-weight: 600; border-radius: 3px; }
.satp .note { color: #57606a; margin: 4px 0; }
.satp .hid { font-weight: 700; }
.satp ul { margin: 2px 0 4px; padding-left: 18px; }
.satp ul.checks li { color: #57606a; font-size: 12px; }
.satp td.name { max-width: 1px; width: 100%; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
</style>"""


def score(case: Case, analyst: str, matrix: pd.DataFrame) -> AchScores:
    """Scores of ``matrix`` as ``analyst``'s ratings (the matrix need not be saved yet); raises SatError."""
    return score_case(dataclasses.replace(case, ratings={analyst: matrix}), analyst)


def group_scores(case: Case) -> AchScores | None:
    """All analysts combined, or None when there are fewer than two or the case cannot be scored."""
    if len(case.ratings) < 2:
        return None
    try:
        return score_case(case, sensitivity_analysis=False)
    except SatError:
        return None


def _title(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    shown = text if len(text) <= width else text[: width - 1] + "\u2026"
    return f'<span title="{esc(text)}">{esc(shown)}</span>'


def _code(code: str) -> str:
    style = f"background:{RATING_COLOURS.get(code, '#fff')};color:{RATING_TEXT.get(code, '#000')}"
    shown = esc(code or "\u2013")
    return f'<span class="code" style="{style}">{shown}</span>'


def ranking_html(scores: AchScores) -> str:
    """Hypotheses ranked, with the three scores and the ICD 203 term of each probability."""
    rows = []
    for hid, row in scores.hypotheses.sort_values("rank").iterrows():
        p = float(row["posterior"])
        rows.append(
            f'<tr class="{"lead" if row["rank"] == 1 else ""}" data-hypothesis="{esc(hid)}">'
            f'<td class="num">{int(row["rank"])}</td>'
            f'<td class="name"><span class="hid">{esc(hid)}</span> {_title(str(row["title"]), 80)}</td>'
            f'<td class="num">{row["inconsistency"]:.2f}</td>'
            f'<td class="num">{row["weighted_inconsistency"]:.3f}</td>'
            f'<td class="num"><span class="prob">{p:.1%}</span>'
            f'<div class="bar"><div style="width:{p * 100:.1f}%"></div></div>'
            f'<div class="term">{esc(icd203_term(p))}</div></td></tr>'
        )
    head = (
        "<tr><th>#</th><th>Hypothesis</th><th title='PARC inconsistency: I = -1, II = -2'>Incons.</th>"
        "<th title='PARC weighted inconsistency (credibility x relevance)'>Weighted</th>"
        "<th title='Likelihood mode, with the ICD 203 term'>Probability</th></tr>"
    )
    return f'<table class="ranking">{head}{"".join(rows)}</table>'


def diagnosticity_html(scores: AchScores) -> str:
    """The most diagnostic evidence, and the items with no diagnostic value."""
    frame = scores.evidence
    top = frame[frame["diagnostic"]].head(TOP_EVIDENCE)
    rows = "".join(
        f'<tr><td><span class="hid">{esc(eid)}</span> {_title(str(row["summary"]), 44)}</td>'
        f'<td class="num">{row["likelihood_ratio"]:.2f}</td><td class="num">{row["rating_spread"]:.2f}</td></tr>'
        for eid, row in top.iterrows()
    )
    head = (
        "<tr><th>Evidence</th><th title='Likelihood ratio max/min'>LR</th>"
        "<th title='Rating spread (std)'>Spread</th></tr>"
    )
    table = f"<table>{head}{rows}</table>" if rows else '<p class="note">No item tells the hypotheses apart yet.</p>'
    flat = list(frame.index[~frame["diagnostic"]])
    note = (
        f'<p class="note">No diagnostic value (rated alike for every hypothesis): {esc(", ".join(flat))}</p>'
        if flat
        else ""
    )
    return table + note


def linchpins_html(scores: AchScores) -> str:
    """Step-6 sensitivity: the items whose change would hand the lead over or move its likelihood band."""
    sens = scores.sensitivity
    if sens is None:
        return ""
    if not sens.sentences:
        return '<h4>Linchpins</h4><p class="note">No single item changes the lead or its likelihood band.</p>'
    items = "".join(f"<li>{esc(s)}</li>" for s in sens.sentences[:TOP_LINCHPINS])
    more = len(sens.sentences) - TOP_LINCHPINS
    extra = f'<p class="note">and {more} more in the report.</p>' if more > 0 else ""
    return (
        f"<h4>Linchpins: {esc(', '.join(sens.linchpins))}</h4>"
        f'<p class="note">Items whose change would hand the lead over or move its likelihood band; '
        f'marked <span style="color:#d9480f">\u25c6</span> in the grid.</p>'
        f'<ul class="linchpins">{items}</ul>{extra}'
    )


def checks_html(scores: AchScores) -> str:
    """The hypothesis-set warnings of the report (things the analyst should look at)."""
    if not scores.warnings:
        return ""
    items = "".join(f"<li>{esc(w.message)}</li>" for w in scores.warnings)
    return f'<h4>Checks</h4><ul class="checks">{items}</ul>'


def scores_html(scores: AchScores) -> str:
    """The panel in normal mode."""
    return (
        f'{PANEL_CSS}<div class="satp"><h4>Scores under each method</h4>{ranking_html(scores)}'
        f"{linchpins_html(scores)}<h4>Diagnosticity</h4>{diagnosticity_html(scores)}{checks_html(scores)}</div>"
    )


def hidden_html(rated: int, total: int) -> str:
    """The panel in blind mode before the matrix is complete."""
    return (
        f'{PANEL_CSS}<div class="satp"><h4>Blind rating</h4><p class="note">Scores and the other analysts\' '
        f"ratings stay hidden until you have rated every cell, so that they cannot anchor your judgement. "
        f"Hypotheses are in an order of your own; evidence with open cells comes first.</p>"
        f'<p><b class="progress">{rated} of {total}</b> cells rated.</p></div>'
    )


def message_html(text: str) -> str:
    """The panel when there is nothing to score yet (say why)."""
    return f'{PANEL_CSS}<div class="satp"><p class="note">{esc(text)}</p></div>'


def comparison_html(mine: AchScores, group: AchScores | None, analyst: str) -> str:
    """This analyst against the group: probabilities side by side, and the cells most in dispute."""
    if group is None:
        return message_html("Comparison needs the ratings of at least one other analyst in this case.")
    ranks = "".join(
        f'<tr><td><span class="hid">{esc(hid)}</span> {_title(str(row["title"]), 40)}</td>'
        f'<td class="num">{row["posterior"]:.1%}</td><td class="num">{int(row["rank"])}</td>'
        f'<td class="num">{group.hypotheses.loc[hid, "posterior"]:.1%}</td>'
        f'<td class="num">{int(group.hypotheses.loc[hid, "rank"])}</td></tr>'
        for hid, row in mine.hypotheses.iterrows()
    )
    head = f"<tr><th>Hypothesis</th><th>{esc(analyst)}</th><th>#</th><th>Group</th><th>#</th></tr>"
    disputed = group.disagreements.head(TOP_DISPUTES)
    others = list(group.analysts)
    cells = "".join(
        f'<tr style="background:{LEVEL_COLOURS.get(row["level"], "#fff")}"><td>{esc(row["evidence"])} '
        f"\u00d7 {esc(row['hypothesis'])}</td>"
        + "".join(f"<td>{_code(row['ratings'][a])}</td>" for a in others)
        + f"<td>{esc(row['level'])}{' (NA split)' if row['na_split'] else ''}</td></tr>"
        for _, row in disputed.iterrows()
    )
    cell_head = "<tr><th>Cell</th>" + "".join(f"<th>{esc(a)}</th>" for a in others) + "<th>Level</th></tr>"
    count = len(group.disagreements)
    disputes = (
        f"<table>{cell_head}{cells}</table>" if count else ('<p class="note">The analysts agree on every cell.</p>')
    )
    legend = (
        '<p class="note">Disputed cells are outlined in the grid, with a corner flag: '
        '<b style="color:#f08c00">mild</b>, <b style="color:#d9480f">large</b>, '
        '<b style="color:#212529">extreme</b>, <b style="color:#1c7ed6">split on NA</b>; '
        "hover a cell for every analyst's rating.</p>"
    )
    return (
        f'{PANEL_CSS}<div class="satp"><h4>You and the group ({esc(", ".join(group.analysts))})</h4>'
        f"<table>{head}{ranks}</table><h4>Cells in dispute: {count}</h4>{legend}{disputes}</div>"
    )


def dispute_marks(group: AchScores | None) -> tuple[dict[str, str], dict[str, str]]:
    """Grid highlights and hover texts for the disputed cells: (marks, tips) keyed by cell."""
    if group is None:
        return {}, {}
    rows = group.disagreements
    marks: dict[str, str] = {}
    tips: dict[str, str] = {}
    for eid, hid, ratings, level in zip(rows["evidence"], rows["hypothesis"], rows["ratings"], rows["level"]):
        key = cell_key(eid, hid)
        marks[key] = "na" if level == "consensus" else level
        votes = ", ".join(f"{a}: {c or '-'}" for a, c in ratings.items())
        tips[key] = f"{votes} ({'split on NA' if level == 'consensus' else level + ' disagreement'})"
    return marks, tips
