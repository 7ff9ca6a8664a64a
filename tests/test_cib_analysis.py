"""Ensemble, sensitivity and explanation of CIB scenarios."""

from __future__ import annotations

import numpy as np
import pytest
from test_cib_engine import random_model, small_model

from sat.scenarios.cib import (
    CIBMatrix,
    Descriptor,
    ensemble,
    explain,
    explanation_frame,
    explanation_sentences,
    search,
    sensitivity,
)


# -- ensemble -------------------------------------------------------------------------------------------------------
def test_ensemble_counts_matrices_per_scenario():
    m = small_model()
    flat = m.with_judgments(np.zeros_like(m.judgments))  # every scenario ties everywhere: all 8 consistent
    result = ensemble([m, flat, m])
    assert result.n_matrices == 3
    assert result.scenarios[:2] == ((0, 0, 0), (1, 1, 1))
    assert result.counts[:2] == (3, 3)
    assert result.members[:2] == ((0, 1, 2), (0, 1, 2))
    assert len(result.scenarios) == 8
    assert set(result.counts[2:]) == {1} and set(result.members[2:]) == {(1,)}
    assert result.fractions[0] == 1.0 and result.fractions[-1] == pytest.approx(1 / 3)


def test_ensemble_refuses_different_descriptors():
    other = CIBMatrix((Descriptor("X", ("x1", "x2")),), np.zeros((2, 2)), "analyst_b")
    with pytest.raises(ValueError, match=r"matrix 1 \(analyst_b\) does not have the same descriptors"):
        ensemble([small_model(), other])
    with pytest.raises(ValueError, match="at least one matrix"):
        ensemble([])


# -- sensitivity ----------------------------------------------------------------------------------------------------
def recompute_sensitivity(m: CIBMatrix, change: float, tolerance: float) -> dict:
    """Reference: change every off-diagonal cell, run the full search again, compare sets."""
    base = {tuple(r) for r in search(m, tolerance).tolist()}
    out = {}
    o = m.offsets
    for i in range(m.n_descriptors):
        for j in range(m.n_descriptors):
            if i == j:
                continue
            for k in range(m.sizes[i]):
                for c in range(m.sizes[j]):
                    for delta in (change, -change):
                        values = np.array(m.judgments)
                        values[o[i] + k, o[j] + c] += delta
                        now = {tuple(r) for r in search(m.with_judgments(values), tolerance).tolist()}
                        if now != base:
                            out[(i, k, j, c, delta)] = (sorted(now - base), sorted(base - now))
    return out


def as_dict(entries) -> dict:
    return {
        (e.source, e.source_variant, e.target, e.target_variant, e.change): (list(e.added), list(e.removed))
        for e in entries
    }


def test_sensitivity_by_hand():
    # Every scenario outside the set is inconsistent by 2 or more (see the table in test_cib_engine), and both
    # consistent scenarios have margin 2: a change of 1 in one cell moves one score by 1 and changes nothing.
    entries = as_dict(sensitivity(small_model()))
    assert entries == {}
    # A change of 2 can: (1,1,0) is inconsistent only in C (theta_C = A->C[a2] + B->C[b2] = [0,0] + [-1,1]);
    # A->C[a2,c1] 0 -> 2 makes theta_C [1,1], a tie, so (1,1,0) joins the set.
    entries = as_dict(sensitivity(small_model(), 2))
    assert entries == recompute_sensitivity(small_model(), 2, 0)
    assert entries[(0, 1, 2, 0, 2)] == ([(1, 1, 0)], [])


def test_sensitivity_matches_full_recomputation_on_random_models():
    rng = np.random.default_rng(3)
    compared = 0
    for trial in range(40):
        m = random_model(rng)
        for change, tolerance in ((1, 0), (0.5, 1)):
            assert as_dict(sensitivity(m, change, tolerance)) == recompute_sensitivity(m, change, tolerance), trial
            compared += 1
    assert compared == 80


