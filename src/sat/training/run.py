"""Grade a whole class in one call: read every submission, grade it, and write the feedback pages, the class view
and the gradebook. In-process and fast (a few milliseconds per trainee), so no job runner is needed."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..fileio import atomic_write_text
from .exercise import Exercise, load_exercise

GRADEBOOK = "gradebook.csv"
CLASS_PAGE = "class.html"


@dataclass
class ClassResult:
    """What grading a class produced: the exercise, the per-trainee results and the gradebook table."""

    exercise: Exercise
    gradebook: pd.DataFrame
    grades: list[Any] = field(default_factory=list)  # a Grade (ACH) or QuestionGrade (questions) per trainee
    drill: Any = None  # calibration.DrillScores (calibration drills)
    written: list[Path] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Plain data for ``sat grade --json``."""
        if self.drill is not None:
            table = self.drill.table.reset_index()
            return {
                "exercise": self.exercise.id,
                "bank": self.drill.bank.label,
                "trainees": [
                    {k: (None if pd.isna(v) else v) for k, v in row.items()} for row in table.to_dict(orient="records")
                ],
                "written": [str(p) for p in self.written],
            }
        return {
            "exercise": self.exercise.id,
            "trainees": [g.to_json() for g in self.grades],
            "written": [str(p) for p in self.written],
        }


def grade_class(
    exercise: str | os.PathLike[str] | Exercise,
    submissions: Iterable[str | os.PathLike[str]],
    out: str | os.PathLike[str] | None = None,
) -> ClassResult:
    """Grade every submission under ``submissions`` (files or class folders) against the exercise's key.

    With ``out``, write there one feedback page per trainee (``feedback/<trainee>.html``), the class view
    (``class.html``) and the gradebook (``gradebook.csv``). Nothing is written unless every submission is valid.
    """
    from . import feedback

    ex = exercise if isinstance(exercise, Exercise) else load_exercise(exercise)
    paths = list(submissions)
    pages: dict[str, str] = {}
    if ex.kind == "ach":
        from .ach_grade import class_frame, grade_submission, hardest_cells, rating_distribution, read_submissions
        from .key import load_key

        case = ex.case()
        key = load_key(ex.key_path, case, ex.shown("key.yaml"))
        subs = read_submissions(case, paths)
        grades = [grade_submission(case, key, s) for s in subs]
        result = ClassResult(ex, class_frame(grades), grades=grades)
        if out is not None:
            for g in grades:
                pages[f"feedback/{g.trainee}.html"] = feedback.trainee_page(ex, case, key, g)
            pages[CLASS_PAGE] = feedback.class_page(
                ex, case, key, grades, rating_distribution(case, subs), hardest_cells(grades)
            )
    elif ex.kind == "questions":
        from .questions import grade_answers, load_question_key, read_answers

        qkey = load_question_key(ex.key_path, ex.shown("key.yaml"))
        qgrades = [grade_answers(qkey, a) for a in read_answers(qkey, paths)]
        book = pd.DataFrame(
            [
                {
                    "trainee": g.trainee,
                    "total": round(g.total, 2),
                    "out_of": g.out_of,
                    **{f"points_{k}": round(v, 2) for k, v in g.points.items()},
                    "key": g.key_label,
                }
                for g in qgrades
            ]
        )
        result = ClassResult(ex, book, grades=qgrades)
        if out is not None:
            for qg in qgrades:
                pages[f"feedback/{qg.trainee}.html"] = feedback.questions_page(ex, qg)
            pages[CLASS_PAGE] = feedback.questions_class_page(ex, qkey, qgrades)
    else:
        from .calibration import load_bank, read_forecasts, score_drill

        bank = load_bank(ex.key_path, ex.shown("questions.yaml"))
        forecasts = read_forecasts(bank, paths)
        drill = score_drill(bank, forecasts)
        table = drill.table.reset_index().round(4)
        table["bank"] = bank.label
        result = ClassResult(ex, table, drill=drill)
        if out is not None:
            for f in forecasts:
                pages[f"feedback/{f.trainee}.html"] = feedback.drill_page(ex, drill, f)
            pages[CLASS_PAGE] = feedback.drill_class_page(ex, drill)
    if out is not None:
        folder = Path(out)
        for name, html in pages.items():
            atomic_write_text(folder / name, html)
            result.written.append(folder / name)
        atomic_write_text(folder / GRADEBOOK, feedback.gradebook_csv(result.gradebook))
        result.written.append(folder / GRADEBOOK)
    return result
