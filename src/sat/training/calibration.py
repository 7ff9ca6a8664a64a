"""Calibration drills: the question bank, trainees' forecasts, and their scores.

Numbers first, words second (TRADECRAFT.md §7): trainees give numbers; the ICD 203 term is shown beside each number
in brackets, never instead of it. Scores: Brier's score over the options (0-2) per question, Murphy's decomposition
over every probability stated (each option a binary event), a calibration curve, the score relative to the class
median per question (as Good Judgment Open reports it), and the "what does likely mean to you?" drill, which
compares each trainee's number for an ICD 203 term with the term's published range.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..language import ICD203, icd203_band
from ..validation import FieldReader, Problems, is_number, shown
from ..yamlio import LineDict, line_of, load_yaml
from . import grading
from .trainee_files import load_trainee_yaml

BANK_FIELDS = ("bank", "title", "version", "questions", "terms")
QUESTION_FIELDS = ("id", "text", "options", "resolution", "resolution_date", "note")
SUBMISSION_FIELDS = ("forecasts", "terms")
BINARY = ("yes", "no")
TERMS = {b.term: b for b in ICD203}


@dataclass(frozen=True)
class Question:
    """One question of a bank: its options, and (instructor side) the option that happened and why."""

    id: str
    text: str
    options: tuple[str, ...] = BINARY
    resolution: str | None = None
    resolution_date: dt.date | None = None
    note: str = ""


@dataclass
class Bank:
    """A question bank, with the terms of the "what does it mean to you?" drill."""

    id: str
    title: str
    version: int
    questions: list[Question]
    terms: tuple[str, ...] = ()
    digest: str = ""

    @property
    def label(self) -> str:
        return f"bank {self.id} v{self.version} (sha256 {self.digest[:12]})"

    def question(self, qid: str) -> Question:
        return next(q for q in self.questions if q.id == qid)


def load_bank(path: str | os.PathLike[str], shown_as: str | None = None) -> Bank:
    """Read and check a question bank (YAML); raise ValidationError listing every problem."""
    from .key import file_digest

    shown_as = shown_as or str(path)
    data = load_yaml(path, shown_as=shown_as)
    problems = Problems()
    r = FieldReader(shown_as, problems)
    root = r.mapping(data, "questions.yaml", 1)
    if root is None:
        problems.raise_if_any()
    assert root is not None  # mapping() recorded a problem, so raise_if_any() raised
    r.unknown(root, BANK_FIELDS, "")
    bank_id = r.identifier(root, "bank", "")
    title = r.text(root, "title", "", required=True)
    version = r.whole_number(root, "version", "", hint=" (raise it on every change)")
    questions: list[Question] = []
    raw = root.get("questions")
    if not isinstance(raw, list) or not raw:
        r.problem(
            "questions",
            "must be a non-empty list of questions",
            shown(raw),
            line_of(root, "questions") or 1,
            "required" if raw is None else "type",
        )
        raw = []
    seen: dict[str, int | None] = {}
    for index, entry in enumerate(raw):
        where = f"questions[{index}]"
        item = r.mapping(entry, where, line_of(raw, index))
        if item is None:
            continue
        r.unknown(item, QUESTION_FIELDS, where)
        qid = r.identifier(item, "id", where)
        if qid in seen:
            r.problem(
                f"{where}.id", f"duplicate id (first used on line {seen[qid]})", qid, line_of(item, "id"), "duplicate"
            )
        seen[qid] = line_of(item, "id")
        options = r.text_list(item, "options", where) or BINARY
        if len(options) < 2 or len(set(options)) != len(options):
            r.problem(
                f"{where}.options",
                "needs two or more different options",
                list(options),
                line_of(item, "options"),
                "structure",
            )
        resolution = r.text(item, "resolution", where) or None
        if isinstance(item.get("resolution"), bool):  # YAML reads a bare yes/no as a boolean
            resolution = "yes" if item["resolution"] else "no"
        if resolution is not None and resolution not in options:
            r.problem(
                f"{where}.resolution",
                f"must be one of the options: {', '.join(options)}",
                resolution,
                line_of(item, "resolution"),
                "choice",
            )
        questions.append(
            Question(
                qid,
                r.text(item, "text", where, required=True),
                tuple(options),
                resolution,
                r.date(item, "resolution_date", where),
                r.text(item, "note", where),
            )
        )
    terms = r.text_list(root, "terms", "")
    for term in terms:
        if term not in TERMS:
            r.problem(
                "terms", f"not an ICD 203 term (one of: {', '.join(TERMS)})", term, line_of(root, "terms"), "choice"
            )
    problems.raise_if_any()
    return Bank(bank_id, title, int(version), questions, terms, file_digest(Path(path)))


def trainee_bank(bank: Bank) -> dict[str, Any]:
    """The bank as trainees receive it: questions, options and resolution dates, without resolutions or notes."""
    return {
        "bank": bank.id,
        "title": bank.title,
        "version": bank.version,
        "questions": [
            {
                "id": q.id,
                "text": q.text,
                **({"options": list(q.options)} if q.options != BINARY else {}),
                **({"resolution_date": q.resolution_date} if q.resolution_date else {}),
            }
            for q in bank.questions
        ],
        **({"terms": list(bank.terms)} if bank.terms else {}),
    }


# --- trainees' forecasts --------------------------------------------------------------------------------------------


@dataclass
class Forecasts:
    """One trainee's answers: per question a probability per option; per term a number."""

    trainee: str
    forecasts: dict[str, dict[str, float]]
    terms: dict[str, float] = field(default_factory=dict)
    file: str = ""


