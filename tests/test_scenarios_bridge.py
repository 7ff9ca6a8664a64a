"""The 2x2 <-> CIB bridge: conditional completions checked by hand and against brute force."""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest

from sat.scenarios.bridge import Bridge, BridgeAxis, completions, quadrant_completions
from sat.scenarios.cib import CIBMatrix, Descriptor
from sat.scenarios.futures import Futures, Indicator, Quadrant


def tiny_matrix() -> CIBMatrix:
    """A(a1,a2), B(b1,b2), C(c1,c2); the blocks below are the whole model (everything else 0)."""
    d = (Descriptor("A", ("a1", "a2")), Descriptor("B", ("b1", "b2")), Descriptor("C", ("c1", "c2")))
    blocks = {
        ("A", "C"): [[2, -2], [-2, 2]],
        ("B", "C"): [[1, -1], [-1, 1]],
        ("C", "A"): [[1, -1], [-1, 1]],
        ("C", "B"): [[1, -1], [0, 0]],
        ("A", "B"): [[0, 0], [-1, 1]],
    }
    return CIBMatrix.from_blocks(d, blocks, "tiny")


# Worked by hand. With A and B fixed, C's balance is row A->C[a] + row B->C[b]; the completion is its top variant.
# Then A's balance = C->A[c], B's balance = A->B[a] + C->B[c]; TIS = sum of the chosen scores.
#   a1,b1: C (3,-3) -> c1, margin 6; A (1,-1) ok; B (1,-1) ok          TIS 1+1+3 = 5, fully consistent
#   a1,b2: C (1,-1) -> c1, margin 2; A (1,-1) ok; B (1,-1) b2 short 2  TIS 1-1+1 = 1
#   a2,b1: C (-1,1) -> c2, margin 2; A (-1,1) ok; B (-1,1) b1 short 2  TIS 1-1+1 = 1
#   a2,b2: C (-3,3) -> c2, margin 6; A (-1,1) ok; B (-1,1) ok          TIS 1+1+3 = 5, fully consistent
@pytest.mark.parametrize(
    ("a", "b", "c", "tis", "margin", "inconsistency"),
    [("a1", "b1", 0, 5, 6, 0), ("a1", "b2", 0, 1, 2, 2), ("a2", "b1", 1, 1, 2, 2), ("a2", "b2", 1, 5, 6, 0)],
)
def test_completions_by_hand(a: str, b: str, c: int, tis: float, margin: float, inconsistency: float) -> None:
    found = completions(tiny_matrix(), {"A": a, "B": b})
    assert len(found) == 1
    assert found.scenarios[0][2] == c
    assert (found.tis[0], found.margin[0], found.inconsistency[0]) == (tis, margin, inconsistency)


def test_fixing_by_index_and_position_gives_the_same_answer() -> None:
    by_name = completions(tiny_matrix(), {"A": "a2", "B": "b1"})
    by_index = completions(tiny_matrix(), {0: 1, 1: 0})
    assert np.array_equal(by_name.scenarios, by_index.scenarios)


def test_a_tie_admits_both_completions_ordered_by_tis() -> None:
    # B->C b1 (2,-2) cancels A->C a2 (-2,2): C's balance is (0,0), both variants top it.
    d = (Descriptor("A", ("a1", "a2")), Descriptor("B", ("b1", "b2")), Descriptor("C", ("c1", "c2")))
    blocks = {("A", "C"): [[2, -2], [-2, 2]], ("B", "C"): [[2, -2], [-2, 2]], ("C", "A"): [[0, 0], [0, 3]]}
    found = completions(CIBMatrix.from_blocks(d, blocks), {"A": "a2", "B": "b1"})
    assert [tuple(s) for s in found.scenarios] == [(1, 0, 1), (1, 0, 0)]  # c2 lifts A's a2 by 3: TIS 3 vs 0
    assert list(found.tis) == [3, 0] and list(found.margin) == [0, 0]


def test_no_completion() -> None:
    d = (
        Descriptor("A", ("a1", "a2")),
        Descriptor("B", ("b1", "b2")),
        Descriptor("C", ("c1", "c2")),
        Descriptor("D", ("d1", "d2")),
    )
    # C follows D (c = d), D opposes C (d != c): no assignment of C and D is stable, whatever A and B are.
    blocks = {("D", "C"): [[1, -1], [-1, 1]], ("C", "D"): [[-1, 1], [1, -1]]}
    found = completions(CIBMatrix.from_blocks(d, blocks), {"A": "a1", "B": "b1"})
    assert len(found) == 0


