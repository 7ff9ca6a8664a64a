"""Trainee workspaces and the instructor's collection, without a hub: seeding never hands out the key, collecting
never writes into a workspace and never overwrites the key."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sat import store
from sat.cli import main
from sat.errors import ValidationError
from sat.hub.workspace import EDITOR_NOTEBOOK, collect, editor_notebook, seed_workspace, trainee_copy, workspaces_under

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def site(tmp_path: Path, monkeypatch) -> Path:
    """A root holding the Karish case and the editor notebook, as SAT_ROOT."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "data" / "cases" / "karish", site / "data" / "cases" / "karish")
    shutil.copytree(ROOT / "notebooks" / "ach", site / "notebooks" / "ach")
    monkeypatch.setenv("SAT_ROOT", str(site))
    return site


def rate(workspace: Path, trainee: str, evidence: str, hypothesis: str, code: str) -> None:
    case = store.load_case(workspace / "data" / "cases" / "karish")
    matrix = case.empty_matrix()
    matrix.loc[evidence, hypothesis] = code
    store.save_ratings(case, trainee, matrix)


def test_a_trainee_copy_has_the_case_but_no_ratings_or_rationale(site: Path, tmp_path: Path):
    copy = trainee_copy("karish", tmp_path / "copy")
    assert (copy / "case.yaml").read_bytes() == (site / "data/cases/karish/case.yaml").read_bytes()
    assert not (copy / "ratings").exists()
    assert store.load_case(copy).analysts == []
    with pytest.raises(ValidationError, match="already exists"):
        trainee_copy("karish", copy)


def test_the_editor_notebook_gets_the_exercise_as_injected_parameters_and_no_outputs(site: Path):
    nb = json.loads(editor_notebook({"case": "karish", "lock_blind": True, "lock_structure": True}))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    injected = [c for c in code if "injected-parameters" in c["metadata"].get("tags", [])]
    assert len(injected) == 1
    assert 'case = "karish"' in "".join(injected[0]["source"])
    assert "lock_blind = True" in "".join(injected[0]["source"])
    assert code.index(injected[0]) == 1  # right after the parameters cell
    assert all(c["outputs"] == [] for c in code)


def test_seeding_lays_out_a_workspace_once_and_keeps_the_trainees_work(site: Path, tmp_path: Path):
    workspace = tmp_path / "home" / "ana" / "workbook"
    assert seed_workspace(workspace, "karish")
    assert (workspace / EDITOR_NOTEBOOK).is_file()
    assert not (workspace / "data/cases/karish/ratings").exists()
    rate(workspace, "ana", "E01", "H1", "C")
    assert not seed_workspace(workspace, "karish")
    assert (workspace / "data/cases/karish/ratings/ana.csv").is_file()


def test_collecting_copies_each_trainees_own_file_beside_the_key_and_changes_no_workspace(site: Path, tmp_path: Path):
    homes = tmp_path / "home"
    for name in ("ana", "ben", "cy"):
        seed_workspace(homes / name / "workbook", "karish")
    rate(homes / "ana" / "workbook", "ana", "E01", "H1", "C")
    rate(homes / "ben" / "workbook", "ben", "E01", "H1", "II")
    rate(homes / "ben" / "workbook", "someone_else", "E01", "H1", "I")  # not ben's own file: not collected
    before = {p: p.read_bytes() for p in homes.rglob("*") if p.is_file()}
    found = collect("karish", workspaces_under(homes), tmp_path / "class")
    assert found == ["ana", "ben"]
    collected = store.load_case(tmp_path / "class" / "karish")
    assert sorted(collected.analysts) == ["ana", "ben", "levant_desk", "russia_desk"]
    assert collected.matrix("ben").loc["E01", "H1"] == "II"
    assert {p: p.read_bytes() for p in homes.rglob("*") if p.is_file()} == before


def test_a_trainee_named_like_an_expert_is_refused_and_nothing_is_written(site: Path, tmp_path: Path):
    homes = tmp_path / "home"
    seed_workspace(homes / "levant_desk" / "workbook", "karish")
    rate(homes / "levant_desk" / "workbook", "levant_desk", "E01", "H1", "I")
    with pytest.raises(ValidationError, match="one of the case's own analysts"):
        collect("karish", workspaces_under(homes), tmp_path / "class")
    assert not (tmp_path / "class").exists()


def test_a_matrix_that_no_longer_fits_the_case_keeps_the_earlier_collection(site: Path, tmp_path: Path):
    homes = tmp_path / "home"
    seed_workspace(homes / "ana" / "workbook", "karish")
    rate(homes / "ana" / "workbook", "ana", "E01", "H1", "C")
    collect("karish", workspaces_under(homes), tmp_path / "class")
    earlier = (tmp_path / "class/karish/ratings/ana.csv").read_text()
    (homes / "ana/workbook/data/cases/karish/ratings/ana.csv").write_text("evidence,H1\nE99,C\n")
    with pytest.raises(ValidationError, match="E99"):
        collect("karish", workspaces_under(homes), tmp_path / "class")
    assert (tmp_path / "class/karish/ratings/ana.csv").read_text() == earlier
    assert [p.name for p in (tmp_path / "class").iterdir()] == ["karish"]  # no staging folder left behind


def test_sat_class_collect_from_the_command_line(site: Path, tmp_path: Path, capsys):
    homes = tmp_path / "home"
    for name in ("ana", "ben"):
        seed_workspace(homes / name / "workbook", "karish")
    rate(homes / "ana" / "workbook", "ana", "E02", "H2", "N")
    assert main(["class", "collect", "karish", "--homes", str(homes), "--to", str(tmp_path / "class")]) == 0
    out = capsys.readouterr().out
    assert "collected 1 of 2 trainee(s)" in out and "no ratings yet (or not readable): ben" in out
    assert main(["class", "collect", "karish", "--homes", str(homes), "--trainee", "levant_desk",
                 "--to", str(tmp_path / "class")]) == 2
    assert "one of the case's own analysts" in capsys.readouterr().err
