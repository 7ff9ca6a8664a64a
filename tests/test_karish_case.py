"""Every figure the Karish README quotes is one the workbook computes (recomputed here from the committed case)."""

from __future__ import annotations

import collections
import dataclasses
import re
from pathlib import Path

import pytest

from sat.ach.analysis import score_case
from sat.language import percent_text
from sat.paths import cases_dir
from sat.store import load_case

KARISH = "karish"


def readme() -> Path:
    return cases_dir() / KARISH / "README.md"


def text() -> str:
    return " ".join(readme().read_text(encoding="utf-8").split())


def posteriors(case, analyst=None):
    return score_case(case, analyst, sensitivity_analysis=False).hypotheses


def pct(value: float) -> str:
    return percent_text(float(value))


@pytest.fixture(scope="module")
def case():
    return load_case(KARISH)


def without(case, drop=(), ungroup=()):
    changed = dataclasses.replace(case)
    changed.evidence = [
        dataclasses.replace(e, group=None) if e.id in ungroup else e for e in case.evidence if e.id not in drop
    ]
    changed.ratings = {a: m.drop(index=list(drop)) for a, m in case.ratings.items()}
    return changed


def test_counts(case):
    types = collections.Counter(e.type for e in case.evidence)
    readme = text()
    assert (
        f"the question, {len(case.hypotheses)} hypotheses, {len(case.evidence)} evidence items and "
        f"{len(case.sources)} sources"
    ) in readme
    assert (
        f"{types['open-source']} open-source items, {types['assumption']} assumptions, "
        f"{types['logical-deduction']} deduction and {types['absence-of-evidence']} absence-of-evidence items"
    ) in readme
    groups = collections.defaultdict(list)
    for e in case.evidence:
        if e.group:
            groups[e.group].append(e.id)
    for name, members in groups.items():
        shown = ", ".join(members)
        assert f"`{name}` ({shown}" in readme


def test_combined_and_per_desk_figures(case):
    readme = text()
    c = posteriors(case)
    assert list(c.sort_values("rank").index[:3]) == ["H4", "H3", "H6"]
    assert (
        f"H4 leads at {pct(c.posterior.H4)}, then H3 at {pct(c.posterior.H3)} and H6 at {pct(c.posterior.H6)}" in readme
    )
    assert all(pct(c.posterior[h]) == "under 1%" for h in ("H1", "H2", "H5"))
    assert f"The answer to the question as asked, H1 plus H6, is {pct(c.posterior.H1 + c.posterior.H6)}." in readme

    lev = posteriors(case, "levant_desk")
    assert pytest.approx(lev.posterior.H4) == lev.posterior.H3 and lev.loc["H3", "rank"] == 1
    assert (
        f"H3 and H4 tie at {pct(lev.posterior.H3)}; H3 ranks first on the tie-break (its weighted PARC "
        f"inconsistency, {lev.weighted_inconsistency.H3:.2f}, is less negative than H4's, "
        f"{lev.weighted_inconsistency.H4:.2f}). H1 plus H6: {pct(lev.posterior.H1 + lev.posterior.H6)}."
    ) in readme

    rus = posteriors(case, "russia_desk")
    assert list(rus.sort_values("rank").index[:3]) == ["H6", "H4", "H3"]
    assert (
        f"H6 leads at {pct(rus.posterior.H6)}, then H4 at {pct(rus.posterior.H4)} and H3 at "
        f"{pct(rus.posterior.H3)}. H1 plus H6: {pct(rus.posterior.H1 + rus.posterior.H6)}."
    ) in readme

    assert lev.inconsistency.idxmax() == "H3" and (lev.inconsistency < 0).drop("H3").all()
    assert set(rus.index[rus.inconsistency == 0]) == {"H4", "H6"}
    assert (
        f"(0; H1 {lev.inconsistency.H1:.0f}), H4 and H6 the Russia desk's (0; H1 {rus.inconsistency.H1:.0f})"
    ) in readme
    assert lev.weighted_inconsistency.idxmin() == "H1" and rus.weighted_inconsistency.idxmin() == "H1"
    assert f"({lev.weighted_inconsistency.H1:.2f} and {rus.weighted_inconsistency.H1:.2f})" in readme


