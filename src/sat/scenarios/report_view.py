"""The scenario report as a reader sees it: tables in words rather than in pandas' raw form.

The technique modules return data frames in the form code works with (snake_case columns, driver ids, True/False,
one row per generated quadrant). This module turns them into what a reader should see: headers in plain words,
"yes"/"no" for judgments ("not judged" where none is recorded), driver and descriptor names instead of ids, the
84-quadrant multiple-scenarios screen summarised one row per driver pair, and the CIB judgment matrix with short
codes on its axes (a key gives each code's descriptor and variant) so it fits the page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd

from .cib import CIBMatrix
from .drivers import Driver
from .multiple import CRITERIA, ScreenJudgment, driver_pairs, screen_table, shortlist
from .scenario_file import Scenarios

#: Headers that stay as written (abbreviations).
KEEP = {"TIS"}
#: Columns whose cells are driver ids, shown as driver names.
DRIVER_COLUMNS = ("driver", "driver A", "driver B")
_SNAKE = re.compile(r"[_\s]+")


def header(name: object, labels: Mapping[str, str] | None = None) -> str:
    """A column header in words: a known id becomes its label; ``not_yet_considered`` -> "Not yet considered"."""
    text = str(name)
    if labels and text in labels:
        return labels[text]
    if text in KEEP:
        return text
    words = _SNAKE.sub(" ", text).strip()
    return words[:1].upper() + words[1:]


def yes_no(value: object) -> object:
    """True/False as "yes"/"no", a missing judgment as "not judged"; anything else unchanged."""
    if value is pd.NA or value is None or (isinstance(value, float) and pd.isna(value)):
        return "not judged"
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "yes" if value else "no"
    return value


def descriptor_labels(matrix: CIBMatrix) -> dict[str, str]:
    """Each CIB descriptor's name as a header in words (``moscow_israel`` -> "Moscow israel")."""
    return {d.name: header(d.name) for d in matrix.descriptors}


