"""Score a whole case: every method side by side, for one analyst or all analysts combined.

This is what the command line, the report notebook and the editor show; each number comes from the pure functions
in :mod:`sat.ach.scoring`, :mod:`sat.ach.diagnosticity` and :mod:`sat.ach.consensus`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SatError
from ..model import Case
from . import consensus, diagnosticity, scoring


@dataclass
class AchScores:
    """Scores of a case for ``analysts`` (one analyst, or several combined)."""

    case: Case
    analysts: list[str]
    matrix: pd.DataFrame
    hypotheses: pd.DataFrame
    evidence: pd.DataFrame
    by_analyst: dict[str, pd.DataFrame]
    cells: pd.DataFrame

    @property
    def leader(self) -> str:
        """Id of the hypothesis ranked first."""
        return str(self.hypotheses["rank"].idxmin())

    @property
    def disagreements(self) -> pd.DataFrame:
        """Cells on which the analysts do not agree (anything beyond consensus, or split on NA), worst first."""
        disputed = self.cells[(self.cells["level"] != "consensus") | self.cells["na_split"]]
        return disputed.sort_values(["spread", "evidence"], ascending=[False, True]).reset_index(drop=True)

    def to_json(self) -> dict[str, Any]:
        """The JSON document of ``sat ach score --json``."""
        return {
            "case": self.case.id,
            "title": self.case.title,
            "question": self.case.question,
            "analysts": self.analysts,
            "hypotheses": [
                {
                    "id": hid,
                    "title": row["title"],
                    "inconsistency": _num(row["inconsistency"]),
                    "weighted_inconsistency": _num(row["weighted_inconsistency"]),
                    "posterior": _num(row["posterior"]),
                    "rank": int(row["rank"]),
                }
                for hid, row in self.hypotheses.iterrows()
            ],
            "evidence": [
                {
                    "id": eid,
                    "diagnosticity": _num(row["likelihood_ratio"]),
                    "rating_spread": _num(row["rating_spread"]),
                    "diagnostic": bool(row["diagnostic"]),
                }
                for eid, row in self.evidence.iterrows()
            ],
            "disagreements": [
                {
                    "evidence": row["evidence"],
                    "hypothesis": row["hypothesis"],
                    "ratings": row["ratings"],
                    "spread": _num(row["spread"]),
                    "level": row["level"],
                    "na_split": bool(row["na_split"]),
                }
                for _, row in self.disagreements.iterrows()
            ],
        }


def _num(value: Any) -> float:
    return round(float(value), 6)


def encoded_stack(case: Case, analysts: list[str]) -> np.ndarray:
    """Analysts x evidence x hypotheses array of code indices."""
    return np.stack([scoring.encode(case.matrix(a)) for a in analysts])


def score_case(case: Case, analyst: str | None = None) -> AchScores:
    """Scores of one analyst (``analyst``), or of all analysts combined when ``analyst`` is None.

    Combined scores are the mean of the analysts' PARC scores and the mean of their normalised posteriors; the
    matrix shown is the group verdict per cell (:func:`sat.ach.consensus.group_codes`).
    """
    if len(case.hypotheses) < 2:
        raise SatError(f"case {case.id!r}: ACH needs at least two hypotheses (it has {len(case.hypotheses)})")
    if not case.evidence:
        raise SatError(f"case {case.id!r}: ACH needs at least one evidence item")
    if not case.ratings:
        raise SatError(f"case {case.id!r}: no ratings yet (add ratings/<analyst>.csv)")
    if analyst is not None and analyst not in case.ratings:
        raise SatError(f"case {case.id!r}: no analyst {analyst!r} (analysts: {', '.join(case.analysts)})")
    analysts = [analyst] if analyst else case.analysts
    hids, eids = case.hypothesis_ids, case.evidence_ids
    stack = encoded_stack(case, analysts)
    evidence = case.evidence
    weights = scoring.parc_weights([e.credibility for e in evidence], [e.relevance for e in evidence])
    prior = scoring.prior_vector(hids, case.scoring.priors)
    loglik = scoring.log_likelihoods(stack, case.scoring.likelihoods)
    inconsistency = scoring.inconsistency(stack)
    weighted = scoring.weighted_inconsistency(stack, weights)
    posteriors = scoring.posterior_from_loglik(loglik, prior)

    by_analyst = {
        name: _hypothesis_frame(case, inconsistency[i], weighted[i], posteriors[i]) for i, name in enumerate(analysts)
    }
    hypotheses = _hypothesis_frame(
        case, inconsistency.mean(axis=0), weighted.mean(axis=0), consensus.group_posterior(posteriors)
    )

    mean_numbers = consensus.cell_mean(stack)
    mean_loglik = loglik.mean(axis=0)
    ratio = diagnosticity.likelihood_ratio(mean_loglik)
    spread = diagnosticity.rating_spread(mean_numbers)
    evidence_frame = pd.DataFrame(
        {
            "summary": [e.summary for e in evidence],
            "type": [e.type for e in evidence],
            "likelihood_ratio": ratio,
            "rating_spread": spread,
            "diagnostic": ~np.isclose(ratio, 1.0),
        },
        index=pd.Index(eids, name="evidence"),
    )
    evidence_frame["order"] = np.arange(len(eids))
    evidence_frame = evidence_frame.sort_values(
        ["likelihood_ratio", "rating_spread", "order"], ascending=[False, False, True]
    ).drop(columns="order")

    matrix = (
        case.matrix(analysts[0])
        if len(analysts) == 1
        else pd.DataFrame(consensus.group_codes(stack), index=pd.Index(eids, name="evidence"), columns=hids)
    )
    return AchScores(case, analysts, matrix, hypotheses, evidence_frame, by_analyst, _cells(case, analysts, stack))


def _hypothesis_frame(case: Case, inconsistency: np.ndarray, weighted: np.ndarray, posterior: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "title": [h.title for h in case.hypotheses],
            "inconsistency": inconsistency,
            "weighted_inconsistency": weighted,
            "posterior": posterior,
            "rank": scoring.rank(posterior, weighted),
        },
        index=pd.Index(case.hypothesis_ids, name="hypothesis"),
    )
    return frame


def _cells(case: Case, analysts: list[str], stack: np.ndarray) -> pd.DataFrame:
    """One row per cell: every analyst's rating, spread, level and NA split."""
    spread = consensus.cell_spread(stack)
    split = consensus.na_split(stack)
    rows = []
    for e, eid in enumerate(case.evidence_ids):
        for h, hid in enumerate(case.hypothesis_ids):
            ratings = {a: scoring.CODES[stack[k, e, h]] for k, a in enumerate(analysts)}
            rows.append(
                {
                    "evidence": eid,
                    "hypothesis": hid,
                    "ratings": ratings,
                    "spread": float(spread[e, h]),
                    "level": consensus.disagreement_level(float(spread[e, h])),
                    "na_split": bool(split[e, h]),
                }
            )
    return pd.DataFrame(rows)
