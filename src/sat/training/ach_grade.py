"""Grade trainees' ACH matrices against an instructor key.

Every number comes from the pure functions of :mod:`sat.training.grading`; what a trainee's ratings imply (their
scores, diagnostic items, linchpins, ranking) comes from :func:`sat.ach.analysis.score_case`, the function behind
the report, so the feedback shows the trainee what the report would show them.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem, ValidationError
from ..model import Case
from ..paths import ANALYST_NAME
from ..store import NOTES_SUFFIX, read_ratings_csv
from ..validation import FieldReader, Problems, is_number, shown
from ..yamlio import line_of, load_yaml, own_line
from . import grading
from .key import DIAGNOSTIC_RATIO, Key
from .trainee_files import gather_files

ANSWERS_SUFFIX = ".answers.yaml"


@dataclass
class Submission:
    """One trainee's matrix (aligned to the case) and, optionally, the probabilities they state."""

    trainee: str
    matrix: pd.DataFrame
    probabilities: dict[str, float] | None = None
    file: str = ""


@dataclass
class CellResult:
    """How one cell was graded."""

    evidence: str
    hypothesis: str
    given: str
    expected: str
    accept: tuple[str, ...]
    credit: float
    weight: float
    why: str


@dataclass
class Grade:
    """A trainee's grade: points per rubric component, the measures behind them, and the graded cells."""

    trainee: str
    key_label: str
    points: dict[str, float]
    maximum: dict[str, float]
    agreement: float
    kappa: float
    tau: float
    leader: str
    top_ok: bool
    unrated: int
    found: dict[str, list[str]]
    missed: dict[str, list[str]]
    cells: list[CellResult]
    probabilities: dict[str, float]
    distance: float | None = None
    mae: float | None = None
    scores: Any = field(default=None, repr=False)  # the trainee's AchScores

    @property
    def total(self) -> float:
        return float(sum(self.points.values()))

    @property
    def out_of(self) -> float:
        return float(sum(self.maximum.values()))

    def to_json(self) -> dict[str, Any]:
        """The grade as plain data (``sat grade --json``)."""

        def num(x: float | None) -> float | None:
            return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 6)

        return {
            "trainee": self.trainee,
            "key": self.key_label,
            "total": num(self.total),
            "out_of": num(self.out_of),
            "points": {k: num(v) for k, v in self.points.items()},
            "maximum": {k: num(v) for k, v in self.maximum.items()},
            "cell_agreement": num(self.agreement),
            "kappa": num(self.kappa),
            "kendall_tau": num(self.tau),
            "leader": self.leader,
            "top_matches": self.top_ok,
            "unrated_cells": self.unrated,
            "found": self.found,
            "missed": self.missed,
            "probabilities": {k: num(v) for k, v in self.probabilities.items()},
            "distance_to_normative": num(self.distance),
            "mean_absolute_error": num(self.mae),
            "costly_cells": [
                {
                    "evidence": c.evidence,
                    "hypothesis": c.hypothesis,
                    "given": c.given,
                    "accept": list(c.accept),
                    "credit": c.credit,
                    "why": c.why,
                }
                for c in self.cells
                if c.credit < 1
            ],
        }


