"""Figures and HTML tables for the scenario techniques (matplotlib; pandas Styler with every cell escaped).

Figures are built on explicit ``Figure`` objects (no pyplot state) so a notebook or report decides how to show
them. Tables come back as HTML strings with a fixed table id, so re-running a notebook reproduces them exactly.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Mapping, Sequence
from html import escape

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..htmltext import bullet_list, esc, heading, labelled, paragraphs, plain_text_figures
from ..palette import DRIVER_CLASS_COLOURS
from .cib import CIBMatrix, ScenarioScores, SensitivityEntry, evaluate
from .cone import Cone, ConeScenario
from .drivers import (
    CRITICAL_UNCERTAINTY,
    HIGH_IMPACT,
    HIGH_UNCERTAINTY,
    LOW_UNCERTAINTY,
    PREDETERMINED,
    RATING_MAX,
    RATING_MIN,
    SECONDARY,
    Driver,
    classify,
)
from .futures import Futures, Indicator
from .scenario_file import Scenarios

plain_text_figures()  # analyst text in every label is plain text, never mathtext


def table_html(frame: pd.DataFrame, table_id: str, caption: str = "", index: bool = True) -> str:
    """HTML for ``frame`` with every cell, index label and column label HTML-escaped, and a fixed table id."""
    styler = frame.style.set_uuid(table_id).format(_number, escape="html", na_rep="")
    styler = styler.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    if caption:
        styler = styler.set_caption(escape(caption, quote=True))
    if not index:
        styler = styler.hide(axis="index")
    styler = styler.set_table_styles(
        [
            {"selector": "th, td", "props": "text-align: left; vertical-align: top; padding: 2px 8px;"},
            {"selector": "caption", "props": "caption-side: top; font-weight: bold; text-align: left;"},
        ]
    )
    return styler.to_html()


def _number(value: object) -> object:
    """Floats as short as they are exact (5.0 -> 5, 0.25 -> 0.25); everything else unchanged."""
    return f"{value:g}" if isinstance(value, float) else value


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def driver_scatter(drivers: Sequence[Driver]) -> Figure:
    """Impact (vertical) against uncertainty (horizontal), 1-5, with the classification zones shaded.

    Points carry the driver's number in the table (1-based); the key at the right names them. Drivers sharing a
    cell are spread around it so every number stays readable.
    """
    fig = Figure(figsize=(10, 5.5))
    ax, key = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    lo, hi = RATING_MIN - 0.5, RATING_MAX + 0.5
    ax.axhspan(
        HIGH_IMPACT - 0.5,
        hi,
        xmin=(HIGH_UNCERTAINTY - 0.5 - lo) / (hi - lo),
        xmax=1,
        color=DRIVER_CLASS_COLOURS[CRITICAL_UNCERTAINTY],
        alpha=0.08,
    )
    ax.axhspan(
        HIGH_IMPACT - 0.5,
        hi,
        xmin=0,
        xmax=(LOW_UNCERTAINTY + 0.5 - lo) / (hi - lo),
        color=DRIVER_CLASS_COLOURS[PREDETERMINED],
        alpha=0.08,
    )
    ax.text(
        hi - 0.05,
        hi - 0.1,
        "critical\nuncertainties",
        ha="right",
        va="top",
        fontsize=8,
        color=DRIVER_CLASS_COLOURS[CRITICAL_UNCERTAINTY],
    )
    ax.text(
        lo + 0.05,
        hi - 0.1,
        "predetermined\nelements",
        ha="left",
        va="top",
        fontsize=8,
        color=DRIVER_CLASS_COLOURS[PREDETERMINED],
    )
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for number, d in enumerate(drivers, start=1):
        cells[(d.uncertainty, d.impact)].append(number)
    for (u, i), numbers in cells.items():
        for k, number in enumerate(numbers):
            angle = np.pi / 2 + 2 * np.pi * k / len(numbers)
            dx, dy = (0.2 * np.cos(angle), 0.2 * np.sin(angle)) if len(numbers) > 1 else (0.0, 0.0)
            d = drivers[number - 1]
            colour = DRIVER_CLASS_COLOURS[classify(d.impact, d.uncertainty)]
            ax.scatter([u + dx], [i + dy], s=230, color=colour, zorder=3)
            ax.text(
                u + dx,
                i + dy,
                str(number),
                ha="center",
                va="center",
                fontsize=8,
                color="white",
                zorder=4,
                fontweight="bold",
            )
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xticks(range(RATING_MIN, RATING_MAX + 1))
    ax.set_yticks(range(RATING_MIN, RATING_MAX + 1))
    ax.set_xlabel("uncertainty (1 settled - 5 wide open)")
    ax.set_ylabel("impact (1 negligible - 5 decisive)")
    ax.set_title("Drivers by impact and uncertainty")
    ax.grid(True, alpha=0.3)
    key.axis("off")
    lines = [f"{n}. {_wrap(d.name, 40)}".replace("\n", "\n    ") for n, d in enumerate(drivers, start=1)]
    key.text(0, 1, "\n".join(lines), ha="left", va="top", fontsize=8.5, transform=key.transAxes)
    fig.tight_layout()
    return fig


def futures_figure(futures: Futures, drivers: Mapping[str, Driver]) -> Figure:
    """The 2x2: the x axis runs from its first end state (left) to its second (right), the y axis from its first
    (bottom) to its second (top); each quadrant shows its scenario name."""
    x, y = drivers[futures.x_axis], drivers[futures.y_axis]
    fig = Figure(figsize=(8, 6.5))
    ax = fig.subplots()
    ax.set_xlim(-1, 1)
    ax.set_ylim(-1, 1)
    ax.axhline(0, color="black", linewidth=1.2)
    ax.axvline(0, color="black", linewidth=1.2)
    for q in futures.quadrants:
        cx = -0.5 if q.x_state == x.end_states[0] else 0.5
        cy = -0.5 if q.y_state == y.end_states[0] else 0.5
        ax.text(cx, cy, _wrap(q.name, 22), ha="center", va="center", fontsize=11, fontweight="bold")
        ax.text(
            cx, cy - 0.3, _wrap(f"{q.x_state} / {q.y_state}", 30), ha="center", va="center", fontsize=8, color="#555555"
        )
    ax.text(-0.98, 0.02, _wrap(x.end_states[0], 20), ha="left", va="bottom", fontsize=8, style="italic")
    ax.text(0.98, 0.02, _wrap(x.end_states[1], 20), ha="right", va="bottom", fontsize=8, style="italic")
    ax.text(0.02, -0.98, _wrap(y.end_states[0], 20), ha="left", va="bottom", fontsize=8, style="italic")
    ax.text(0.02, 0.98, _wrap(y.end_states[1], 20), ha="left", va="top", fontsize=8, style="italic")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel(x.name)
    ax.set_ylabel(y.name)
    ax.set_title("Alternative futures")
    fig.tight_layout()
    return fig


def cone_figure(cone: Cone, order: Sequence[ConeScenario] | None = None) -> Figure:
    """The cone: time runs left to right from today; the baseline on the centre line, alternatives further out the
    more assumptions they flip (alternating above and below), wild cards as stars beyond the edge.

    ``order`` (for example a counterbalanced presentation order) numbers the scenarios as they will be read.
    """
    fig = Figure(figsize=(9, 5.5))
    ax = fig.subplots()
    numbers = {s.id: k for k, s in enumerate(order, start=1)} if order is not None else {}
    alternatives = sorted(cone.alternatives, key=lambda a: len(a.flips))
    placed = [(alt, (k // 2 + 1) * (1 if k % 2 == 0 else -1)) for k, alt in enumerate(alternatives)]
    edge = max([abs(y) for _, y in placed] + [0]) + 1
    ax.fill([0, 10, 10, 0], [0, edge, -edge, 0], color="#3498db", alpha=0.08)
    ax.plot([0, 10], [0, edge], color="#3498db", linewidth=1)
    ax.plot([0, 10], [0, -edge], color="#3498db", linewidth=1)
    ax.text(-0.1, 0, "today", ha="right", va="center", fontsize=8)

    def label(s: ConeScenario, note: str) -> str:
        prefix = f"{numbers[s.id]}. " if s.id in numbers else ""
        return _wrap(prefix + s.name, 34) + f"\n({note})"

    ax.scatter([9.5], [0], color="#2c3e50", zorder=3)
    ax.annotate(
        label(cone.baseline, "baseline"),
        (9.5, 0),
        xytext=(-8, 0),
        textcoords="offset points",
        ha="right",
        va="center",
        fontsize=8,
    )
    for alt, y in placed:
        flips = len(alt.flips)
        ax.scatter([9.5], [y], color="#2980b9", zorder=3)
        ax.annotate(
            label(alt, f"{flips} flip{'s' if flips > 1 else ''}"),
            (9.5, y),
            xytext=(-8, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=8,
        )
    top = float(edge)
    for k, w in enumerate(cone.wild_cards):
        wild_y = (edge + 1.3 * (k // 2 + 1) - 0.4) * (1 if k % 2 == 0 else -1)
        top = max(top, abs(wild_y))
        ax.scatter([10.4], [wild_y], marker="*", s=140, color="#e67e22", zorder=3)
        ax.annotate(
            _wrap(w.name, 44) + "\n(wild card)",
            (10.4, wild_y),
            xytext=(-9, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=8,
            color="#a0522d",
        )
    ax.set_xlim(-1.2, 11)
    ax.set_ylim(-top - 0.7, top + 0.7)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("time to the horizon")
    ax.set_title("Cone of plausibility")
    fig.tight_layout()
    return fig


def balance_figure(matrix: CIBMatrix, scenario: Sequence[int]) -> Figure:
    """Impact balances of one scenario: one panel per descriptor, a bar per variant, the chosen variant dark."""
    ev = evaluate(matrix, scenario)
    n = matrix.n_descriptors
    cols = 2 if n > 3 else 1
    rows = int(np.ceil(n / cols))
    fig = Figure(figsize=(9, 1.7 * rows + 0.6))
    axes = fig.subplots(rows, cols, squeeze=False)
    for j, d in enumerate(matrix.descriptors):
        ax = axes[j // cols][j % cols]
        values = ev.balances[j]
        colours = ["#2c3e50" if v == ev.scenario[j] else "#bdc3c7" for v in range(len(values))]
        ax.barh(range(len(values)), values, color=colours)
        ax.set_yticks(range(len(values)))
        ax.set_yticklabels([_wrap(v, 26) for v in d.variants], fontsize=7)
        ax.invert_yaxis()
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_title(_wrap(d.name, 45), fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
    for k in range(n, rows * cols):
        axes[k // cols][k % cols].set_visible(False)
    fig.suptitle("Impact balances (dark bar = the variant in the scenario)", fontsize=10)
    fig.tight_layout()
    return fig


# -- HTML blocks (every piece of analyst text escaped) --------------------------------------------------------------
def header_html(s: Scenarios) -> str:
    """Title, focal question, date of the analysis and horizon."""
    as_of = s.case.as_of.isoformat() if s.case.as_of else ""
    return heading(s.case.title or s.case.id, 2) + labelled(
        [
            ("Focal question", s.case.question),
            ("Analysis as of", as_of),
            ("Horizon", s.horizon),
            ("Driver checklist", s.framework),
        ]
    )


def driver_classes_html(drivers: Sequence[Driver]) -> str:
    """The drivers named in each class, as a short list."""
    groups: dict[str, list[str]] = {CRITICAL_UNCERTAINTY: [], PREDETERMINED: [], SECONDARY: []}
    for d in drivers:
        groups[classify(d.impact, d.uncertainty)].append(d.name)
    plural = {
        CRITICAL_UNCERTAINTY: "Critical uncertainties",
        PREDETERMINED: "Predetermined elements",
        SECONDARY: "Secondary drivers",
    }
    items = [f"{plural[kind]}: {', '.join(names) if names else 'none'}" for kind, names in groups.items()]
    return bullet_list(items)


def _indicators_html(indicators: Sequence[Indicator]) -> str:
    return bullet_list(f"{i.text} [{i.id}]" for i in indicators)


def watch_list_table(s: Scenarios) -> pd.DataFrame:
    """Every indicator of the case in one list for monitoring: technique, scenario, id and text."""
    rows = []
    if s.futures is not None:
        rows += [
            {"technique": "2x2", "scenario": q.name, "id": i.id, "indicator": i.text}
            for q in s.futures.quadrants
            for i in q.indicators
        ]
    if s.cone is not None:
        rows += [
            {"technique": "cone", "scenario": c.name, "id": i.id, "indicator": i.text}
            for c in s.cone.scenarios
            for i in c.indicators
        ]
        rows += [
            {"technique": "wild card", "scenario": w.name, "id": i.id, "indicator": i.text}
            for w in s.cone.wild_cards
            for i in w.indicators
        ]
    return pd.DataFrame(rows, columns=["technique", "scenario", "id", "indicator"])


def quadrants_html(futures: Futures, drivers: Mapping[str, Driver]) -> str:
    """Each quadrant: name, its end states, narrative, indicators, implications and options."""
    x, y = drivers[futures.x_axis], drivers[futures.y_axis]
    parts = []
    for q in futures.quadrants:
        parts.append(heading(q.name, 3))
        parts.append(f"<p><b>{esc(x.name)}:</b> {esc(q.x_state)}<br><b>{esc(y.name)}:</b> {esc(q.y_state)}</p>")
        parts.append(paragraphs(q.narrative))
        parts.append("<p><b>Indicators</b></p>" + _indicators_html(q.indicators))
        parts.append("<p><b>Implications</b></p>" + bullet_list(q.implications))
        if q.options:
            parts.append("<p><b>Options suited to this future</b></p>" + bullet_list(q.options))
    return "".join(parts)


def cone_scenarios_html(order: Sequence[ConeScenario], cone: Cone, drivers: Mapping[str, Driver]) -> str:
    """The cone's scenarios in the given (counterbalanced) order, each with the assumptions it flips."""
    assumed = {a.driver: a.state for a in cone.assumptions}
    parts = []
    for number, scenario in enumerate(order, start=1):
        parts.append(heading(f"{number}. {scenario.name}", 3))
        if scenario.flips:
            flips = [
                f"{drivers[d].name}: {assumed[d]} \u2192 {drivers[d].other_state(assumed[d])}" for d in scenario.flips
            ]
            parts.append("<p><b>Assumptions flipped</b></p>" + bullet_list(flips))
        else:
            parts.append("<p><b>Baseline:</b> every assumption holds.</p>")
        parts.append(paragraphs(scenario.narrative))
        if scenario.indicators:
            parts.append("<p><b>Indicators</b></p>" + _indicators_html(scenario.indicators))
    return "".join(parts)


