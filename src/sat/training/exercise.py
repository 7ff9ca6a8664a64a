"""Exercises: the folder format, its reader, and the trainee pack that provably holds no key material.

An exercise is a folder ``data/exercises/<exercise-id>/`` (format in ``docs/training.md``):

- ``exercise.yaml``: ``id``, ``title``, ``kind`` (``ach``, ``calibration`` or ``questions``), ``minutes``, and
  for an ACH exercise either ``case`` (a case id under ``data/cases``) or a ``case/`` sub-folder; optional
  ``key_from`` (``case`` and ``analysts``) when ``key.yaml`` is derived from expert matrices; for a question
  exercise optional ``case`` and ``scenario_handout`` (hand out the case's CIB model as ``cib.yaml`` and its
  drivers, without their ratings, as ``drivers.yaml``);
- ``instructions.md``: what trainees read (time, steps, what to hand in);
- the instructor's side, never packed: ``key.yaml`` (ACH, questions) or
  ``questions.yaml`` with the resolutions (calibration),
  and optional ``instructor.md``.

:func:`pack_exercise` is the one function a course server (e.g. JupyterHub) calls to hand an exercise out.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..errors import CaseNotFoundError, Problem, ValidationError
from ..fileio import atomic_write_text
from ..model import Case
from ..paths import CASE_FILE, CASE_ID, repo_root, resolve_case
from ..store import load_case
from ..validation import FieldReader, Problems, shown
from ..yamlio import dump_yaml, line_of, load_yaml, own_line

EXERCISE_FILE = "exercise.yaml"
INSTRUCTIONS_FILE = "instructions.md"
KEY_FILE = "key.yaml"
BANK_FILE = "questions.yaml"
KINDS = ("ach", "calibration", "questions")
EXERCISE_FIELDS = ("id", "title", "kind", "minutes", "case", "key_from", "scenario_handout")
CIB_FILE = "cib.yaml"
DRIVERS_FILE = "drivers.yaml"


@dataclass
class Exercise:
    """An exercise folder, read and checked."""

    id: str
    title: str
    kind: str
    minutes: int | None
    folder: Path
    case_ref: str = ""  # a case id, or "" for the exercise's own case/ folder
    key_from: tuple[str, tuple[str, ...]] | None = None
    scenario_handout: bool = False

    @property
    def case_folder(self) -> Path:
        """Where the exercise's case is (ACH exercises)."""
        return resolve_case(self.case_ref) if self.case_ref else self.folder / "case"

    @property
    def key_path(self) -> Path:
        return self.folder / (BANK_FILE if self.kind == "calibration" else KEY_FILE)

    def shown(self, name: str) -> str:
        """A file of the exercise as shown in messages."""
        return f"{_shown(self.folder)}/{name}"

    def case(self) -> Case:
        """The case trainees rate, without any analyst's ratings."""
        case = load_case(self.case_folder)
        case.ratings, case.rationale = {}, {}
        return case


def exercises_dir() -> Path:
    """The folder of the bundled exercises."""
    return repo_root() / "data" / "exercises"


def resolve_exercise(exercise: str | os.PathLike[str]) -> Path:
    """The folder of an exercise given as a folder path or as an exercise id under ``data/exercises``."""
    text = os.fspath(exercise)
    path = Path(text).expanduser()
    if path.is_dir():
        if not (path / EXERCISE_FILE).is_file():
            raise CaseNotFoundError(f"{path}: not an exercise folder (no {EXERCISE_FILE} in it)")
        return path.resolve()
    if not CASE_ID.match(text):
        raise CaseNotFoundError(f"{text!r}: no such folder, and not a valid exercise id")
    folder = exercises_dir() / text
    if not (folder / EXERCISE_FILE).is_file():
        known = sorted(p.name for p in exercises_dir().glob("*") if (p / EXERCISE_FILE).is_file())
        raise CaseNotFoundError(
            f"{text!r}: no exercise with that id in {exercises_dir()}"
            + (f"; known exercises: {', '.join(known)}" if known else "")
        )
    return folder.resolve()


