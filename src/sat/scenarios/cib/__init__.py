"""Cross-impact balance (CIB) analysis, after Weimer-Jehle 2006, TFSC 73:334-361.

Public entry point of the CIB engine. The engine modules below are pure (no I/O, no printing); ``cib.file`` reads and
writes the ``cib:`` section of ``scenarios.yaml`` (and ``.scw`` projects through :mod:`sat.scenarios.scw`). A
scenario is a tuple of 0-based variant indices, one per descriptor.

* model: :class:`Descriptor`, :class:`CIBMatrix` (``cib.model``);
* scores: :func:`impact_balances`, :func:`evaluate`, :func:`score_many` (``cib.scores``);
* exact consistent set: :func:`consistent_set`, :func:`search` (``cib.consistency``);
* succession: :func:`succession`, :func:`global_basins` (``cib.basins``);
* ensemble, sensitivity, explanation (``cib.analysis``); :func:`explanation_frame` gives a DataFrame.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .analysis import (
    DescriptorExplanation,
    EnsembleResult,
    Influence,
    SensitivityEntry,
    ensemble,
    explain,
    explanation_sentences,
    sensitivity,
)
from .basins import SuccessionResult, global_basins, global_step, succession
from .consistency import consistent_set, search
from .model import CIBMatrix, Descriptor, Scenario
from .scores import TIE_EPS, Evaluation, ScenarioScores, balances_many, evaluate, impact_balances, score_many

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
    return pd.DataFrame(
        rows, columns=["descriptor", "variant", "rival", "source", "source_variant", "to_variant", "to_rival", "net"]
    )