def wild_cards_html(cone: Cone) -> str:
    """Wild cards with their descriptions and any indicators."""
    parts = []
    for w in cone.wild_cards:
        parts.append(heading(w.name, 4) + paragraphs(w.description))
        if w.indicators:
            parts.append("<p><b>Indicators</b></p>" + _indicators_html(w.indicators))
    return "".join(parts) or "<p>No wild cards recorded.</p>"


# -- CIB tables (Weimer-Jehle 2006): data frames ready for table_html ------------------------------------------------
def descriptor_table(matrix: CIBMatrix) -> pd.DataFrame:
    """One row per descriptor: its variants in order and its description."""
    rows = [
        {"descriptor": d.name, "variants": " | ".join(d.variants), "description": d.description}
        for d in matrix.descriptors
    ]
    return pd.DataFrame(rows, columns=["descriptor", "variants", "description"])


def scenario_labels(scores: ScenarioScores) -> dict[tuple[int, ...], str]:
    """Labels S1, S2, ... for the scenarios of a consistent set, in its order (strongest first)."""
    return {z: f"S{k}" for k, z in enumerate(scores.as_tuples(), start=1)}


def consistent_table(matrix: CIBMatrix, scores: ScenarioScores, top: int | None = None) -> pd.DataFrame:
    """The consistent scenarios (strongest first, at most ``top``): label, variant of each descriptor, TIS, margin."""
    labels = scenario_labels(scores)
    rows = []
    for z, tis, margin in list(zip(scores.as_tuples(), scores.tis, scores.margin))[:top]:
        row: dict[str, object] = {"scenario": labels[z]}
        row.update({d.name: name for d, name in zip(matrix.descriptors, matrix.variant_names(z))})
        row.update({"TIS": float(tis), "margin": float(margin)})
        rows.append(row)
    return pd.DataFrame(rows, columns=["scenario", *(d.name for d in matrix.descriptors), "TIS", "margin"])


