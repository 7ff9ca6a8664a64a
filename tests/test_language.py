"""ICD 203 and Kent estimative terms (TRADECRAFT.md §4)."""

import pytest

from sat.language import estimative_sentence, icd203_band, icd203_term, kent_term


@pytest.mark.parametrize(
    ("p", "term"),
    [(0.0, "almost no chance"), (0.03, "almost no chance"), (0.05, "very unlikely"), (0.12, "very unlikely"),
     (0.2, "unlikely"), (0.3, "unlikely"), (0.45, "roughly even chance"), (0.5, "roughly even chance"),
     (0.55, "roughly even chance"), (0.6, "likely"), (0.8, "likely"), (0.85, "very likely"), (0.95, "very likely"),
     (0.97, "almost certain"), (1.0, "almost certain")],
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
