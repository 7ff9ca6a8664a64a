"""A seeded simulated class, to try an exercise's grading before a course and to test it: never real results.

Each simulated trainee has a skill drawn once: the chance that a rating drifts one step (or, less often, two) from
the key, leaves a cell unrated, or, for a drill, how over- or under-confident their probabilities are. The same
seed gives the same class.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..fileio import atomic_write_text
from ..model import Case
from ..store import ratings_to_csv
from ..yamlio import dump_yaml
from .calibration import Bank
from .grading import ORDINAL
from .key import Key


def simulated_matrices(case: Case, key: Key, trainees: int, seed: int = 0) -> dict[str, pd.DataFrame]:
    """``trainees`` matrices (name -> DataFrame) scattered around the key's expected ratings."""
    rng = np.random.default_rng(seed)
    out: dict[str, pd.DataFrame] = {}
    for t in range(trainees):
        drift = rng.uniform(0.08, 0.45)  # chance a cell drifts from the key
        blank = rng.choice([0.0, 0.0, 0.0, 0.02, 0.08])  # some trainees run out of time
        rows = []
        for eid in case.evidence_ids:
            row = []
            for hid in case.hypothesis_ids:
                cell = key.cells[(eid, hid)]
                code = cell.accept[rng.integers(len(cell.accept))]
                if code in ORDINAL and rng.random() < drift:
                    steps = 1 if rng.random() < 0.8 else 2
                    k = ORDINAL.index(code) + int(rng.choice([-steps, steps]))
                    code = ORDINAL[min(max(k, 0), len(ORDINAL) - 1)]
                if rng.random() < blank:
                    code = ""
                row.append(code)
            rows.append(row)
        out[f"trainee{t + 1:02d}"] = pd.DataFrame(
            rows, index=pd.Index(case.evidence_ids, name="evidence"), columns=case.hypothesis_ids, dtype=object
        )
    return out


def write_simulated_class(case: Case, key: Key, folder: str | Path, trainees: int = 24, seed: int = 0) -> Path:
    """Write a simulated class of ratings files (``<folder>/<trainee>.csv``) and return the folder."""
    folder = Path(folder)
    for name, matrix in simulated_matrices(case, key, trainees, seed).items():
        atomic_write_text(folder / f"{name}.csv", ratings_to_csv(matrix, case.evidence_ids, case.hypothesis_ids))
    return folder


def simulated_forecasts(bank: Bank, trainees: int, seed: int = 0) -> dict[str, dict[str, Any]]:
    """Forecasts files (name -> YAML mapping) of a simulated class on a bank: each trainee sees a noisy signal of
    the truth, sharpened or flattened by their own confidence, and answers in steps of 5%; most also say what
    the ICD 203 terms mean to them, some far off the published ranges (the "vague verbiage" of the drill)."""
    from ..language import ICD203

    rng = np.random.default_rng(seed)
    signal = {q.id: rng.normal(0, 1) for q in bank.questions}
    out: dict[str, dict[str, Any]] = {}
    for t in range(trainees):
        confidence = rng.uniform(0.4, 1.8)  # < 1 under-confident, > 1 over-confident
        insight = rng.uniform(0.6, 1.6)
        forecasts: dict[str, Any] = {}
        for q in bank.questions:
            if rng.random() < 0.05:
                continue  # a question skipped
            truth = q.options.index(q.resolution) if q.resolution in q.options else 0
            logits = (
                np.array(
                    [
                        insight * (1.0 if k == truth else 0.0) + 0.7 * rng.normal() + 0.3 * signal[q.id]
                        for k in range(len(q.options))
                    ]
                )
                * confidence
            )
            p = np.exp(logits - logits.max())
            p = np.round(p / p.sum() * 20) / 20
            p[np.argmax(p)] += 1 - p.sum()
            p = np.clip(p, 0.0, 1.0)
            if len(q.options) == 2:
                forecasts[q.id] = round(float(p[0]), 2)
            else:
                forecasts[q.id] = {o: round(float(x), 2) for o, x in zip(q.options, p)}
        spread = rng.uniform(0.03, 0.2)
        terms = {
            b.term: round(float(np.clip((b.low + b.high) / 2 + rng.normal(0, spread), 0.01, 0.99)), 2)
            for b in ICD203
            if b.term in (bank.terms or ())
        }
        out[f"trainee{t + 1:02d}"] = {"forecasts": forecasts, **({"terms": terms} if terms else {})}
    return out


def write_simulated_drill(bank: Bank, folder: str | Path, trainees: int = 24, seed: int = 0) -> Path:
    """Write a simulated class's forecasts files (``<folder>/<trainee>.yaml``) and return the folder."""
    folder = Path(folder)
    for name, data in simulated_forecasts(bank, trainees, seed).items():
        atomic_write_text(folder / f"{name}.yaml", dump_yaml(data))
    return folder
