"""The case model: hypotheses, evidence, sources and scoring settings (the rating scale is :mod:`sat.rating_scale`).

Plain dataclasses with no I/O; :mod:`sat.store` reads and writes them. Rating matrices are pandas DataFrames of
codes (rows = evidence ids, columns = hypothesis ids, ``""`` = not yet rated); read from files, their columns are
categorical (:data:`RATINGS_DTYPE`), which reads and compares like text and keeps a 20,000 x 100 matrix at 2 MB.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .rating_scale import ALL_CODES, RATING_CODES, RATING_LABEL, RATING_VALUE, SCORED_CODES, UNRATED

#: Every value a cell of a rating matrix may hold, in the order of the integer codes the scoring uses.
MATRIX_CODES: tuple[str, ...] = ALL_CODES
#: The dtype of the columns of a rating matrix as read from a file: one byte per cell, not one pointer per cell.
RATINGS_DTYPE = pd.CategoricalDtype(list(MATRIX_CODES))

__all__ = [
    "DEFAULT_CREDIBILITY",
    "DEFAULT_LIKELIHOODS",
    "DEFAULT_UNCERTAINTY",
    "EVIDENCE_TYPES",
    "LEVELS",
    "MATRIX_CODES",
    "PARC_WEIGHTS",
    "RATINGS_DTYPE",
    "RATING_CODES",
    "RATING_LABEL",
    "RATING_VALUE",
    "RELIABILITY",
    "SCORED_CODES",
    "UNRATED",
    "Case",
    "Evidence",
    "Hypothesis",
    "Scoring",
    "Source",
    "encode_matrix",
    "ratings_frame",
]

LEVELS: tuple[str, ...] = ("low", "medium", "high")
EVIDENCE_TYPES: tuple[str, ...] = (
    "open-source",
    "humint",
    "sigint",
    "imagery",
    "assumption",
    "logical-deduction",
    "absence-of-evidence",
    "other",
)
#: Admiralty source reliability (NATO AJP-2.1): A completely reliable ... E unreliable, F cannot be judged.
RELIABILITY: dict[str, str] = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
#: Admiralty information credibility (STANAG 2511 / FM 2-22.3 App. B; TRADECRAFT.md §5a), graded per item of
#: information and kept apart from the source's reliability: the standard gives no rule to combine the two.
INFORMATION_CREDIBILITY: dict[int, str] = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}
#: Our default reading of an information-credibility grade as an ACH credibility level, used by the Quality of
#: Information Check; the standard gives no rule (TRADECRAFT.md §5a), so a case may set its own under
#: ``scoring.information_credibility``. "Cannot be judged" (6) is read as low, like "doubtful": an item nobody can
#: vouch for should not weigh as much as one that is probably true.
DEFAULT_INFORMATION_MAPPING: dict[int, str] = {1: "high", 2: "high", 3: "medium", 4: "low", 5: "low", 6: "low"}
#: Source register (Quality of Information Check, TRADECRAFT.md §5a): kinds of source, the originator's access
#: to what it reports, and whether a report still stands.
SOURCE_TYPES: tuple[str, ...] = (
    "news",
    "wire",
    "official",
    "speech",
    "interview",
    "analysis",
    "state-media",
    "review",
    "other",
)
ACCESS: tuple[str, ...] = ("first-hand", "second-hand")
SOURCE_STATUS: tuple[str, ...] = ("current", "corrected", "recalled")

#: Default P(evidence | hypothesis) per rating, the demonstration mapping cited in TRADECRAFT.md §1.5.
DEFAULT_LIKELIHOODS: dict[str, float] = {"CC": 0.95, "C": 0.80, "N": 0.50, "I": 0.20, "II": 0.05}

#: Likelihood mode: probability that an item of each credibility is what it appears to be (see
#: :func:`sat.ach.scoring.row_likelihoods`); our documented defaults, editable per case under scoring.credibility.
#: Medium (the level of an item that states none) is taken at face value, as PARC takes it as the neutral weight;
#: only low credibility discounts.
DEFAULT_CREDIBILITY: dict[str, float] = {"high": 1.0, "medium": 1.0, "low": 0.5}
#: Robustness: default probability that any one rating is off by one step (half up, half down).
DEFAULT_UNCERTAINTY = 0.1

#: PARC ACH 2.0 credibility and relevance weights. PARC's help shows 0.707 and 1.414; we use the exact square
#: roots they round, so that High x High = 2 and Low x Low = 0.5 exactly (TRADECRAFT.md §1.2).
PARC_WEIGHTS: dict[str, float] = {"low": 1 / math.sqrt(2), "medium": 1.0, "high": math.sqrt(2)}


@dataclass(frozen=True)
class Hypothesis:
    """One of the competing explanations; ``milestones`` are what would be seen later if it were true."""

    id: str
    title: str
    description: str = ""
    milestones: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """An item of evidence or argument (including assumptions and absence of evidence)."""

    id: str
    summary: str
    date: dt.date | None = None
    type: str = "other"
    sources: tuple[str, ...] = ()
    credibility: str = "medium"
    relevance: str = "medium"
    group: str | None = None
    notes: str = ""
    #: Admiralty information credibility 1-6 (a second axis beside the sources' reliability; None: not graded).
    information_credibility: int | None = None
    #: Ids of evidence items whose information contradicts this one (Quality of Information Check).
    conflicts_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    """Where evidence comes from, with its Admiralty reliability grade (A-F) and its source-register entry.

    ``date`` is the date of publication, ``information_date`` the date of the information it reports;
    ``re_reports`` names the source this one repeats (re-reporting chains collapse to their origin before
    corroboration is counted); ``status`` says whether the report was corrected or recalled.
    """

    id: str
    title: str
    publisher: str = ""
    date: dt.date | None = None
    url: str = ""
    reliability: str | None = None
    type: str | None = None
    information_date: dt.date | None = None
    access: str | None = None
    bias: str = ""
    re_reports: str | None = None
    status: str = "current"
    ambiguity: str = ""


@dataclass(frozen=True)
class Scoring:
    """Per-case settings of the likelihood mode and of the robustness analysis.

    ``likelihoods``: P(evidence | hypothesis) per rating code; ``priors``: per hypothesis (uniform when None);
    ``credibility``: probability per credibility level that an item is what it appears to be;
    ``uncertainty``: probability that a rating is one step off; ``analyst_uncertainty`` overrides it per analyst;
    ``information_credibility``: the ACH credibility level each Admiralty information-credibility grade maps to.
    """

    likelihoods: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_LIKELIHOODS))
    priors: dict[str, float] | None = None
    credibility: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_CREDIBILITY))
    uncertainty: float = DEFAULT_UNCERTAINTY
    analyst_uncertainty: dict[str, float] = field(default_factory=dict)
    information_credibility: dict[int, str] = field(default_factory=lambda: dict(DEFAULT_INFORMATION_MAPPING))

    def uncertainty_of(self, analyst: str) -> float:
        """The probability that one of ``analyst``'s ratings is a step off."""
        return self.analyst_uncertainty.get(analyst, self.uncertainty)


