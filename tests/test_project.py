"""Project conventions: conda and pip name the same dependencies; notebooks follow the notebook rules."""

from __future__ import annotations

import ast
import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[ ]", r, maxsplit=1)[0].strip().lower().replace("_", "-") for r in requirements}


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_side = _names(project["dependencies"]) | _names(project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    conda_side = _names(conda) - {"python", "pip"}
    assert conda_side == pip_side
    pip_entries = next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
    assert pip_entries == ["-e ."]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_conventions(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(c.get("execution_count") is not None for c in code), "commit notebooks executed"
    first = code[0]
    assert "parameters" in first["metadata"].get("tags", [])
    for stmt in ast.parse("".join(first["source"])).body:
        assert isinstance(stmt, (ast.Assign, ast.AnnAssign)), "the parameters cell holds assignments only"
        assert isinstance(stmt.value, ast.Constant), "parameters are literals"
    for line in "".join(first["source"]).splitlines():
        if "=" in line:
            assert "#" in line.split("=", 1)[1], f"parameter without a help comment: {line}"