def grade_submission(case: Case, key: Key, submission: Submission) -> Grade:
    """Grade one trainee's matrix (and stated probabilities) against ``key``."""
    from ..ach.analysis import score_case

    matrix = submission.matrix
    values = matrix.to_numpy()  # one array read, not a pandas lookup per cell
    row = {eid: i for i, eid in enumerate(matrix.index)}
    column = {hid: j for j, hid in enumerate(matrix.columns)}
    cells: list[CellResult] = []
    for (eid, hid), kc in key.cells.items():
        given = str(values[row[eid], column[hid]])
        credit = grading.cell_credit(given, kc.accept, key.one_step_credit)
        cells.append(CellResult(eid, hid, given, kc.rating, kc.accept, credit, kc.weight, kc.why))
    agreement = grading.weighted_agreement([c.credit for c in cells], [c.weight for c in cells])
    pairs = [
        (grading.STEP[c.given], grading.STEP[c.expected])
        for c in cells
        if c.given in grading.STEP and c.expected in grading.STEP
    ]
    kappa = grading.quadratic_kappa([a for a, _ in pairs], [b for _, b in pairs]) if pairs else math.nan
    exact = sum(a == b for a, b in pairs) / len(pairs) if pairs else 0.0
    unrated = int((values == "").sum())

    trainee_case = Case(
        case.id,
        case.title,
        case.question,
        case.as_of,
        case.hypotheses,
        case.evidence,
        case.sources,
        case.description,
        case.scoring,
        ratings={submission.trainee: matrix},
    )
    scores = score_case(trainee_case, submission.trainee)
    posterior = scores.hypotheses["posterior"].reindex(case.hypothesis_ids)
    ranks = scores.hypotheses["rank"].reindex(case.hypothesis_ids)
    stated = submission.probabilities
    probabilities = (
        {h: stated.get(h, 0.0) for h in case.hypothesis_ids} if stated else {h: float(p) for h, p in posterior.items()}
    )
    leader = max(probabilities, key=lambda h: probabilities[h]) if stated else scores.leader
    tau = math.nan
    if key.ranking:
        key_rank = [key.ranking.index(h) for h in case.hypothesis_ids]
        mine = (
            [-probabilities[h] for h in case.hypothesis_ids]
            if stated
            else [float(ranks[h]) for h in case.hypothesis_ids]
        )
        tau = grading.kendall_tau_b(mine, key_rank)
    ratio = scores.evidence["likelihood_ratio"].to_dict()
    diagnostic = scores.evidence["diagnostic"].to_dict()
    mine_found = {
        "diagnostic": {e for e in case.evidence_ids if ratio[e] >= DIAGNOSTIC_RATIO},
        "non_diagnostic": {e for e in case.evidence_ids if not diagnostic[e]},
        "linchpins": set(scores.sensitivity.linchpins if scores.sensitivity else []),
    }
    expected = {"diagnostic": key.diagnostic, "non_diagnostic": key.non_diagnostic, "linchpins": key.linchpins}
    found = {k: [e for e in v if e in mine_found[k]] for k, v in expected.items()}
    missed = {k: [e for e in v if e not in mine_found[k]] for k, v in expected.items()}

    distance = mae = None
    if key.normative is not None:
        normal = grading.normalise([probabilities[h] for h in case.hypothesis_ids])
        distance, mae = grading.distance_to_normative(normal, [key.normative[h] for h in case.hypothesis_ids])

    fraction = {
        "cells": agreement,
        "kappa": max(0.0, kappa) if not math.isnan(kappa) else exact,
        "ranking": (tau + 1) / 2 if not math.isnan(tau) else 0.0,
        "top": 1.0 if leader in key.top else 0.0,
        **{k: len(found[k]) / len(v) if v else 0.0 for k, v in expected.items()},
        "accuracy": 1 - distance / 2 if distance is not None else 0.0,
    }
    applies = {
        "ranking": bool(key.ranking),
        "top": bool(key.top),
        "accuracy": key.normative is not None,
        **{k: bool(v) for k, v in expected.items()},
    }
    maximum = {k: (v if applies.get(k, True) else 0.0) for k, v in key.rubric.items()}
    points = {k: maximum[k] * fraction[k] for k in maximum}
    return Grade(
        submission.trainee,
        key.label,
        points,
        maximum,
        agreement,
        kappa,
        tau,
        leader,
        leader in key.top,
        unrated,
        found,
        missed,
        cells,
        probabilities,
        distance,
        mae,
        scores,
    )


# --- reading submissions --------------------------------------------------------------------------------------------


def submission_files(paths: Iterable[str | os.PathLike[str]], problems: Problems) -> list[Path]:
    """The ratings files named by ``paths``: a ``.csv`` file, or every ratings file under a folder (a trainee's case
    folder, a class folder of files or of trainees' pack folders). Rationale files are skipped; a path that is
    neither is a problem added to ``problems``."""
    return gather_files(paths, "*.csv", lambda p: not p.name.endswith(NOTES_SUFFIX), "ratings file (*.csv)", problems)


def read_submissions(case: Case, paths: Iterable[str | os.PathLike[str]]) -> list[Submission]:
    """Every trainee's matrix under ``paths``, checked like a case's ratings; the trainee is the file's name.

    A file ``<trainee>.answers.yaml`` beside a ratings file may state the trainee's probabilities
    (``probabilities: {H1: 0.7, ...}``). Every problem of every file is reported at once.
    """
    problems = Problems()
    submissions: list[Submission] = []
    seen: dict[str, str] = {}
    paths = list(paths)
    for path in submission_files(paths, problems):
        trainee = path.stem
        shown_as = str(path)
        if not ANALYST_NAME.match(trainee):
            problems.append(
                Problem(
                    shown_as, "file", "trainee file names use only letters, digits, '-' and '_'", path.name, code="file"
                )
            )
            continue
        if trainee in seen:
            problems.append(
                Problem(
                    shown_as,
                    "file",
                    f"a second file for trainee {trainee} (first: {seen[trainee]})",
                    trainee,
                    code="duplicate",
                )
            )
            continue
        seen[trainee] = shown_as
        matrix, found = read_ratings_csv(path, case.hypothesis_ids, case.evidence_ids, shown_as)
        problems.extend(found)
        answers = path.with_name(trainee + ANSWERS_SUFFIX)
        probabilities = _read_answers(answers, case, problems) if answers.is_file() else None
        if matrix is not None:
            submissions.append(Submission(trainee, matrix, probabilities, shown_as))
    if not submissions and not problems:
        problems.append(Problem(", ".join(map(str, paths)), "submission", "no submission found", code="file"))
    problems.raise_if_any()
    return submissions