def parse_forecasts(data: Any, file: str, trainee: str, bank: Bank, problems: Problems) -> Forecasts | None:
    """A trainee's forecasts from their parsed YAML: ``forecasts: {q1: 0.7, q2: {a: 0.2, b: 0.8}}`` (a bare
    number is the probability of the first option of a two-option question) and ``terms: {likely: 0.7}``."""
    r = FieldReader(file, problems)
    before = len(problems)
    root = r.mapping(data, "forecasts file", 1)
    if root is None:
        return None
    r.unknown(root, SUBMISSION_FIELDS, "")
    out: dict[str, dict[str, float]] = {}
    raw = root.get("forecasts")
    section = r.mapping(raw, "forecasts", line_of(root, "forecasts")) if raw is not None else LineDict()
    known = {q.id: q for q in bank.questions}
    for qid, value in (section or {}).items():
        where, line = f"forecasts.{qid}", line_of(section, qid)
        question = known.get(str(qid))
        if question is None:
            r.problem(where, "refers to a question id that is not in the bank", qid, line, "reference")
            continue
        if is_number(value):
            if len(question.options) != 2:
                r.problem(
                    where, f"give one probability per option ({', '.join(question.options)})", value, line, "structure"
                )
                continue
            p = float(value)
            if not 0 <= p <= 1:
                r.problem(where, "must be a probability between 0 and 1", value, line, "number")
                continue
            out[question.id] = {question.options[0]: p, question.options[1]: 1 - p}
            continue
        per_option = r.mapping(value, where, line)
        if per_option is None:
            continue
        probabilities: dict[str, float] = {}
        for option, p in per_option.items():
            name = "yes" if option is True else "no" if option is False else str(option)
            if name not in question.options:
                r.problem(
                    f"{where}.{name}",
                    f"not an option of this question ({', '.join(question.options)})",
                    name,
                    line_of(per_option, option),
                    "choice",
                )
            elif not is_number(p) or not 0 <= float(p) <= 1:
                r.problem(
                    f"{where}.{name}",
                    "must be a probability between 0 and 1",
                    shown(p),
                    line_of(per_option, option),
                    "number",
                )
            else:
                probabilities[name] = float(p)
        if probabilities and abs(sum(probabilities.values()) - 1) > 0.01:
            r.problem(
                where,
                "the options' probabilities must sum to 1 (within 0.01)",
                round(sum(probabilities.values()), 4),
                line,
                "number",
            )
        out[question.id] = {o: probabilities.get(o, 0.0) for o in question.options}
    terms: dict[str, float] = {}
    raw_terms = root.get("terms")
    term_map = r.mapping(raw_terms, "terms", line_of(root, "terms")) if raw_terms is not None else None
    for term, value in (term_map or {}).items():
        if str(term) not in TERMS:
            r.problem(
                f"terms.{term}",
                f"not an ICD 203 term (one of: {', '.join(TERMS)})",
                term,
                line_of(term_map, term),
                "choice",
            )
        elif not is_number(value) or not 0 <= float(value) <= 1:
            r.problem(
                f"terms.{term}",
                "must be a probability between 0 and 1",
                shown(value),
                line_of(term_map, term),
                "number",
            )
        else:
            terms[str(term)] = float(value)
    return Forecasts(trainee, out, terms, file) if len(problems) == before else None


