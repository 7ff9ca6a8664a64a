"""ACH scores against hand computation on tests/fixtures/tiny.

Likelihoods (default map): CC .95, C .80, N .50, I .20, II .05; NA and unrated read as N (.50).
PARC weights: E1 high x high = sqrt2 * sqrt2 = 2; E2 low x medium = 1/sqrt2; E3 medium x medium = 1.

ann        H1   H2   H3          bob        H1   H2   H3
  E1       C    I    II            E1       C    C    II
  E2       N    N    N             E2       N    I    N
  E3       CC   NA   I             E3       C    NA   NA
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sat.ach import consensus, scoring
from sat.ach.analysis import score_case
from sat.errors import SatError
from sat.store import load_case


def test_parc_inconsistency_counts_only_inconsistent_ratings(tiny):
    scores = score_case(load_case(tiny), "ann")
    # H2: E1 is I (-1); H3: E1 II (-2) + E3 I (-1) = -3; CC, C, N, NA count 0.
    assert scores.hypotheses["inconsistency"].tolist() == [0.0, -1.0, -3.0]


def test_weighted_inconsistency_uses_exact_square_root_weights(tiny):
    scores = score_case(load_case(tiny), "bob")
    # H2: E2 is I with weight low x medium = 1/sqrt2; H3: E1 II with weight 2 -> -4.
    assert scores.hypotheses["weighted_inconsistency"].tolist() == pytest.approx([0.0, -1 / math.sqrt(2), -4.0])
    ann = score_case(load_case(tiny), "ann")
    assert ann.hypotheses["weighted_inconsistency"].tolist() == pytest.approx([0.0, -2.0, -5.0])


def test_posterior_is_bayes_rule_with_na_read_as_neutral(tiny):
    ann = score_case(load_case(tiny), "ann").hypotheses["posterior"]
    # H1 .8*.5*.95 = .38; H2 .2*.5*.5 = .05; H3 .05*.5*.2 = .005; total .435
    assert ann.tolist() == pytest.approx([0.38 / 0.435, 0.05 / 0.435, 0.005 / 0.435])


def test_group_scores_average_normalised_posteriors(tiny):
    case = load_case(tiny)
    group = score_case(case)
    # bob: H1 .8*.5*.8 = .32; H2 .8*.2*.5 = .08; H3 .05*.5*.5 = .0125; total .4125
    bob = np.array([0.32, 0.08, 0.0125]) / 0.4125
    ann = np.array([0.38, 0.05, 0.005]) / 0.435
    assert group.hypotheses["posterior"].tolist() == pytest.approx(((ann + bob) / 2).tolist())
    assert group.hypotheses["inconsistency"].tolist() == [0.0, -1.0, -2.5]
    assert group.hypotheses["rank"].tolist() == [1, 2, 3]
    assert group.leader == "H1"


def test_priors_shift_the_posterior(tiny):
    case = load_case(tiny)
    prior = scoring.prior_vector(case.hypothesis_ids, {"H1": 1, "H2": 8, "H3": 1})
    codes = scoring.encode(case.matrix("ann"))
    post = scoring.posterior(codes, case.scoring.likelihoods, prior)
    # .38*.1 = .038; .05*.8 = .04; .005*.1 = .0005
    assert post.tolist() == pytest.approx([0.038 / 0.0785, 0.04 / 0.0785, 0.0005 / 0.0785])


def test_rows_with_no_rating_drop_out_of_the_posterior():
    likelihoods = {"CC": 0.95, "C": 0.8, "N": 0.5, "I": 0.2, "II": 0.05}
    rated = scoring.encode(np.array([["C", "I"]], dtype=object))
    padded = scoring.encode(np.array([["C", "I"], ["", "NA"]], dtype=object))
    prior = np.array([0.5, 0.5])
    assert scoring.posterior(rated, likelihoods, prior) == pytest.approx(scoring.posterior(padded, likelihoods, prior))


def test_rank_breaks_posterior_ties_by_weighted_inconsistency():
    ranks = scoring.rank(np.array([0.4, 0.4, 0.2]), np.array([-3.0, -1.0, 0.0]))
    assert ranks.tolist() == [2, 1, 3]


def test_diagnosticity_likelihood_ratio_and_spread(tiny):
    scores = score_case(load_case(tiny), "ann")
    ev = scores.evidence
    assert list(ev.index) == ["E1", "E3", "E2"]  # most diagnostic first
    assert ev.loc["E1", "likelihood_ratio"] == pytest.approx(0.8 / 0.05)
    assert ev.loc["E3", "likelihood_ratio"] == pytest.approx(0.95 / 0.2)
    assert ev.loc["E2", "likelihood_ratio"] == pytest.approx(1.0)
    assert not ev.loc["E2", "diagnostic"] and ev.loc["E1", "diagnostic"]
    # E1 ratings 1, -1, -2: mean -2/3, population std sqrt(((5/3)^2 + (1/3)^2 + (4/3)^2) / 3)
    assert ev.loc["E1", "rating_spread"] == pytest.approx(math.sqrt((25 / 9 + 1 / 9 + 16 / 9) / 3))
    # E3: CC and I rated, NA left out: values 2, -1 -> std 1.5
    assert ev.loc["E3", "rating_spread"] == pytest.approx(1.5)


def test_group_diagnosticity_uses_mean_log_likelihoods(tiny):
    ev = score_case(load_case(tiny)).evidence
    # E3: H1 sqrt(.95*.8), H2 .5 (NA both), H3 sqrt(.2*.5)
    assert ev.loc["E3", "likelihood_ratio"] == pytest.approx(math.sqrt(0.95 * 0.8) / math.sqrt(0.2 * 0.5))


def test_disagreement_levels_and_na_split(tiny):
    scores = score_case(load_case(tiny))
    cells = scores.disagreements.set_index(["evidence", "hypothesis"])
    assert set(cells.index) == {("E1", "H2"), ("E2", "H2"), ("E3", "H1"), ("E3", "H3")}
    assert cells.loc[("E1", "H2"), "spread"] == pytest.approx(1.0)  # C vs I
    assert cells.loc[("E1", "H2"), "gap"] == 2
    assert cells.loc[("E1", "H2"), "level"] == "large"  # two analysts two steps apart (Open Synthesis: "mild")
    assert cells.loc[("E2", "H2"), "level"] == "mild"  # one step
    assert cells.loc[("E2", "H2"), "spread"] == pytest.approx(0.5)  # N vs I
    assert bool(cells.loc[("E3", "H3"), "na_split"])  # I vs NA
    assert cells.loc[("E1", "H2"), "ratings"] == {"ann": "I", "bob": "C"}


def test_disagreement_level_thresholds():
    assert [consensus.disagreement_level(s) for s in (0, 0.49, 0.5, 1.49, 1.5, 1.99, 2.0, 3)] == [
        "consensus",
        "consensus",
        "mild",
        "mild",
        "large",
        "large",
        "extreme",
        "extreme",
    ]


def levels_of(*columns: str) -> list[str]:
    """Levels of one-row, many-cell stacks: each argument is one cell's ratings, one per analyst."""
    stack = np.array([[[scoring.CODE_INDEX[c] for c in cell] for cell in columns]]).transpose(2, 0, 1)
    return consensus.cell_levels(stack)[0].tolist()


