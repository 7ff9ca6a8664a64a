"""The one validation toolkit: reason codes, one problem per bad value, one entry point for a whole case folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sat.errors import Problem, ValidationError
from sat.report import render_case
from sat.scenarios.scenario_file import CaseInfo, parse_scenarios
from sat.store import CASE_FILES, check_folder, load_case
from sat.store.folder import CaseContext
from sat.validation import CODES, FieldReader, Problems
from sat.yamlio import loads_yaml

ROOT = Path(__file__).resolve().parents[1]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1))


def problems(folder: Path) -> list[Problem]:
    return list(check_folder(folder).problems)


@pytest.fixture
def syria(tmp_path: Path) -> Path:
    target = tmp_path / "syria-militias"
    shutil.copytree(ROOT / "data" / "cases" / "syria-militias", target)
    return target


# --- one bad value, one problem ----------------------------------------------------------------------------------


def test_a_bad_reliability_is_one_problem_not_one_per_citing_evidence_item(tiny: Path) -> None:
    edit(tiny / "case.yaml", "reliability: B", "reliability: Q")
    found = problems(tiny)
    assert [(p.field, p.code, p.value) for p in found] == [("sources[0].reliability", "choice", "Q")]


def test_an_invalid_hypothesis_is_not_reported_again_by_its_prior_or_its_ratings_column(tiny: Path) -> None:
    edit(tiny / "case.yaml", "  - id: H3\n    title: Someone else moved it\n", "  - id: H3\n")
    edit(tiny / "case.yaml", "scoring:\n", "scoring:\n  priors: {H1: 1, H2: 1, H3: 1}\n")
    found = problems(tiny)
    assert [(p.field, p.message, p.code) for p in found] == [("hypotheses[2].title", "is required", "required")]


def test_a_reference_to_an_id_that_was_never_defined_is_still_reported(tiny: Path) -> None:
    edit(tiny / "case.yaml", "sources: [S2]", "sources: [S9]")
    (p,) = problems(tiny)
    assert (p.field, p.message, p.value, p.code) == (
        "evidence[1].sources",
        "refers to a source id that is not defined",
        "S9",
        "reference",
    )


def test_one_bad_driver_impact_in_syria_is_one_problem_for_validate_and_report(syria: Path) -> None:
    text = (syria / "scenarios.yaml").read_text()
    (syria / "scenarios.yaml").write_text(text.replace("impact: 5", "impact: 9", 1))
    found = problems(syria)
    assert [(p.field, p.message, p.value, p.code) for p in found] == [
        ("drivers[0].impact", "must be a whole number from 1 to 5", 9, "number")
    ]
    with pytest.raises(ValidationError) as info:
        render_case(syria, syria / "out")
    assert info.value.problems == found
    assert not (syria / "out").exists()
    result = subprocess.run([sys.executable, "-m", "sat.cli", "validate", str(syria)], capture_output=True, text=True)
    assert result.returncode == 2
    assert "drivers[0].impact: must be a whole number from 1 to 5 (value: 9)" in result.stderr
    assert "1 problem(s) found" in result.stderr and "Traceback" not in result.stderr


def test_a_rejected_driver_is_not_reported_where_the_2x2_cone_and_screen_cite_it(syria: Path) -> None:
    data = loads_yaml((syria / "scenarios.yaml").read_text(), "scenarios.yaml")
    axis = data["futures"]["x_axis"]
    index = next(i for i, d in enumerate(data["drivers"]) if d["id"] == axis)
    del data["drivers"][index]["name"]
    _, found = parse_scenarios(data, "scenarios.yaml", CaseInfo(source_ids=None))
    assert [(p.field, p.code) for p in found] == [(f"drivers[{index}].name", "required")]


def test_parse_scenarios_returns_its_problems_instead_of_raising() -> None:
    scenarios, found = parse_scenarios(["not", "a", "mapping"], "s.yaml")
    assert scenarios is None
    assert [(p.field, p.message, p.value, p.code) for p in found] == [
        ("(top level)", "the file must be a mapping of sections", "a list", "type")
    ]


def test_refs_stay_silent_about_rejected_ids_only() -> None:
    reader = FieldReader("f.yaml", Problems())
    reader.problems.reject("evidence", "E2")  # type: ignore[attr-defined]
    kept = reader.refs(["E1", "E2", "E3"], "cites", 4, "evidence", {"E1"})
    assert kept == ["E1"]
    assert [(p.message, p.value, p.line, p.code) for p in reader.problems] == [
        ("refers to an evidence id that is not defined", "E3", 4, "reference")
    ]


# --- reason codes ----------------------------------------------------------------------------------------------


def test_every_problem_of_a_badly_broken_case_carries_a_known_specific_code(tiny: Path) -> None:
    edit(tiny / "case.yaml", "credibility: high\n    relevance: high", "credibility: hgh\n    relevance: high")
    edit(tiny / "case.yaml", "  - id: H3\n", "  - id: H2\n")
    edit(tiny / "case.yaml", "date: 2022-01-14", "date: 14/01/2022")
    edit(tiny / "case.yaml", "as_of: 2022-01-15\n", "as_of: 2022-01-15\ncolour: red\n")
    (tiny / "ratings" / "ann.csv").write_text("evidence,H1,H2,H9\nE1,C,X,II\nE9,C,C,C\nE1,C,C,C\n")
    (tiny / "ratings" / "bob.notes.csv").write_text("evidence,hypothesis,rationale\nE7,H1,why\n")
    found = problems(tiny)
    assert {p.code for p in found} == {"choice", "duplicate", "date", "unknown-field", "reference"}
    assert all(p.code in CODES for p in found)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a: [1, 2\n", "syntax"),
        ("drivers:\n  - id: x y\n", "id"),
        ("framework: SWOT\ndrivers: []\n", "choice"),
    ],
)
def test_scenario_problems_have_codes(text: str, code: str) -> None:
    try:
        data = loads_yaml(text, "s.yaml")
    except ValidationError as exc:
        found = exc.problems
    else:
        found = list(parse_scenarios(data, "s.yaml")[1])
    assert code in {p.code for p in found} and all(p.code in CODES for p in found)


# --- one entry point, with a registry of technique files ---------------------------------------------------------


def test_check_folder_lists_every_file_it_checked(syria: Path) -> None:
    result = check_folder(syria)
    assert result.checked == ["case.yaml", "scenarios.yaml", "indicators.yaml", "observations.csv", "assumptions.yaml"]
    assert not result.problems
    assert result.context.case is not None and result.context.case.id == "syria-militias"


def _extra_validator(path: Path, context: CaseContext) -> list[Problem]:
    """A technique's validator as the registry calls it: the file and what the case defines."""
    cited = path.read_text().split()
    reader = FieldReader(context.name(path), Problems())
    reader.refs(cited, "cites", 1, "evidence", context.evidence_ids)
    return list(reader.problems)