def read_forecasts(bank: Bank, paths: Iterable[str | os.PathLike[str]]) -> list[Forecasts]:
    """Every trainee's forecasts file (``<trainee>.yaml``) under ``paths`` (files or class folders)."""
    problems = Problems()
    result: list[Forecasts] = []
    for trainee, path, data in load_trainee_yaml(
        paths, ("questions.yaml", "exercise.yaml"), "forecasts file", problems
    ):
        forecasts = parse_forecasts(data, str(path), trainee, bank, problems)
        if forecasts is not None:
            result.append(forecasts)
    problems.raise_if_any()
    return result


# --- scores -----------------------------------------------------------------------------------------------------


@dataclass
class DrillScores:
    """The scores of a class on one bank."""

    bank: Bank
    brier: pd.DataFrame  # trainees x resolved questions: Brier's score (NaN where not answered)
    table: pd.DataFrame  # one row per trainee: mean Brier, relative to the median, Murphy's terms, answered
    terms: pd.DataFrame  # trainees x terms: the number each trainee gave
    events: dict[str, tuple[np.ndarray, np.ndarray]]  # per trainee: (forecast, outcome) of every option


def score_drill(bank: Bank, forecasts: list[Forecasts]) -> DrillScores:
    """Score every trainee on the resolved questions of ``bank``."""
    resolved = [q for q in bank.questions if q.resolution is not None]
    brier = pd.DataFrame(
        np.nan, index=pd.Index([f.trainee for f in forecasts], name="trainee"), columns=[q.id for q in resolved]
    )
    events: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for f in forecasts:
        probs: list[float] = []
        outcomes: list[int] = []
        for q in resolved:
            if q.id not in f.forecasts:
                continue
            p = [f.forecasts[q.id][o] for o in q.options]
            truth = q.options.index(q.resolution)
            brier.at[f.trainee, q.id] = grading.brier(p, truth)
            probs.extend(p)
            outcomes.extend(int(k == truth) for k in range(len(p)))
        events[f.trainee] = (np.asarray(probs, dtype=float), np.asarray(outcomes, dtype=int))
    median = brier.median(axis=0, skipna=True)
    rows = []
    for f in forecasts:
        mine = brier.loc[f.trainee]
        answered = mine.notna()
        row: dict[str, Any] = {
            "trainee": f.trainee,
            "answered": int(answered.sum()),
            "brier": float(mine[answered].mean()) if answered.any() else np.nan,
            "relative_to_median": float((mine[answered] - median[answered]).mean()) if answered.any() else np.nan,
        }
        fc, oc = events[f.trainee]
        if fc.size:
            m = grading.murphy(fc, oc)
            row.update(reliability=m.reliability, resolution=m.resolution, uncertainty=m.uncertainty)
        row["terms_in_range"] = sum(_in_band(t, v) for t, v in f.terms.items())
        row["terms_given"] = len(f.terms)
        rows.append(row)
    table = pd.DataFrame(rows).set_index("trainee")
    terms = pd.DataFrame([f.terms for f in forecasts], index=brier.index, columns=list(bank.terms or TERMS)).astype(
        float
    )
    return DrillScores(bank, brier, table, terms, events)


