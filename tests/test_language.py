"""ICD 203 and Kent estimative terms (TRADECRAFT.md §4)."""

import numpy as np
import pytest

from sat.language import (
    ICD203,
    estimative_sentence,
    icd203_band,
    icd203_band_index,
    icd203_term,
    kent_term,
    likelihood_phrase,
    percent_text,
)


@pytest.mark.parametrize(
    ("p", "term"),
    [
        (0.0, "almost no chance"),
        (0.03, "almost no chance"),
        (0.05, "very unlikely"),
        (0.12, "very unlikely"),
        (0.2, "unlikely"),
        (0.3, "unlikely"),
        (0.45, "roughly even chance"),
        (0.5, "roughly even chance"),
        (0.55, "roughly even chance"),
        (0.6, "likely"),
        (0.8, "likely"),
        (0.85, "very likely"),
        (0.95, "very likely"),
        (0.97, "almost certain"),
        (1.0, "almost certain"),
    ],
)
def test_icd203_terms_with_shared_endpoints_toward_even(p, term):
    assert icd203_term(p) == term


def test_band_range_and_sentence():
    assert icd203_band(0.3).range_text == "20-45%"
    assert estimative_sentence("the owner moved the boat", 0.7) == "It is likely (55-80%) that the owner moved the boat"


def test_kent_words():
    assert kent_term(0.74) == "probable"
    assert kent_term(0.28) == "probably not"


def test_probability_out_of_range():
    with pytest.raises(ValueError, match="between 0 and 1"):
        icd203_term(1.2)


@pytest.mark.parametrize(
    ("p", "term"),
    [  # shared end points, exactly and with the float noise that arithmetic leaves on them
        (0.05, "very unlikely"),
        (0.1 / 2, "very unlikely"),
        (0.15 - 0.1, "very unlikely"),
        (0.2, "unlikely"),
        (0.1 + 0.1, "unlikely"),
        (0.6 - 0.4, "unlikely"),
        (0.45, "roughly even chance"),
        (0.15 + 0.3, "roughly even chance"),
        (0.9 / 2, "roughly even chance"),
        (0.55, "roughly even chance"),
        (1.1 / 2, "roughly even chance"),
        (0.8, "likely"),
        (0.7 + 0.1, "likely"),
        (0.95, "very likely"),
        (0.85 + 0.1, "very likely"),
        (1 - 0.05, "very likely"),
        # decided at a whole percent, halves up: 4.49% -> 4%, 4.5% -> 5%, 55.49% -> 55%, 55.5% -> 56%
        (0.0449, "almost no chance"),
        (0.045, "very unlikely"),
        (0.5549, "roughly even chance"),
        (0.555, "likely"),
        (0.8049, "likely"),
        (0.805, "very likely"),
        (0.9549, "very likely"),
        (0.955, "almost certain"),
    ],
)
def test_band_boundaries_are_decided_at_a_whole_percent(p, term):
    assert icd203_term(p) == term
    assert ICD203[int(icd203_band_index(np.array(p)))].term == term


@pytest.mark.parametrize(
    ("p", "shown"),
    [
        (0.0, "under 1%"),
        (0.0049, "under 1%"),
        (0.005, "1%"),
        (0.5, "50%"),
        (0.994, "99%"),
        (0.995, "over 99%"),
        (1.0, "over 99%"),
    ],
)
def test_what_is_shown_below_one_and_above_ninety_nine_percent(p, shown):
    assert percent_text(p) == shown


def test_likelihood_phrase_gives_term_range_and_figure():
    assert likelihood_phrase(0.004) == "almost no chance (1-5%; under 1%)"
    assert likelihood_phrase(0.62) == "likely (55-80%; 62%)"
    assert likelihood_phrase(0.999) == "almost certain (95-99%; over 99%)"