def load_exercise(exercise: str | os.PathLike[str], need_key: bool = True) -> Exercise:
    """Read and check ``exercise.yaml`` (and that the key is there, unless ``need_key`` is False); raise
    ValidationError listing every problem."""
    folder = resolve_exercise(exercise)
    name = f"{_shown(folder)}/{EXERCISE_FILE}"
    data = load_yaml(folder / EXERCISE_FILE, shown_as=name)
    problems = Problems()
    r = FieldReader(name, problems)
    root = r.mapping(data, EXERCISE_FILE, 1)
    if root is None:
        problems.raise_if_any()
    assert root is not None  # mapping() recorded a problem, so raise_if_any() raised
    r.unknown(root, EXERCISE_FIELDS, "")
    exercise_id = r.identifier(
        root, "id", "", pattern=CASE_ID.pattern, rule="must be lower-case letters, digits, '-' and '_'"
    )
    title = r.text(root, "title", "", required=True)
    kind = r.choice(root, "kind", "", KINDS, None)
    if "kind" not in root:
        r.problem("kind", f"is required (one of: {', '.join(KINDS)})", line=1, code="required")
    minutes = r.number(root, "minutes", "", 0, low=0, low_open=True, what="a number of minutes above 0")
    case_ref = r.text(root, "case", "")
    if case_ref and not CASE_ID.match(case_ref):
        r.problem("case", "must be a case id under data/cases", case_ref, line_of(root, "case"), "id")
    if not (folder / INSTRUCTIONS_FILE).is_file():
        r.problem(
            INSTRUCTIONS_FILE, "is missing: trainees need instructions (time, steps, what to hand in)", code="file"
        )
    key_from = None
    raw = root.get("key_from")
    if raw is not None:
        section = r.mapping(raw, "key_from", line_of(root, "key_from"))
        if section is not None:
            r.unknown(section, ("case", "analysts"), "key_from")
            analysts = r.text_list(section, "analysts", "key_from")
            if not analysts:
                r.problem(
                    "key_from.analysts",
                    "list the analysts whose matrices make the key",
                    line=line_of(section, "analysts") or own_line(section),
                    code="required",
                )
            key_from = (r.text(section, "case", "key_from") or case_ref, analysts)
    if kind == "ach" and not case_ref and not (folder / "case" / CASE_FILE).is_file():
        r.problem("case", "an ACH exercise needs a case id or a case/ folder with case.yaml", line=1, code="required")
    key_name = BANK_FILE if kind == "calibration" else KEY_FILE
    if need_key and kind and not (folder / key_name).is_file():
        r.problem(key_name, "is missing", code="file")
    handout = root.get("scenario_handout", False)
    if not isinstance(handout, bool):
        r.problem(
            "scenario_handout", "must be true or false", shown(handout), line_of(root, "scenario_handout"), "type"
        )
    elif handout and not case_ref:
        r.problem(
            "scenario_handout",
            "needs a case with a scenarios.yaml",
            line=line_of(root, "scenario_handout"),
            code="structure",
        )
    problems.raise_if_any()
    return Exercise(
        exercise_id, title, kind or "ach", int(minutes) or None, folder, case_ref, key_from, handout is True
    )


def _shown(folder: Path) -> str:
    try:
        relative = os.path.relpath(folder)
    except ValueError:
        return str(folder)
    return str(folder) if relative.startswith("..") else relative


# --- the trainee pack ---------------------------------------------------------------------------------------------