def test_dropping_the_seed_claim_and_ungrouping_the_absences(case):
    readme = text()
    c, lev, rus = posteriors(case), posteriors(case, "levant_desk"), posteriors(case, "russia_desk")
    dropped = without(case, drop=("E01", "E02"))
    d, dl, dr = posteriors(dropped), posteriors(dropped, "levant_desk"), posteriors(dropped, "russia_desk")
    assert d.sort_values("rank").index[0] == "H3" and c.sort_values("rank").index[0] == "H4"
    assert (
        f"moves the combined lead from H4 to H3 ({pct(d.posterior.H3)} against H4's {pct(d.posterior.H4)}), "
        f"and H1 plus H6 from {pct(c.posterior.H1 + c.posterior.H6)} to {pct(d.posterior.H1 + d.posterior.H6)}."
    ) in readme
    assert f"The Levant desk's H3 rises from {pct(lev.posterior.H3)} to {pct(dl.posterior.H3)}" in readme
    assert list(dr.sort_values("rank").index[:3]) == ["H6", "H4", "H3"]
    assert (
        f"the Russia desk's H6 falls from {pct(rus.posterior.H6)} to {pct(dr.posterior.H6)}, barely ahead of "
        f"H4 ({pct(dr.posterior.H4)}) and H3 ({pct(dr.posterior.H3)})"
    ) in readme

    u = posteriors(without(case, ungroup=("E22", "E23")))
    assert u.sort_values("rank").index[0] == "H3"
    assert f"would also put H3 first combined ({pct(u.posterior.H3)} against H4's {pct(u.posterior.H4)})" in readme


def test_diagnostic_items_and_disagreements(case):
    readme = text()
    scores = score_case(case, sensitivity_analysis=False)
    ev = scores.evidence["likelihood_ratio"]
    assert list(ev.index[:4]) == ["E16", "E18", "E21", "E15"]
    assert pytest.approx(ev.E15) == ev.E21
    assert f"E16 ({ev.E16:.2f}), E18 ({ev.E18:.2f}), E15 and E21 ({ev.E15:.2f})" in readme

    d = scores.disagreements
    cells = len(case.evidence) * len(case.hypotheses)
    assert f"## Where the analysts disagree ({len(d)} of {cells} cells)" in readme
    levels = d["level"].value_counts()
    assert f"{levels['large']} cells are large disagreements" in readme.replace("Two cells", "2 cells")
    assert f"and {levels['mild']} mild (one step)" in readme
    large = {(r.evidence, r.hypothesis) for r in d.itertuples() if r.level == "large"}
    assert large == {("E18", "H1"), ("E23", "H4")}
    per = d.groupby("hypothesis").size()
    assert f"Most are about H1 ({per.H1}) and H6 ({per.H6})" in readme
    assert per.idxmax() == "H1" and per.drop("H1").idxmax() == "H6"


def test_readme_quotes_no_percentage_the_tests_do_not_check():
    """The computed section holds exactly the 23 percentages the tests above check: a figure added there without a
    check here fails."""
    computed = text().split("## What the workbook computes")[1].split("## Discussion questions")[0]
    figures = re.findall(r"\d+%", computed)
    assert len(figures) == 23


def test_rating_claims_in_the_readme(case):
    lev, rus = case.matrix("levant_desk"), case.matrix("russia_desk")
    for item in ("E07", "E11", "E19"):  # motive rows
        assert rus.loc[item, "H1"] == rus.loc[item, "H6"] == "CC"
        assert set(lev.loc[item]) == {"C"}
    for item in ("E05", "E13", "E21"):  # state-centred behaviour: I for H1 (Levant), N (Russia)
        assert (lev.loc[item, "H1"], rus.loc[item, "H1"]) == ("I", "N")
    assert (lev.loc["E18", "H1"], rus.loc["E18", "H1"]) == ("II", "N")
    for item in ("E15", "E16"):  # the stand-down: against H1 for both, and H4 and H6 alike
        assert lev.loc[item, "H1"] in ("I", "II") and rus.loc[item, "H1"] in ("I", "II")
        assert lev.loc[item, "H4"] == lev.loc[item, "H6"] and rus.loc[item, "H4"] == rus.loc[item, "H6"]
    assert lev.loc["E16", "H1"] != rus.loc["E16", "H1"]  # "differ only in how strongly"
    for item in ("E25", "E26"):  # the new items: against H1 for the Levant desk, neutral for the Russia desk
        assert (lev.loc[item, "H1"], rus.loc[item, "H1"]) == ("I", "N")
    groups = {e.id: e.group for e in case.evidence}
    assert groups["E14"] is None and groups["E22"] == groups["E23"] == "author-review"
    relevant_to_h2 = [e for e in case.evidence_ids if len({lev.loc[e, "H2"], rus.loc[e, "H2"]} - {"N", "C"})]
    assert relevant_to_h2 == ["E14", "E21"]  # "one of only two items that bear on H2"