def test_a_technique_adds_its_file_to_the_registry_with_one_line(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(CASE_FILES, "notes/*.txt", f"{__name__}:_extra_validator")
    (tiny / "notes").mkdir()
    (tiny / "notes" / "a.txt").write_text("E1 E4\n")
    result = check_folder(tiny)
    assert "notes/a.txt" in result.checked
    assert [(p.file.endswith("notes/a.txt"), p.value, p.code) for p in result.problems] == [(True, "E4", "reference")]
    with pytest.raises(ValidationError):
        result.raise_if_any()
    assert load_case(tiny).id == "tiny"  # the core loader does not read technique files


def test_a_validator_that_raises_is_collected_with_the_other_files(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(CASE_FILES, "scenarios.yaml", "sat.scenarios.scenario_file:check_file")
    (tiny / "scenarios.yaml").write_text("drivers: [\n")
    edit(tiny / "case.yaml", "reliability: B", "reliability: Q")
    found = problems(tiny)
    assert [p.code for p in found] == ["choice", "syntax"]


def test_an_exercise_with_a_bad_scenario_handout_reports_it(tmp_path: Path) -> None:
    from sat.training.exercise import load_exercise

    copy = tmp_path / "karish-ach"
    shutil.copytree(ROOT / "data" / "exercises" / "karish-ach", copy)
    with (copy / "exercise.yaml").open("a") as file:
        file.write("scenario_handout: 3\n")
    with pytest.raises(ValidationError) as info:
        load_exercise(copy)
    (problem,) = info.value.problems
    assert (problem.field, problem.message, problem.value, problem.code) == (
        "scenario_handout",
        "must be true or false",
        3,
        "type",
    )


def test_sat_validate_names_the_files_it_checked(syria: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "sat.cli", "validate", str(syria)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "checked: case.yaml, scenarios.yaml, indicators.yaml, observations.csv, assumptions.yaml" in (
        result.stdout.splitlines()
    )


@pytest.mark.parametrize(
    ("raw", "expected", "code"),
    [
        (3, 3, None),
        (None, 0, "required"),
        (0, 0, "number"),
        (True, 0, "number"),
        ("2", 0, "number"),
        (1.5, 0, "number"),
    ],
)
def test_whole_number_reads_a_version_and_names_what_is_wrong(raw, expected, code) -> None:
    reader = FieldReader("key.yaml", Problems())
    data = loads_yaml(f"version: {'~' if raw is None else repr(raw) if isinstance(raw, str) else raw}\n", "key.yaml")
    assert reader.whole_number(data, "version", "", hint=" (raise it on every change)") == expected
    if code is None:
        assert list(reader.problems) == []
    else:
        (problem,) = reader.problems
        assert (problem.field, problem.line, problem.code) == ("version", 1, code)
        assert problem.message == "must be a whole number, 1 or more (raise it on every change)"
