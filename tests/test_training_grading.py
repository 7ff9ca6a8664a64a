"""The pure grading functions against hand-worked numbers, and kappa, Brier and tau against scikit-learn / SciPy.

scikit-learn and SciPy are imported by the tests that compare with them (not at collection: they take about half
a second to import, and the top-level conftest.py runs this module's tests on one pytest-xdist worker).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sat.training import grading


@pytest.mark.parametrize(
    ("given", "accepted", "credit"),
    [
        ("C", ["C"], 1.0),
        ("CC", ["C", "CC"], 1.0),  # inside an acceptable set
        ("C", ["CC"], 0.5),  # one step off
        ("N", ["I", "II"], 0.5),  # one step from the nearest acceptable rating
        ("N", ["CC"], 0.0),  # two steps off
        ("II", ["C"], 0.0),
        ("NA", ["C"], 0.0),  # NA is off the scale: no partial credit
        ("NA", ["NA"], 1.0),
        ("C", ["NA"], 0.0),
        ("", ["C"], 0.0),  # unrated
    ],
)
def test_cell_credit(given, accepted, credit):
    assert grading.cell_credit(given, accepted) == credit


def test_cell_credit_uses_the_keys_one_step_credit():
    assert grading.cell_credit("C", ["CC"], one_step=0.25) == 0.25


def test_weighted_agreement_by_hand():
    # (1*2 + 0.5*1 + 0*1) / (2 + 1 + 1) = 2.5 / 4
    assert grading.weighted_agreement([1, 0.5, 0], [2, 1, 1]) == pytest.approx(0.625)
    assert grading.weighted_agreement([1], [0]) == 0.0


def test_quadratic_kappa_by_hand():
    from sklearn.metrics import cohen_kappa_score

    # Observed: (0,0) (1,2) (2,2) (2,1), a quarter each; marginals (.25, .25, .5) for both raters.
    # sum w O = 2 * (1/4) * 1/4 = 0.125; sum w E = sum w_ij p_i q_j = 0.34375; kappa = 7/11.
    a, b = [0, 1, 2, 2], [0, 2, 2, 1]
    assert grading.quadratic_kappa(a, b, categories=3) == pytest.approx(7 / 11)
    assert cohen_kappa_score(a, b, weights="quadratic", labels=[0, 1, 2]) == pytest.approx(7 / 11)


def test_quadratic_kappa_on_the_ach_scale_by_hand():
    from sklearn.metrics import cohen_kappa_score

    # The pairs of the tiny exercise's trainee: sum w O = 2/16/5 = 0.025, sum w E = 84/400 = 0.21 -> 37/42.
    a, b = [0, 3, 0, 2, 2], [0, 4, 1, 2, 2]
    assert grading.quadratic_kappa(a, b) == pytest.approx(37 / 42)
    assert cohen_kappa_score(a, b, weights="quadratic", labels=[0, 1, 2, 3, 4]) == pytest.approx(37 / 42)


def test_quadratic_kappa_agrees_with_scikit_learn_on_random_matrices():
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(7)
    for _ in range(20):
        a = rng.integers(0, 5, size=60)
        b = np.clip(a + rng.integers(-2, 3, size=60), 0, 4)
        assert grading.quadratic_kappa(a, b) == pytest.approx(
            cohen_kappa_score(a, b, weights="quadratic", labels=[0, 1, 2, 3, 4])
        )


def test_quadratic_kappa_undefined_cases():
    assert math.isnan(grading.quadratic_kappa([], []))
    assert math.isnan(grading.quadratic_kappa([2, 2], [2, 2]))  # one category used by both: sum w E = 0


def test_kendall_tau_b_by_hand():
    from scipy.stats import kendalltau

    # Pairs: 5 concordant, 0 discordant, 1 tied in x, none in y: 5 / sqrt((6 - 1) * 6).
    x, y = [1, 2, 2, 3], [1, 3, 2, 4]
    assert grading.kendall_tau_b(x, y) == pytest.approx(5 / math.sqrt(30))
    assert grading.kendall_tau_b(x, y) == pytest.approx(kendalltau(x, y).statistic)
    assert grading.kendall_tau_b([1, 2, 3], [3, 2, 1]) == -1.0
    assert math.isnan(grading.kendall_tau_b([1, 1], [1, 2]))


def test_brier_by_hand_and_against_scikit_learn():
    from sklearn.metrics import brier_score_loss

    # (0.7-1)^2 + 0.2^2 + 0.1^2 = 0.14
    assert grading.brier([0.7, 0.2, 0.1], 0) == pytest.approx(0.14)
    # A binary question scores twice the one-option form: (0.8-0)^2 + (0.2-1)^2 = 1.28 = 2 * 0.64.
    assert grading.brier([0.8, 0.2], 1) == pytest.approx(1.28)
    assert grading.brier([0.8, 0.2], 1) == pytest.approx(2 * brier_score_loss([0], [0.8]))
    probs = [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]]
    outcomes = [0, 1, 2]
    ours = np.mean([grading.brier(p, o) for p, o in zip(probs, outcomes)])
    assert ours == pytest.approx((0.14 + 0.06 + 0.54) / 3)
    assert ours == pytest.approx(brier_score_loss(outcomes, probs, labels=[0, 1, 2]))


def test_distance_to_normative_by_hand():
    distance, mae = grading.distance_to_normative([0.5, 0.5, 0.0], [0.6, 0.3, 0.1])
    assert distance == pytest.approx(0.01 + 0.04 + 0.01)
    assert mae == pytest.approx(0.4 / 3)


def test_bayes_posterior_of_berth_seven_by_hand():
    # Priors .1/.3/.6 times the five items' frequencies: .00588, .00513, .0001188; sum .0111288.
    posterior = grading.bayes_posterior(
        [0.1, 0.3, 0.6], [[0.7, 0.5, 0.1], [0.6, 0.2, 0.05], [0.5, 0.3, 0.4], [0.4, 0.6, 0.1], [0.7, 0.95, 0.99]]
    )
    assert posterior == pytest.approx([0.00588 / 0.0111288, 0.00513 / 0.0111288, 0.0001188 / 0.0111288])


def test_normalise():
    assert grading.normalise([2, 6]) == pytest.approx([0.25, 0.75])
    assert grading.normalise([0, 0]) == pytest.approx([0.5, 0.5])


def test_murphy_is_exact_by_distinct_forecast_values():
    from sklearn.metrics import brier_score_loss

    # Groups 0.2 (n 2, observed .5) and 0.8 (n 3, observed 2/3); base rate .6.
    # REL = (2*.09 + 3*(2/15)^2)/5 = 0.046667, RES = (2*.01 + 3*(1/15)^2)/5 = 0.006667, UNC = .24; BS = .28.
    m = grading.murphy([0.2, 0.2, 0.8, 0.8, 0.8], [0, 1, 1, 1, 0])
    assert m.bs == pytest.approx(0.28)
    assert m.reliability == pytest.approx(0.7 / 15)
    assert m.resolution == pytest.approx(0.1 / 15)
    assert m.uncertainty == pytest.approx(0.24)
    assert m.residual == pytest.approx(0.0, abs=1e-12)
    assert m.groups == 2
    assert m.bs == pytest.approx(brier_score_loss([0, 1, 1, 1, 0], [0.2, 0.2, 0.8, 0.8, 0.8]))


def test_murphy_binned_reports_the_residual():
    # Bins [0, .5) and [.5, 1]: forecasts (.1, .3) -> mean .2, observed .5; (.7, .9) -> mean .8, observed 1.
    # BS = (.01 + .49 + .09 + .01)/4 = .15; REL = (2*.09 + 2*.04)/4 = .065; RES = .0625; UNC = .1875;
    # REL - RES + UNC = .19, so the residual is -.04.
    m = grading.murphy([0.1, 0.3, 0.7, 0.9], [0, 1, 1, 1], bins=2)
    assert (m.bs, m.reliability, m.resolution, m.uncertainty) == pytest.approx((0.15, 0.065, 0.0625, 0.1875))
    assert m.residual == pytest.approx(-0.04)
    exact = grading.murphy([0.1, 0.3, 0.7, 0.9], [0, 1, 1, 1])
    assert exact.residual == pytest.approx(0.0, abs=1e-12)


def test_calibration_table_by_hand():
    def flat(points):
        return [value for point in points for value in point]

    assert flat(grading.calibration_table([0.2, 0.2, 0.8, 0.8, 0.8], [0, 1, 1, 1, 0])) == pytest.approx(
        [0.2, 0.5, 2, 0.8, 2 / 3, 3]
    )
    assert flat(grading.calibration_table([0.1, 0.3, 0.7, 0.9], [0, 1, 1, 1], bins=2)) == pytest.approx(
        [0.2, 0.5, 2, 0.8, 1.0, 2]
    )


def test_murphy_refuses_no_forecasts():
    with pytest.raises(ValueError, match="no forecasts"):
        grading.murphy([], [])
