"""Bridge between the 2x2 and a CIB model: does each quadrant have a consistent world around it?

The two axes of the 2x2 (Heuer & Pherson, Alternative Futures Analysis) are mapped to two descriptors of a
cross-impact balance model (Weimer-Jehle 2006, TFSC 73:334-361), and each axis end state to one variant. For each
quadrant the two axis descriptors are *fixed* at the quadrant's variants (set by assumption, as ScenarioWizard lets
one fix descriptors) and the other descriptors are searched exactly for *completions*: assignments in which every
other descriptor's variant tops its own impact balance, given everything else. A quadrant with no completion
describes a world the model's judgments do not support; one whose best completion is also fully consistent (the axis
variants top their own balances too) is self-sustaining.

The conditional search reuses the exact CIB search: the fixed descriptors are folded into a one-variant "context"
descriptor whose judgment row toward each free descriptor is the sum of the fixed variants' rows. A one-variant
descriptor is always consistent, so the consistent set of the reduced model is exactly the set of completions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .cib import TIE_EPS, CIBMatrix, Descriptor, ScenarioScores, score_many, search
from .futures import Futures

CONTEXT = "(fixed descriptors)"


@dataclass(frozen=True)
class BridgeAxis:
    """One 2x2 axis (a driver id) mapped to a CIB descriptor; ``variants`` maps each end state to a variant."""

    driver: str
    descriptor: str
    variants: Mapping[str, str]


@dataclass(frozen=True)
class Bridge:
    """The mapping of both axes."""

    x: BridgeAxis
    y: BridgeAxis


@dataclass(frozen=True)
class Completions(ScenarioScores):
    """Completions of a partly fixed scenario, strongest first.

    ``scenarios`` are full scenarios (0-based variants, all descriptors); ``tis`` and ``inconsistency`` are those of
    the full scenario; ``margin`` is the consistency margin over the free descriptors only (>= 0 for a completion).
    """


def _reduced(matrix: CIBMatrix, fixed: Mapping[int, int]) -> tuple[CIBMatrix, list[int]]:
    """The model over the free descriptors plus one context descriptor that carries the fixed variants' impacts."""
    free = [i for i in range(matrix.n_descriptors) if i not in fixed]
    context_row = np.zeros(matrix.n_variants)
    for i, v in fixed.items():
        context_row += matrix.judgments[matrix.offsets[i] + v]
    columns = (
        np.concatenate([np.arange(matrix.offsets[i], matrix.offsets[i + 1]) for i in free])
        if free
        else np.zeros(0, dtype=int)
    )
    size = 1 + len(columns)
    judgments = np.zeros((size, size))
    judgments[0, 1:] = context_row[columns]
    judgments[1:, 1:] = matrix.judgments[np.ix_(columns, columns)]
    descriptors = (Descriptor(CONTEXT, ("fixed",)), *(matrix.descriptors[i] for i in free))
    return CIBMatrix(descriptors, judgments, matrix.name), free


def completions(matrix: CIBMatrix, fixed: Mapping[str | int, str | int]) -> Completions:
    """Every consistent completion of the scenario with ``fixed`` descriptors (name or index -> variant name or
    0-based position), ordered by full TIS, then margin, descending (then by variants, for a stable order)."""
    pinned = {matrix.descriptor_index(d): matrix.variant_position(d, v) for d, v in fixed.items()}
    reduced, free = _reduced(matrix, pinned)
    found = search(reduced)
    full = np.zeros((len(found), matrix.n_descriptors), dtype=np.int64)
    for i, v in pinned.items():
        full[:, i] = v
    for k, i in enumerate(free):
        full[:, i] = found[:, k + 1]
    conditional = score_many(reduced, found)
    scores = score_many(matrix, full)
    keys = [full[:, k] for k in range(full.shape[1] - 1, -1, -1)]
    order = np.lexsort([*keys, -conditional.margin, -scores.tis]) if len(full) else np.arange(0)
    return Completions(full[order], scores.tis[order], conditional.margin[order], scores.inconsistency[order])


def quadrant_completions(futures: Futures, bridge: Bridge, matrix: CIBMatrix) -> pd.DataFrame:
    """One row per quadrant: its axis variants, how many consistent completions the rest of the model admits, and
    the strongest one (variant names of the other descriptors, full TIS, conditional margin, and whether the full
    scenario is consistent, i.e. the axis variants also top their own balances; ``axis_inconsistency`` is by how much
    they fall short, since the free descriptors are consistent by construction)."""
    rows = []
    for q in futures.quadrants:
        xv, yv = bridge.x.variants[q.x_state], bridge.y.variants[q.y_state]
        found = completions(matrix, {bridge.x.descriptor: xv, bridge.y.descriptor: yv})
        row: dict[str, object] = {
            "scenario": q.name,
            bridge.x.descriptor: xv,
            bridge.y.descriptor: yv,
            "completions": len(found),
        }
        if len(found):
            best = tuple(int(v) for v in found.scenarios[0])
            names = matrix.variant_names(best)
            others = [
                f"{d.name}: {n}"
                for d, n in zip(matrix.descriptors, names)
                if d.name not in (bridge.x.descriptor, bridge.y.descriptor)
            ]
            row.update(
                strongest="; ".join(others),
                TIS=float(found.tis[0]),
                margin=float(found.margin[0]),
                fully_consistent=bool(found.inconsistency[0] <= TIE_EPS),
                axis_inconsistency=float(found.inconsistency[0]),
            )
        else:
            row.update(strongest="", TIS=np.nan, margin=np.nan, fully_consistent=False, axis_inconsistency=np.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def bridge_sentences(table: pd.DataFrame, bridge: Bridge) -> list[str]:
    """Plain-language reading of :func:`quadrant_completions`, one sentence per quadrant."""
    out = []
    for row in table.to_dict("records"):
        where = (
            f"{row['scenario']} ({bridge.x.descriptor} = {row[bridge.x.descriptor]}, "
            f"{bridge.y.descriptor} = {row[bridge.y.descriptor]})"
        )
        n = row["completions"]
        if n == 0:
            out.append(f"{where}: no consistent completion; the model's judgments do not support this future.")
            continue
        count = "one consistent completion" if n == 1 else f"{n} consistent completions"
        tail = (
            "the full scenario is consistent, so the axis positions sustain themselves"
            if row["fully_consistent"]
            else f"the axis positions themselves fall short of their own balances by {row['axis_inconsistency']:g}, "
            "so this future holds only while something outside the model keeps the axes there"
        )
        out.append(
            f"{where}: {count}; the strongest (TIS {row['TIS']:g}, margin {row['margin']:g}) has "
            f"{row['strongest'] or 'no other descriptors'}; {tail}."
        )
    return out
