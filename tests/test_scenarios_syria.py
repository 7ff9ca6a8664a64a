"""The bundled syria-militias case loads, validates, and is internally consistent (trainer notes included)."""

from __future__ import annotations

import dataclasses
import re

import pytest

from sat.paths import cases_dir
from sat.scenarios.bridge import quadrant_completions
from sat.scenarios.cib import consistent_set
from sat.scenarios.drivers import critical_uncertainties
from sat.scenarios.multiple import quadrant_count, screen_summary
from sat.scenarios.scenario_file import load_scenarios
from sat.store import load_case

CASE = cases_dir() / "syria-militias"  # the pristine copy the test session reads (see conftest.py)


@pytest.fixture(scope="module")
def s():
    return load_scenarios(CASE)


def _indicator_ids(s) -> set[str]:
    ids = {i.id for q in s.futures.quadrants for i in q.indicators}
    ids |= {i.id for sc in s.cone.scenarios for i in sc.indicators}
    ids |= {i.id for w in s.cone.wild_cards for i in w.indicators}
    return ids


def test_case_file_is_a_valid_scenario_case() -> None:
    case = load_case(CASE)
    assert case.id == "syria-militias"
    assert case.question == (
        "How will Russian–Iranian coordination of armed groups in Syria evolve over the next two years?"
    )
    assert str(case.as_of) == "2023-02-15"
    assert case.hypotheses == [] and case.evidence == []
    assert {src.id for src in case.sources} == {"seed", "kremlin-mobilisation", "case-notes"}
    assert all(src.reliability in tuple("ABCDEF") for src in case.sources)


def test_scenarios_load_by_id_and_by_folder(s) -> None:
    from sat.paths import cases_dir  # the session's (pristine) copy of the bundled cases, see conftest.py

    assert load_scenarios("syria-militias") == load_scenarios(cases_dir() / "syria-militias")
    assert dataclasses.replace(load_scenarios("syria-militias"), path=s.path) == s
    assert s.case.id == "syria-militias" and s.framework == "PMESII"


def test_drivers_and_2x2(s) -> None:
    assert 6 <= len(s.drivers) <= 10
    axes = {s.futures.x_axis, s.futures.y_axis}
    assert axes <= {d.id for d in critical_uncertainties(s.drivers)}
    assert len(s.futures.quadrants) == 4 and all(len(q.indicators) >= 3 for q in s.futures.quadrants)
    assert s.futures.robust_moves


def test_every_quadrant_of_the_screen_is_judged(s) -> None:
    summary = screen_summary(s.drivers, s.screen)
    assert summary["quadrants"] == quadrant_count(len(s.drivers)) == summary["judged"]
    assert 1 <= summary["shortlisted"] <= 6


def test_cone_and_wild_cards(s) -> None:
    assert {a.driver for a in s.cone.assumptions} == {d.id for d in s.drivers}
    assert len(s.cone.alternatives) >= 3 and s.cone.wild_cards


def test_cib_model(s) -> None:
    assert 6 <= s.cib.n_descriptors <= 10
    assert all(2 <= len(d.variants) <= 4 for d in s.cib.descriptors)
    assert all(d.description for d in s.cib.descriptors)
    nonzero = {
        (i, j)
        for i in range(s.cib.n_descriptors)
        for j in range(s.cib.n_descriptors)
        if i != j and s.cib.block(i, j).any()
    }
    assert nonzero and nonzero <= set(s.cib_rationales)  # every judgment section explains itself
    assert abs(s.cib.judgments).max() <= 3
    assert len(consistent_set(s.cib)) >= 2


def test_bridge_covers_every_quadrant(s) -> None:
    table = quadrant_completions(s.futures, s.bridge, s.cib)
    assert len(table) == 4 and (table["completions"] >= 0).all()


def test_trainer_notes_name_only_real_indicators_and_drivers(s) -> None:
    known = _indicator_ids(s) | {d.id for d in s.drivers} | {"case-notes", "seed", "kremlin-mobilisation"}
    text = (CASE / "retrospective.md").read_text(encoding="utf-8")
    cited = set(re.findall(r"`([a-z][a-z0-9-]*)`", text))
    wildcards = set(re.findall(r"`([a-z]+-\*)`", text))
    assert cited and cited <= known, cited - known
    for pattern in wildcards:
        assert any(i.startswith(pattern[:-1]) for i in _indicator_ids(s))
    readme = (CASE / "README.md").read_text(encoding="utf-8")
    assert set(re.findall(r"`(seed|kremlin-mobilisation|case-notes)`", readme)) <= known
