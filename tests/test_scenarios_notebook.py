"""The scenario report notebook runs headless on a temporary copy of the case, from an unrelated directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "scenarios" / "scenarios_report.ipynb"


def test_parameters_cell_holds_literals_with_help() -> None:
    import ast

    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    assert nb.metadata.kernelspec.name == "python3"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code is tagged[0]
    lines = [line for line in tagged[0].source.splitlines() if line.strip()]
    names = []
    for line in lines:
        assert "# help:" in line
        statement = ast.parse(line).body[0]
        assert isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant)
        names.append(statement.targets[0].id)
    assert names[0] == "case" and ast.literal_eval(lines[0].split("=", 1)[1].split("#")[0].strip()) == "syria-militias"


def test_papermill_run_on_a_copy_of_the_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import papermill

    from sat.paths import cases_dir

    case = tmp_path / "cases" / "syria-copy"
    shutil.copytree(cases_dir() / "syria-militias", case)  # the session's pristine copy (conftest.py)
    # A marker only the copy has: the report must show the copy, not the committed case.
    scenarios = case / "scenarios.yaml"
    scenarios.write_text(
        scenarios.read_text(encoding="utf-8").replace("name: Managed condominium", "name: Managed <condominium> copy"),
        encoding="utf-8",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters={"case": str(case), "reader": 3},
        kernel_name="python3",
        cwd=str(elsewhere),
        progress_bar=False,
    )
    nb = nbformat.read(str(out), as_version=4)
    html = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Managed &lt;condominium&gt; copy" in html and "<condominium>" not in html
    assert "Reader 3 reads row 3 of 6" in html
    assert not any(o.output_type == "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)