@dataclass
class Case:
    """A case folder in memory: the question, its hypotheses, evidence, sources, and each analyst's ratings."""

    id: str
    title: str
    question: str
    as_of: dt.date | None
    hypotheses: list[Hypothesis] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    description: str = ""
    scoring: Scoring = field(default_factory=Scoring)
    ratings: dict[str, pd.DataFrame] = field(default_factory=dict)
    rationale: dict[str, pd.DataFrame] = field(default_factory=dict)
    folder: Path | None = None
    #: Analyst -> SHA-256 of the ratings file as last read or written: a save is refused if the file on disk has
    #: changed since (another process saved it), so no update is lost silently (see sat.store.save_ratings).
    versions: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def hypothesis_ids(self) -> list[str]:
        return [h.id for h in self.hypotheses]

    @property
    def evidence_ids(self) -> list[str]:
        return [e.id for e in self.evidence]

    @property
    def analysts(self) -> list[str]:
        return sorted(self.ratings)

    def hypothesis(self, hid: str) -> Hypothesis:
        return next(h for h in self.hypotheses if h.id == hid)

    def evidence_item(self, eid: str) -> Evidence:
        return next(e for e in self.evidence if e.id == eid)

    def source(self, sid: str) -> Source:
        return next(s for s in self.sources if s.id == sid)

    def empty_matrix(self) -> pd.DataFrame:
        """An all-unrated matrix in the case's evidence and hypothesis order."""
        return pd.DataFrame(UNRATED, index=pd.Index(self.evidence_ids, name="evidence"), columns=self.hypothesis_ids)

    def matrix(self, analyst: str) -> pd.DataFrame:
        """A copy of an analyst's ratings aligned to the case (rows and columns the case has, unrated where the
        analyst's frame has none), as plain text cells that any code may be written into."""
        aligned = self.ratings[analyst].reindex(
            index=self.evidence_ids, columns=self.hypothesis_ids, fill_value=UNRATED
        )
        return aligned.astype(object).rename_axis("evidence")

    def codes(self, analyst: str) -> np.ndarray:
        """An analyst's ratings aligned to the case as integer codes (indices into :data:`MATRIX_CODES`)."""
        frame = self.ratings[analyst]
        eids, hids = self.evidence_ids, self.hypothesis_ids
        if not (frame.index.tolist() == eids and frame.columns.tolist() == hids):
            frame = frame.reindex(index=eids, columns=hids, fill_value=UNRATED)
        return encode_matrix(frame)

    def evidence_frame(self) -> pd.DataFrame:
        """Evidence attributes as a DataFrame indexed by evidence id."""
        rows = [
            {
                "summary": e.summary,
                "date": e.date,
                "type": e.type,
                "sources": ", ".join(e.sources),
                "credibility": e.credibility,
                "relevance": e.relevance,
                "group": e.group or "",
            }
            for e in self.evidence
        ]
        return pd.DataFrame(rows, index=pd.Index(self.evidence_ids, name="evidence"))


