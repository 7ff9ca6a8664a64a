"""Training: exercises with instructor keys, trainee packs, grading, feedback pages and calibration drills.

The functions a course server calls: :func:`pack_exercise` (hand an exercise out) and :func:`grade_class` (grade
everything handed in). Formats and rules: ``docs/training.md``.
"""

from .exercise import Exercise, load_exercise, pack_exercise
from .run import grade_class

__all__ = ["Exercise", "grade_class", "load_exercise", "pack_exercise"]