def _in_band(term: str, value: float) -> bool:
    band = TERMS[term]
    return band.low <= value <= band.high


def term_feedback(term: str, value: float) -> str:
    """One line of the "what does it mean to you?" drill: the number, the range ICD 203 gives the term, and
    how far outside it the number is."""
    band = TERMS[term]
    if band.low <= value <= band.high:
        return f'"{term}": you said {value:.0%}, inside ICD 203\'s {band.range_text}.'
    gap = band.low - value if value < band.low else value - band.high
    side = "below" if value < band.low else "above"
    return (
        f'"{term}": you said {value:.0%}, {gap * 100:.0f} points {side} ICD 203\'s {band.range_text}; '
        f'to a reader of ICD 203 your number reads as "{icd203_band(value).term}".'
    )


def with_term(probability: float) -> str:
    """A number with its ICD 203 term in brackets: ``70% [likely]`` (the number first, never replaced)."""
    return f"{probability:.0%} [{icd203_band(probability).term}]"


def class_terms(scores: DrillScores) -> pd.DataFrame:
    """Per term, the ICD 203 range and the class's answers: median, lowest, highest, and the share in range."""
    rows = []
    for term in scores.terms.columns:
        values = scores.terms[term].dropna()
        if values.empty:
            continue
        band = TERMS[term]
        rows.append(
            {
                "term": term,
                "icd203_range": band.range_text,
                "median": values.median(),
                "lowest": values.min(),
                "highest": values.max(),
                "in_range": float(((values >= band.low) & (values <= band.high)).mean()),
            }
        )
    return pd.DataFrame(rows)


def calibration_figure(forecasts: np.ndarray, outcomes: np.ndarray, title: str, bins: int | None = None) -> Any:
    """The calibration curve: observed frequency against forecast, each point sized by its count, the diagonal of
    perfect calibration, and Murphy's terms in the legend (grouped into ``bins`` equal-width bins, with the
    residual of the binning, or by distinct values when ``bins`` is None)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.6, 4.2))
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], color="#888888", linestyle="--", linewidth=1, label="perfect calibration")
    if forecasts.size:
        points = grading.calibration_table(forecasts, outcomes, bins)
        xs, ys, ns = (np.array(v) for v in zip(*points))
        m = grading.murphy(forecasts, outcomes, bins)
        ax.plot(
            xs,
            ys,
            color="#1f77b4",
            marker="o",
            linewidth=1.2,
            label=f"REL {m.reliability:.3f}  RES {m.resolution:.3f}  UNC {m.uncertainty:.3f}"
            + (f"  residual {m.residual:.3f}" if bins else ""),
        )
        ax.scatter(xs, ys, s=12 + 60 * ns / ns.max(), color="#1f77b4", zorder=3)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("forecast probability")
    ax.set_ylabel("observed frequency")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="upper left", fontsize=7, frameon=False)
    fig.tight_layout()
    return fig


def answers_table(bank: Bank, forecasts: Forecasts) -> pd.DataFrame:
    """A trainee's answers as they will be scored: each probability with its ICD 203 term in brackets."""
    rows = []
    for q in bank.questions:
        given = forecasts.forecasts.get(q.id)
        shown = (
            "not answered"
            if given is None
            else "; ".join(
                f"{o}: {with_term(given[o])}" if len(q.options) > 2 else with_term(given[o])
                for o in (q.options if len(q.options) > 2 else q.options[:1])
            )
        )
        rows.append({"question": q.text, "your answer": shown})
    return pd.DataFrame(rows, index=pd.Index([q.id for q in bank.questions], name="id"))


def forecasts_to_yaml(forecasts: dict[str, Any], terms: dict[str, float]) -> str:
    """The text of a trainee's forecasts file (what ``sat grade`` reads)."""
    from ..yamlio import dump_yaml

    return dump_yaml({"forecasts": dict(forecasts), **({"terms": dict(terms)} if terms else {})})