def sensitivity_table(matrix: CIBMatrix, scores: ScenarioScores, entries: Sequence[SensitivityEntry]) -> pd.DataFrame:
    """One row per judgment change that alters the consistent set: the cell, its value, the change, and which
    scenarios of the set it removes or adds (new ones by their 1-based variant numbers)."""
    labels = scenario_labels(scores)

    def name(z: tuple[int, ...]) -> str:
        return labels.get(z) or "new (" + " ".join(str(v + 1) for v in z) + ")"

    rows = []
    for e in entries:
        src, tgt = matrix.descriptors[e.source], matrix.descriptors[e.target]
        rows.append(
            {
                "judgment": f"{src.name} = {src.variants[e.source_variant]} \u2192 {tgt.name} = "
                f"{tgt.variants[e.target_variant]}",
                "value": e.old_value,
                "change": e.change,
                "removes": ", ".join(name(z) for z in e.removed),
                "adds": ", ".join(name(z) for z in e.added),
            }
        )
    return pd.DataFrame(rows, columns=["judgment", "value", "change", "removes", "adds"])


def robustness_table(matrix: CIBMatrix, scores: ScenarioScores, entries: Sequence[SensitivityEntry]) -> pd.DataFrame:
    """Per consistent scenario: how many one-step judgment changes (each off-diagonal cell moved up or down, as
    listed by the CIB sensitivity analysis) would remove it from the consistent set."""
    total = sum(matrix.sizes) ** 2 - sum(n * n for n in matrix.sizes)
    labels = scenario_labels(scores)
    lost = dict.fromkeys(labels, 0)
    for e in entries:
        for z in e.removed:
            lost[z] += 1
    rows = [{"scenario": labels[z], "changes that remove it": n, "changes tried": 2 * total} for z, n in lost.items()]
    return pd.DataFrame(rows, columns=["scenario", "changes that remove it", "changes tried"])


def judgment_table(matrix: CIBMatrix) -> pd.DataFrame:
    """The judgment matrix with (descriptor, variant) labels on both axes; diagonal blocks (meaningless) blank."""
    labels = pd.MultiIndex.from_tuples(
        [(d.name, v) for d in matrix.descriptors for v in d.variants], names=["descriptor", "variant"]
    )
    frame = pd.DataFrame(matrix.judgments, index=labels, columns=labels)
    for a, b in zip(matrix.offsets[:-1], matrix.offsets[1:]):
        frame.iloc[a:b, a:b] = np.nan
    integral = bool(np.all(matrix.judgments == np.round(matrix.judgments)))
    return frame.astype("Int64") if integral else frame


def rationale_table(matrix: CIBMatrix, rationales: Mapping[tuple[int, int], str]) -> pd.DataFrame:
    """The written reason of every judgment section, in descriptor order."""
    rows = [
        {"from": matrix.descriptors[i].name, "to": matrix.descriptors[j].name, "rationale": text}
        for (i, j), text in sorted(rationales.items())
    ]
    return pd.DataFrame(rows, columns=["from", "to", "rationale"])
