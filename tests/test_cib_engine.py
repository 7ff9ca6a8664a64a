"""CIB engine: hand-computed balances and scores, the exact search against brute force, invariances."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sat.scenarios.cib import CIBMatrix, Descriptor, consistent_set, evaluate, impact_balances, score_many, search


def small_model() -> CIBMatrix:
    """Three two-variant descriptors A, B, C. Blocks (rows: source variants, columns: target variants):

    A->B [[2,-2],[-1,1]]   A->C [[1,-1],[0,0]]
    B->A [[1,-1],[-2,2]]   B->C [[0,0],[-1,1]]
    C->A [[0,0],[1,-1]]    C->B [[1,-1],[0,0]]
    """
    ds = (Descriptor("A", ("a1", "a2")), Descriptor("B", ("b1", "b2")), Descriptor("C", ("c1", "c2")))
    return CIBMatrix.from_blocks(
        ds,
        {
            ("A", "B"): [[2, -2], [-1, 1]],
            ("A", "C"): [[1, -1], [0, 0]],
            ("B", "A"): [[1, -1], [-2, 2]],
            ("B", "C"): [[0, 0], [-1, 1]],
            ("C", "A"): [[0, 0], [1, -1]],
            ("C", "B"): [[1, -1], [0, 0]],
        },
        name="hand",
    )


# By hand, theta_A = B->A[z_B] + C->A[z_C], theta_B = A->B[z_A] + C->B[z_C], theta_C = A->C[z_A] + B->C[z_B]:
#   z        theta_A    theta_B    theta_C    incons. (A,B,C)  TIS  margin
#   (0,0,0)  [1,-1]     [3,-3]     [1,-1]     0,0,0            5    min(2,6,2)=2
#   (0,0,1)  [2,-2]     [2,-2]     [1,-1]     0,0,2            3    -2
#   (0,1,0)  [-2,2]     [3,-3]     [0,0]      4,6,0           -5    -6
#   (0,1,1)  [-1,1]     [2,-2]     [0,0]      2,4,0           -3    -4
#   (1,0,0)  [1,-1]     [0,0]      [0,0]      2,0,0           -1    -2
#   (1,0,1)  [2,-2]     [-1,1]     [0,0]      4,2,0           -3    -4
#   (1,1,0)  [-2,2]     [0,0]      [-1,1]     0,0,2            1    -2
#   (1,1,1)  [-1,1]     [-1,1]     [-1,1]     0,0,0            3    2
HAND = {
    (0, 0, 0): ([1, -1, 3, -3, 1, -1], 0, 5, 2),
    (0, 0, 1): ([2, -2, 2, -2, 1, -1], 2, 3, -2),
    (0, 1, 0): ([-2, 2, 3, -3, 0, 0], 6, -5, -6),
    (0, 1, 1): ([-1, 1, 2, -2, 0, 0], 4, -3, -4),
    (1, 0, 0): ([1, -1, 0, 0, 0, 0], 2, -1, -2),
    (1, 0, 1): ([2, -2, -1, 1, 0, 0], 4, -3, -4),
    (1, 1, 0): ([-2, 2, 0, 0, -1, 1], 2, 1, -2),
    (1, 1, 1): ([-1, 1, -1, 1, -1, 1], 0, 3, 2),
}


@pytest.mark.parametrize("scenario", sorted(HAND))
def test_hand_computed_balances_and_scores(scenario):
    theta, inconsistency, tis, margin = HAND[scenario]
    m = small_model()
    assert impact_balances(m, scenario).tolist() == theta
    e = evaluate(m, scenario)
    assert (e.inconsistency, e.tis, e.margin) == (inconsistency, tis, margin)
    assert e.consistent == (inconsistency == 0)
    assert [b.tolist() for b in e.balances] == [theta[0:2], theta[2:4], theta[4:6]]


def test_hand_computed_consistent_set_and_tolerance():
    m = small_model()
    result = consistent_set(m)
    assert result.as_tuples() == [(0, 0, 0), (1, 1, 1)]  # by TIS: 5 then 3
    assert result.tis.tolist() == [5, 3] and result.margin.tolist() == [2, 2]
    assert search(m, 1).tolist() == [[0, 0, 0], [1, 1, 1]]
    assert search(m, 2).tolist() == [[0, 0, 0], [0, 0, 1], [1, 0, 0], [1, 1, 0], [1, 1, 1]]


def test_descriptor_inconsistency_and_tie():
    e = evaluate(small_model(), (1, 1, 0))
    assert e.descriptor_inconsistency == (0, 0, 2)
    e = evaluate(small_model(), (1, 0, 0))  # B is tied at [0, 0]: consistent for B, margin 0 there
    assert e.descriptor_inconsistency == (2, 0, 0)


def test_score_many_matches_evaluate():
    m = small_model()
    rows = np.array(sorted(HAND))
    scores = score_many(m, rows)
    for k, z in enumerate(sorted(HAND)):
        _theta, inconsistency, tis, margin = HAND[z]
        assert (scores.inconsistency[k], scores.tis[k], scores.margin[k]) == (inconsistency, tis, margin)


def test_search_rejects_negative_tolerance():
    with pytest.raises(ValueError, match="tolerance must be >= 0"):
        search(small_model(), -1)


# -- exactness against brute force --------------------------------------------------------------------------------
def brute_force(m: CIBMatrix, tolerance: float) -> list[tuple[int, ...]]:
    """Independent reference: every scenario, balances summed descriptor by descriptor (diagonal included)."""
    o = m.offsets
    out = []
    for z in itertools.product(*(range(s) for s in m.sizes)):
        worst = 0.0
        for j in range(m.n_descriptors):
            scores = [
                sum(m.judgments[o[i] + z[i], o[j] + v] for i in range(m.n_descriptors)) for v in range(m.sizes[j])
            ]
            worst = max(worst, max(scores) - scores[z[j]])
        if worst <= tolerance + 1e-9:
            out.append(z)
    return out


def random_model(rng: np.random.Generator, self_impacts: bool = False) -> CIBMatrix:
    n = int(rng.integers(1, 6))
    sizes = rng.integers(1, 5, size=n)
    ds = tuple(Descriptor(f"D{i}", tuple(f"v{k}" for k in range(s))) for i, s in enumerate(sizes))
    total = int(sizes.sum())
    style = rng.integers(0, 3)
    if style == 0:
        values = rng.integers(-3, 4, size=(total, total)).astype(float)
    elif style == 1:  # few distinct values: many ties
        values = rng.integers(-1, 2, size=(total, total)).astype(float)
    else:
        values = rng.integers(-6, 7, size=(total, total)) / 2.0
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    if not self_impacts:
        for a, b in zip(offsets[:-1], offsets[1:]):
            values[a:b, a:b] = 0
    return CIBMatrix(ds, values)


def test_search_equals_brute_force_on_random_models():
    rng = np.random.default_rng(20060101)
    checked = 0
    for trial in range(300):
        m = random_model(rng, self_impacts=trial % 5 == 0)
        for tolerance in (0, 0.5, 1, 2):
            assert search(m, tolerance).tolist() == [list(z) for z in brute_force(m, tolerance)], (trial, tolerance)
            checked += 1
    assert checked == 1200


def test_search_batches_split_without_losing_scenarios(monkeypatch):
    from sat.scenarios.cib import consistency as cib_search

    monkeypatch.setattr(cib_search, "_BATCH_CELLS", 50)  # forces one-row batches
    rng = np.random.default_rng(7)
    for _ in range(20):
        m = random_model(rng)
        assert search(m, 1).tolist() == [list(z) for z in brute_force(m, 1)]


# -- invariances (Weimer-Jehle 2006) --------------------------------------------------------------------------------
def test_adding_a_constant_to_a_block_row_keeps_the_consistent_set():
    rng = np.random.default_rng(11)
    for _ in range(60):
        m = random_model(rng)
        if m.n_descriptors < 2:
            continue
        i, j = rng.choice(m.n_descriptors, size=2, replace=False)
        k = int(rng.integers(m.sizes[i]))
        shifted = np.array(m.judgments)
        shifted[m.offsets[i] + k, m.offsets[j] : m.offsets[j + 1]] += float(rng.integers(-5, 6))
        assert search(m.with_judgments(shifted)).tolist() == search(m).tolist()


def test_scaling_by_a_positive_number_keeps_the_consistent_set():
    rng = np.random.default_rng(12)
    for _ in range(60):
        m = random_model(rng)
        factor = float(rng.choice([0.5, 2.0, 3.0, 7.0]))
        scaled = m.with_judgments(m.judgments * factor)
        assert search(scaled).tolist() == search(m).tolist()
        assert search(scaled, 2 * factor).tolist() == search(m, 2).tolist()


def test_standardized_rows_sum_to_zero_and_keep_the_set():
    rng = np.random.default_rng(13)
    for _ in range(40):
        m = random_model(rng)
        s = m.standardized()
        for j in range(m.n_descriptors):
            sums = s.judgments[:, s.offsets[j] : s.offsets[j + 1]].sum(axis=1)
            assert np.allclose(sums, 0)
        assert search(s).tolist() == search(m).tolist()


def test_self_impact_block_counts_in_the_balance():
    # D0 -> D1 pushes D1 to variant 0 by 1; D1's self-impact favours staying where it is by 2.
    ds = (Descriptor("D0", ("x", "y")), Descriptor("D1", ("p", "q")))
    m = CIBMatrix.from_blocks(ds, {(0, 1): [[1, 0], [1, 0]], (1, 1): [[2, 0], [0, 2]]})
    assert m.has_self_impacts
    assert impact_balances(m, (0, 1)).tolist() == [0, 0, 1, 2]
    assert search(m).tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert not CIBMatrix.from_blocks(ds, {(0, 1): [[1, 0], [1, 0]]}).has_self_impacts


def test_large_integer_judgments_use_exact_float64():
    from sat.scenarios.cib.consistency import _Bounds

    m = small_model()
    big = m.with_judgments(m.judgments * 2**23)
    assert _Bounds(m, 0).dtype == np.float32 and _Bounds(big, 0).dtype == np.float64
    assert search(big).tolist() == search(m).tolist()
    assert search(big, 2 * 2**23).tolist() == search(m, 2).tolist()
