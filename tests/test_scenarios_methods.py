"""Hand-computed tests of the pure scenario techniques: drivers, 2x2, multiple scenarios, cone."""

from __future__ import annotations

from itertools import permutations

import pandas as pd
import pytest

from sat.scenarios.cone import (
    Assumption,
    Cone,
    ConeScenario,
    cone_table,
    counterbalanced,
    presentation_order,
    scenario_states,
    williams_square,
)
from sat.scenarios.drivers import (
    CRITICAL_UNCERTAINTY,
    PREDETERMINED,
    SECONDARY,
    Driver,
    classify,
    critical_uncertainties,
    driver_table,
    predetermined_elements,
)
from sat.scenarios.futures import Futures, Indicator, Quadrant, combinations, moves_table
from sat.scenarios.multiple import (
    ScreenJudgment,
    driver_pairs,
    generate_quadrants,
    matrix_count,
    quadrant_count,
    screen_summary,
    screen_table,
    shortlist,
)


def drv(did: str, impact: int = 5, uncertainty: int = 5, states: tuple[str, str] | None = None) -> Driver:
    states = states or (f"{did}-lo", f"{did}-hi")
    return Driver(did, did.upper(), f"about {did}", "Military", impact, uncertainty, states)


# -- drivers --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("impact", "uncertainty", "expected"),
    [
        (4, 4, CRITICAL_UNCERTAINTY),  # both on the threshold
        (5, 5, CRITICAL_UNCERTAINTY),
        (4, 2, PREDETERMINED),  # low uncertainty threshold is inclusive
        (5, 1, PREDETERMINED),
        (4, 3, SECONDARY),  # middle uncertainty: neither
        (3, 5, SECONDARY),  # impact below the threshold
        (3, 1, SECONDARY),
        (1, 1, SECONDARY),
    ],
)
def test_classification_thresholds(impact: int, uncertainty: int, expected: str) -> None:
    assert classify(impact, uncertainty) == expected


def test_classification_thresholds_can_be_moved() -> None:
    assert classify(3, 3, high_impact=3, high_uncertainty=3, low_uncertainty=2) == CRITICAL_UNCERTAINTY
    with pytest.raises(ValueError, match="low_uncertainty must be below"):
        classify(3, 3, low_uncertainty=4, high_uncertainty=4)


def test_driver_table_and_selections() -> None:
    drivers = [drv("a", 5, 4), drv("b", 4, 1), drv("c", 2, 5), drv("d", 4, 5)]
    table = driver_table(drivers)
    assert list(table.index) == ["a", "b", "c", "d"]
    assert list(table["class"]) == [CRITICAL_UNCERTAINTY, PREDETERMINED, SECONDARY, CRITICAL_UNCERTAINTY]
    assert table.loc["b", "end state B"] == "b-hi"
    assert [d.id for d in critical_uncertainties(drivers)] == ["a", "d"]
    assert [d.id for d in predetermined_elements(drivers)] == ["b"]


def test_other_state() -> None:
    d = drv("a", states=("up", "down"))
    assert d.other_state("up") == "down" and d.other_state("down") == "up"
    with pytest.raises(KeyError, match="sideways"):
        d.other_state("sideways")


# -- 2x2 ------------------------------------------------------------------------------------------------------------
def _futures(states: list[tuple[str, str]]) -> Futures:
    quads = tuple(
        Quadrant(f"q{k}", f"Q{k}", xs, ys, "story", (Indicator(f"i{k}", "sign"),), ("so what",), (f"opt{k}",))
        for k, (xs, ys) in enumerate(states)
    )
    return Futures("x", "y", "independent causes", quads, ("hedge",))


def test_combinations_and_quadrant_lookup() -> None:
    x, y = drv("x", states=("x1", "x2")), drv("y", states=("y1", "y2"))
    assert combinations(x, y) == [("x1", "y1"), ("x1", "y2"), ("x2", "y1"), ("x2", "y2")]
    full = _futures([("x1", "y1"), ("x1", "y2"), ("x2", "y1"), ("x2", "y2")])
    assert full.quadrant("x2", "y1").id == "q2"
    with pytest.raises(KeyError):
        full.quadrant("x3", "y1")


def test_moves_table_puts_robust_moves_first() -> None:
    table = moves_table(_futures([("x1", "y1"), ("x1", "y2"), ("x2", "y1"), ("x2", "y2")]))
    assert list(table["kind"]) == ["robust"] + ["scenario-specific"] * 4
    assert list(table["move"]) == ["hedge", "opt0", "opt1", "opt2", "opt3"]


# -- multiple scenarios generation ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("n", "matrices"), [(2, 1), (3, 3), (4, 6), (5, 10), (7, 21), (10, 45)])
def test_counts(n: int, matrices: int) -> None:
    drivers = [drv(f"d{i}") for i in range(n)]
    assert matrix_count(n) == matrices == len(driver_pairs(drivers))
    assert quadrant_count(n) == 4 * matrices == len(generate_quadrants(drivers))


def test_generated_quadrants_for_three_drivers() -> None:
    drivers = [drv("a"), drv("b"), drv("c")]
    q = generate_quadrants(drivers)
    assert list(q["matrix"]) == [1] * 4 + [2] * 4 + [3] * 4
    assert list(zip(q["driver A"], q["driver B"]))[::4] == [("a", "b"), ("a", "c"), ("b", "c")]
    first = q.iloc[:4]
    assert list(zip(first["state A"], first["state B"])) == [
        ("a-lo", "b-lo"),
        ("a-lo", "b-hi"),
        ("a-hi", "b-lo"),
        ("a-hi", "b-hi"),
    ]
    assert q["key"].is_unique
    assert q.loc[5, "key"] == "a=a-lo | c=c-hi"


