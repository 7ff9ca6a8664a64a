"""Score a whole case: every method side by side, for one analyst or all analysts combined.

This is what the command line, the report notebook and the editor show; each number comes from the pure functions
in :mod:`sat.ach.scoring`, :mod:`sat.ach.diagnosticity` and :mod:`sat.ach.consensus`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SatError
from ..language import icd203_term, percent_text
from ..model import Case
from . import consensus, diagnosticity, scoring
from .checks import Warning, check_hypothesis_set
from .robustness import Robustness, simulate
from .sensitivity import Sensitivity, sensitivity

#: Default JSON: a sensitivity change is listed when it moves some posterior by more than this (or changes the
#: leader or its ICD 203 band); ``--full`` lists every change.
SENSITIVITY_THRESHOLD = 0.01
#: Default JSON: the worst disputed cells listed (``--full`` lists all; ``disagreements_total`` counts them).
DISPUTES_SHOWN = 200
#: Per cell: spread, largest gap in steps, split on NA, and level index (see AchScores.dispute_levels).
DisputeLevels = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass
class AchScores:
    """Scores of a case for ``analysts`` (one analyst, or several combined)."""

    case: Case
    analysts: list[str]
    matrix: pd.DataFrame
    hypotheses: pd.DataFrame
    evidence: pd.DataFrame
    by_analyst: dict[str, pd.DataFrame]
    _stack: np.ndarray = field(repr=False)
    warnings: list[Warning]
    sensitivity: Sensitivity | None = None
    robustness: Robustness | None = None
    _disagreements: pd.DataFrame | None = field(default=None, repr=False)
    _levels: DisputeLevels | None = field(default=None, repr=False)

    @property
    def leader(self) -> str:
        """Id of the hypothesis ranked first."""
        return str(self.hypotheses["rank"].idxmin())

    def to_json(
        self, full: bool = False, threshold: float = SENSITIVITY_THRESHOLD, disputes: int = DISPUTES_SHOWN
    ) -> dict[str, Any]:
        """The JSON document of ``sat ach score --json`` (``full``: of ``--json --full``).

        ``hypotheses``: scores per hypothesis in case order, with the ICD 203 ``likelihood`` term and the
        ``posterior_shown`` as reports print it (whole percent, "under 1%", "over 99%"; :mod:`sat.language`), and
        ``p_top`` and ``interval_90`` after robustness draws. ``evidence``: most diagnostic first; with
        sensitivity, each item has a ``sensitivity`` list of its changes (removed, more consistent, less
        consistent, deceptive) giving the new ``leader``, ``leader_changes``, ``band_changes`` and
        ``changed_posteriors``. Then ``linchpins``, ``linchpin_sentences``, ``warnings`` and ``disagreements``
        (cells on which analysts differ, widest gap first).

        By default the document holds what a reader or a program needs, whatever the size of the case: a change is
        listed only if it changes the leader, moves it into another ICD 203 band, or moves some posterior by more
        than ``threshold`` (and ``changed_posteriors`` names only the hypotheses that move that much);
        ``sensitivity_omitted`` counts the changes left out. At most ``disputes`` disagreements are listed, and
        ``disagreements_total`` counts them all. With ``full``, every change of every item is listed (every
        posterior that changes at 6 decimals; the others keep their value in ``hypotheses``) and every disputed
        cell.
        """
        threshold = 0.0 if full else threshold
        sensitivity_entries, omitted = (
            self.sensitivity.entries(threshold=threshold) if self.sensitivity is not None else ({}, 0)
        )
        ev = self.evidence
        if full or self._disagreements is not None:
            shown = self.disagreements if full else self.disagreements.head(disputes)
            total = len(self.disagreements)
        else:
            shown = _disagreements(self.case, self.analysts, self._stack, limit=disputes, levels=self.dispute_levels)
            total = self.dispute_count
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
                    "likelihood": icd203_term(float(row["posterior"])),
                    "posterior_shown": percent_text(float(row["posterior"])),
                    "rank": int(row["rank"]),
                    **(
                        {"p_top": _num(row["p_top"]), "interval_90": [_num(row["p_low"]), _num(row["p_high"])]}
                        if self.robustness is not None
                        else {}
                    ),
                }
                for hid, row in self.hypotheses.iterrows()
            ],
            "evidence": [
                {
                    "id": eid,
                    "diagnosticity": ratio,
                    "rating_spread": spread,
                    "diagnostic": diagnostic,
                    "counts": counts,
                    **({"sensitivity": sensitivity_entries[eid]} if sensitivity_entries else {}),
                }
                for eid, ratio, spread, diagnostic, counts in zip(
                    ev.index,
                    ev["likelihood_ratio"].round(6).tolist(),
                    ev["rating_spread"].round(6).tolist(),
                    ev["diagnostic"].astype(bool).tolist(),
                    ev["counts"].astype(bool).tolist(),
                )
            ],
            **(
                {
                    "sensitivity_threshold": threshold,
                    "sensitivity_omitted": omitted,
                    "linchpins": self.sensitivity.linchpins,
                    "linchpin_sentences": self.sensitivity.sentences,
                }
                if self.sensitivity is not None
                else {}
            ),
            **(
                {"robustness": {"draws": self.robustness.draws, "method": self.robustness.method}}
                if self.robustness is not None
                else {}
            ),
            "warnings": [{"code": w.code, "message": w.message, "ids": list(w.ids)} for w in self.warnings],
            "disagreements": _disagreement_records(shown),
            "disagreements_total": total,
        }

    @property
    def disagreements(self) -> pd.DataFrame:
        """Cells on which the analysts do not agree, widest gap first (computed on first use: on a class-sized or
        twenty-million-cell case it is large, and most callers never ask)."""
        if self._disagreements is None:
            self._disagreements = _disagreements(self.case, self.analysts, self._stack, levels=self.dispute_levels)
        return self._disagreements

    @property
    def dispute_count(self) -> int:
        """How many cells are in dispute (without building the table of them)."""
        if self._disagreements is not None:
            return len(self._disagreements)
        _, _, split, levels = self.dispute_levels
        return int(((levels > 0) | split).sum())

    @property
    def dispute_levels(self) -> DisputeLevels:
        """Per cell: the spread of the analysts' ratings, the largest gap in steps, whether they split on NA, and
        the disagreement level (an index into :data:`sat.ach.consensus.LEVEL_NAMES`)."""
        if self._levels is None:
            self._levels = _dispute_levels(self._stack)
        return self._levels


def _dispute_levels(stack: np.ndarray, moments: consensus.Moments | None = None) -> DisputeLevels:
    """Per cell: spread, largest gap, NA split and level index (see :attr:`AchScores.dispute_levels`)."""
    moments = consensus.cell_moments(stack) if moments is None else moments
    return (
        consensus.cell_spread(stack, moments),
        consensus.cell_gap(stack),
        consensus.na_split(stack),
        consensus.cell_level_index(stack, moments),
    )


def _disagreement_records(d: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {"evidence": e, "hypothesis": h, "ratings": r, "spread": sp, "gap": int(g), "level": lv, "na_split": na}
        for e, h, r, sp, g, lv, na in zip(
            d["evidence"].tolist(),
            d["hypothesis"].tolist(),
            d["ratings"].tolist(),
            d["spread"].round(6).tolist(),
            d["gap"].tolist(),
            d["level"].tolist(),
            d["na_split"].astype(bool).tolist(),
        )
    ]


def _num(value: Any) -> float:
    return round(float(value), 6)


def encoded_stack(case: Case, analysts: list[str]) -> np.ndarray:
    """Analysts x evidence x hypotheses array of code indices."""
    return np.stack([case.codes(a) for a in analysts])


def score_case(
    case: Case, analyst: str | None = None, *, sensitivity_analysis: bool = True, draws: int = 0, seed: int = 0
) -> AchScores:
    """Scores of one analyst (``analyst``), or of all analysts combined when ``analyst`` is None.

    Combined scores are the mean of the analysts' PARC scores and the mean of their normalised posteriors; the
    matrix shown is the group verdict per cell (:func:`sat.ach.consensus.group_codes`). The likelihood mode
    discounts items by credibility and counts each dependence group once (:class:`scoring.LikelihoodModel`).
    ``sensitivity_analysis`` adds step-6 sensitivity and linchpins; ``draws`` > 0 adds the robustness Monte Carlo.
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
    lm = scoring.LikelihoodModel.for_case(case)
    totals, counts, mean_loglik = lm.summarise(stack)
    inconsistency = scoring.inconsistency(stack)
    weighted = scoring.weighted_inconsistency(stack, weights)
    posteriors = scoring.softmax(np.log(lm.prior) + totals)

    by_analyst = {
        name: _hypothesis_frame(case, inconsistency[i], weighted[i], posteriors[i]) for i, name in enumerate(analysts)
    }
    group_post = consensus.group_posterior(posteriors)
    hypotheses = _hypothesis_frame(case, inconsistency.mean(axis=0), weighted.mean(axis=0), group_post)

    ratio = diagnosticity.likelihood_ratio(mean_loglik)
    moments = consensus.cell_moments(stack)
    cell_mean = consensus.cell_mean(stack, moments)
    spread = diagnosticity.rating_spread(cell_mean)
    diagnostic = ~np.isclose(ratio, 1.0)
    evidence_frame = pd.DataFrame(
        {
            "summary": [e.summary for e in evidence],
            "type": [e.type for e in evidence],
            "group": [e.group or "" for e in evidence],
            "likelihood_ratio": ratio,
            "rating_spread": spread,
            "diagnostic": diagnostic,
            "counts": counts.max(axis=0) > 0,
            "order": np.arange(len(eids)),
        },
        index=pd.Index(eids, name="evidence"),
    )
    evidence_frame = evidence_frame.sort_values(
        ["likelihood_ratio", "rating_spread", "order"], ascending=[False, False, True]
    ).drop(columns="order")

    matrix = (
        case.matrix(analysts[0])
        if len(analysts) == 1
        else pd.DataFrame(consensus.group_codes(stack, moments), index=pd.Index(eids, name="evidence"), columns=hids)
    )
    leaders = list(hypotheses.sort_values("rank").index[:2])
    flat = [eid for eid, useful in zip(eids, diagnostic) if not useful]
    scores = AchScores(
        case,
        analysts,
        matrix,
        hypotheses,
        evidence_frame,
        by_analyst,
        stack,
        check_hypothesis_set(case, leaders, flat, dict(zip(analysts, stack))),
        _levels=_dispute_levels(stack, moments),
    )
    if sensitivity_analysis:
        scores.sensitivity = sensitivity(stack, lm, eids, hids, group_post, leaders[0])
    if draws > 0:
        uncertainty = np.array([case.scoring.uncertainty_of(a) for a in analysts])
        scores.robustness = simulate(stack, lm, uncertainty, draws=draws, seed=seed)
        hypotheses["p_top"] = scores.robustness.p_top
        hypotheses["p_low"] = scores.robustness.low
        hypotheses["p_high"] = scores.robustness.high
    return scores


