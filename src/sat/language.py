"""Estimative language: ICD 203 likelihood terms and Sherman Kent's words of estimative probability.

Sources: ODNI, Intelligence Community Directive 203, Analytic Standards (2015), table of expressions of likelihood;
S. Kent, "Words of Estimative Probability", Studies in Intelligence (1964). See TRADECRAFT.md §4.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Band:
    """One ICD 203 likelihood band: its term, alternative term, and probability range."""

    term: str
    alternative: str
    low: float
    high: float

    @property
    def range_text(self) -> str:
        return f"{self.low * 100:.0f}-{self.high * 100:.0f}%"


ICD203: tuple[Band, ...] = (
    Band("almost no chance", "remote", 0.01, 0.05),
    Band("very unlikely", "highly improbable", 0.05, 0.20),
    Band("unlikely", "improbable", 0.20, 0.45),
    Band("roughly even chance", "roughly even odds", 0.45, 0.55),
    Band("likely", "probable", 0.55, 0.80),
    Band("very likely", "highly probable", 0.80, 0.95),
    Band("almost certain", "nearly certain", 0.95, 0.99),
)

KENT: tuple[tuple[str, float, float], ...] = (
    ("certain", 1.00, 0.0),
    ("almost certain", 0.93, 0.06),
    ("probable", 0.75, 0.12),
    ("chances about even", 0.50, 0.10),
    ("probably not", 0.30, 0.10),
    ("almost certainly not", 0.07, 0.05),
    ("impossible", 0.00, 0.0),
)


#: Band boundaries are decided on the probability rounded to this many decimals (a whole percent, the precision at
#: which reports print it), so the term always agrees with the figure shown beside it.
PRECISION = 2
#: Rounded percents at which each band (after the first) starts: 5% is very unlikely, 20% and 45% go up toward
#: even; 55% stays even, 80% likely and 95% very likely (an end point shared by two bands goes to the band nearer
#: 50%). The end bands take every value beyond them: under 1% is still "almost no chance", over 99% "almost certain".
_STARTS_PERCENT = np.array([5, 20, 45, 56, 81, 96])


def rounded_percent(probability: float | np.ndarray) -> np.ndarray:
    """The probability as a whole percent, halves rounded up (0.045 -> 5, 0.555 -> 56), free of float noise."""
    p = np.asarray(probability, dtype=float)
    return np.floor(np.round(p * 100, 6) + 0.5).astype(int)


def icd203_band(probability: float) -> Band:
    """The ICD 203 band of a probability, decided at a whole percent (:data:`PRECISION`).

    The published ranges share their end points (5%, 20%, 45%, 55%, 80%, 95%); a value that rounds to a shared end
    point goes to the band nearer 50%, the more cautious reading. Values under 1% or over 99% fall in the end bands
    (see :func:`percent_text` for how they are printed).
    """
    if not 0.0 <= probability <= 1.0:
        raise ValueError(f"probability must be between 0 and 1, got {probability!r}")
    return ICD203[int(icd203_band_index(np.array(probability)))]


def percent_text(probability: float) -> str:
    """The probability as reports print it: a whole percent, or "under 1%" / "over 99%" beyond the ICD 203 table."""
    pct = int(rounded_percent(probability))
    if pct < 1:
        return "under 1%"
    if pct > 99:
        return "over 99%"
    return f"{pct}%"


def likelihood_phrase(probability: float) -> str:
    """The ICD 203 term with the band's range and the figure, e.g. "likely (55-80%; 62%)",
    "almost no chance (1-5%; under 1%)"."""
    band = icd203_band(probability)
    return f"{band.term} ({band.range_text}; {percent_text(probability)})"


def icd203_term(probability: float) -> str:
    """The ICD 203 likelihood term of a probability (e.g. 0.7 -> "likely")."""
    return icd203_band(probability).term


def kent_term(probability: float) -> str:
    """Kent's nearest word of estimative probability."""
    if not 0.0 <= probability <= 1.0:
        raise ValueError(f"probability must be between 0 and 1, got {probability!r}")
    return min(KENT, key=lambda entry: abs(entry[1] - probability))[0]


def estimative_sentence(subject: str, probability: float) -> str:
    """A judgement in ICD 203 words with the numeric range, e.g. "It is unlikely (20-45%) that ...".

    No confidence level is put in the same sentence, as ICD 203 asks.
    """
    band = icd203_band(probability)
    return f"It is {band.term} ({band.range_text}) that {subject}"


def icd203_band_index(probability: np.ndarray) -> np.ndarray:
    """Index into :data:`ICD203` of each probability, by the same rule as :func:`icd203_band` (vectorised)."""
    return np.searchsorted(_STARTS_PERCENT, rounded_percent(probability), side="right")