def pack_exercise(exercise: str | os.PathLike[str] | Exercise, to: str | os.PathLike[str]) -> Path:
    """Write the trainee pack of an exercise into the folder ``to`` (created; must be empty if it exists) and
    return it.

    The pack holds ``exercise.yaml`` (id, title, kind, minutes), ``instructions.md``, and for an ACH exercise
    ``case/case.yaml`` with an empty ``case/ratings/`` folder, for a calibration drill ``questions.yaml`` without
    resolutions. Nothing else of the exercise folder is copied (an allow-list, not a deny-list). Before it returns,
    the pack is searched for every value and rationale of the key (:func:`leaks`); a hit removes the pack and raises.
    """
    ex = exercise if isinstance(exercise, Exercise) else load_exercise(exercise)
    target = Path(to)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ValidationError(
            [
                Problem(
                    str(target),
                    "--to",
                    "must be a new or empty folder (a pack is never written over other files)",
                    code="file",
                )
            ]
        )
    secrets = key_material(ex)
    staging = target.with_name(f".{target.name}.packing")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        info = {"id": ex.id, "title": ex.title, "kind": ex.kind, **({"minutes": ex.minutes} if ex.minutes else {})}
        atomic_write_text(staging / EXERCISE_FILE, dump_yaml(info))
        shutil.copyfile(ex.folder / INSTRUCTIONS_FILE, staging / INSTRUCTIONS_FILE)
        if ex.kind == "ach":
            (staging / "case" / "ratings").mkdir(parents=True)
            shutil.copyfile(ex.case_folder / CASE_FILE, staging / "case" / CASE_FILE)
        elif ex.kind == "questions":
            from .questions import ANSWERS_TEMPLATE, answers_template, load_question_key

            key = load_question_key(ex.key_path, ex.shown(KEY_FILE))
            atomic_write_text(staging / ANSWERS_TEMPLATE, answers_template(key))
            if ex.case_ref:
                (staging / "case").mkdir()
                shutil.copyfile(ex.case_folder / CASE_FILE, staging / "case" / CASE_FILE)
            if ex.scenario_handout:
                cib, drivers = scenario_handout(ex)
                atomic_write_text(staging / CIB_FILE, cib)
                atomic_write_text(staging / DRIVERS_FILE, drivers)
        else:
            from .calibration import load_bank, trainee_bank

            atomic_write_text(staging / BANK_FILE, dump_yaml(trainee_bank(load_bank(ex.key_path, ex.shown(BANK_FILE)))))
        found = leaks(staging, secrets)
        if found:
            raise ValidationError(
                [Problem(str(path), "pack", "contains key material", text[:60], code="invalid") for path, text in found]
            )
        if target.exists():
            target.rmdir()
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def key_material(ex: Exercise) -> list[str]:
    """The texts that must never be in a trainee pack: every rationale of the key, every key row written as a
    ratings line (``E01,C,N,...``), and for a drill every resolution with its question."""
    if ex.kind == "ach":
        from .key import load_key

        case = ex.case()
        key = load_key(ex.key_path, case, ex.shown(KEY_FILE))
        rows = [",".join([e, *(key.cells[(e, h)].rating for h in case.hypothesis_ids)]) for e in case.evidence_ids]
        return [*key.texts(), *rows]
    if ex.kind == "questions":
        from .questions import load_question_key

        qkey = load_question_key(ex.key_path, ex.shown(KEY_FILE))
        return [text for q in qkey.questions for text in (q.why, f"{q.id}: {q.answer}") if text] + (
            [qkey.note] if qkey.note else []
        )
    from .calibration import load_bank

    bank = load_bank(ex.key_path, ex.shown(BANK_FILE))
    return [text for q in bank.questions for text in (q.note, f"resolution: {q.resolution}") if text]


def scenario_handout(ex: Exercise) -> tuple[str, str]:
    """What trainees of a scenario exercise receive from the case's ``scenarios.yaml``: the ``cib:`` section as a
    file ``sat cib`` reads, and the drivers with their names, categories and end states only (no impact or
    uncertainty ratings and no descriptions: rating them is the exercise)."""
    from ..scenarios.scenario_file import load_scenarios

    scenarios = load_scenarios(ex.case_ref)
    cib = "# The cross-impact balance model of the case (from its scenarios.yaml). Run: sat cib cib.yaml\n" + dump_yaml(
        {"cib": scenarios.cib_raw}
    )
    drivers = (
        "# The driving forces of the case, without their ratings: rate impact and uncertainty yourself.\n"
        + dump_yaml(
            {
                "drivers": [
                    {"id": d.id, "name": d.name, "category": d.category, "end_states": list(d.end_states)}
                    for d in scenarios.drivers
                ]
            }
        )
    )
    return cib, drivers


def leaks(folder: Path, secrets: list[str]) -> list[tuple[Path, str]]:
    """(file, secret) for every secret text found in any file under ``folder`` (whitespace-insensitive)."""

    def squash(text: str) -> str:
        return re.sub(r"\s+", " ", text).strip()

    wanted = [(s, squash(s)) for s in secrets if squash(s)]
    found: list[tuple[Path, str]] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = squash(path.read_text(encoding="utf-8", errors="replace"))
        found.extend((path, raw) for raw, s in wanted if s in text)
    return found