def for_readers(
    frame: pd.DataFrame, drivers: Mapping[str, Driver] | None = None, labels: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """``frame`` with headers in words (``labels`` first), booleans as yes/no and driver ids as names."""
    shown = frame.copy()
    for column in shown.columns:
        values = shown[column]
        if pd.api.types.is_bool_dtype(values.dtype) or values.map(lambda v: isinstance(v, bool)).any():
            shown[column] = values.astype(object).map(yes_no)
        elif drivers and column in DRIVER_COLUMNS:
            shown[column] = values.map(lambda v: drivers[v].name if v in drivers else v)
        elif labels and values.dtype == object:
            shown[column] = values.map(lambda v: _named(v, labels))
    shown.columns = [header(c, labels) for c in shown.columns]
    if shown.index.name is not None:
        shown.index.name = header(shown.index.name, labels)
    return shown


def _named(value: object, labels: Mapping[str, str]) -> object:
    """A descriptor name, or ``name: variant; ...`` strings, with each descriptor name in words."""
    if not isinstance(value, str):
        return value
    if value in labels:
        return labels[value]
    for name, label in labels.items():
        value = re.sub(rf"(?<![\w-]){re.escape(name)}:", f"{label}:", value)
    return value


def by_scenario(frame: pd.DataFrame, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A table with one row per scenario (first column its label) turned so that scenarios run across and the
    descriptors and scores down: a few narrow columns instead of one per descriptor."""
    shown = for_readers(frame, labels=labels)
    return shown.set_index(shown.columns[0]).T.rename_axis("")


def shortlist_view(drivers: Sequence[Driver], judgments: Sequence[ScreenJudgment]) -> pd.DataFrame:
    """The shortlisted scenarios in four columns: name, the quadrant (each driver's name and end state), the
    criteria judged yes, and the reason (highest score first, as :func:`sat.scenarios.multiple.shortlist`)."""
    names = {d.id: d.name for d in drivers}
    kept = shortlist(drivers, judgments)
    return pd.DataFrame(
        {
            "Scenario": kept["name"],
            "Quadrant": [
                f"{names[a]}: {sa}; {names[b]}: {sb}"
                for a, sa, b, sb in zip(kept["driver A"], kept["state A"], kept["driver B"], kept["state B"])
            ],
            "Judged yes": [
                ", ".join(header(c).lower() for c in CRITERIA if row[c] is True) or "none"
                for row in kept.to_dict("records")
            ],
            "Reason": kept["reason"],
        }
    )


def screen_overview(drivers: Sequence[Driver], judgments: Sequence[ScreenJudgment]) -> pd.DataFrame:
    """The multiple-scenarios screen in one row per pair of drivers (one 2x2 each): how many of its four quadrants
    the analysts judged, and how many they found plausible, consequential, novel, not yet considered, or
    shortlisted."""
    table = screen_table(drivers, judgments)
    rows = []
    for number, (a, b) in enumerate(driver_pairs(drivers), start=1):
        quadrants = table[table["matrix"] == number]
        row: dict[str, object] = {
            "Pair of drivers": f"{a.name} \u00d7 {b.name}",
            "Judged": int(quadrants["judged"].sum()),
        }
        for criterion in CRITERIA:
            row[header(criterion)] = int(quadrants[criterion].fillna(False).sum())
        row["Shortlisted"] = int(quadrants["shortlisted"].sum())
        rows.append(row)
    return pd.DataFrame(rows)


def judgment_codes(matrix: CIBMatrix) -> list[str]:
    """Short codes of every variant in matrix order: descriptor letter, variant number (A1, A2, B1, ...)."""
    codes = []
    for k, d in enumerate(matrix.descriptors):
        letter = _letters(k)
        codes += [f"{letter}{v}" for v in range(1, len(d.variants) + 1)]
    return codes


def _letters(k: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    text = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        text = chr(65 + r) + text
    return text


def judgment_grid(judgments: pd.DataFrame, matrix: CIBMatrix) -> pd.DataFrame:
    """The judgment matrix (from :func:`sat.scenarios.figures.judgment_table`) with short codes on both axes."""
    codes = judgment_codes(matrix)
    grid = judgments.copy()
    grid.index = pd.Index(codes, name="")
    grid.columns = codes
    return grid


def judgment_key(matrix: CIBMatrix) -> pd.DataFrame:
    """The key to :func:`judgment_grid`: each code with its descriptor and variant."""
    codes = iter(judgment_codes(matrix))
    rows = [
        {"Code": next(codes), "Descriptor": header(d.name), "Variant": v}
        for d in matrix.descriptors
        for v in d.variants
    ]
    return pd.DataFrame(rows)


def in_brief_html(s: Scenarios) -> str:
    """The first screen of the scenario report: what the analysis found, before how. No probabilities: scenarios
    are alternatives to prepare for, not forecasts."""
    from ..htmltext import bullet_list
    from .bridge import quadrant_completions
    from .cib import consistent_set
    from .drivers import critical_uncertainties

    lines = []
    critical = critical_uncertainties(s.drivers)
    lines.append(
        f"{len(s.drivers)} drivers, of which {len(critical)} "
        f"{'is a critical uncertainty' if len(critical) == 1 else 'are critical uncertainties'}"
        + (f": {', '.join(d.name for d in critical)}." if critical else ".")
    )
    if s.futures is not None:
        x, y = s.driver_map[s.futures.x_axis], s.driver_map[s.futures.y_axis]
        lines.append(
            f"The 2x2 crosses {x.name} with {y.name}, giving four futures: "
            f"{', '.join(q.name for q in s.futures.quadrants)}."
        )
    if s.cib is not None:
        scores = consistent_set(s.cib)
        if len(scores):
            names = s.cib.variant_names(scores.as_tuples()[0])
            strongest = dict(zip((header(d.name) for d in s.cib.descriptors), names))
            lines.append(
                f"{len(scores)} of the {s.cib.n_scenarios} scenarios of the cross-impact model are "
                f"consistent; the strongest has " + "; ".join(f"{k}: {v}" for k, v in strongest.items()) + "."
            )
        else:
            lines.append(f"None of the {s.cib.n_scenarios} scenarios of the cross-impact model is consistent.")
        if s.bridge is not None and s.futures is not None:
            table = quadrant_completions(s.futures, s.bridge, s.cib)
            rows = table.to_dict("records")
            held = [r["scenario"] for r in rows if r["completions"] and r["fully_consistent"]]
            propped = [r["scenario"] for r in rows if r["completions"] and not r["fully_consistent"]]
            none = [r["scenario"] for r in rows if not r["completions"]]
            said = []
            if held:
                said.append(f"{_and(held)} {'sustains itself' if len(held) == 1 else 'sustain themselves'}")
            if propped:
                said.append(
                    f"{_and(propped)} {'holds' if len(propped) == 1 else 'hold'} only while something outside "
                    "the model keeps the axes in place"
                )
            if none:
                said.append(
                    f"{_and(none)} {'has' if len(none) == 1 else 'have'} no consistent world around "
                    f"{'it' if len(none) == 1 else 'them'}"
                )
            lines.append("Of the 2x2's futures, in the cross-impact model " + "; ".join(said) + ".")
    kept = [j.name for j in s.screen if j.shortlisted]
    if kept:
        lines.append(f"The multiple-scenarios screen shortlists {len(kept)} more: {', '.join(kept)}.")
    return (
        '<div class="sat-bottom-line"><h2>In brief</h2>'
        + bullet_list(lines)
        + "<p class='sat-key'>Scenarios are alternatives to prepare for and to watch, not forecasts: no "
        "probability is attached to any of them. How each was reached follows below.</p></div>"
    )


def _and(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
