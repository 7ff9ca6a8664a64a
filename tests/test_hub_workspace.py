"""Trainee workspaces and the instructor's collection, without a hub: seeding hands out the exercise's trainee
pack (never the key), collecting never writes into a workspace and gives `sat grade` what it reads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sat import store
from sat.cli import main
from sat.errors import ValidationError
from sat.hub.workspace import (
    COLLECTION_MARK,
    EDITOR_NOTEBOOK,
    collect,
    editor_notebook,
    seed_workspace,
    workspaces_under,
)
from sat.paths import repo_root
from sat.training import grade_class


@pytest.fixture
def site(tmp_path: Path, monkeypatch) -> Path:
    """A root holding the Karish case, the Karish exercise with its key and the editor notebook, as SAT_ROOT."""
    pristine, site = repo_root(), tmp_path / "site"
    shutil.copytree(pristine / "data" / "cases" / "karish", site / "data" / "cases" / "karish")
    shutil.copytree(pristine / "data" / "exercises" / "karish-ach", site / "data" / "exercises" / "karish-ach")
    shutil.copytree(pristine / "notebooks" / "ach", site / "notebooks" / "ach")
    monkeypatch.setenv("SAT_ROOT", str(site))
    return site


def case_of(workspace: Path) -> Path:
    return workspace / "karish-ach" / "case"


def rate(workspace: Path, trainee: str, evidence: str, hypothesis: str, code: str) -> None:
    case = store.load_case(case_of(workspace))
    matrix = case.empty_matrix()
    matrix.loc[evidence, hypothesis] = code
    store.save_ratings(case, trainee, matrix)


def test_the_editor_notebook_gets_the_exercise_as_injected_parameters_and_no_outputs(site: Path):
    nb = json.loads(editor_notebook({"case": "/w/karish-ach/case", "lock_blind": True, "lock_structure": True}))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    injected = [c for c in code if "injected-parameters" in c["metadata"].get("tags", [])]
    assert len(injected) == 1
    assert 'case = "/w/karish-ach/case"' in "".join(injected[0]["source"])
    assert "lock_blind = True" in "".join(injected[0]["source"])
    assert code.index(injected[0]) == 1  # right after the parameters cell
    assert all(c["outputs"] == [] for c in code)


def test_seeding_lays_out_the_trainee_pack_once_and_keeps_the_trainees_work(site: Path, tmp_path: Path):
    workspace = tmp_path / "home" / "ana" / "workbook"
    assert seed_workspace(workspace, "karish-ach")
    folder = workspace / "karish-ach"
    assert sorted(p.name for p in folder.iterdir()) == [EDITOR_NOTEBOOK, "case", "exercise.yaml", "instructions.md"]
    assert list((folder / "case" / "ratings").iterdir()) == []  # no expert matrix, no key
    assert store.load_case(folder / "case").analysts == []
    notebook = (folder / EDITOR_NOTEBOOK).read_text()
    assert json.dumps(str(folder / "case"))[1:-1] in notebook
    rate(workspace, "ana", "E01", "H1", "C")
    assert not seed_workspace(workspace, "karish-ach")
    assert (folder / "case" / "ratings" / "ana.csv").is_file()


def test_collecting_takes_each_trainees_own_files_changes_no_workspace_and_can_be_graded(site: Path, tmp_path: Path):
    homes = tmp_path / "home"
    for name in ("ana", "ben", "cy"):
        seed_workspace(homes / name / "workbook", "karish-ach")
    rate(homes / "ana" / "workbook", "ana", "E01", "H1", "C")
    (case_of(homes / "ana" / "workbook") / "ratings" / "ana.notes.csv").write_text(
        "evidence,hypothesis,rationale\nE01,H1,because\n"
    )
    rate(homes / "ben" / "workbook", "ben", "E01", "H1", "II")
    rate(homes / "ben" / "workbook", "someone_else", "E01", "H1", "I")  # not ben's own file: not collected
    before = {p: p.read_bytes() for p in homes.rglob("*") if p.is_file()}
    target = tmp_path / "collected"
    assert collect("karish-ach", workspaces_under(homes), target) == ["ana", "ben"]
    assert sorted(p.name for p in target.iterdir()) == [COLLECTION_MARK, "ana.csv", "ana.notes.csv", "ben.csv"]
    assert {p: p.read_bytes() for p in homes.rglob("*") if p.is_file()} == before
    grades = grade_class("karish-ach", [target])
    assert sorted(g.trainee for g in grades.grades) == ["ana", "ben"]


def test_a_later_collection_replaces_an_earlier_one_but_never_another_folder(site: Path, tmp_path: Path):
    homes = tmp_path / "home"
    seed_workspace(homes / "ana" / "workbook", "karish-ach")
    rate(homes / "ana" / "workbook", "ana", "E01", "H1", "C")
    target = tmp_path / "collected"
    collect("karish-ach", workspaces_under(homes), target)
    rate(homes / "ana" / "workbook", "ana", "E01", "H1", "N")
    collect("karish-ach", workspaces_under(homes), target)
    assert "E01,N" in (target / "ana.csv").read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging folder left
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep")
    with pytest.raises(ValidationError, match="not an earlier collection"):
        collect("karish-ach", workspaces_under(homes), other)
    assert (other / "mine.txt").read_text() == "keep"


def test_an_invalid_trainee_name_is_refused_and_nothing_is_written(site: Path, tmp_path: Path):
    with pytest.raises(ValidationError, match="not a valid analyst name"):
        collect("karish-ach", {"../x": tmp_path / "x"}, tmp_path / "collected")
    assert not (tmp_path / "collected").exists()


def test_sat_class_collect_then_sat_grade_from_the_command_line(site: Path, tmp_path: Path, capsys):
    homes = tmp_path / "home"
    for name in ("ana", "ben"):
        seed_workspace(homes / name / "workbook", "karish-ach")
    rate(homes / "ana" / "workbook", "ana", "E02", "H2", "N")
    target = tmp_path / "collected"
    assert main(["class", "collect", "karish-ach", "--homes", str(homes), "--to", str(target)]) == 0
    out = capsys.readouterr().out
    assert "collected 1 of 2 trainee(s)" in out and "no ratings yet (or not readable): ben" in out
    assert main(["grade", "karish-ach", str(target), "--out", str(tmp_path / "graded")]) == 0
    assert (tmp_path / "graded" / "feedback" / "ana.html").is_file()
    assert main(["class", "collect", "no-such-exercise", "--homes", str(homes), "--to", str(target)]) == 2
    assert "no-such-exercise" in capsys.readouterr().err
