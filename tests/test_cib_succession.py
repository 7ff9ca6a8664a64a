"""Succession (global and sequential), cycles, and the basin counts of global succession."""

from __future__ import annotations

import pytest
from test_cib_engine import small_model

from sat.scenarios.cib import CIBMatrix, Descriptor, global_basins, global_step, succession


def pennies() -> CIBMatrix:
    """B copies A (A->B identity) while A avoids B (B->A swapped): no consistent scenario, only a 4-cycle."""
    ds = (Descriptor("A", ("a0", "a1")), Descriptor("B", ("b0", "b1")))
    return CIBMatrix.from_blocks(ds, {("A", "B"): [[1, 0], [0, 1]], ("B", "A"): [[0, 1], [1, 0]]})


def test_global_succession_reaches_a_fixed_point():
    # (0,1,0): theta_A [-2,2] -> a2, theta_B [3,-3] -> b1, theta_C [0,0] tie keeps c1  => (1,0,0)
    # (1,0,0): theta_A [1,-1] -> a1, theta_B [0,0] keeps b1, theta_C [0,0] keeps c1      => (0,0,0), consistent
    r = succession(small_model(), (0, 1, 0), "global")
    assert r.path == ((0, 1, 0), (1, 0, 0), (0, 0, 0))
    assert r.outcome == "fixed_point" and r.end == (0, 0, 0) and r.cycle == ()


def test_sequential_succession_changes_one_descriptor_at_a_time():
    # A first: theta_A [-2,2] -> a2 => (1,1,0); B: theta_B [0,0] tie keeps b2;
    # C: theta_C [-1,1] -> c2 => (1,1,1); a full round without change ends it.
    r = succession(small_model(), (0, 1, 0), "sequential")
    assert r.path == ((0, 1, 0), (1, 1, 0), (1, 1, 1))
    assert r.outcome == "fixed_point"


def test_succession_from_a_consistent_scenario_stays():
    for kind in ("global", "sequential"):
        r = succession(small_model(), (1, 1, 1), kind)
        assert r.path == ((1, 1, 1),) and r.outcome == "fixed_point"


@pytest.mark.parametrize("kind", ["global", "sequential"])
def test_cycle_is_detected_and_returned(kind):
    # global from (0,0): A -> a1, B stays b0 => (1,0); then B -> b1 => (1,1); A -> a0 => (0,1); B -> b0 => (0,0).
    # sequential visits A, B, A, B, ... and takes the same four scenarios one change at a time.
    r = succession(pennies(), (0, 0), kind)
    assert r.outcome == "cycle"
    assert r.cycle == ((0, 0), (1, 0), (1, 1), (0, 1))
    assert r.path == ((0, 0), (1, 0), (1, 1), (0, 1)) + (((0, 0),) if kind == "sequential" else ())


def test_global_step_tie_keeps_current_else_lowest_index():
    ds = (Descriptor("A", ("a0", "a1", "a2")), Descriptor("B", ("b0", "b1")))
    m = CIBMatrix.from_blocks(ds, {("B", "A"): [[0, 2, 2], [1, 1, 1]]})
    assert global_step(m, (0, 0)) == (1, 0)  # a1 and a2 tie at the top: lowest index
    assert global_step(m, (2, 0)) == (2, 0)  # the current variant is among the top: kept
    assert global_step(m, (0, 1)) == (0, 1)  # three-way tie: kept


def test_unknown_succession_kind_is_refused():
    with pytest.raises(ValueError, match="unknown succession kind 'random'"):
        succession(small_model(), (0, 0, 0), "random")  # type: ignore[arg-type]


@pytest.mark.parametrize("batch", [3, 1000])
def test_global_basins_by_hand(batch):
    # Ends of global succession from each of the 8 starts (see the balances table in test_cib_engine):
    # (0,0,0) fixed; (0,0,1) -> (0,0,0); (0,1,0) -> (1,0,0) -> (0,0,0); (1,0,0) -> (0,0,0);
    # (0,1,1) -> (1,0,1) -> (0,1,1): a 2-cycle, as is (1,0,1); (1,1,0) -> (1,1,1); (1,1,1) fixed.
    counts, cycling = global_basins(small_model(), batch=batch)
    assert counts == {(0, 0, 0): 4, (1, 1, 1): 2}
    assert cycling == 2


def test_global_basins_agree_with_single_succession():
    m = pennies()
    assert global_basins(m) == ({}, 4)


def test_global_basins_agree_with_succession_from_every_start():
    import itertools
    from collections import Counter

    import numpy as np
    from test_cib_engine import random_model

    rng = np.random.default_rng(17)
    for _ in range(25):
        m = random_model(rng)
        ends = Counter()
        cycling = 0
        for start in itertools.product(*(range(s) for s in m.sizes)):
            r = succession(m, start, "global")
            if r.outcome == "fixed_point":
                ends[r.end] += 1
            else:
                cycling += 1
        assert global_basins(m, batch=7) == (dict(ends), cycling)