def test_sensitivity_reports_cells_changes_and_old_values():
    # B follows A (A->B identity); nothing acts on A, so A ties [0,0] and is free: consistent (0,0) and (1,1).
    ds = (Descriptor("A", ("a1", "a2")), Descriptor("B", ("b1", "b2")))
    m = CIBMatrix.from_blocks(ds, {("A", "B"): [[1, 0], [0, 1]]})
    assert search(m).tolist() == [[0, 0], [1, 1]]
    got = [
        (e.source, e.source_variant, e.target, e.target_variant, e.old_value, e.change, e.added, e.removed)
        for e in sensitivity(m)
    ]
    assert got == [
        (0, 0, 1, 0, 1, -1, ((0, 1),), ()),  # A->B[a1,b1] 1 -> 0: theta_B(a1) = [0,0], b2 ties: (a1,b2) joins
        (0, 0, 1, 1, 0, 1, ((0, 1),), ()),  # A->B[a1,b2] 0 -> 1: theta_B(a1) = [1,1], same tie
        (0, 1, 1, 0, 0, 1, ((1, 0),), ()),  # A->B[a2,b1] 0 -> 1: theta_B(a2) = [1,1]: (a2,b1) joins
        (0, 1, 1, 1, 1, -1, ((1, 0),), ()),  # A->B[a2,b2] 1 -> 0: theta_B(a2) = [0,0]
        (1, 0, 0, 0, 0, -1, (), ((0, 0),)),  # B->A[b1,a1] 0 -> -1: theta_A(b1) = [-1,0]: a1 loses, (a1,b1) goes
        (1, 0, 0, 1, 0, 1, (), ((0, 0),)),  # B->A[b1,a2] 0 -> 1: theta_A(b1) = [0,1]
        (1, 1, 0, 0, 0, 1, (), ((1, 1),)),  # B->A[b2,a1] 0 -> 1: theta_A(b2) = [1,0]: a2 loses, (a2,b2) goes
        (1, 1, 0, 1, 0, -1, (), ((1, 1),)),  # B->A[b2,a2] 0 -> -1
    ]


def test_sensitivity_refuses_non_positive_change():
    with pytest.raises(ValueError, match="change must be > 0"):
        sensitivity(small_model(), 0)


# -- explanation ----------------------------------------------------------------------------------------------------
def test_explain_by_hand():
    # (0,0,0): theta_A = [1,-1] from B->A[b1] = [1,-1] and C->A[c1] = [0,0].
    a = explain(small_model(), (0, 0, 0))[0]
    assert (a.descriptor, a.variant, a.score, a.rival, a.rival_score) == (0, 0, 1, 1, -1)
    assert [(f.source, f.source_variant, f.to_chosen, f.to_rival, f.net) for f in a.influences] == [
        (1, 0, 1, -1, 2),
        (2, 0, 0, 0, 0),
    ]
    assert a.consistent


def test_explanation_sentences_by_hand():
    s = explanation_sentences(small_model(), (0, 1, 0))
    # A = a1: B->A[b2] = [-2,2], C->A[c1] = [0,0] -> score -2, rival a2 at 2.
    assert (
        s[0] == "A = a1 has no support and is opposed most by B = b2 (-2); score -2, behind a2 (2) by 4: "
        "this descriptor is inconsistent."
    )
    # B = b2: A->B[a1] = [2,-2], C->B[c1] = [1,-1] -> score -3, rival b1 at 3.
    assert (
        s[1] == "B = b2 has no support and is opposed most by A = a1 (-2); score -3, behind b1 (3) by 6: "
        "this descriptor is inconsistent."
    )
    # C = c1: A->C[a1] = [1,-1], B->C[b2] = [-1,1] -> score 0, rival c2 at 0: a tie.
    assert (
        s[2] == "C = c1 is supported most by A = a1 (+1) and opposed most by B = b2 (-1); score 0, "
        "tied with its strongest rival c2."
    )
    s = explanation_sentences(small_model(), (0, 0, 0))
    assert (
        s[1] == "B = b1 is supported most by A = a1 (+2) and opposed by none; score 3, "
        "ahead of its strongest rival b2 (-3) by 6."
    )


def test_explanation_of_unconnected_descriptor():
    m = CIBMatrix((Descriptor("A", ("a1", "a2")), Descriptor("B", ("b1",))), np.zeros((3, 3)))
    s = explanation_sentences(m, (0, 0))
    assert s == [
        "A = a1 is neither supported nor opposed; score 0, tied with its strongest rival a2.",
        "B = b1 is neither supported nor opposed; score 0.",
    ]


def test_explanation_frame_columns_and_values():
    frame = explanation_frame(small_model(), (0, 0, 0))
    assert list(frame.columns) == [
        "descriptor",
        "variant",
        "rival",
        "source",
        "source_variant",
        "to_variant",
        "to_rival",
        "net",
    ]
    assert len(frame) == 6
    row = frame[(frame.descriptor == "B") & (frame.source == "A")].iloc[0]
    assert (row.variant, row.rival, row.source_variant, row.to_variant, row.to_rival, row.net) == (
        "b1",
        "b2",
        "a1",
        2,
        -2,
        4,
    )