def test_only_axis_descriptors() -> None:
    d = (Descriptor("A", ("a1", "a2")), Descriptor("B", ("b1", "b2")))
    m = CIBMatrix.from_blocks(d, {("A", "B"): [[1, -1], [-1, 1]]})
    found = completions(m, {"A": "a1", "B": "b2"})
    assert [tuple(s) for s in found.scenarios] == [(0, 1)]
    assert found.inconsistency[0] == 2  # B's balance (1,-1) prefers b1 by 2


def _brute_force(m: CIBMatrix, fixed: dict[int, int]) -> set[tuple[int, ...]]:
    out = set()
    for z in product(*(range(s) for s in m.sizes)):
        if any(z[i] != v for i, v in fixed.items()):
            continue
        rows = np.asarray(m.offsets[:-1]) + np.asarray(z)
        theta = m.judgments[rows].sum(axis=0)
        ok = all(
            theta[m.offsets[j] + z[j]] >= theta[m.offsets[j] : m.offsets[j + 1]].max()
            for j in range(m.n_descriptors)
            if j not in fixed
        )
        if ok:
            out.add(z)
    return out


@pytest.mark.parametrize("seed", range(12))
def test_completions_match_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(2, 4, size=5)
    d = tuple(Descriptor(f"D{i}", tuple(f"v{k}" for k in range(s))) for i, s in enumerate(sizes))
    total = int(sizes.sum())
    m = CIBMatrix(d, rng.integers(-3, 4, size=(total, total)))
    for a, b in product(range(sizes[1]), range(sizes[3])):
        found = completions(m, {1: int(a), 3: int(b)})
        assert {tuple(int(v) for v in s) for s in found.scenarios} == _brute_force(m, {1: int(a), 3: int(b)})
        assert list(found.tis) == sorted(found.tis, reverse=True)
        assert (found.margin >= 0).all()


def test_quadrant_completions_table() -> None:
    quads = tuple(
        Quadrant(f"q{k}", name, xs, ys, "n", (Indicator(f"i{k}", "t"),), ("imp",))
        for k, (name, xs, ys) in enumerate(
            [
                ("Low-low", "X lo", "Y lo"),
                ("Low-high", "X lo", "Y hi"),
                ("High-low", "X hi", "Y lo"),
                ("High-high", "X hi", "Y hi"),
            ]
        )
    )
    futures = Futures("x", "y", "why", quads)
    bridge = Bridge(
        BridgeAxis("x", "A", {"X lo": "a1", "X hi": "a2"}), BridgeAxis("y", "B", {"Y lo": "b1", "Y hi": "b2"})
    )
    table = quadrant_completions(futures, bridge, tiny_matrix()).set_index("scenario")
    assert list(table["completions"]) == [1, 1, 1, 1]
    assert table.loc["Low-low", "strongest"] == "C: c1"
    assert table.loc["High-low", "strongest"] == "C: c2"
    assert list(table["TIS"]) == [5, 1, 1, 5]
    assert list(table["margin"]) == [6, 2, 2, 6]
    assert list(table["fully_consistent"]) == [True, False, False, True]
    assert list(table["axis_inconsistency"]) == [0, 2, 2, 0]
    assert (table.loc["High-high", "A"], table.loc["High-high", "B"]) == ("a2", "b2")


def test_bridge_sentences() -> None:
    from sat.scenarios.bridge import bridge_sentences

    quads = tuple(
        Quadrant(f"q{k}", name, xs, ys, "n", (Indicator(f"i{k}", "t"),), ("imp",))
        for k, (name, xs, ys) in enumerate(
            [("LL", "X lo", "Y lo"), ("LH", "X lo", "Y hi"), ("HL", "X hi", "Y lo"), ("HH", "X hi", "Y hi")]
        )
    )
    bridge = Bridge(
        BridgeAxis("x", "A", {"X lo": "a1", "X hi": "a2"}), BridgeAxis("y", "B", {"Y lo": "b1", "Y hi": "b2"})
    )
    table = quadrant_completions(Futures("x", "y", "why", quads), bridge, tiny_matrix())
    sentences = bridge_sentences(table, bridge)
    assert sentences[0] == (
        "LL (A = a1, B = b1): one consistent completion; the strongest (TIS 5, margin 6) has "
        "C: c1; the full scenario is consistent, so the axis positions sustain themselves."
    )
    assert "fall short of their own balances by 2" in sentences[1]
    table.loc[3, "completions"] = 0
    assert bridge_sentences(table, bridge)[3].endswith(
        "no consistent completion; the model's judgments do not support this future."
    )
