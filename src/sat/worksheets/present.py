"""How the worksheets are shown: tables (escaped pandas Stylers with fixed ids), the confidence x impact figure, and
HTML snippets (every piece of analyst text escaped) for the notebooks, the reports and the ACH report's source
summary statement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from pandas.io.formats.style import Styler

from .. import htmltext as h
from ..ach.figures import _styler
from ..model import LEVELS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..ach.analysis import AchScores
    from ..model import Case
    from .analysis import AssumptionsCheck, QualityCheck

CATEGORY_COLOURS: dict[str, str] = {"solid": "#1a9850", "correct-with-caveats": "#fdae61", "unsupported": "#d73027"}
MARK_COLOURS: dict[str, str] = {
    "corroborated": "#d9f0d3",
    "single-source": "#fff3bf",
    "conflicting": "#ffc9c9",
    "unsupported": "#e9ecef",
}


def _left(styler: Styler) -> Styler:
    return styler.hide(axis="index").set_table_styles(
        [{"selector": "td", "props": "text-align: left; vertical-align: top"}]
    )


def assumptions_table(check: AssumptionsCheck, uid: str = "kac") -> Styler:
    """Every assumption with its worksheet fields, the category (and disposition) coloured."""
    frame = check.table().reset_index()
    if frame.empty:
        return _styler(frame, uid)
    basis = [f"{b} ({e})" if e else b for b, e in zip(frame["basis"], frame["evidence"])]
    category = [f"{c}: {d}" if d else c for c, d in zip(frame["category"], frame["disposition"])]
    shown = pd.DataFrame(
        {
            "Id": frame["assumption"],
            "Assumption": frame["text"],
            "Stated?": frame["kind"],
            "Why it is believed (evidence)": basis,
            "Confidence": frame["confidence"],
            "Impact if wrong": frame["impact"],
            "Category": category,
            "True before, less so now": frame["less_so_now"],
        }
    )
    return _left(_styler(shown, uid)).map(_category_css, subset=["Category"])


def _category_css(value: object) -> str:
    category = str(value).split(":")[0]
    text = "#ffffff" if category in ("solid", "unsupported") else "#000000"
    return f"background-color: {CATEGORY_COLOURS.get(category, '#ffffff')}; color: {text}"


def grid_figure(check: AssumptionsCheck) -> Figure:
    """The confidence x impact grid: each assumption's id in its cell, coloured by category; the low-confidence,
    high-impact corner (where collection should go first) shaded."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    ax.add_patch(Rectangle((-0.5, 1.5), 1, 1, color="#ffe3e3", zorder=0))
    placed: dict[tuple[int, int], int] = {}
    for a in check.worksheet.assumptions:
        x, y = LEVELS.index(a.confidence), LEVELS.index(a.impact)
        n = placed.get((x, y), 0)
        placed[(x, y)] = n + 1
        ax.text(
            x - 0.35 + 0.23 * (n % 4),
            y + 0.25 - 0.22 * (n // 4),
            a.id,
            fontsize=9,
            fontweight="bold",
            color="#ffffff",
            ha="left",
            va="center",
            zorder=3,
            bbox={"boxstyle": "round,pad=0.25", "facecolor": CATEGORY_COLOURS[a.category], "edgecolor": "none"},
        )
    ax.set_xticks(range(3), [f"{level} confidence" for level in LEVELS])
    ax.set_yticks(range(3), [f"{level} impact" for level in LEVELS])
    ax.set_xlim(-0.5, 2.5)
    ax.set_ylim(-0.5, 2.5)
    for edge in (0.5, 1.5):
        ax.axvline(edge, color="#bbbbbb", linewidth=0.8)
        ax.axhline(edge, color="#bbbbbb", linewidth=0.8)
    handles = [Rectangle((0, 0), 1, 1, color=c) for c in CATEGORY_COLOURS.values()]
    ax.legend(
        handles,
        list(CATEGORY_COLOURS),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=3,
        fontsize=8,
        frameon=False,
    )
    ax.set_title("Key assumptions by confidence and impact if wrong (shaded: work on these first)", fontsize=9)
    fig.tight_layout()
    return fig


def needs_html(check: AssumptionsCheck) -> str:
    """The collection needs (unsupported, high-impact assumptions) and what is to be done about each."""
    if not check.needs:
        return "<p>No assumption is both unsupported and of high impact: no collection need follows from the check.</p>"
    return h.bullet_list(f"{a.id} ({a.disposition or 'no disposition'}): {a.text}" for a in check.needs)


def candidates_html(check: AssumptionsCheck) -> str:
    """The indicator candidates, with the command that writes them into indicators.yaml."""
    if not check.candidates:
        return "<p>No assumption says what could undermine it, so there are no indicator candidates.</p>"
    return (
        h.bullet_list(f"{c.id} (from {c.assumption}): {c.text}" for c in check.candidates)
        + f"<p>Write them into <code>indicators.yaml</code> with "
        f"<code>sat worksheets indicators {h.esc(check.case.id)}</code>.</p>"
    )


def sweep_html(check: AssumptionsCheck) -> str:
    """The sweep in sentences."""
    if not check.sweep:
        return (
            "<p>No assumption stands behind an evidence item of the ACH matrix (or the case has no ratings), so "
            "there is nothing to sweep.</p>"
        )
    return h.bullet_list(r.sentence for r in check.sweep)


def sweep_table(check: AssumptionsCheck, uid: str = "sweep") -> Styler:
    """Each hypothesis's probability with the assumption's items removed."""
    rows = [
        {"Assumption": r.assumption, "Removed": ", ".join(r.removed), "Leader": r.new_leader, **r.posteriors}
        for r in check.sweep
    ]
    frame = pd.DataFrame(rows)
    if not check.sweep:
        return _styler(frame, uid)
    return _left(_styler(frame, uid, dict.fromkeys(check.sweep[0].posteriors, "{:.0%}")))


def cues_html(check: AssumptionsCheck) -> str:
    """The cue phrases found, as prompts."""
    if not check.cues:
        return "<p>No cue phrase of a hidden assumption was found in the case's text.</p>"
    return h.bullet_list(f"{c.place}: \u201c{c.phrase}\u201d in {c.snippet}" for c in check.cues)


def register_table(check: QualityCheck, uid: str = "register") -> Styler:
    """The source register, its short fields folded together so that it reads on a narrow page."""
    frame = check.register().reset_index()
    if frame.empty:
        return _styler(frame, uid)

    def joined(*parts: str) -> str:
        return " \u00b7 ".join(p for p in parts if p)

    shown = pd.DataFrame(
        {
            "Source": frame["source"],
            "Publisher": frame["publisher"],
            "Type \u00b7 access \u00b7 reliability": [
                joined(t, a, r) for t, a, r in zip(frame["type"], frame["access"], frame["reliability"])
            ],
            "Published \u00b7 information of": [
                joined(p, f"info {i}" if i else "") for p, i in zip(frame["published"], frame["information_date"])
            ],
            "Re-reports (origin)": [f"{r} ({o})" if r else "" for r, o in zip(frame["re_reports"], frame["origin"])],
            "Status": frame["status"].where(frame["status"] != "current", ""),
            "Possible bias or motive": frame["bias"],
            "Ambiguity": frame["ambiguity"],
            "Cited by": frame["items"],
        }
    )
    return _left(_styler(shown, uid))


def marks_table(check: QualityCheck, uid: str = "marks") -> Styler:
    """Each evidence item: sources, origins, the two Admiralty axes, ACH credibility against the mapping, mark."""
    frame = check.marks.reset_index()
    if frame.empty:
        return _styler(frame, uid)
    grade = frame["information_credibility"].map(lambda v: "" if pd.isna(v) else str(int(v)))
    shown = pd.DataFrame(
        {
            "Evidence": frame["evidence"],
            "Sources": frame["sources"],
            "Origins": frame["origins"],
            "Reliability of origins": frame["reliability"],
            "Credibility 1-6": grade,
            "ACH credibility": frame["ach_credibility"],
            "Mapped from 1-6": frame["mapped_credibility"],
            "Mark": frame["mark"],
            "Conflicts with": frame["conflicts_with"],
            "Notes": [_notes(row) for _, row in frame.iterrows()],
        }
    )
    return _left(_styler(shown, uid)).map(
        lambda v: f"background-color: {MARK_COLOURS.get(v, '#ffffff')}", subset=["Mark"]
    )


def _notes(row: pd.Series) -> str:
    parts = []
    if row["credibility_differs"]:
        parts.append("ACH credibility differs from the mapping")
    for key, label in (("recalled", "recalled"), ("corrected", "corrected"), ("second_hand", "second-hand")):
        if row[key]:
            parts.append(f"{label}: {row[key]}")
    if row["grade_check"]:
        parts.append(row["grade_check"])
    return "; ".join(parts)


def judgments_table(check: QualityCheck, uid: str = "judgments") -> Styler:
    """Each key judgment with its origins and mark."""
    frame = check.judgments.reset_index()
    shown = frame[["judgment", "text", "evidence", "origins", "against", "mark"]]
    shown.columns = ["Judgment", "Text", "Evidence", "Origins", "Against", "Mark"]
    return _left(_styler(shown, uid)).map(
        lambda v: f"background-color: {MARK_COLOURS.get(v, '#ffffff')}", subset=["Mark"]
    )


def mapping_html(check: QualityCheck) -> str:
    """The visible setting that reads an information-credibility grade as an ACH credibility level."""
    from ..model import INFORMATION_CREDIBILITY
    from .quality import credibility_mapping

    rows = "".join(
        f"<tr><td>{g}</td><td>{h.esc(INFORMATION_CREDIBILITY[g])}</td><td>{h.esc(level)}</td></tr>"
        for g, level in credibility_mapping(check.case).items()
    )
    return (
        "<table><thead><tr><th>Grade</th><th>Information credibility</th><th>ACH credibility level</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>"
    )


def offers_html(check: QualityCheck) -> str:
    """The dependence groups offered to ACH."""
    if not check.offers:
        return "<p>Every origin that carries two or more items already has them in one dependence group.</p>"
    items = []
    for o in check.offers:
        now = ", ".join(f"{m} ({g or 'no group'})" for m, g in zip(o.members, o.groups))
        split = len({g for g in o.groups if g}) > 1
        items.append(
            f"{o.origin}: {now}. "
            + (
                "They sit in different groups: merging them is the analyst's call."
                if split
                else f"Offered as group '{o.name}'."
            )
        )
    return (
        h.bullet_list(items) + f"<p>Apply the offers with <code>sat worksheets apply "
        f"{h.esc(check.case.id)} --groups</code>.</p>"
    )


def support_table(check: QualityCheck, uid: str = "support") -> Styler:
    """The leader's support against the runner-up traced to its origins."""
    assert check.support is not None
    frame = check.support.origins.reset_index()
    frame.columns = ["Origin", "Weight (log-likelihood ratio)", "Share", "Items"]
    return _left(_styler(frame, uid, {"Weight (log-likelihood ratio)": "{:.3f}", "Share": "{:.0%}"}))


def statement_html(check: QualityCheck) -> str:
    """The source summary statement as escaped paragraphs."""
    return "".join(f"<p>{h.esc(p)}</p>" for p in check.statement)


def header_html(check: AssumptionsCheck | QualityCheck) -> str:
    """The case, its question and as-of date, and (for the Key Assumptions Check) the analytic line under audit."""
    case = check.case
    worksheet = getattr(check, "worksheet", None)
    return h.heading(case.title, 2) + h.labelled(
        [
            ("Question", case.question),
            ("As of", case.as_of),
            ("Analytic line under audit", worksheet.analytic_line if worksheet else ""),
        ]
    )


def support_html(check: QualityCheck) -> str:
    """What the leading hypothesis rests on, in a sentence, or why it cannot be traced."""
    if check.support is None:
        return "<p>The case has no rated ACH matrix, so there is no leading hypothesis to trace.</p>"
    s = check.support
    positive = s.items[s.items > 0]
    return (
        f"<p>{h.esc(s.leader)} leads {h.esc(s.rival)} in the likelihood mode. Items in its favour, by their "
        f"log-likelihood ratio (summed over the matrix this is the log of the posterior odds over the prior "
        f"odds, averaged over the analysts): {h.esc(', '.join(f'{e} {v:.2f}' for e, v in positive.items()))}. "
        f"By origin (an item on k origins gives each 1/k):</p>"
    )


def source_summary_html(case: Case, scores: AchScores | None = None) -> str:
    """The ICD 206-style source summary statement for the ACH report: a heading and escaped paragraphs (the key
    judgments come from the case's ``assumptions.yaml`` when it has one)."""
    from .analysis import quality_check
    from .assumptions_file import load_assumptions

    check = quality_check(case, load_assumptions(case), scores)
    return h.heading("Source summary statement", 3) + statement_html(check)
