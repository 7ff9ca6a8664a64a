"""The data layer: loading, validating every problem at once, and atomic saving."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sat import paths
from sat.errors import CaseNotFoundError, ValidationError
from sat.model import Evidence
from sat.store import load_case, save_case, save_ratings, validate_case


def problems_of(folder: Path) -> list[str]:
    return [str(p) for p in validate_case(folder)]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1))


def test_tiny_case_loads(tiny):
    case = load_case(tiny)
    assert case.id == "tiny"
    assert case.hypothesis_ids == ["H1", "H2", "H3"]
    assert case.evidence_item("E1").credibility == "high"
    assert case.evidence_item("E3").credibility == "medium"  # default
    assert case.hypothesis("H2").milestones == ("The owner's fuel receipt for that night turns up",)
    assert case.analysts == ["ann", "bob"]
    assert case.matrix("ann").loc["E3", "H2"] == "NA"
    assert case.rationale["bob"].iloc[0]["rationale"].startswith("Owners learn")


def test_all_problems_are_reported_at_once_with_line_field_and_value(tiny):
    edit(tiny / "case.yaml", "credibility: high\n    relevance: high", "credibility: hgh\n    relevance: high")
    edit(tiny / "case.yaml", "sources: [S2]", "sources: [S9]")
    edit(tiny / "case.yaml", "  - id: H3\n", "  - id: H2\n")
    edit(tiny / "case.yaml", "date: 2022-01-14", "date: 14/01/2022")
    (tiny / "ratings" / "ann.csv").write_text("evidence,H1,H2,H3\nE1,C,X,II\nE9,C,C,C\nE1,C,C,C\n")
    found = problems_of(tiny)
    name = str(tiny / "case.yaml")
    ann = str(tiny / "ratings" / "ann.csv")
    assert f"{name}:23: evidence[0].credibility: must be one of: low, medium, high (value: 'hgh')" in found
    assert any("evidence[1].sources: refers to a source id that is not defined (value: 'S9')" in p for p in found)
    assert any("hypotheses[2].id: duplicate id (first used on line 11) (value: 'H2')" in p for p in found)
    assert any("evidence[0].date: must be a date written YYYY-MM-DD (value: '14/01/2022')" in p for p in found)
    assert any(p.startswith(f"{ann}:2: H2: unknown rating code for E1") and "(value: 'X')" in p for p in found)
    assert f"{ann}:3: evidence: rating for an evidence id that is not in case.yaml (value: 'E9')" in found
    assert f"{ann}:4: evidence: duplicate row (first on line 2) (value: 'E1')" in found


def test_missing_required_fields_and_unknown_fields(tiny):
    edit(tiny / "case.yaml", "question: Which crew moved the boat overnight?\n", "")
    edit(tiny / "case.yaml", "  - id: H1\n    title: The harbour crew moved it\n", "  - id: H1\n    titel: x\n")
    found = problems_of(tiny)
    assert any(p.endswith(": question: is required") for p in found)
    assert any("hypotheses[0].title: is required" in p for p in found)
    assert any("hypotheses[0].titel: unknown field" in p for p in found)


def test_wrong_types_are_reported(tiny):
    edit(tiny / "case.yaml", "hypotheses:\n", "hypotheses: many\nunused:\n")
    found = problems_of(tiny)
    assert any("hypotheses: must be a list (value: 'many')" in p for p in found)


def test_malformed_yaml_names_the_line(tiny):
    (tiny / "case.yaml").write_text("id: tiny\ntitle: [unclosed\nquestion: x\n")
    found = problems_of(tiny)
    assert len(found) == 1 and "case.yaml:" in found[0] and "malformed YAML" in found[0]


def test_duplicate_yaml_keys_are_an_error(tiny):
    edit(tiny / "case.yaml", "id: tiny\n", "id: tiny\nid: other\n")
    assert any("duplicate key 'id'" in p for p in problems_of(tiny))


def test_yaml_is_loaded_safely(tiny):
    edit(tiny / "case.yaml", "title: Who moved the boat?", "title: !!python/object/apply:os.system ['true']")
    found = problems_of(tiny)
    assert any("explicit YAML tags" in p and "python/object" in p for p in found)


def test_ratings_file_with_unknown_hypothesis_column_and_bad_header(tiny):
    (tiny / "ratings" / "ann.csv").write_text("item,H1,H7,H1\nE1,C,C,C\n")
    found = problems_of(tiny)
    ann = str(tiny / "ratings" / "ann.csv")
    assert f"{ann}:1: header: the first column must be named 'evidence' (value: 'item')" in found
    assert f"{ann}:1: header: column for a hypothesis that is not in case.yaml (value: 'H7')" in found
    assert f"{ann}:1: header: duplicate hypothesis column (value: 'H1')" in found


def test_rating_codes_are_read_leniently_but_unknown_ones_rejected(tiny):
    (tiny / "ratings" / "ann.csv").write_text("evidence,H1,H2,H3\nE1,c c,i i, na \nE2,,n,\n")
    m = load_case(tiny).matrix("ann")
    assert m.loc["E1"].tolist() == ["CC", "II", "NA"]
    assert m.loc["E2"].tolist() == ["", "N", ""]
    assert m.loc["E3"].tolist() == ["", "", ""]  # rows the analyst has not reached are unrated


def test_dangling_rationale_rows(tiny):
    (tiny / "ratings" / "bob.notes.csv").write_text("evidence,hypothesis,rationale\nE5,H8,why\n")
    found = problems_of(tiny)
    assert any(
        "bob.notes.csv:2: evidence: rationale for an evidence id that is not in case.yaml (value: 'E5')" in p
        for p in found
    )
    assert any("hypothesis: rationale for a hypothesis that is not in case.yaml (value: 'H8')" in p for p in found)


def test_likelihoods_and_priors_are_checked(tiny):
    edit(
        tiny / "case.yaml",
        "scoring:\n",
        "scoring:\n  likelihoods: {CC: 0.9, C: 1.2, X: 0.1}\n  priors: {H1: 1, H9: 2}\n  uncertainty: 2\n",
    )
    found = problems_of(tiny)
    assert any(
        "scoring.likelihoods.C: must be a probability greater than 0 and at most 1 (value: 1.2)" in p for p in found
    )
    assert any("scoring.likelihoods.X: unknown rating code" in p for p in found)
    assert any("scoring.priors.H9: refers to a hypothesis id that is not defined (value: 'H9')" in p for p in found)
    assert any("scoring.priors: give a prior for every hypothesis" in p for p in found)
    assert any("scoring.uncertainty: must be a probability between 0 and 1 (value: 2)" in p for p in found)


def test_case_ids_cannot_escape_the_cases_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SAT_ROOT", str(tmp_path))
    (tmp_path / "data" / "cases").mkdir(parents=True)
    for bad in ("../etc", "..", "/nonexistent/x", "a/../../b", "Karish!"):
        with pytest.raises(CaseNotFoundError):
            paths.resolve_case(bad)
    with pytest.raises(CaseNotFoundError, match="no case with that id"):
        paths.resolve_case("missing")


def test_a_folder_without_case_yaml_is_refused(tmp_path):
    with pytest.raises(CaseNotFoundError, match="not a case folder"):
        paths.resolve_case(tmp_path)


def test_analyst_file_names_are_checked(tiny):
    (tiny / "ratings" / "bad name.csv").write_text("evidence,H1\n")
    assert any("analyst file names use only letters" in p for p in problems_of(tiny))


def test_save_case_round_trips_and_is_atomic(tiny):
    case = load_case(tiny)
    case.evidence.append(Evidence(id="E4", summary="A witness saw lights", credibility="low", sources=("S1",)))
    save_case(case)
    again = load_case(tiny)
    assert again.evidence_item("E4").summary == "A witness saw lights"
    assert again.evidence_item("E1").date.isoformat() == "2022-01-14"
    assert [p.name for p in tiny.iterdir() if p.name.endswith(".tmp")] == []


def test_save_case_refuses_invalid_model_and_keeps_the_file(tiny):
    before = (tiny / "case.yaml").read_text()
    case = load_case(tiny)
    case.evidence.append(Evidence(id="E1", summary="duplicate", sources=("S7",)))
    with pytest.raises(ValidationError) as info:
        save_case(case)
    messages = [str(p) for p in info.value.problems]
    assert any("duplicate id" in m for m in messages)
    assert any("'S7'" in m for m in messages)
    assert (tiny / "case.yaml").read_text() == before


def test_save_ratings_writes_case_order_atomically(tiny):
    case = load_case(tiny)
    matrix = case.matrix("ann")
    matrix.loc["E2", "H3"] = "I"
    path = save_ratings(case, "ann", matrix)
    assert path.read_text().splitlines() == ["evidence,H1,H2,H3", "E1,C,I,II", "E2,N,N,I", "E3,CC,NA,I"]
    bad = matrix.copy()
    bad.loc["E1", "H1"] = "maybe"
    with pytest.raises(ValidationError, match="unknown rating code"):
        save_ratings(case, "ann", bad)
    assert path.read_text().splitlines()[1] == "E1,C,I,II"


def test_a_failed_write_leaves_the_old_file(tiny, monkeypatch):
    case = load_case(tiny)
    before = (tiny / "ratings" / "ann.csv").read_text()

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        save_ratings(case, "ann")
    assert (tiny / "ratings" / "ann.csv").read_text() == before
    assert not [p for p in (tiny / "ratings").iterdir() if p.name.endswith(".tmp")]


def test_save_ratings_refuses_unsafe_analyst_names(tiny):
    case = load_case(tiny)
    with pytest.raises(ValidationError, match="analyst names"):
        save_ratings(case, "../../evil", case.matrix("ann"))


def test_top_level_fields_are_named_without_a_dot(tiny):
    edit(tiny / "case.yaml", "id: tiny\n", "id: ../Tiny\n")
    found = problems_of(tiny)
    assert any(": id: must start with a letter or digit" in p and "(value: '../Tiny')" in p for p in found)


def test_a_ratings_file_missing_a_hypothesis_column_is_valid(tiny, recwarn):
    (tiny / "ratings" / "ann.csv").write_text("evidence,H1,H2\nE1,C,I\n")
    matrix = load_case(tiny).matrix("ann")
    assert matrix.loc["E1"].tolist() == ["C", "I", ""]
    assert not [w for w in recwarn if "fill" in str(w.message)]
