"""Question exercises: short answers graded against a key, such as the choices of a scenario exercise (which drivers
make the axes of the 2x2, which are predetermined) and the questions on its cross-impact balance model.

The key (``key.yaml`` of a ``kind: questions`` exercise) lists the questions with their prompt, type, answer,
points and why. An answer may be ``derived`` from the case's ``scenarios.yaml`` by a named rule
(:data:`DERIVATIONS`); ``sat exercise derive-key`` then refreshes those answers (and the version), so the key is a
repeatable derivation of the worked analysis rather than a copy of it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..validation import FieldReader, Problems, is_number, shown
from ..yamlio import dump_yaml, line_of, load_yaml, own_line
from .trainee_files import load_trainee_yaml

TYPES = ("set", "number", "sequence")
KEY_FIELDS = ("exercise", "version", "note", "questions")
QUESTION_FIELDS = ("id", "prompt", "type", "answer", "points", "tolerance", "why", "derived")
ANSWERS_TEMPLATE = "answers.yaml"


@dataclass(frozen=True)
class Question:
    """One question of the key."""

    id: str
    prompt: str
    type: str
    answer: Any
    points: float = 10.0
    tolerance: float = 0.0
    why: str = ""
    derived: str = ""


@dataclass
class QuestionKey:
    """The key of a question exercise."""

    exercise: str
    version: int
    digest: str
    questions: list[Question]
    note: str = ""

    @property
    def label(self) -> str:
        return f"key {self.exercise} v{self.version} (sha256 {self.digest[:12]})"


def credit(question: Question, given: Any) -> float:
    """Credit for one answer, between 0 and 1.

    ``set``: the Jaccard index |given & answer| / |given | answer| (extra picks cost as much as missed ones);
    ``number``: 1 within ``tolerance`` of the answer, else 0; ``sequence``: the share of the answer's positions
    given exactly. No answer earns 0.
    """
    if given is None:
        return 0.0
    if question.type == "set":
        a, b = set(given), set(question.answer)
        return len(a & b) / len(a | b) if a | b else 1.0
    if question.type == "number":
        return 1.0 if abs(float(given) - float(question.answer)) <= question.tolerance else 0.0
    answer = list(question.answer)
    return sum(1 for k, value in enumerate(answer) if k < len(given) and given[k] == value) / len(answer)


def _value(r: FieldReader, data: Any, key: str, where: str, kind: str) -> Any:
    """A value of a question's type: a list of ids (set), a number, or a list of values (sequence)."""
    value = data.get(key)
    field = f"{where}.{key}" if where else key
    if kind == "number":
        if not is_number(value):
            r.problem(field, "must be a number", shown(value), line_of(data, key), "number")
            return None
        return float(value)
    if not isinstance(value, list):
        r.problem(field, "must be a list", shown(value), line_of(data, key), "type")
        return None
    items = [str(v).strip() if not is_number(v) else v for v in value]
    if kind == "set":
        return sorted(map(str, items))
    return items


def load_question_key(path: Path, shown_as: str) -> QuestionKey:
    """Read and check the key of a question exercise; raise ValidationError with every problem."""
    from .key import file_digest

    data = load_yaml(path, shown_as=shown_as)
    problems = Problems()
    r = FieldReader(shown_as, problems)
    root = r.mapping(data, "key.yaml", 1)
    if root is None:
        problems.raise_if_any()
    assert root is not None  # mapping() recorded a problem, so raise_if_any() raised
    r.unknown(root, KEY_FIELDS, "")
    exercise = r.identifier(root, "exercise", "")
    version = r.whole_number(root, "version", "", hint=" (raise it on every change of the key)")
    raw = root.get("questions")
    if not isinstance(raw, list) or not raw:
        r.problem(
            "questions",
            "must be a non-empty list of questions",
            shown(raw),
            line_of(root, "questions") or 1,
            "required" if raw is None else "type",
        )
        raw = []
    questions: list[Question] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        where = f"questions[{index}]"
        item = r.mapping(entry, where, line_of(raw, index))
        if item is None:
            continue
        r.unknown(item, QUESTION_FIELDS, where)
        qid = r.identifier(item, "id", where)
        if qid in seen:
            r.problem(f"{where}.id", "duplicate id", qid, line_of(item, "id"), "duplicate")
        seen.add(qid)
        kind = r.choice(item, "type", where, TYPES, None)
        if kind is None and "type" not in item:
            r.problem(
                f"{where}.type", f"is required (one of: {', '.join(TYPES)})", line=own_line(item), code="required"
            )
        derived = r.text(item, "derived", where)
        if derived and derived not in DERIVATIONS:
            r.problem(
                f"{where}.derived",
                f"unknown rule (one of: {', '.join(DERIVATIONS)})",
                derived,
                line_of(item, "derived"),
                "choice",
            )
        answer = _value(r, item, "answer", where, kind) if kind else None
        questions.append(
            Question(
                qid,
                r.text(item, "prompt", where, required=True),
                kind or "set",
                answer,
                r.number(item, "points", where, 10.0, low=0.0, what="points, 0 or more"),
                r.number(item, "tolerance", where, 0.0, low=0.0, what="a tolerance, 0 or more"),
                r.text(item, "why", where),
                derived,
            )
        )
    problems.raise_if_any()
    return QuestionKey(exercise, int(version), file_digest(path), questions, r.text(root, "note", ""))


# --- answers -----------------------------------------------------------------------------------------------------


@dataclass
class Answers:
    """One trainee's answers, by question id."""

    trainee: str
    answers: dict[str, Any]
    file: str = ""