def ratings_frame(codes: np.ndarray, evidence_ids: list[str], hypothesis_ids: list[str]) -> pd.DataFrame:
    """A rating matrix from integer codes (indices into :data:`MATRIX_CODES`), with categorical columns."""
    return pd.DataFrame(
        {hid: pd.Categorical.from_codes(codes[:, j], dtype=RATINGS_DTYPE) for j, hid in enumerate(hypothesis_ids)},
        index=pd.Index(evidence_ids, name="evidence"),
    )


_CODE_LOOKUP = pd.Index(list(MATRIX_CODES), dtype=object)


def encode_matrix(matrix: pd.DataFrame | np.ndarray) -> np.ndarray:
    """Rating codes to int8 indices into :data:`MATRIX_CODES` (missing values are unrated; unknown codes raise).

    A matrix read from a file has categorical columns whose codes already are these indices: they are taken as
    they are, with no look-up per cell.
    """
    if (
        isinstance(matrix, pd.DataFrame)
        and len(matrix.columns)
        and all(dtype == RATINGS_DTYPE for dtype in matrix.dtypes)
    ):
        out = np.empty(matrix.shape, dtype=np.int8)
        for j in range(matrix.shape[1]):
            out[:, j] = matrix.iloc[:, j].cat.codes.to_numpy()
        out[out < 0] = MATRIX_CODES.index(UNRATED)  # a missing value in a categorical column is unrated
        return out
    values = np.asarray(matrix, dtype=object)
    flat = values.reshape(-1)
    codes = _CODE_LOOKUP.get_indexer(flat)
    missing = np.flatnonzero(codes < 0)
    if len(missing):
        null = pd.isna(flat[missing])
        if not null.all():
            raise ValueError(f"unknown rating code {flat[missing[~null][0]]!r}")
        codes[missing] = MATRIX_CODES.index(UNRATED)
    encoded: np.ndarray = codes.astype(np.int8).reshape(values.shape)
    return encoded