def test_disagreement_level_of_two_or_three_analysts_is_the_largest_gap():
    # Two analysts: N/N, C/N, II/N, II/C, II/CC -> gaps 0, 1, 2, 3, 4.
    assert levels_of("NN", ["C", "N"], ["II", "N"], ["II", "C"], ["II", "CC"]) == [
        "consensus",
        "mild",
        "large",
        "extreme",
        "extreme",
    ]
    # Three analysts: II, N, N has spread sqrt(8/9) = .94 ("mild" by Open Synthesis) but a gap of 2: large.
    assert levels_of(["II", "N", "N"], ["C", "N", "N"]) == ["large", "mild"]
    # NA and unrated votes are left out: II against N with a third NA is two raters, gap 2.
    assert levels_of(["II", "N", "NA"]) == ["large"]


def test_disagreement_level_of_four_or_more_analysts_is_open_synthesis_spread():
    # II, N, N, N: spread sqrt(3)/2 = .87 -> mild, although the gap is 2.
    assert levels_of(["II", "N", "N", "N"]) == ["mild"]
    # II, II, CC, CC: spread 2 -> extreme; C, C, I, I: spread 1 -> mild.
    assert levels_of(["II", "II", "CC", "CC"], ["C", "C", "I", "I"]) == ["extreme", "mild"]


def test_group_verdict_rounds_halves_away_from_neutral(tiny):
    scores = score_case(load_case(tiny))
    m = scores.matrix
    assert m.loc["E2", "H2"] == "I"  # {N, I} -> -0.5 -> I (round-half-to-even would give N)
    assert m.loc["E3", "H1"] == "CC"  # {CC, C} -> 1.5 -> CC (half-to-even would give CC, but {C, N} would not)
    assert m.loc["E1", "H2"] == "N"  # {I, C} -> 0
    assert m.loc["E3", "H3"] == "I"  # one NA of two votes is not a majority
    assert m.loc["E3", "H2"] == "NA"
    assert consensus.round_half_away(np.array([0.5, -0.5, 1.5, -1.5, 0.4])).tolist() == [1, -1, 2, -2, 0]


def test_score_case_rejects_unknown_analyst(tiny):
    with pytest.raises(SatError, match="no analyst 'zoe'"):
        score_case(load_case(tiny), "zoe")


def test_scores_vectorise_over_leading_axes(tiny):
    case = load_case(tiny)
    one = scoring.encode(case.matrix("ann"))
    many = np.stack([one, one])
    weights = scoring.parc_weights(["high", "low", "medium"], ["high", "medium", "medium"])
    assert scoring.weighted_inconsistency(many, weights).shape == (2, 3)
    assert scoring.inconsistency(many)[1].tolist() == [0, -1, -3]
