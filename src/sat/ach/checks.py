"""Warnings about the hypothesis set and the matrix (Heuer 1999, steps 1, 2, 4 and 8), for the analyst to weigh.

The research on ACH in use (Dhami, Belton & Mandel 2019) found analysts skipping steps; these checks make the skipped
steps visible. They are warnings, not errors: the case stays valid.

Which hypothesis is the "other" one, and which allows for deception, is read from ids, titles and descriptions:
a hypothesis counts as "other" when its id or title contains the word *other* (or *none of the above*), and as a
deception hypothesis when its text mentions deception, disinformation, denial, misleading, fabrication, planted
or staged material, or a false flag.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from ..model import MATRIX_CODES, UNRATED, Case

OTHER = re.compile(r"\bother\b|none of the above", re.I)
DECEPTION = re.compile(r"decept|deceiv|disinform|denial|mislead|fabricat|planted|staged|false[- ]flag", re.I)
#: Evidence types that rest on reasoning rather than on a source.
UNSOURCED_TYPES = {"assumption", "logical-deduction", "absence-of-evidence"}


@dataclass(frozen=True)
class Warning:
    """One thing the analyst should look at: a short code, the message, and the ids concerned."""

    code: str
    message: str
    ids: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.message


def check_hypothesis_set(
    case: Case,
    leaders: list[str] | None = None,
    flat_evidence: list[str] | None = None,
    codes: dict[str, np.ndarray] | None = None,
) -> list[Warning]:
    """Every warning for ``case``. ``leaders``: the hypotheses ranked first and second; ``flat_evidence``: items
    with no diagnostic value (rated alike for every hypothesis); ``codes``: analysts' matrices already encoded
    (:meth:`sat.model.Case.codes`), if at hand."""
    warnings: list[Warning] = []
    if case.hypotheses and not any(OTHER.search(f"{h.id} {h.title}") for h in case.hypotheses):
        warnings.append(Warning("no-other", "No 'other' hypothesis: the set may not be exhaustive (Heuer step 1)."))
    weak = _weakly_sourced(case)
    if weak and not any(DECEPTION.search(f"{h.title} {h.description}") for h in case.hypotheses):
        warnings.append(
            Warning(
                "no-deception",
                f"No hypothesis allows for deception, yet {len(weak)} item(s) rest on a single source or on sources "
                f"whose reliability is low or cannot be judged ({', '.join(weak)}).",
                tuple(weak),
            )
        )
    for analyst in case.analysts:
        matrix = codes[analyst] if codes is not None and analyst in codes else case.codes(analyst)
        unrated = int((matrix == MATRIX_CODES.index(UNRATED)).sum())
        if unrated:
            warnings.append(
                Warning("unrated", f"{analyst} has {unrated} unrated cell(s) of {matrix.size}.", (analyst,))
            )
    if flat_evidence:
        warnings.append(
            Warning(
                "no-diagnostic-value",
                f"{len(flat_evidence)} item(s) are rated alike for every hypothesis and have no diagnostic value "
                f"(Heuer step 4: set them aside or say why they stay): {', '.join(flat_evidence)}.",
                tuple(flat_evidence),
            )
        )
    for hid in leaders or []:
        if not case.hypothesis(hid).milestones:
            warnings.append(
                Warning(
                    "no-milestones",
                    f"{hid} is among the leading hypotheses but has no milestones to watch (Heuer step 8).",
                    (hid,),
                )
            )
    warnings.extend(_shared_sources(case))
    priors = case.scoring.priors
    if priors and abs(sum(priors.values()) - 1.0) > 1e-9:
        warnings.append(
            Warning(
                "priors-normalised",
                f"The priors sum to {sum(priors.values()):g}, not 1; they are divided by their sum before use.",
            )
        )
    return warnings


def _weakly_sourced(case: Case) -> list[str]:
    reliability = {s.id: s.reliability for s in case.sources}
    weak = []
    for e in case.evidence:
        if e.type in UNSOURCED_TYPES:
            continue
        grades = [reliability.get(s) for s in e.sources]
        if len(e.sources) <= 1 or all(g in (None, "D", "E", "F") for g in grades):
            weak.append(e.id)
    return weak


def _shared_sources(case: Case) -> list[Warning]:
    """Items that rest on one source but are not in one group: the likelihood mode counts them as independent."""
    by_source: dict[str, list[str]] = defaultdict(list)
    for e in case.evidence:
        for s in e.sources:
            by_source[s].append(e.id)
    groups = {e.id: e.group for e in case.evidence}
    shared = {
        source: items
        for source, items in by_source.items()
        if len(items) >= 2 and (len({groups[i] for i in items}) > 1 or not groups[items[0]])
    }
    if not shared:
        return []
    listing = "; ".join(f"{source} ({', '.join(items)})" for source, items in shared.items())
    return [
        Warning(
            "shared-source",
            f"Items that rest on one source but are not grouped count as independent in the likelihood mode; "
            f"group them if they repeat one report or event: {listing}.",
            tuple(shared),
        )
    ]
