"""A trainee's workspace and the instructor's collection of the class's work.

A workspace is a folder (``~/workbook`` on a course hub) laid out like the repository: ``data/cases/<case>`` and the
matrix editor notebook beside it, so :func:`sat.paths.repo_root` finds the case from the notebook's folder. It is
seeded with a *trainee copy* of a case: its ``case.yaml`` and read-me, never its ``ratings/`` folder, which holds
the worked example's expert matrices and rationale (the instructor's key). The notebook is the bundled editor with
the exercise's settings injected as parameters (papermill's own parameter injection), outputs cleared.

Collecting reads each trainee's own ``ratings/<trainee>.csv`` (and rationale) and writes copies into a folder of
the instructor's next to the full case with its key, so ``sat report`` and the grader see the whole class at once.
Collecting never writes into a workspace.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .. import store
from ..errors import Problem, ValidationError
from ..fileio import atomic_write_text
from ..paths import ANALYST_NAME, CASE_FILE, notebooks_dir, resolve_case

WORKSPACE = "workbook"
EDITOR_NOTEBOOK = "ach_editor.ipynb"
#: What of a case folder a trainee never receives: the analysts' ratings and rationale (the instructor's key).
KEY_PARTS = (store.RATINGS_DIR,)


def trainee_copy(case: str | Path, target: Path) -> Path:
    """Copy a case into ``target`` (which must not exist) without its ratings and rationale; return ``target``."""
    source = resolve_case(case)
    if target.exists():
        raise ValidationError([Problem(str(target), "target", "already exists; a copy never overwrites", str(target))])
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*KEY_PARTS))
    return target


def editor_notebook(parameters: Mapping[str, Any]) -> str:
    """The bundled editor notebook, outputs cleared, with ``parameters`` injected after its parameters cell."""
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    notebook = load_notebook_node(str(notebooks_dir() / "ach" / EDITOR_NOTEBOOK))
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    notebook.metadata.pop("widgets", None)
    return nbformat.writes(parameterize_notebook(notebook, dict(parameters)))


def seed_workspace(workspace: Path, case: str, *, lock_blind: bool = True, lock_structure: bool = True) -> bool:
    """Lay out a trainee's workspace for ``case`` unless it already holds that case; True if it was seeded now.

    An existing case folder is the trainee's work and is left as it is (a restarted server must not reset it).
    """
    folder = workspace / "data" / "cases" / Path(resolve_case(case)).name
    if (folder / CASE_FILE).is_file():
        return False
    folder.parent.mkdir(parents=True, exist_ok=True)
    trainee_copy(case, folder)
    notebook = editor_notebook({"case": folder.name, "lock_blind": lock_blind, "lock_structure": lock_structure})
    atomic_write_text(workspace / EDITOR_NOTEBOOK, notebook)
    return True


def collect(case: str, workspaces: Mapping[str, Path], target: Path) -> list[str]:
    """Collect each trainee's ratings of ``case`` into ``target/<case>``; return the trainees who had any.

    ``workspaces`` maps a trainee's name to their workspace. ``target/<case>`` becomes a full copy of the case from
    ``data/cases`` (with its key) plus ``ratings/<trainee>.csv`` and ``<trainee>.notes.csv`` from each workspace,
    and nothing else from there. The collection is built beside the target and validated as a case before it
    replaces an earlier one, so a bad matrix leaves the earlier collection as it was. A trainee whose name is one of
    the case's own analysts (an expert) is refused, so a collection never overwrites the key.
    """
    source = resolve_case(case)
    experts = set(store.load_case(source).analysts)
    problems = [Problem(str(workspace), "trainee", "not collected: not a valid analyst name, or the name of one of "
                        "the case's own analysts", name)
                for name, workspace in sorted(workspaces.items()) if not ANALYST_NAME.match(name) or name in experts]
    if problems:
        raise ValidationError(problems)
    target.mkdir(parents=True, exist_ok=True)
    folder = target / source.name
    staging = Path(tempfile.mkdtemp(prefix=f".{source.name}.", dir=target)) / source.name
    try:
        shutil.copytree(source, staging)
        found = []
        for name, workspace in sorted(workspaces.items()):
            ratings = workspace / "data" / "cases" / source.name / store.RATINGS_DIR
            try:
                if not (ratings / f"{name}.csv").is_file():
                    continue
                for file in (ratings / f"{name}.csv", ratings / f"{name}{store.NOTES_SUFFIX}"):
                    if file.is_file():
                        shutil.copyfile(file, staging / store.RATINGS_DIR / file.name)
            except PermissionError:
                problems.append(Problem(str(ratings), "trainee", "cannot be read: collecting needs membership of "
                                        "the instructors' group (see docs/deployment.md)", name))
                continue
            found.append(name)
        if problems:
            raise ValidationError(problems)
        store.load_case(staging)  # every collected matrix must fit the case
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(staging, folder)
    finally:
        shutil.rmtree(staging.parent, ignore_errors=True)
    return found


def workspaces_under(homes: Path, names: Iterable[str] | None = None) -> dict[str, Path]:
    """``{name: homes/name/workbook}`` for the given names, or for every home folder that has a workbook."""
    if names is None:
        names = sorted(p.parent.name for p in homes.glob(f"*/{WORKSPACE}") if p.is_dir())
    return {name: homes / name / WORKSPACE for name in names}
