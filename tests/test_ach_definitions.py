"""Exact definitions of the likelihood mode, checked against hand computation: credibility and Bayes' rule."""

from __future__ import annotations

import pandas as pd
import pytest

from sat.ach.analysis import score_case
from sat.model import DEFAULT_CREDIBILITY, Case, Evidence, Hypothesis, Scoring

HEUER_MAP = {"CC": 0.95, "C": 0.8, "N": 0.5, "I": 0.2, "II": 0.05}

#: Heuer (1999), Psychology of Intelligence Analysis, ch. 8, Figure 15: "Will Iraq retaliate for US bombing of its
#: intelligence headquarters?" H1 no retaliation, H2 minor terrorist actions, H3 a major terrorist attack. Heuer's
#: "+" is read C, "-" I and "--" II (the figure's ratings, transcribed; the evidence texts are abridged here).
HEUER_RATINGS = [
    ("E1", "Saddam's public statement of intent not to retaliate", ["C", "C", "C"]),
    ("E2", "No terrorist offensive during the 1991 Gulf War", ["C", "C", "I"]),
    ("E3", "Assumption: Iraq would not want to provoke another US attack", ["C", "C", "I"]),
    ("E4", "More and longer monitored Iraqi agent radio broadcasts", ["I", "C", "C"]),
    ("E5", "Iraqi embassies told to take more security precautions", ["I", "C", "C"]),
    ("E6", "Assumption: not retaliating would be an unacceptable loss of face", ["II", "C", "C"]),
]


def heuer_case(credibility: str | None = None) -> Case:
    """Heuer's matrix with the stated map; ``credibility`` None leaves it unstated (the model's default)."""
    extra = {} if credibility is None else {"credibility": credibility}
    case = Case(
        id="iraq",
        title="Iraq retaliation",
        question="Will Iraq retaliate?",
        as_of=None,
        hypotheses=[
            Hypothesis("H1", "no retaliation"),
            Hypothesis("H2", "minor actions"),
            Hypothesis("H3", "major attack"),
        ],
        evidence=[Evidence(eid, text, **extra) for eid, text, _ in HEUER_RATINGS],
        scoring=Scoring(likelihoods=dict(HEUER_MAP)),
    )
    case.ratings = {
        "heuer": pd.DataFrame(
            [r for _, _, r in HEUER_RATINGS], index=[e for e, _, _ in HEUER_RATINGS], columns=["H1", "H2", "H3"]
        )
    }
    return case


# By hand, uniform priors: H2 is C on all six rows, .8^6. H1 has three C, two I and one II: relative to H2,
# (.2/.8)^2 * (.05/.8) = 1/16 * 1/16 = 1/256. H3 has four C and two I: (.2/.8)^2 = 1/16.
# Posteriors = (1/256, 1, 1/16) / (1 + 1/16 + 1/256) = (1, 256, 16) / 273 = .0037, .9377, .0586.
BAYES = [1 / 273, 256 / 273, 16 / 273]


@pytest.mark.parametrize("credibility", [None, "medium", "high"])
def test_heuer_iraq_matrix_gives_bayes_at_medium_unstated_and_high_credibility(credibility):
    post = score_case(heuer_case(credibility), sensitivity_analysis=False).hypotheses["posterior"]
    assert post.tolist() == pytest.approx(BAYES, abs=1e-12)
    assert [round(p, 3) for p in post] == [0.004, 0.938, 0.059]


def test_low_credibility_discounts_by_mixing_with_the_neutral_likelihood():
    assert DEFAULT_CREDIBILITY == {"high": 1.0, "medium": 1.0, "low": 0.5}
    post = score_case(heuer_case("low"), sensitivity_analysis=False).hypotheses["posterior"]
    # c = .5: C -> .5*.8 + .5*.5 = .65, I -> .5*.2 + .25 = .35, II -> .5*.05 + .25 = .275.
    # Relative to H2 (.65^6): H1 (.35/.65)^2 * (.275/.65), H3 (.35/.65)^2.
    r = (0.35 / 0.65) ** 2
    h1, h3 = r * 0.275 / 0.65, r
    assert post.tolist() == pytest.approx([h1 / (1 + h1 + h3), 1 / (1 + h1 + h3), h3 / (1 + h1 + h3)])
    # The discount pulls every ratio toward 1: H2 is still first but less sure than with face value.
    assert post["H2"] < BAYES[1]