def read_answers(key: QuestionKey, paths: Iterable[str | os.PathLike[str]]) -> list[Answers]:
    """Every trainee's answers file (``<trainee>.yaml`` with ``answers:``) under ``paths``."""
    problems = Problems()
    known = {q.id: q for q in key.questions}
    result: list[Answers] = []
    for trainee, path, data in load_trainee_yaml(paths, ("exercise.yaml", ANSWERS_TEMPLATE), "answers file", problems):
        shown_as = str(path)
        r = FieldReader(shown_as, problems)
        before = len(problems)
        root = r.mapping(data, "answers file", 1)
        if root is None:
            continue
        r.unknown(root, ("answers",), "")
        section = r.mapping(root.get("answers"), "answers", line_of(root, "answers") or 1)
        answers: dict[str, Any] = {}
        for qid, value in (section or {}).items():
            question = known.get(str(qid))
            if question is None:
                r.problem(
                    f"answers.{qid}",
                    "refers to a question id that is not in the exercise",
                    qid,
                    line_of(section, qid),
                    "reference",
                )
            elif value is not None:
                answers[str(qid)] = _value(r, section, qid, "answers", question.type)
        if len(problems) == before:
            result.append(Answers(trainee, answers, shown_as))
    problems.raise_if_any()
    return result


@dataclass
class QuestionGrade:
    """A trainee's grade on a question exercise: per question the answer given, the credit and the points."""

    trainee: str
    key_label: str
    rows: list[tuple[Question, Any, float]]

    @property
    def points(self) -> dict[str, float]:
        return {q.id: q.points * c for q, _, c in self.rows}

    @property
    def total(self) -> float:
        return float(sum(self.points.values()))

    @property
    def out_of(self) -> float:
        return float(sum(q.points for q, _, _ in self.rows))

    def to_json(self) -> dict[str, Any]:
        return {
            "trainee": self.trainee,
            "key": self.key_label,
            "total": round(self.total, 6),
            "out_of": self.out_of,
            "questions": [
                {
                    "id": q.id,
                    "given": given,
                    "answer": q.answer,
                    "credit": round(c, 6),
                    "points": round(q.points * c, 6),
                }
                for q, given, c in self.rows
            ],
        }


def grade_answers(key: QuestionKey, answers: Answers) -> QuestionGrade:
    """Grade one trainee's answers."""
    rows = [(q, answers.answers.get(q.id), credit(q, answers.answers.get(q.id))) for q in key.questions]
    return QuestionGrade(answers.trainee, key.label, rows)


def answers_template(key: QuestionKey) -> str:
    """The answers file trainees receive: every question as a comment above its empty answer (no key values)."""
    lines = [
        "# Answer every question, then save this file as <your-name>.yaml and hand it in.",
        "# Sets and sequences are lists: [a, b]. Ids are those of the case files.",
        "answers:",
    ]
    for q in key.questions:
        lines.append(f"  # {q.prompt} ({q.type})")
        lines.append(f"  {q.id}:")
    return "\n".join(lines) + "\n"


# --- derivation from a case's scenarios.yaml --------------------------------------------------------------------


def _critical(s: Any) -> list[str]:
    from ..scenarios.drivers import critical_uncertainties

    return sorted(d.id for d in critical_uncertainties(s.drivers))


def _predetermined(s: Any) -> list[str]:
    from ..scenarios.drivers import predetermined_elements

    return sorted(d.id for d in predetermined_elements(s.drivers))


def _cib_count(s: Any) -> float:
    from ..scenarios.cib import consistent_set

    return float(len(consistent_set(s.cib).as_tuples()))


def _cib_strongest(s: Any) -> list[int]:
    from ..scenarios.cib import consistent_set

    return [v + 1 for v in consistent_set(s.cib).as_tuples()[0]]


#: Rules that compute an answer from a case's ``scenarios.yaml``.
DERIVATIONS: dict[str, Callable[[Any], Any]] = {
    "critical-uncertainties": _critical,
    "predetermined-elements": _predetermined,
    "cib-consistent-count": _cib_count,
    "cib-strongest-scenario": _cib_strongest,
}


def derive_question_key(exercise: Any) -> tuple[Path, int, bool]:
    """Refresh the ``derived`` answers of a question key from the case's ``scenarios.yaml``; the version goes up
    when an answer changes. Returns the path, the version, and whether the file changed."""
    from ..fileio import atomic_write_text
    from ..scenarios.scenario_file import load_scenarios

    path = exercise.key_path
    shown_as = exercise.shown("key.yaml")
    key = load_question_key(path, shown_as)
    scenarios = load_scenarios(exercise.case_ref or exercise.case_folder)
    data = load_yaml(path, shown_as=shown_as)
    changed = False
    for entry in data["questions"]:
        rule = entry.get("derived")
        if rule:
            value = DERIVATIONS[rule](scenarios)
            if _plain(entry.get("answer")) != _plain(value):
                entry["answer"] = value
                changed = True
    if not changed:
        return path, key.version, False
    data["version"] = key.version + 1
    header = (
        f"# Instructor key of exercise {key.exercise}: never hand this file to trainees. Format: "
        "docs/training.md.\n# Answers marked `derived` are computed from the case's scenarios.yaml: re-run "
        f"`sat exercise derive-key {key.exercise}` after it changes.\n"
    )
    atomic_write_text(path, header + dump_yaml(_plain(data)))
    return path, key.version + 1, True


def _plain(data: Any) -> Any:
    if isinstance(data, dict):
        return {str(k): _plain(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_plain(v) for v in data]
    if is_number(data) and float(data).is_integer() and not isinstance(data, bool):
        return int(data)
    return data
