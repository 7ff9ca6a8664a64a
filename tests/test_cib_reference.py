"""Validation against ScenarioWizard's own results on the SEI sample files (../shared/reference/cib).

The files are read in place and never copied into the repository; the tests skip when the folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sat.scenarios.cib import consistent_set, global_basins, search
from sat.scenarios.scw import format_scw, read_scw, read_sl

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "cib"

pytestmark = [
    pytest.mark.reference,
    pytest.mark.skipif(not REFERENCE.is_dir(), reason=f"reference files not found at {REFERENCE}"),
]

WITH_SOLUTIONS = ["CIB_global", "CIB_natl_regional", "CIB_nested", "CIB_nested_simplified_standardized"]
ALL_PROJECTS = [*WITH_SOLUTIONS, "CIB_nested_simplified_nonstandard"]


def test_every_solution_list_is_covered():
    with_sl = sorted(p.stem for p in REFERENCE.glob("*.scw") if p.with_suffix(".sl").exists())
    assert with_sl == sorted(WITH_SOLUTIONS)


@pytest.mark.parametrize("stem", WITH_SOLUTIONS)
def test_consistent_set_tis_and_margin_equal_scenariowizard(stem):
    project = read_scw(REFERENCE / f"{stem}.scw")
    expected = {row.scenario: row for row in read_sl(REFERENCE / f"{stem}.sl", project.matrix.n_descriptors)}
    result = consistent_set(project.matrix)
    got = dict(zip(result.as_tuples(), zip(result.tis, result.margin)))
    assert set(got) == set(expected)
    for scenario, row in expected.items():
        assert got[scenario] == (row.tis, row.margin), scenario
        assert row.inconsistency == 0


@pytest.mark.parametrize("stem", ALL_PROJECTS)
def test_scw_round_trip_is_byte_identical(stem):
    path = REFERENCE / f"{stem}.scw"
    assert format_scw(read_scw(path)) == path.read_text(encoding="ascii")


def test_global_sample_in_detail():
    project = read_scw(REFERENCE / "CIB_global.scw")
    m = project.matrix
    assert m.name == "CIB_global.scw"
    assert [(d.name, d.variants) for d in m.descriptors] == [
        ("WTRD", ("FT", "Ntl", "Mix")),
        ("WSEC", ("Rlx", "Mod", "Alrt")),
        ("WECO", ("Decl", "Stag", "ModGr", "RpdGr")),
    ]
    # rows are source variants: WTRD=FT promotes WSEC=Rlx by 1 and WECO=RpdGr by 3
    assert m.block("WTRD", "WSEC")[0].tolist() == [1, 2, -3]
    assert m.block("WTRD", "WECO")[0].tolist() == [-4, -2, 3, 3]
    assert m.block("WECO", "WTRD")[3].tolist() == [3, -6, 3]
    assert project.colours == ("FFFFFF",) * 10


def test_global_succession_counts_are_the_second_sl_field():
    # ScenarioWizard's second field counts the starts (out of all 36) whose global succession ends there.
    project = read_scw(REFERENCE / "CIB_global.scw")
    rows = read_sl(REFERENCE / "CIB_global.sl", 3)
    counts, cycling = global_basins(project.matrix)
    assert counts == {row.scenario: row.reached_from for row in rows}
    assert cycling == 36 - sum(row.reached_from for row in rows)


def test_nested_counts_saturate_in_single_precision():
    rows = read_sl(REFERENCE / "CIB_nested.sl", 17)
    assert max(row.reached_from for row in rows) == pytest.approx(2**24, rel=1e-6)


def test_nonstandard_file_is_the_standardized_one_before_standardization():
    # CIB_nested_simplified_nonstandard.scw has no solution list of its own. Its judgment rows do not sum to zero
    # per block; centring every block row and doubling gives the standardized file exactly, so both must have
    # the same consistent set (only TIS values differ).
    raw = read_scw(REFERENCE / "CIB_nested_simplified_nonstandard.scw").matrix
    standard = read_scw(REFERENCE / "CIB_nested_simplified_standardized.scw").matrix
    assert raw.descriptors == standard.descriptors
    assert not np.allclose(raw.standardized().judgments, raw.judgments)
    assert np.array_equal(2 * raw.standardized().judgments, standard.judgments)
    expected = {row.scenario for row in read_sl(REFERENCE / "CIB_nested_simplified_standardized.sl", 15)}
    assert {tuple(z) for z in search(raw).tolist()} == expected


def test_self_impact_of_the_context_descriptor_is_needed():
    # The 15-descriptor files anchor WSCEN with a non-zero diagonal block; ScenarioWizard's lists include it.
    m = read_scw(REFERENCE / "CIB_natl_regional.scw").matrix
    assert m.has_self_impacts and m.block("WSCEN", "WSCEN").tolist() == [[15, -7], [-11, 9]]
    zeroed = np.array(m.judgments)
    zeroed[-2:, -2:] = 0
    expected = {row.scenario for row in read_sl(REFERENCE / "CIB_natl_regional.sl", 15)}
    assert {tuple(z) for z in search(m.with_judgments(zeroed)).tolist()} != expected


def test_explanation_texts_are_attached_to_descriptor_pairs():
    project = read_scw(REFERENCE / "CIB_nested.scw")
    names = [d.name for d in project.matrix.descriptors]
    (((i, j), text),) = project.pair_texts.items()
    assert (names[i], names[j]) == ("NURB", "NINEQ")
    assert text.startswith("Slow urbanization allows for a growing gap")