def test_linchpin_sentence_says_the_old_leader_rises_yet_loses_the_lead():
    """Three hypotheses, two analysts: removing E3 raises H1's probability, yet H3 overtakes it."""
    case = Case(
        id="rise",
        title="Rise",
        question="?",
        as_of=None,
        hypotheses=[Hypothesis(h, h) for h in ("H1", "H2", "H3")],
        evidence=[Evidence(e, e) for e in ("E1", "E2", "E3")],
        scoring=Scoring(likelihoods=dict(HEUER_MAP)),
    )

    def frame(rows):
        return pd.DataFrame(rows, index=["E1", "E2", "E3"], columns=["H1", "H2", "H3"])

    case.ratings = {
        "ann": frame([["C", "II", "C"], ["C", "I", "I"], ["II", "C", "II"]]),
        "bob": frame([["II", "I", "CC"], ["C", "I", "N"], ["I", "CC", "II"]]),
    }
    scores = score_case(case)
    # ann: H1 .8*.8*.05 = .032, H2 .05*.2*.8 = .008, H3 .8*.2*.05 = .008 -> 2/3, 1/6, 1/6.
    # bob: H1 .05*.8*.2 = .008, H2 .2*.2*.95 = .038, H3 .95*.5*.05 = .02375 (sum .06975).
    ann, bob = [0.032, 0.008, 0.008], [0.008, 0.038, 0.02375]
    group = [(a / 0.048 + b / 0.06975) / 2 for a, b in zip(ann, bob)]
    assert scores.hypotheses["posterior"].tolist() == pytest.approx(group)  # .391, .356, .254: H1 leads
    # Without E3: ann H1 .64, H2 .01, H3 .16 (sum .81); bob H1 .04, H2 .04, H3 .475 (sum .555).
    h1 = (0.64 / 0.81 + 0.04 / 0.555) / 2
    h3 = (0.16 / 0.81 + 0.475 / 0.555) / 2
    assert round(group[0], 2) == 0.39 and round(h1, 2) == 0.43 and round(h3, 2) == 0.53
    assert (
        "If E3 were removed, H3 would lead (53%); H1 would lose the lead although it rises from 39% to 43%."
        in scores.sensitivity.sentences
    )


def test_json_gives_the_icd203_term_and_the_figure_shown():
    doc = score_case(heuer_case(), sensitivity_analysis=False).to_json()
    shown = [(h["id"], h["likelihood"], h["posterior_shown"]) for h in doc["hypotheses"]]
    # 1/273 = .37% (under 1%), 256/273 = 93.8% (94%), 16/273 = 5.9% (6%)
    assert shown == [
        ("H1", "almost no chance", "under 1%"),
        ("H2", "very likely", "94%"),
        ("H3", "very unlikely", "6%"),
    ]


def test_priors_that_do_not_sum_to_one_are_normalised_with_a_warning():
    case = heuer_case()
    case.scoring = Scoring(likelihoods=dict(HEUER_MAP), priors={"H1": 2.0, "H2": 1.0, "H3": 1.0})
    scores = score_case(case, sensitivity_analysis=False)
    # Priors 2:1:1 -> .5, .25, .25; times (1, 256, 16)/256 relative likelihoods: 2, 256, 16 -> /274.
    assert scores.hypotheses["posterior"].tolist() == pytest.approx([2 / 274, 256 / 274, 16 / 274])
    [warning] = [w for w in scores.warnings if w.code == "priors-normalised"]
    assert warning.message == "The priors sum to 4, not 1; they are divided by their sum before use."


def test_a_hypothesis_with_nothing_inconsistent_scores_plus_zero():
    weighted = score_case(heuer_case(), sensitivity_analysis=False).hypotheses["weighted_inconsistency"]
    assert weighted["H2"] == 0.0 and str(weighted["H2"]) == "0.0"  # not -0.0, which prints as "-0.00"
