"""Credibility, dependent evidence, sensitivity (linchpins) and robustness, against hand computation."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from sat.ach import scoring
from sat.ach.analysis import score_case
from sat.ach.robustness import simulate
from sat.ach.sensitivity import CHANGES, changed_posteriors
from sat.model import DEFAULT_CREDIBILITY, Case, Evidence, Hypothesis, Scoring
from sat.store import load_case

LK = {"CC": 0.95, "C": 0.8, "N": 0.5, "I": 0.2, "II": 0.05}


def with_scoring(case: Case, **changes) -> Case:
    case.scoring = dataclasses.replace(case.scoring, **changes)
    return case


def test_low_credibility_pulls_the_likelihood_ratio_toward_one():
    table = scoring.row_likelihoods(LK, np.array([1.0, 0.5, 0.0]))
    # c = .5: C -> .5*.8 + .5*.5 = .65 and I -> .5*.2 + .5*.5 = .35, ratio 1.857 instead of 4; c = 0: ratio 1.
    assert table[1, 1] == pytest.approx(0.65) and table[1, 3] == pytest.approx(0.35)
    assert table[0, 1] / table[0, 3] == pytest.approx(4.0)
    assert np.allclose(table[2], 0.5)


def test_default_credibility_discount_on_the_tiny_case(tiny):
    case = with_scoring(load_case(tiny), credibility=dict(DEFAULT_CREDIBILITY))
    post = score_case(case, "ann", sensitivity_analysis=False).hypotheses["posterior"]
    # E1 high (1.0): .8 .2 .05; E2 low (.5): all N -> .5; E3 medium (1.0, face value): H1 .95, H2 NA -> .5,
    # H3 .2. Products .38, .05, .005; total .435.
    assert post.tolist() == pytest.approx([0.38 / 0.435, 0.05 / 0.435, 0.005 / 0.435])


def test_a_dependence_group_counts_as_its_most_diagnostic_member(tiny):
    case = load_case(tiny)
    case.evidence = [dataclasses.replace(e, group="harbour") if e.id in ("E1", "E3") else e for e in case.evidence]
    scores = score_case(case, "ann", sensitivity_analysis=False)
    # ann: E1 spread log(.8/.05) beats E3 log(.95/.2): E3 stands down. H1 .8*.5, H2 .2*.5, H3 .05*.5; total .525
    assert scores.hypotheses["posterior"].tolist() == pytest.approx([0.4 / 0.525, 0.1 / 0.525, 0.025 / 0.525])
    assert bool(scores.evidence.loc["E1", "counts"]) and not bool(scores.evidence.loc["E3", "counts"])


def test_group_weights_pick_one_member_per_group_and_analyst():
    loglik = np.log(np.array([[[0.8, 0.2], [0.95, 0.05], [0.5, 0.5]]]))
    weights = scoring.group_weights(loglik, np.array([0, 0, -1]))
    assert weights.tolist() == [[0.0, 1.0, 1.0]]


def two_item_case() -> Case:
    """Two hypotheses; removing E2 alone flips the leader (hand-computed below)."""
    case = Case(
        id="flip",
        title="Flip",
        question="?",
        as_of=None,
        hypotheses=[Hypothesis("H1", "one"), Hypothesis("H2", "two")],
        evidence=[Evidence("E1", "first"), Evidence("E2", "second")],
        scoring=Scoring(credibility={"high": 1.0, "medium": 1.0, "low": 1.0}),
    )
    import pandas as pd

    case.ratings = {"ann": pd.DataFrame([["C", "N"], ["II", "C"]], index=["E1", "E2"], columns=["H1", "H2"])}
    return case


def test_removing_a_single_item_flips_the_leader():
    scores = score_case(two_item_case(), draws=0)
    # With both: H1 .8*.05 = .04, H2 .5*.8 = .40 -> H2 leads with 10/11.
    assert scores.leader == "H2"
    assert scores.hypotheses.loc["H2", "posterior"] == pytest.approx(0.40 / 0.44)
    table = scores.sensitivity.table.set_index(["evidence", "change"])
    # Without E2: H1 .8, H2 .5 -> H1 leads with .8/1.3.
    removed = table.loc[("E2", "removed")]
    assert removed["leader"] == "H1" and bool(removed["leader_changes"])
    assert removed["p_H1"] == pytest.approx(0.8 / 1.3)
    # E2 deceptive: II <-> CC, C <-> I: H1 .8*.95 = .76, H2 .5*.2 = .1
    assert table.loc[("E2", "deceptive"), "p_H1"] == pytest.approx(0.76 / 0.86)
    # E1 one step less consistent: H1 N .5*.05 = .025, H2 I .2*.8 = .16 -> H2 still leads, 16/18.5 (very likely)
    less = table.loc[("E1", "less consistent")]
    assert less["leader"] == "H2" and less["p_H2"] == pytest.approx(0.16 / 0.185)
    assert "E2" in scores.sensitivity.linchpins
    assert scores.sensitivity.sentences[0].startswith("If E2 were")
    assert "H1 would lead" in scores.sensitivity.sentences[0]


def test_sensitivity_matches_brute_force_rescoring_with_groups(tiny):
    case = load_case(tiny)
    case.evidence = [dataclasses.replace(e, group="g" if e.id != "E2" else None) for e in case.evidence]
    lm = scoring.LikelihoodModel.for_case(case)
    stack = np.stack([scoring.encode(case.matrix(a)) for a in case.analysts])
    fast = changed_posteriors(stack, lm)
    for k, mapping in enumerate(CHANGES.values()):
        for e in range(stack.shape[1]):
            changed = stack.copy()
            changed[:, e, :] = mapping[stack[:, e, :]]
            assert fast[k, e] == pytest.approx(lm.posterior(changed).mean(axis=0))


@pytest.mark.parametrize("seed", range(6))
def test_sensitivity_matches_brute_force_on_random_grouped_matrices(seed):
    """Random ratings, credibility and groups (members anywhere in the matrix, singletons, ties)."""
    rng = np.random.default_rng(seed)
    n_e, n_h = 9, 4
    hypotheses = [Hypothesis(f"H{i}", f"H{i}") for i in range(n_h)]
    evidence = [
        Evidence(
            f"E{i}",
            f"item {i}",
            credibility=str(rng.choice(["high", "medium", "low"])),
            group=str(rng.choice(["a", "b", "c", ""])) or None,
        )
        for i in range(n_e)
    ]
    case = Case("r", "r", "r", None, hypotheses=hypotheses, evidence=evidence, scoring=Scoring())
    lm = scoring.LikelihoodModel.for_case(case)
    stack = rng.integers(0, len(scoring.CODES), size=(3, n_e, n_h)).astype(np.int8)
    fast = changed_posteriors(stack, lm)
    for k, mapping in enumerate(CHANGES.values()):
        for e in range(n_e):
            changed = stack.copy()
            changed[:, e, :] = mapping[stack[:, e, :]]
            assert fast[k, e] == pytest.approx(lm.posterior(changed).mean(axis=0), abs=1e-12)


def test_loglik_refuses_a_matrix_of_other_rows(tiny):
    lm = scoring.LikelihoodModel.for_case(load_case(tiny))
    with pytest.raises(ValueError, match="case has 3 evidence rows"):
        lm.loglik(np.zeros((1, 2, 3), dtype=np.int8))


def test_robustness_is_seeded_and_certain_without_uncertainty(tiny):
    case = load_case(tiny)
    lm = scoring.LikelihoodModel.for_case(case)
    stack = np.stack([scoring.encode(case.matrix(a)) for a in case.analysts])
    none = simulate(stack, lm, np.array([0.0, 0.0]), draws=500)
    assert none.p_top.tolist() == [1.0, 0.0, 0.0]
    assert none.low == pytest.approx(none.high)
    a = simulate(stack, lm, np.array([0.3, 0.3]), draws=2000, seed=7)
    b = simulate(stack, lm, np.array([0.3, 0.3]), draws=2000, seed=7)
    assert np.array_equal(a.p_top, b.p_top) and a.method == "exact"
    assert 0.5 < a.p_top[0] < 1.0 and a.p_top.sum() == pytest.approx(1.0)
    assert np.all(a.low <= a.median) and np.all(a.median <= a.high)


def test_robustness_one_cell_by_hand():
    # One analyst, one item rated C for H1 and N for H2; u = .4: each cell moves up w.p. .2, down w.p. .2.
    case = Case(
        id="one",
        title="t",
        question="?",
        as_of=None,
        hypotheses=[Hypothesis("H1", "a"), Hypothesis("H2", "b")],
        evidence=[Evidence("E1", "x")],
        scoring=Scoring(credibility={"high": 1.0, "medium": 1.0, "low": 1.0}),
    )
    lm = scoring.LikelihoodModel.for_case(case)
    stack = scoring.encode(np.array([[["C", "N"]]], dtype=object))
    result = simulate(stack, lm, np.array([0.4]), draws=200_000, seed=1)
    # H1 ends at CC/C/N with .2/.6/.2, H2 at C/N/I with .2/.6/.2. H2 is strictly ahead only when H1 fell to N
    # and H2 rose to C: .2 * .2 = .04 (ties go to H1, first in case order).
    assert result.p_top[1] == pytest.approx(0.04, abs=0.003)
    assert result.p_top[0] == pytest.approx(0.96, abs=0.003)


def test_normal_approximation_agrees_with_exact_sampling_on_a_large_matrix():
    rng = np.random.default_rng(3)
    n_e, n_h = 400, 4
    codes = rng.choice(
        np.array(["CC", "C", "N", "I", "II"], dtype=object), size=(2, n_e, n_h), p=[0.1, 0.3, 0.3, 0.2, 0.1]
    )
    codes[:, :, 0] = np.where(rng.random((2, n_e)) < 0.6, "C", "N")  # H1 somewhat favoured
    stack = scoring.encode(codes)
    lm = scoring.LikelihoodModel.from_weights(LK, np.full(n_e, 0.8), np.full(n_e, -1), np.full(n_h, 1 / n_h))
    u = np.array([0.5, 0.5])
    exact = simulate(stack, lm, u, draws=4000, seed=2)
    approx = simulate(stack, lm, u, draws=4000, seed=2, exact_budget=0)
    assert exact.method == "exact" and approx.method == "normal approximation"
    assert np.abs(exact.p_top - approx.p_top).max() < 0.05
    assert np.abs(exact.median - approx.median).max() < 0.05


def test_json_has_linchpins_sensitivity_and_p_top(tiny):
    doc = score_case(load_case(tiny), draws=1000).to_json()
    assert isinstance(doc["linchpins"], list)
    assert {s["change"] for s in doc["evidence"][0]["sensitivity"]} == set(CHANGES)
    assert sum(h["p_top"] for h in doc["hypotheses"]) == pytest.approx(1.0)
    assert all(h["interval_90"][0] <= h["interval_90"][1] for h in doc["hypotheses"])
    assert math.isclose(sum(h["posterior"] for h in doc["hypotheses"]), 1.0, abs_tol=1e-5)


def test_json_sensitivity_lists_exactly_the_posteriors_that_move(tiny):
    scores = score_case(load_case(tiny), draws=0)
    doc = scores.to_json(full=True)
    assert doc["sensitivity_omitted"] == 0 and doc["sensitivity_threshold"] == 0
    base = {h["id"]: h["posterior"] for h in doc["hypotheses"]}
    sens = scores.sensitivity
    for item in doc["evidence"]:
        e = sens.evidence_ids.index(item["id"])
        for k, entry in enumerate(item["sensitivity"]):
            assert entry["change"] == list(CHANGES)[k]
            full = {h: round(float(sens.posteriors[k, e, i]), 6) for i, h in enumerate(sens.hypothesis_ids)}
            assert {**base, **entry["changed_posteriors"]} == full
            assert all(base[h] != p for h, p in entry["changed_posteriors"].items())
            assert entry["leader"] == max(full, key=full.get)
    # Removing E2 (the only item against H1) moves every posterior, so all three are listed.
    e2 = next(i for i in doc["evidence"] if i["id"] == "E2")["sensitivity"][0]
    assert set(e2["changed_posteriors"]) == {"H1", "H2", "H3"}


def test_default_json_lists_the_changes_that_move_a_posterior_past_the_threshold(tiny):
    scores = score_case(load_case(tiny), draws=0)
    sens = scores.sensitivity
    threshold = 0.05
    doc = scores.to_json(threshold=threshold)
    assert doc["sensitivity_threshold"] == threshold
    listed, expected_omitted = 0, 0
    for e, eid in enumerate(sens.evidence_ids):
        item = next(i for i in doc["evidence"] if i["id"] == eid)
        shown = {entry["change"]: entry for entry in item["sensitivity"]}
        for k, change in enumerate(CHANGES):
            shift = np.abs(sens.posteriors[k, e] - sens.base_posterior.to_numpy())
            wanted = bool((shift > threshold).any() or sens.leader_changes[k, e] or sens.band_changes[k, e])
            assert (change in shown) == wanted
            if wanted:
                listed += 1
                movers = {h for h, s in zip(sens.hypothesis_ids, shift) if s > threshold}
                assert set(shown[change]["changed_posteriors"]) == movers
            else:
                expected_omitted += 1
    assert doc["sensitivity_omitted"] == expected_omitted and listed + expected_omitted == 4 * len(sens.evidence_ids)
    assert listed > 0 and expected_omitted > 0  # the tiny case has both kinds at 5 points


def test_default_json_caps_the_disputed_cells_and_counts_them(tiny):
    scores = score_case(load_case(tiny), draws=0)
    total = len(scores.disagreements)
    assert total >= 2
    doc = scores.to_json(disputes=1)
    assert doc["disagreements_total"] == total and len(doc["disagreements"]) == 1
    worst = scores.disagreements.iloc[0]
    assert (doc["disagreements"][0]["evidence"], doc["disagreements"][0]["hypothesis"]) == (
        worst["evidence"],
        worst["hypothesis"],
    )
    assert len(scores.to_json(full=True)["disagreements"]) == total


def _naive_group_weights(loglik: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """One group at a time, as the rule reads: the most diagnostic member counts, the first in case order on a tie."""
    spread = loglik.max(axis=-1) - loglik.min(axis=-1)
    weights = np.ones(spread.shape)
    for label in set(groups[groups >= 0].tolist()):
        members = np.flatnonzero(groups == label)
        for lead in np.ndindex(spread.shape[:-1]):
            best = members[np.argmax(spread[lead][members])]
            weights[lead][members] = 0.0
            weights[lead][best] = 1.0
    return weights


@pytest.mark.parametrize("seed", range(5))
def test_group_weights_match_the_rule_one_group_at_a_time(seed):
    rng = np.random.default_rng(seed)
    n_e = 30
    groups = rng.choice([-1, 0, 1, 2, 3, 7], size=n_e)
    loglik = np.log(rng.choice([0.05, 0.2, 0.5, 0.8, 0.95], size=(3, n_e, 4)))  # many exact ties of spread
    assert (scoring.group_weights(loglik, groups) == _naive_group_weights(loglik, groups)).all()


def test_sensitivity_blocks_do_not_change_results(monkeypatch):
    """Rows are processed in cache-sized blocks; a block of one row must give what one block of all rows gives."""
    import sat.ach.sensitivity as sens

    rng = np.random.default_rng(11)
    n_e, n_h = 40, 6
    hypotheses = [Hypothesis(f"H{i}", f"H{i}") for i in range(n_h)]
    evidence = [
        Evidence(
            f"E{i}",
            f"item {i}",
            credibility=str(rng.choice(["high", "medium", "low"])),
            group=str(rng.choice(["a", "b", "", "", ""])) or None,
        )
        for i in range(n_e)
    ]
    case = Case("r", "r", "r", None, hypotheses=hypotheses, evidence=evidence, scoring=Scoring())
    lm = scoring.LikelihoodModel.for_case(case)
    stack = rng.integers(0, len(scoring.CODES), size=(4, n_e, n_h)).astype(np.int8)
    whole = changed_posteriors(stack, lm)
    monkeypatch.setattr(sens, "BLOCK_CELLS", 1)
    assert np.array_equal(changed_posteriors(stack, lm), whole)
    for k, mapping in enumerate(CHANGES.values()):
        for e in range(n_e):
            changed = stack.copy()
            changed[:, e, :] = mapping[stack[:, e, :]]
            assert whole[k, e] == pytest.approx(lm.posterior(changed).mean(axis=0), abs=1e-12)


def test_cell_moments_agree_with_nan_statistics():
    from sat.ach import consensus

    rng = np.random.default_rng(5)
    stack = rng.integers(0, len(scoring.CODES), size=(7, 50, 6)).astype(np.int8)
    numbers = scoring.RATING_NUMBER[stack]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN cells
        mean, std = np.nanmean(numbers, axis=0), np.nanstd(numbers, axis=0)
    rated = (~np.isnan(numbers)).sum(axis=0)
    assert np.allclose(consensus.cell_mean(stack), mean, equal_nan=True, atol=1e-12)
    assert np.allclose(consensus.cell_spread(stack), np.where(rated >= 2, std, 0.0), atol=1e-12)
    # On a level's bound exactly: two analysts one step apart have a spread of exactly 0.5.
    pair = scoring.encode(np.array([[["C"]], [["N"]]], dtype=object))
    assert consensus.cell_spread(pair)[0, 0] == 0.5


def test_normal_approximation_draws_in_chunks_as_if_drawn_whole(monkeypatch):
    """Chunking the draws (to bound memory) must not change a seeded result."""
    import sat.ach.robustness as robustness

    rng = np.random.default_rng(8)
    stack = rng.integers(0, 5, size=(3, 60, 4)).astype(np.int8)
    lm = scoring.LikelihoodModel.from_weights(LK, np.full(60, 0.8), np.full(60, -1), np.full(4, 0.25))
    whole = simulate(stack, lm, np.array([0.2, 0.3, 0.1]), draws=500, seed=3, exact_budget=0)
    monkeypatch.setattr(robustness, "CHUNK_CELLS", 7)
    chunked = simulate(stack, lm, np.array([0.2, 0.3, 0.1]), draws=500, seed=3, exact_budget=0)
    assert np.array_equal(whole.p_top, chunked.p_top) and np.array_equal(whole.median, chunked.median)


def test_dispute_count_and_capped_table_agree_with_the_full_table(tiny):
    scores = score_case(load_case(tiny), draws=0)
    count = scores.dispute_count
    full = scores.disagreements
    assert count == len(full)
    from sat.ach.analysis import _disagreements

    top = _disagreements(scores.case, scores.analysts, scores._stack, limit=1)
    pd.testing.assert_frame_equal(top, full.head(1))


def test_group_verdicts_in_integers_match_rounding_the_mean_half_away():
    from sat.ach import consensus

    rng = np.random.default_rng(9)
    stack = rng.integers(0, len(scoring.CODES), size=(4, 300, 5)).astype(np.int8)
    numbers = scoring.RATING_NUMBER[stack]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(numbers, axis=0)
    cast = (stack != scoring.UNRATED).sum(axis=0)
    na_votes = (stack == scoring.NA).sum(axis=0)
    by_number = np.array(["II", "I", "N", "C", "CC"], dtype=object)
    expected = by_number[consensus.round_half_away(np.nan_to_num(mean)).astype(int) + 2]
    expected = np.where((na_votes * 2 > cast) | np.isnan(mean), "NA", expected)
    expected = np.where(cast == 0, "", expected)
    assert (consensus.group_codes(stack) == expected).all()
    halves = scoring.encode(np.array([[["I", "N", "C"]], [["N", "C", "CC"]]], dtype=object))
    assert consensus.group_codes(halves).tolist() == [["I", "C", "CC"]]  # -0.5 -> I, 0.5 -> C, 1.5 -> CC
