"""Training: exercises with instructor keys, trainee packs, grading, feedback pages and calibration drills.

The functions a course server calls: :func:`pack_exercise` (hand an exercise out) and :func:`grade_class` (grade
everything handed in). Formats and rules: ``docs/training.md``. Imported lazily, so that ``sat --help`` (which
loads :mod:`sat.training.command`) does not load pandas.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Exercise", "grade_class", "load_exercise", "pack_exercise"]


def __getattr__(name: str) -> Any:
    if name in ("Exercise", "load_exercise", "pack_exercise"):
        from . import exercise

        return getattr(exercise, name)
    if name == "grade_class":
        from .run import grade_class

        return grade_class
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
