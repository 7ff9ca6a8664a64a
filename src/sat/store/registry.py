"""Which file of a case folder is checked by which validator: the one entry point of ``sat validate`` and
``sat report``.

The core files (``case.yaml``, ``ratings/<analyst>.csv``, ``ratings/<analyst>.notes.csv``) are always read by
:func:`sat.store.folder.read_case`. Every other file a technique reads is listed in :data:`CASE_FILES`: a file name
or glob, relative to the case folder, mapped to ``"module:function"``. The function is imported only when a
matching file exists, and is called as ``function(path, context)`` with the file's path and the
:class:`~sat.store.folder.CaseContext`; it returns the file's problems (an empty list when valid) or raises
:class:`~sat.errors.ValidationError`. A technique adds its file with one line here.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem, ValidationError
from ..validation import Problems
from .folder import CaseContext, read_case

#: File name or glob (relative to the case folder) -> ``"module:function"`` validating one such file.
CASE_FILES: dict[str, str] = {
    "scenarios.yaml": "sat.scenarios.scenario_file:check_file",
    "indicators.yaml": "sat.indicators.board:check_indicators_file",
    "observations.csv": "sat.indicators.board:check_observations_file",
}

Validator = Callable[[Path, CaseContext], list[Problem]]


@dataclass
class FolderCheck:
    """The result of checking a whole case folder: the context (with the case when valid), the files checked
    (relative to the folder) and every problem found in any of them."""

    context: CaseContext
    checked: list[str] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)

    def raise_if_any(self) -> None:
        """Raise one :class:`~sat.errors.ValidationError` with every problem of every file, if there are any."""
        self.problems.raise_if_any()


def validator(target: str) -> Validator:
    """The validator named ``"module:function"``."""
    module, _, name = target.partition(":")
    function: Validator = getattr(importlib.import_module(module), name)
    return function


def check_folder(case: str | os.PathLike[str]) -> FolderCheck:
    """Check every file of a case folder the workbook reads; collect every problem, raise none."""
    context, problems = read_case(case)
    folder = context.folder
    core = [folder / "case.yaml", *sorted((folder / "ratings").glob("*.csv"))]
    result = FolderCheck(context, [p.relative_to(folder).as_posix() for p in core if p.is_file()], problems)
    for pattern, target in CASE_FILES.items():
        for path in sorted(folder.glob(pattern)):
            if not path.is_file():
                continue
            result.checked.append(path.relative_to(folder).as_posix())
            try:
                result.problems.extend(validator(target)(path, context))
            except ValidationError as exc:
                result.problems.extend(exc.problems)
    return result


def validate_case(case: str | os.PathLike[str]) -> list[Problem]:
    """Every problem in every file of a case folder (empty when valid)."""
    return list(check_folder(case).problems)
