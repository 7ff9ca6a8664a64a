"""CIB data model: construction from blocks, lookups, scenario checks and refusals."""

from __future__ import annotations

import numpy as np
import pytest

from sat.scenarios.cib import CIBMatrix, Descriptor

DS = (Descriptor("trade", ("free", "national")), Descriptor("security", ("relaxed", "moderate", "alert")))


def test_from_blocks_places_blocks_by_variant():
    m = CIBMatrix.from_blocks(DS, {("trade", "security"): [[1, 0, -1], [-2, 1, 1]], (1, 0): [[3, -3]] * 3}, "t")
    assert m.offsets == (0, 2, 5)
    assert m.sizes == (2, 3) and m.n_variants == 5 and m.n_scenarios == 6
    assert m.block("trade", "security").tolist() == [[1, 0, -1], [-2, 1, 1]]
    assert m.block(1, 0).tolist() == [[3, -3]] * 3
    assert m.block(0, 0).tolist() == [[0, 0], [0, 0]]
    assert m.judgments[1, 2:].tolist() == [-2, 1, 1]
    assert m.variant_index("security", "alert") == 4
    assert m.variant_index(1, 0) == 2
    assert m.variant_position("security", "moderate") == 1
    assert m.variant_names((1, 2)) == ("national", "alert")
    assert m.name == "t"


def test_judgments_are_a_read_only_copy():
    raw = np.zeros((5, 5))
    m = CIBMatrix(DS, raw)
    raw[0, 2] = 9
    assert m.judgments[0, 2] == 0
    with pytest.raises(ValueError):
        m.judgments[0, 2] = 1


def test_equality_and_hash_follow_content():
    a = CIBMatrix.from_blocks(DS, {(0, 1): [[1, 0, -1], [0, 0, 0]]})
    b = CIBMatrix.from_blocks(DS, {(0, 1): [[1, 0, -1], [0, 0, 0]]})
    c = CIBMatrix.from_blocks(DS, {(0, 1): [[1, 0, -2], [0, 0, 0]]})
    assert a == b and hash(a) == hash(b)
    assert a != c


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Descriptor("", ("a",)), "needs a name"),
        (lambda: Descriptor("d", ()), "has no variants"),
        (lambda: Descriptor("d", ("a", "a")), "duplicate variant names"),
        (lambda: CIBMatrix((), np.zeros((0, 0))), "at least one descriptor"),
        (lambda: CIBMatrix((DS[0], DS[0]), np.zeros((4, 4))), "names must be unique"),
        (lambda: CIBMatrix(DS, np.zeros((4, 5))), r"shape \(5, 5\)"),
        (lambda: CIBMatrix(DS, np.full((5, 5), np.nan)), "finite"),
        (lambda: CIBMatrix.from_blocks(DS, {(0, 1): [[1, 2], [3, 4]]}), r"must have shape \(2, 3\)"),
    ],
)
def test_bad_construction_is_refused(build, message):
    with pytest.raises(ValueError, match=message):
        build()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: m.descriptor_index("economy"), "no descriptor named 'economy'"),
        (lambda m: m.descriptor_index(2), "no descriptor number 2"),
        (lambda m: m.variant_index("trade", "mixed"), "has no variant named 'mixed'"),
        (lambda m: m.variant_index("trade", 2), "has no variant number 2"),
    ],
)
def test_bad_lookup_raises_key_error(call, message):
    with pytest.raises(KeyError, match=message):
        call(CIBMatrix(DS, np.zeros((5, 5))))


@pytest.mark.parametrize(
    ("scenario", "message"),
    [((0,), "needs 2 variants, not 1"), ((0, 3), "'security' has no variant number 3"), ((-1, 0), "number -1")],
)
def test_bad_scenario_is_refused(scenario, message):
    with pytest.raises(ValueError, match=message):
        CIBMatrix(DS, np.zeros((5, 5))).check_scenario(scenario)