def test_screen_merges_judgments_in_either_driver_order() -> None:
    drivers = [drv("a"), drv("b"), drv("c")]
    judgments = [
        # written with the drivers reversed: must land on a=a-hi | b=b-lo
        ScreenJudgment(("b", "a"), ("b-lo", "a-hi"), True, True, False, True, True, "Kept", "because"),
        ScreenJudgment(("a", "c"), ("a-lo", "c-lo"), True, False, False, False),
        ScreenJudgment(("b", "c"), ("b-hi", "c-hi"), False, True, None, None),
    ]
    table = screen_table(drivers, judgments).set_index("key")
    row = table.loc["a=a-hi | b=b-lo"]
    judged = (row["plausible"], row["consequential"], row["novel"], row["not_yet_considered"])
    assert judged == (True, True, False, True)
    assert row["score"] == 3 and row["judged"] and row["shortlisted"] and row["reason"] == "because"
    assert table.loc["b=b-hi | c=c-hi", "score"] == 1
    assert not table.loc["b=b-hi | c=c-hi", "judged"]
    assert pd.isna(table.loc["a=a-lo | b=b-lo", "plausible"])
    summary = screen_summary(drivers, judgments)
    assert summary == {
        "drivers": 3,
        "matrices": 3,
        "quadrants": 12,
        "judged": 2,
        "plausible": 2,
        "consequential": 2,
        "novel": 0,
        "not_yet_considered": 1,
        "shortlisted": 1,
    }
    kept = shortlist(drivers, judgments)
    assert list(kept["name"]) == ["Kept"]
    assert (kept.loc[0, "driver A"], kept.loc[0, "state A"]) == ("a", "a-hi")


# -- cone -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 7, 8])
def test_williams_square_is_latin_and_balanced(n: int) -> None:
    rows = williams_square(n)
    assert len(rows) == (n if n % 2 == 0 else 2 * n)
    for block in (rows[:n], rows[n:] or rows[:n]):
        for row in block:
            assert sorted(row) == list(range(n))  # every row a permutation
        for column in zip(*block):
            assert sorted(column) == list(range(n))  # every item once in every position
    follows: dict[tuple[int, int], int] = {}
    for row in rows:
        for a, b in zip(row, row[1:]):
            follows[(a, b)] = follows.get((a, b), 0) + 1
    if n > 1:  # carry-over balance: each ordered pair adjacent equally often
        assert set(follows) == set(permutations(range(n), 2))
        assert len(set(follows.values())) == 1


def test_williams_square_by_hand() -> None:
    assert williams_square(4) == [[0, 1, 3, 2], [1, 2, 0, 3], [2, 3, 1, 0], [3, 0, 2, 1]]
    assert williams_square(3) == [[0, 1, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0], [0, 2, 1], [1, 0, 2]]
    with pytest.raises(ValueError):
        williams_square(0)


def test_counterbalanced_cycles_over_readers() -> None:
    items = ["base", "alt1", "alt2", "alt3"]
    assert counterbalanced(items, 0) == ["base", "alt1", "alt3", "alt2"]
    assert counterbalanced(items, 2) == ["alt2", "alt3", "alt1", "base"]
    assert counterbalanced(items, 6) == counterbalanced(items, 2)
    assert counterbalanced([], 3) == []
    with pytest.raises(ValueError, match="0 or more"):
        counterbalanced(items, -1)


def _cone() -> tuple[Cone, dict[str, Driver]]:
    drivers = {d.id: d for d in (drv("a"), drv("b"), drv("c"))}
    cone = Cone(
        (
            Assumption("a", "a-lo", "a stays low"),
            Assumption("b", "b-hi", "b stays high"),
            Assumption("c", "c-lo", "c stays low"),
        ),
        ConeScenario("base", "Base", (), "as assumed"),
        (ConeScenario("one", "One", ("b",), "b flips"), ConeScenario("two", "Two", ("a", "c"), "a and c flip")),
    )
    return cone, drivers


def test_cone_states_flip_named_assumptions_only() -> None:
    cone, drivers = _cone()
    assert scenario_states(cone, cone.baseline, drivers) == {"a": "a-lo", "b": "b-hi", "c": "c-lo"}
    assert scenario_states(cone, cone.alternatives[0], drivers) == {"a": "a-lo", "b": "b-lo", "c": "c-lo"}
    assert scenario_states(cone, cone.alternatives[1], drivers) == {"a": "a-hi", "b": "b-hi", "c": "c-hi"}
    table = cone_table(cone, drivers)
    assert table.loc["Two", "A"] == "a-hi *" and table.loc["Two", "B"] == "b-hi"
    assert list(table["flips"]) == [0, 1, 2]


def test_presentation_order_uses_the_williams_rows() -> None:
    cone, _ = _cone()
    orders = [[s.id for s in presentation_order(cone, r)] for r in range(6)]
    assert orders[0] == ["base", "one", "two"]
    assert orders[3] == ["two", "one", "base"]
    assert sorted(o[0] for o in orders) == ["base", "base", "one", "one", "two", "two"]


def test_scales_and_rules_in_words() -> None:
    from sat.scenarios.drivers import classification_rules, scales_table

    table = scales_table()
    assert list(table.index) == [1, 2, 3, 4, 5] and table.loc[5, "impact"].startswith("decisive")
    assert classification_rules()[0] == "critical uncertainty: impact 4 or more and uncertainty 4 or more"
    assert classification_rules(high_impact=3)[1] == "predetermined element: impact 3 or more and uncertainty 2 or less"
