"""Cross-impact balance (CIB) analysis, after Weimer-Jehle 2006, TFSC 73:334-361.

Public entry point of the CIB engine. Everything here is pure (no I/O, no printing). A scenario is a tuple of
0-based variant indices, one per descriptor.

* model: :class:`Descriptor`, :class:`CIBMatrix` (``cib_model``);
* scores: :func:`impact_balances`, :func:`evaluate`, :func:`score_many` (``cib_eval``);
* exact consistent set: :func:`consistent_set`, :func:`search` (``cib_search``);
* succession: :func:`succession`, :func:`global_basins` (``cib_succession``);
* ensemble, sensitivity, explanation (``cib_analysis``); :func:`explanation_frame` gives a DataFrame.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .cib_analysis import (
    DescriptorExplanation,
    EnsembleResult,
    Influence,
    SensitivityEntry,
    ensemble,
    explain,
    explanation_sentences,
    sensitivity,
)
from .cib_eval import TIE_EPS, Evaluation, ScenarioScores, balances_many, evaluate, impact_balances, score_many
from .cib_model import CIBMatrix, Descriptor, Scenario
from .cib_search import consistent_set, search
from .cib_succession import SuccessionResult, global_basins, global_step, succession

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "TIE_EPS",
    "CIBMatrix",
    "Descriptor",
    "DescriptorExplanation",
    "EnsembleResult",
    "Evaluation",
    "Influence",
    "Scenario",
    "ScenarioScores",
    "SensitivityEntry",
    "SuccessionResult",
    "balances_many",
    "consistent_set",
    "ensemble",
    "evaluate",
    "explain",
    "explanation_frame",
    "explanation_sentences",
    "global_basins",
    "global_step",
    "impact_balances",
    "score_many",
    "search",
    "sensitivity",
    "succession",
]


def explanation_frame(matrix: CIBMatrix, scenario: Iterable[int]) -> pd.DataFrame:
    """One row per (descriptor, influencing descriptor): impact on the chosen variant, on the rival, and net."""
    import pandas as pd

    rows = []
    for item in explain(matrix, scenario):
        d = matrix.descriptors[item.descriptor]
        for f in item.influences:
            s = matrix.descriptors[f.source]
            rows.append(
                {
                    "descriptor": d.name,
                    "variant": d.variants[item.variant],
                    "rival": None if item.rival is None else d.variants[item.rival],
                    "source": s.name,
                    "source_variant": s.variants[f.source_variant],
                    "to_variant": f.to_chosen,
                    "to_rival": f.to_rival,
                    "net": f.net,
                }
            )
    return pd.DataFrame(rows, columns=["descriptor", "variant", "rival", "source", "source_variant",
                                       "to_variant", "to_rival", "net"])
