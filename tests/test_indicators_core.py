"""Hand-computed tests of the indicators cores: validator, tracking and updating."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from sat.indicators import tracking, updating, validator
from sat.indicators.validator import DEFAULT_MAPPING as M

CRED = {"high": 1.0, "medium": 0.8, "low": 0.5}
D1, D2, D3 = dt.date(2023, 1, 1), dt.date(2023, 2, 1), dt.date(2023, 3, 1)


def ratings(rows: dict[str, list[str]], targets: tuple[str, ...] = ("A", "B")) -> pd.DataFrame:
    return pd.DataFrame(
        list(rows.values()), index=pd.Index(list(rows), name="indicator"), columns=list(targets), dtype=object
    )


def log(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(tracking.COLUMNS))


# --- validator -----------------------------------------------------------------------------------------------------


def test_validator_rules_by_hand():
    r = ratings(
        {"I1": ["HL", "HU", "C"], "I2": ["L", "L", "U"], "I3": ["C", "C", "C"], "I4": ["L", "", "C"]}, ("A", "B", "C")
    )
    table = validator.validate(r, ["A", "A", "A", "A"], M)
    # I1: steps 2, -2, 0 -> spread 4; home A (2) vs best other (0) = 2; llr ln(.9/.1) = ln 9.
    assert table.loc["I1", "spread"] == 4 and table.loc["I1", "home_vs_other"] == 2
    assert table.loc["I1", "llr"] == pytest.approx(math.log(9))
    # I2: spread 2; home A (1) vs B (1) = 0; llr ln(.7/.3).
    assert table.loc["I2", "spread"] == 2 and table.loc["I2", "home_vs_other"] == 0
    assert table.loc["I2", "llr"] == pytest.approx(math.log(0.7 / 0.3))
    assert table.loc["I2", "points_to"] == ("A", "B")
    # I3: rated alike, points nowhere, llr 0.
    assert table.loc["I3", "llr"] == 0 and table.loc["I3", "points_to"] == ()
    # I4: the missing B rating reads as C; llr ln(.7/.5) = 0.336 < ln 3.
    assert table.loc["I4", "missing"] == 1 and table.loc["I4", "llr"] == pytest.approx(math.log(1.4))
    assert list(table["diagnostic"]) == [True, False, False, False]  # llr >= ln 3 only for I1
    by_spread = validator.validate(r, ["A"] * 4, M, rule="spread")
    assert list(by_spread["diagnostic"]) == [True, True, False, False]
    by_home = validator.validate(r, ["A"] * 4, M, rule="home")
    assert list(by_home["diagnostic"]) == [True, False, False, True]  # I4: L at home vs C elsewhere = 1 step
    assert list(validator.validate(r, ["A"] * 4, M, threshold=math.log(0.7 / 0.3))["diagnostic"]) == [
        True,
        True,
        False,
        False,
    ]
    with pytest.raises(ValueError, match="unknown diagnosticity rule"):
        validator.validate(r, ["A"] * 4, M, rule="max")


def test_home_defaults_to_best_rated_target():
    r = ratings({"I1": ["U", "HL"], "I2": ["C", "C"]})
    assert validator.home_targets(r, [None, "B"]) == ["B", "B"]
    assert validator.home_targets(r, ["A", None]) == ["A", "A"]


def test_coverage_counts_diagnostic_indicators_pointing_to_each_target():
    r = ratings({"I1": ["HL", "HU"], "I2": ["HU", "HL"], "I3": ["HL", "U"], "I4": ["L", "L"]})
    table = validator.validate(r, ["A", "B", "A", "A"], M)
    cover = validator.coverage(table, ["A", "B"], minimum=2)
    assert cover.loc["A", "count"] == 2 and cover.loc["A", "indicators"] == "I1, I3" and cover.loc["A", "covered"]
    assert cover.loc["B", "count"] == 1 and not cover.loc["B", "covered"]


def test_criteria_summary_counts_levels():
    criteria = pd.DataFrame({c: ["high", "low", ""] for c in validator.CRITERIA}, index=["I1", "I2", "I3"])
    criteria.loc["I3", "valid"] = "medium"
    summary = validator.criteria_summary(criteria)
    assert summary.loc["observable"].tolist() == [1, 0, 1, 1]
    assert summary.loc["valid"].tolist() == [1, 1, 1, 0]


# --- tracking ------------------------------------------------------------------------------------------------------


def test_status_is_latest_observation_at_or_before_date():
    obs = log(
        [
            ("I1", D2, "absent", "high", "", ""),
            ("I1", D1, "observed", "low", "", ""),
            ("I1", D2, "observed", "medium", "", "correction"),
            ("I2", D3, "absent", "high", "", ""),
        ]
    )
    at = tracking.status_at(obs, ["I1", "I2", "I3"], D2)
    assert at.loc["I1", "status"] == "observed" and at.loc["I1", "note"] == "correction"  # later row on one date
    assert at.loc["I2", "status"] == "unknown" and at.loc["I3", "status"] == "unknown"
    assert tracking.status_at(obs, ["I1"], D1).loc["I1", "credibility"] == "low"
    assert tracking.status_at(obs, ["I1"], dt.date(2022, 12, 31)).loc["I1", "status"] == "unknown"
    ends, labels = tracking.period_ends(D1, dt.date(2023, 5, 10), "Q")
    assert ends == [dt.date(2023, 3, 31), dt.date(2023, 5, 10)] and labels == ["2023Q1", "2023Q2"]
    board = tracking.board(obs, ["I1", "I2"], ends, labels)
    assert board.loc["I2"].tolist() == ["absent", "absent"] and board.loc["I1", "2023Q1"] == "observed"


# --- updating ------------------------------------------------------------------------------------------------------


def run(r, obs, groups=None, prior=None, until=None):
    groups = groups or [None] * len(r)
    prior = prior or dict.fromkeys(r.columns, 1.0)
    return updating.timeline(r, groups, obs, prior, M, CRED, until)


def test_observed_absent_and_unknown():
    r = ratings({"I1": ["HL", "HU"]})
    # observed: .9 vs .1 -> A = .9
    t = run(r, log([("I1", D1, "observed", "high", "", "")]))
    assert t.probabilities.loc[D1, "A"] == pytest.approx(0.9)
    assert t.probabilities.iloc[0].tolist() == [0.5, 0.5]  # the prior row
    # absent: 1-.9 vs 1-.1 -> A = .1 (looked for and not seen is evidence against A)
    t = run(r, log([("I1", D1, "absent", "high", "", "")]))
    assert t.probabilities.loc[D1, "A"] == pytest.approx(0.1)
    # unknown: no information, the prior stands
    t = run(r, log([("I1", D1, "unknown", "high", "", "")]))
    assert t.probabilities.loc[D1, "A"] == pytest.approx(0.5)


def test_credibility_discount_like_ach():
    r = ratings({"I1": ["HL", "HU"]})
    # medium (c = .8): A .8*.9 + .2*.5 = .82, B .8*.1 + .2*.5 = .18 -> .82
    t = run(r, log([("I1", D1, "observed", "medium", "", "")]))
    assert t.probabilities.loc[D1, "A"] == pytest.approx(0.82)
    # low (c = .5), absent: A 1 - (.45 + .25) = .30, B 1 - (.05 + .25) = .70 -> .30
    t = run(r, log([("I1", D1, "absent", "low", "", "")]))
    assert t.probabilities.loc[D1, "A"] == pytest.approx(0.30)


def test_group_counts_once_through_most_diagnostic_member():
    r = ratings({"I1": ["L", "U"], "I2": ["HL", "HU"]})
    obs = log([("I1", D1, "observed", "high", "", ""), ("I2", D1, "observed", "high", "", "")])
    # independent: .7*.9 / (.7*.9 + .3*.1) = .63 / .66
    assert run(r, obs).probabilities.loc[D1, "A"] == pytest.approx(0.63 / 0.66)
    # grouped: only I2 (ln 9 > ln 7/3) counts -> .9
    assert run(r, obs, groups=["g", "g"]).probabilities.loc[D1, "A"] == pytest.approx(0.9)
    # grouped, I2 unknown: I1 is the only informative member -> .7
    obs2 = log([("I1", D1, "observed", "high", "", ""), ("I2", D1, "unknown", "high", "", "")])
    assert run(r, obs2, groups=["g", "g"]).probabilities.loc[D1, "A"] == pytest.approx(0.7)


def test_prior_and_timeline_order_and_movers():
    r = ratings({"I1": ["L", "U"], "I2": ["HL", "HU"]})
    obs = log([("I2", D2, "absent", "high", "", ""), ("I1", D1, "observed", "high", "", "")])
    t = run(r, obs, prior={"A": 0.6, "B": 0.4})
    assert list(t.probabilities.index) == [None, D1, D2]
    # D1: .6*.7 / (.6*.7 + .4*.3) = .42/.54
    assert t.probabilities.loc[D1, "A"] == pytest.approx(0.42 / 0.54)
    # D2: adds absent I2: .42*.1 / (.42*.1 + .12*.9) = .042/.15 = .28
    assert t.probabilities.loc[D2, "A"] == pytest.approx(0.28)
    moved = t.movers[D2]
    assert moved.loc[0, "indicator"] == "I2" and moved.loc[0, "shift"] == pytest.approx(0.42 / 0.54 - 0.28)
    assert t.movers[D1].loc[0, "shift"] == pytest.approx(0.42 / 0.54 - 0.6)
    assert list(run(r, obs, until=D1).probabilities.index) == [None, D1]


def test_missing_rating_is_neutral_in_updating():
    r = ratings({"I1": ["HL", ""]})
    t = run(r, log([("I1", D1, "observed", "high", "", "")]))
    assert t.probabilities.loc[D1, "A"] == pytest.approx(0.9 / 1.4)
    assert np.isclose(t.probabilities.sum(axis=1), 1).all()