def _hypothesis_frame(
    case: Case, inconsistency: np.ndarray, weighted: np.ndarray, posterior: np.ndarray
) -> pd.DataFrame:
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


def _disagreements(
    case: Case, analysts: list[str], stack: np.ndarray, limit: int | None = None, levels: DisputeLevels | None = None
) -> pd.DataFrame:
    """Cells on which the analysts do not agree (beyond consensus, or split on NA), widest gap first: each
    analyst's rating, the spread (standard deviation), the largest gap in steps, the level
    (:func:`sat.ach.consensus.cell_levels`), and whether the split is about applicability (NA). ``limit``: only
    the first ``limit`` rows of that order are built."""
    spread, gap, split, level = _dispute_levels(stack) if levels is None else levels
    e_idx, h_idx = np.nonzero((level > 0) | split)
    evidence = np.array(case.evidence_ids, dtype=object)
    order = np.lexsort((evidence[e_idx].astype(str), -spread[e_idx, h_idx], -gap[e_idx, h_idx]))
    if limit is not None:
        order = order[:limit]
    e_idx, h_idx = e_idx[order], h_idx[order]
    codes = np.array(scoring.CODES, dtype=object)
    return pd.DataFrame(
        {
            "evidence": evidence[e_idx],
            "hypothesis": np.array(case.hypothesis_ids, dtype=object)[h_idx],
            "ratings": [dict(zip(analysts, column)) for column in codes[stack[:, e_idx, h_idx]].T.tolist()],
            "spread": spread[e_idx, h_idx],
            "gap": gap[e_idx, h_idx],
            "level": np.array(consensus.LEVEL_NAMES, dtype=object)[level[e_idx, h_idx]],
            "na_split": split[e_idx, h_idx],
        }
    )