def _read_answers(path: Path, case: Case, problems: Problems) -> dict[str, float] | None:
    shown_as = str(path)
    try:
        data = load_yaml(path, shown_as=shown_as)
    except ValidationError as exc:
        problems.extend(exc.problems)
        return None
    r = FieldReader(shown_as, problems)
    root = r.mapping(data, "answers", 1)
    if root is None:
        return None
    r.unknown(root, ("probabilities",), "")
    raw = root.get("probabilities")
    section = r.mapping(raw, "probabilities", line_of(root, "probabilities")) if raw is not None else None
    if section is None:
        return None
    before = len(problems)
    out: dict[str, float] = {}
    for hid, value in section.items():
        where = f"probabilities.{hid}"
        if str(hid) not in case.hypothesis_ids:
            r.problem(
                where, "refers to a hypothesis id that is not in the case", hid, line_of(section, hid), "reference"
            )
        elif not is_number(value) or not 0 <= float(value) <= 1:
            r.problem(where, "must be a probability between 0 and 1", shown(value), line_of(section, hid), "number")
        else:
            out[str(hid)] = float(value)
    if out and abs(sum(out.values()) - 1) > 0.01:
        r.problem(
            "probabilities",
            "must sum to 1 (within 0.01): one probability per hypothesis",
            round(sum(out.values()), 4),
            own_line(section),
            "number",
        )
    return out if len(problems) == before else None


def class_frame(grades: list[Grade]) -> pd.DataFrame:
    """One row per trainee (the gradebook): total, out of, points per component and the measures behind them."""
    rows = []
    for g in grades:
        rows.append(
            {
                "trainee": g.trainee,
                "total": round(g.total, 2),
                "out_of": round(g.out_of, 2),
                **{f"points_{k}": round(v, 2) for k, v in g.points.items() if g.maximum[k] > 0},
                "cell_agreement": round(g.agreement, 4),
                "kappa": _round(g.kappa),
                "kendall_tau": _round(g.tau),
                "leader": g.leader,
                "top_matches": g.top_ok,
                "unrated_cells": g.unrated,
                **(
                    {"distance_to_normative": _round(g.distance), "mean_absolute_error": _round(g.mae)}
                    if g.distance is not None
                    else {}
                ),
                "key": g.key_label,
            }
        )
    return pd.DataFrame(rows)


def _round(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 4)


def rating_distribution(case: Case, submissions: list[Submission]) -> pd.DataFrame:
    """Per cell (rows ``evidence/hypothesis`` in case order), the share of trainees who gave each rating
    (columns CC, C, N, I, II, NA and "unrated")."""
    from ..ach.scoring import encode

    stack = np.stack([encode(s.matrix) for s in submissions])  # trainees x evidence x hypotheses, codes 0..6
    counts = np.stack([(stack == k).sum(axis=0) for k in range(7)], axis=-1) / len(submissions)
    index = [f"{e}/{h}" for e in case.evidence_ids for h in case.hypothesis_ids]
    return pd.DataFrame(
        counts.reshape(-1, 7), index=pd.Index(index, name="cell"), columns=["CC", "C", "N", "I", "II", "NA", "unrated"]
    )


def hardest_cells(grades: list[Grade], limit: int = 10) -> pd.DataFrame:
    """The cells with the lowest mean credit across the class, with the key's expected rating and why."""
    frame = pd.DataFrame(
        [(c.evidence, c.hypothesis, c.credit, "/".join(c.accept), c.why) for g in grades for c in g.cells],
        columns=["evidence", "hypothesis", "credit", "accept", "why"],
    )
    table = (
        frame.groupby(["evidence", "hypothesis"], sort=False)
        .agg(mean_credit=("credit", "mean"), accept=("accept", "first"), why=("why", "first"))
        .reset_index()
    )
    return table.sort_values("mean_credit", kind="stable").head(limit).reset_index(drop=True)


__all__ = [
    "CellResult",
    "Grade",
    "Submission",
    "class_frame",
    "grade_submission",
    "hardest_cells",
    "rating_distribution",
    "read_submissions",
    "submission_files",
]
