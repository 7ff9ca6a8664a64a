"""A case's ``indicators.yaml`` and ``observations.csv``: read and validate (every problem at once, with file, line,
field and value, through :mod:`sat.validation`), and append an observation atomically.

``indicators.yaml``::

    targets: hypotheses          # or: scenarios (ids of the 2x2 quadrants, cone scenarios and wild cards)
    mapping: {HL: 0.9, L: 0.7, C: 0.5, U: 0.3, HU: 0.1}   # optional: P(indicator observed | target) per rating
    prior: ach                   # optional: ach (the ACH group posterior), uniform (default), or {id: p, ...}
    rule: llr                    # optional: llr (default), spread or home -- what flags an indicator non-diagnostic
    threshold: 1.0986            # optional: the rule's threshold (default ln 3, 2 steps, 1 step)
    coverage: 3                  # optional: diagnostic indicators each target should have (default 3)
    indicators:
      - id: I01
        text: ...
        group: ...               # optional: indicators resting on one source or event count once
        from: H1-m1              # optional: a target id, a hypothesis milestone (H1-m1 = H1's first) or a
                                 #           scenario indicator id of scenarios.yaml
        criteria: {observable: high, valid: medium, reliable: medium, stable: high, unique: low}  # optional
        ratings: {H1: HL, H2: C, H3: HU, H4: U, H5: C}   # a missing target is a warning (read as C)
        notes: ...               # optional: the rater's reasons

``observations.csv`` (append-only; a correction is a new row): ``indicator,date,status,credibility,sources,note``
with status ``observed`` / ``absent`` / ``unknown`` and credibility ``low`` / ``medium`` / ``high`` (empty: medium).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import model
from ..errors import ValidationError
from ..fileio import atomic_write_text
from ..validation import ITEM_ID, FieldReader, Problems, is_number, shown
from ..yamlio import LineDict, line_of, own_line
from .tracking import COLUMNS, STATUSES
from .validator import (
    CRITERIA,
    DEFAULT_COVERAGE,
    DEFAULT_MAPPING,
    DEFAULT_THRESHOLD,
    RULES,
    SCALE,
)

INDICATORS_FILE = "indicators.yaml"
OBSERVATIONS_FILE = "observations.csv"
TARGET_KINDS: tuple[str, ...] = ("hypotheses", "scenarios")
TOP_FIELDS = ("targets", "mapping", "prior", "rule", "threshold", "coverage", "indicators")
INDICATOR_FIELDS = ("id", "text", "group", "from", "criteria", "ratings", "notes")
MAX_INDICATORS = 2000
MAX_OBSERVATIONS = 100_000


@dataclass(frozen=True)
class Indicator:
    """One indicator: its text, optional group and origin, the five criteria, and one rating per target."""

    id: str
    text: str
    group: str | None = None
    origin: str = ""  # the file's `from`
    criteria: Mapping[str, str] = field(default_factory=dict)
    ratings: Mapping[str, str] = field(default_factory=dict)
    notes: str = ""


@dataclass(frozen=True)
class IndicatorSet:
    """The contents of ``indicators.yaml``; ``warnings`` lists what is allowed but incomplete (missing ratings)."""

    targets: str
    mapping: Mapping[str, float]
    prior: str | Mapping[str, float]
    rule: str
    threshold: float
    coverage: int
    indicators: tuple[Indicator, ...]
    warnings: tuple[str, ...] = ()

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.indicators]


@dataclass(frozen=True)
class Observation:
    """One row of ``observations.csv``."""

    indicator: str
    date: dt.date
    status: str
    credibility: str = "medium"
    sources: str = ""
    note: str = ""


def parse_indicators(
    data: Any, file: str, targets: Mapping[str, Sequence[str] | None], origins: Mapping[str, set[str]]
) -> IndicatorSet:
    """Validate loaded YAML. ``targets``: the target ids of each kind (None when they cannot be known because the
    file that defines them is missing or invalid: references to targets are then not checked); ``origins``: the
    extra ids a ``from`` may name per kind. Raises one ValidationError."""
    problems = Problems()
    r = FieldReader(file, problems)
    root = r.mapping(data, "(top level)", 1)
    if root is None:
        raise ValidationError(list(problems))
    r.unknown(root, TOP_FIELDS, "")
    kind = r.choice(root, "targets", "", TARGET_KINDS, None)
    if "targets" not in root:
        r.problem("targets", f"is required (one of: {', '.join(TARGET_KINDS)})", line=1, code="required")
    target_ids = list(targets.get(kind) or []) if kind else []
    mapping = _mapping(r, root)
    prior = _prior(r, root, kind, target_ids)
    rule = r.choice(root, "rule", "", RULES, "llr") or "llr"
    threshold = r.number(root, "threshold", "", DEFAULT_THRESHOLD[rule], low=0, what="a number >= 0")
    coverage = r.number(root, "coverage", "", DEFAULT_COVERAGE, low=0, high=1000, what="a whole number from 0 to 1000")
    if not float(coverage).is_integer():
        r.problem(
            "coverage",
            "must be a whole number from 0 to 1000",
            root.get("coverage"),
            line_of(root, "coverage"),
            "number",
        )
    warnings: list[str] = []
    indicators = _indicators(
        r,
        root,
        target_ids if kind and targets.get(kind) is not None else None,
        set(target_ids) | origins.get(kind or "", set()),
        warnings,
    )
    problems.raise_if_any()
    return IndicatorSet(kind or "", mapping, prior, rule, threshold, int(coverage), tuple(indicators), tuple(warnings))


def _mapping(r: FieldReader, root: dict[Any, Any]) -> dict[str, float]:
    mapping = dict(DEFAULT_MAPPING)
    if root.get("mapping") is None:
        return mapping
    section = r.mapping(root["mapping"], "mapping", line_of(root, "mapping"))
    if section is None:
        return mapping
    for code, value in section.items():
        where = f"mapping.{code}"
        if str(code) not in SCALE:
            r.problem(
                where, f"unknown rating (expected one of: {', '.join(SCALE)})", code, line_of(section, code), "choice"
            )
        elif not is_number(value) or not 0 < float(value) < 1:
            r.problem(
                where,
                "must be a probability strictly between 0 and 1 (absent uses 1 - p)",
                shown(value),
                line_of(section, code),
                "number",
            )
        else:
            mapping[str(code)] = float(value)
    ordered = [mapping[c] for c in SCALE]
    if any(a < b for a, b in itertools.pairwise(ordered)):
        r.problem(
            "mapping",
            "must not increase from HL to HU (HL >= L >= C >= U >= HU)",
            dict(zip(SCALE, ordered)),
            own_line(section),
            "number",
        )
    return mapping


def _prior(r: FieldReader, root: dict[Any, Any], kind: str | None, target_ids: list[str]) -> str | dict[str, float]:
    value = root.get("prior")
    line = line_of(root, "prior")
    if value is None:
        return "uniform"
    if isinstance(value, str) and value.strip().lower() in ("ach", "uniform"):
        choice = value.strip().lower()
        if choice == "ach" and kind == "scenarios":
            r.problem(
                "prior", "'ach' needs targets: hypotheses (the ACH posterior is over hypotheses)", value, line, "choice"
            )
        return choice
    if not isinstance(value, dict):
        r.problem("prior", "must be ach, uniform, or a mapping of target id: probability", shown(value), line, "choice")
        return "uniform"
    prior: dict[str, float] = {}
    for tid, p in value.items():
        where = f"prior.{tid}"
        if target_ids and str(tid) not in target_ids:
            r.problem(where, f"prior for a target that is not one of the {kind}", tid, line_of(value, tid), "reference")
        elif not is_number(p) or float(p) <= 0:
            r.problem(where, "must be a positive number", shown(p), line_of(value, tid), "number")
        else:
            prior[str(tid)] = float(p)
    missing = [t for t in target_ids if t not in {str(k) for k in value}]
    if missing:
        r.problem("prior", "give a prior for every target, or write uniform", ", ".join(missing), line, "required")
    return prior


def _indicators(
    r: FieldReader, root: dict[Any, Any], target_ids: list[str] | None, origins: set[str], warnings: list[str]
) -> list[Indicator]:
    raw = root.get("indicators")
    if raw is None:
        r.problem("indicators", "is required (a list of indicators)", line=1, code="required")
        return []
    if not isinstance(raw, list) or not raw:
        r.problem("indicators", "must be a non-empty list", shown(raw), line_of(root, "indicators"), "type")
        return []
    if len(raw) > MAX_INDICATORS:
        r.problem(
            "indicators", f"more than {MAX_INDICATORS} indicators", len(raw), line_of(root, "indicators"), "limit"
        )
        return []
    out: list[Indicator] = []
    seen: dict[str, int | None] = {}
    for index, entry in enumerate(raw):
        where = f"indicators[{index}]"
        item = r.mapping(entry, where, line_of(raw, index))
        if item is None:
            continue
        before = len(r.problems)
        r.unknown(item, INDICATOR_FIELDS, where)
        iid = r.identifier(item, "id", where, ITEM_ID)
        if iid in seen:
            r.problem(
                f"{where}.id", f"duplicate id (first used on line {seen[iid]})", iid, line_of(item, "id"), "duplicate"
            )
        elif iid:
            seen[iid] = line_of(item, "id")
        text = r.text(item, "text", where, required=True)
        origin = r.text(item, "from", where)
        if origin and target_ids is not None and origin not in origins:
            r.problem(
                f"{where}.from",
                "names no target, hypothesis milestone (e.g. H1-m2) or scenario indicator",
                origin,
                line_of(item, "from"),
                "reference",
            )
        criteria = _levels(r, item, where)
        ratings = _ratings(r, item, where, target_ids, warnings)
        if len(r.problems) == before:
            out.append(
                Indicator(
                    iid,
                    text,
                    r.text(item, "group", where) or None,
                    origin,
                    criteria,
                    ratings,
                    r.text(item, "notes", where),
                )
            )
    return out


def _levels(r: FieldReader, item: dict[Any, Any], where: str) -> dict[str, str]:
    raw = item.get("criteria")
    if raw is None:
        return {}
    section = r.mapping(raw, f"{where}.criteria", line_of(item, "criteria"))
    if section is None:
        return {}
    r.unknown(section, CRITERIA, f"{where}.criteria")
    return {c: level for c in CRITERIA if (level := r.choice(section, c, f"{where}.criteria", model.LEVELS, None))}


def _ratings(
    r: FieldReader, item: dict[Any, Any], where: str, target_ids: list[str] | None, warnings: list[str]
) -> dict[str, str]:
    raw = item.get("ratings")
    line = line_of(item, "ratings") or own_line(item)
    if raw is None:
        section: Any = {}
    else:
        section = r.mapping(raw, f"{where}.ratings", line)
        if section is None:
            return {}
    ratings: dict[str, str] = {}
    for tid in section:
        if target_ids is not None and str(tid) not in target_ids:
            r.problem(
                f"{where}.ratings.{tid}",
                "rating for a target that is not in the case",
                tid,
                line_of(section, tid),
                "reference",
            )
            continue
        code = r.choice(section, tid, f"{where}.ratings", SCALE, None)
        if code:
            ratings[str(tid)] = code
    missing = [t for t in (target_ids or []) if t not in ratings and t not in {str(k) for k in section}]
    if missing:
        warnings.append(f"{r.file}:{line}: {where}.ratings: no rating for {', '.join(missing)} (read as C, could)")
    return ratings


# --- observations.csv ------------------------------------------------------------------------------------------------


def check_observation(
    r: FieldReader, row: Mapping[str, Any], where: str, line: int | None, indicator_ids: Sequence[str]
) -> Observation | None:
    """One observation from a row of text (a CSV row or the editor's form); None with problems when invalid."""
    before = len(r.problems)
    cells = {k: (v.strip() if isinstance(v, str) else v) for k, v in row.items()}
    cells = {k: v for k, v in cells.items() if v not in (None, "")}  # an empty cell is a missing value
    data: Any = cells  # a form's row is a plain dict: its problems carry no line
    if line is not None:  # a file row: every field is on the row's line
        data = LineDict(cells)
        data.line, data.lines = line, dict.fromkeys(cells, line)
    indicator = r.text(data, "indicator", where, required=True)
    if indicator:
        r.refs([indicator], f"{where}.indicator" if where else "indicator", line, "indicator", indicator_ids)
    date = r.date(data, "date", where, required=True)
    if not data.get("status"):
        r.problem(
            f"{where}.status" if where else "status",
            f"is required (one of: {', '.join(STATUSES)})",
            None,
            line,
            "required",
        )
    status = r.choice(data, "status", where, STATUSES, None) if data.get("status") else None
    credibility = r.choice(data, "credibility", where, model.LEVELS, "medium") if data.get("credibility") else "medium"
    if len(r.problems) > before or date is None or status is None:
        return None
    return Observation(
        indicator, date, status, credibility or "medium", r.text(data, "sources", where), r.text(data, "note", where)
    )


def read_observations(path: Path, shown_as: str, indicator_ids: Sequence[str]) -> tuple[list[Observation], Problems]:
    """Every valid row of ``observations.csv`` and the problems of the others (named by line and column)."""
    problems = Problems()
    r = FieldReader(shown_as, problems)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        r.problem("file", f"not UTF-8 text ({exc.reason} at byte {exc.start})", code="encoding")
        return [], problems
    except OSError as exc:
        r.problem("file", f"cannot be read: {exc.strerror}", code="file")
        return [], problems
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        r.problem("header", f"malformed CSV: {exc}", line=1, code="syntax")
        return [], problems
    if header != list(COLUMNS):
        r.problem("header", f"expected the header {','.join(COLUMNS)}", ",".join(header), 1, "structure")
        return [], problems
    out: list[Observation] = []
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(out) >= MAX_OBSERVATIONS:
                r.problem("row", f"more than {MAX_OBSERVATIONS} observations", line=line, code="limit")
                break
            if len(row) != len(COLUMNS):
                r.problem(
                    "row",
                    f"has {len(row)} cells but the header has {len(COLUMNS)}",
                    ",".join(row)[:80],
                    line,
                    "structure",
                )
                continue
            observation = check_observation(r, dict(zip(COLUMNS, row)), "", line, indicator_ids)
            if observation is not None:
                out.append(observation)
    except csv.Error as exc:
        r.problem("row", f"malformed CSV: {exc}", line=reader.line_num, code="syntax")
    return out, problems


def observation_row(observation: Observation) -> str:
    """The CSV line of one observation (with its newline)."""
    buffer = io.StringIO()
    o = observation
    csv.writer(buffer, lineterminator="\n").writerow(
        [o.indicator, o.date.isoformat(), o.status, o.credibility, o.sources, o.note]
    )
    return buffer.getvalue()


def append_observation(folder: Path, row: Mapping[str, Any], indicator_ids: Sequence[str]) -> Observation:
    """Validate ``row`` (indicator, date, status, credibility, sources, note) and append it to the case's
    ``observations.csv`` atomically (the file is created with its header if missing). Invalid input raises
    ValidationError and writes nothing."""
    path = folder / OBSERVATIONS_FILE
    problems = Problems()
    observation = check_observation(FieldReader(OBSERVATIONS_FILE, problems), row, "", None, indicator_ids)
    problems.raise_if_any()
    assert observation is not None
    text = path.read_text(encoding="utf-8-sig") if path.is_file() else ",".join(COLUMNS) + "\n"
    if text and not text.endswith("\n"):
        text += "\n"
    atomic_write_text(path, text + observation_row(observation))
    return observation


def milestone_ids(hypotheses: Sequence[model.Hypothesis]) -> set[str]:
    """``H1-m1``, ``H1-m2``, ... for every milestone of every hypothesis."""
    return {f"{h.id}-m{k}" for h in hypotheses for k in range(1, len(h.milestones) + 1)}
