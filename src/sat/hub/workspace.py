"""A trainee's workspace and the instructor's collection of the class's work.

A workspace is a folder (``~/workbook`` on a course hub) with one sub-folder per exercise: the exercise's trainee
pack (:func:`sat.training.pack_exercise`: ``exercise.yaml``, ``instructions.md`` and, for an ACH exercise, the case
with an empty ``ratings/`` folder; never the key, nor any analyst's ratings) and, for an ACH exercise, the matrix
editor notebook with the exercise's settings injected as parameters (papermill's own parameter injection), outputs
cleared. A workspace that already holds the exercise is left as it is: it holds the trainee's work.

Collecting reads each trainee's own ``case/ratings/<trainee>.csv`` of the exercise (and the rationale and
probabilities files beside it) and writes copies into one folder, the layout ``sat grade EXERCISE DIR`` reads.
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
from ..paths import ANALYST_NAME, notebooks_dir

WORKSPACE = "workbook"
EDITOR_NOTEBOOK = "ach_editor.ipynb"
#: A trainee's files that a collection takes, after the trainee's name.
SUBMISSION_SUFFIXES = (".csv", store.NOTES_SUFFIX, ".answers.yaml")
#: The file that marks a folder as a collection, which a later collection may replace.
COLLECTION_MARK = ".sat-collection"


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


def seed_workspace(workspace: Path, exercise: str, *, lock_blind: bool = True, lock_structure: bool = True) -> bool:
    """Put the trainee pack of ``exercise`` (and the locked editor) in ``workspace/<exercise id>`` unless it is
    there already; True if it was seeded now."""
    from ..training.exercise import EXERCISE_FILE, load_exercise, pack_exercise

    ex = load_exercise(exercise)
    folder = workspace.absolute() / ex.id
    if (folder / EXERCISE_FILE).is_file():
        return False
    workspace.mkdir(parents=True, exist_ok=True)
    pack_exercise(ex, folder)
    if ex.kind == "ach":
        parameters = {"case": str(folder / "case"), "lock_blind": lock_blind, "lock_structure": lock_structure}
        atomic_write_text(folder / EDITOR_NOTEBOOK, editor_notebook(parameters))
    return True


def collect(exercise: str, workspaces: Mapping[str, Path], target: Path) -> list[str]:
    """Collect each trainee's submission of ``exercise`` into ``target``; return the trainees who had one.

    ``workspaces`` maps a trainee's name to their workspace. From each, only ``<trainee>.csv``,
    ``<trainee>.notes.csv`` and ``<trainee>.answers.yaml`` in the exercise's ``case/ratings/`` are copied. The
    collection is built beside ``target`` and replaces it only when every workspace could be read; ``target`` must
    be new, empty, or an earlier collection (it holds the file ``.sat-collection``), so no other folder is ever
    replaced.
    """
    from ..training.exercise import load_exercise

    ex = load_exercise(exercise, need_key=False)
    problems = [
        Problem(str(workspace), "trainee", "not collected: not a valid analyst name", name)
        for name, workspace in sorted(workspaces.items())
        if not ANALYST_NAME.match(name)
    ]
    if target.exists() and any(target.iterdir()) and not (target / COLLECTION_MARK).is_file():
        problems.append(
            Problem(
                str(target), "--to", "exists and is not an earlier collection: give a new or empty folder", str(target)
            )
        )
    if problems:
        raise ValidationError(problems)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        found = []
        for name, workspace in sorted(workspaces.items()):
            ratings = workspace / ex.id / "case" / store.RATINGS_DIR
            try:
                files = [ratings / f"{name}{suffix}" for suffix in SUBMISSION_SUFFIXES]
                if not files[0].is_file():
                    continue
                for file in files:
                    if file.is_file():
                        shutil.copyfile(file, staging / file.name)
            except PermissionError:
                problems.append(
                    Problem(
                        str(ratings),
                        "trainee",
                        "cannot be read: collecting needs membership of "
                        "the instructors' group (see docs/deployment.md)",
                        name,
                    )
                )
                continue
            found.append(name)
        if problems:
            raise ValidationError(problems)
        (staging / COLLECTION_MARK).write_text(f"sat class collect {ex.id}\n")
        os.chmod(staging, 0o755 & ~_umask())
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return found


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def workspaces_under(homes: Path, names: Iterable[str] | None = None) -> dict[str, Path]:
    """``{name: homes/name/workbook}`` for the given names, or for every home folder that has a workbook."""
    if names is None:
        names = sorted(p.parent.name for p in homes.glob(f"*/{WORKSPACE}") if p.is_dir())
    return {name: homes / name / WORKSPACE for name in names}
