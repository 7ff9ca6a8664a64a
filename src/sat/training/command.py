"""The ``sat exercise`` and ``sat grade`` commands: list, pack and derive keys of exercises; grade a class.

Registered by :mod:`sat.cli`; imports nothing heavy at module level. Bad input raises
:class:`~sat.errors.ValidationError`, which the command line prints one problem a line before exiting with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``sat exercise`` and ``sat grade``."""
    exercise = subparsers.add_parser("exercise", help="training exercises: list, pack for trainees, derive keys")
    commands = exercise.add_subparsers(dest="exercise_command", metavar="EXERCISE_COMMAND", required=True)
    listing = commands.add_parser("list", help="the bundled exercises")
    listing.set_defaults(run=run_list)
    check = commands.add_parser("check", help="check an exercise and its key (or question bank); list every problem")
    check.add_argument("exercise", metavar="EXERCISE", help="an exercise folder or an id under data/exercises")
    check.set_defaults(run=run_check)
    pack = commands.add_parser("pack", help="write the trainee pack of an exercise (never any key material)")
    pack.add_argument("exercise", metavar="EXERCISE", help="an exercise folder or an id under data/exercises")
    pack.add_argument("--to", required=True, metavar="DIR", help="a new or empty folder for the pack")
    pack.set_defaults(run=run_pack)
    derive = commands.add_parser(
        "derive-key",
        help="re-derive key.yaml from the expert matrices named in "
        "exercise.yaml (key_from), or a question key's derived answers from the case's "
        "scenarios.yaml; the version goes up when the key changes",
    )
    derive.add_argument("exercise", metavar="EXERCISE", help="an exercise folder or an id under data/exercises")
    derive.set_defaults(run=run_derive)

    grade = subparsers.add_parser("grade", help="grade trainees' submissions against an exercise's key")
    grade.add_argument("exercise", metavar="EXERCISE", help="an exercise folder or an id under data/exercises")
    grade.add_argument(
        "submissions",
        metavar="SUBMISSION",
        nargs="+",
        help="a trainee's ratings file (.csv), forecasts or answers file (.yaml), or a folder of them (a whole class)",
    )
    grade.add_argument("--out", metavar="DIR", help="write feedback/<trainee>.html, class.html and gradebook.csv")
    grade.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    grade.set_defaults(run=run_grade)


def run_list(args: argparse.Namespace) -> int:
    """``sat exercise list``."""
    from .exercise import EXERCISE_FILE, exercises_dir, load_exercise

    for folder in sorted(p for p in exercises_dir().glob("*") if (p / EXERCISE_FILE).is_file()):
        ex = load_exercise(folder)
        minutes = f", {ex.minutes} min" if ex.minutes else ""
        print(f"{ex.id:<24} {ex.kind:<12} {ex.title}{minutes}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    """``sat exercise check EXERCISE``: read the exercise, its case and its key as grading would."""
    from .exercise import load_exercise

    ex = load_exercise(args.exercise)
    if ex.kind == "ach":
        from .key import load_key

        case = ex.case()
        key = load_key(ex.key_path, case, ex.shown("key.yaml"))
        detail = (
            f"{len(case.evidence)} items x {len(case.hypotheses)} hypotheses, "
            f"{sum(len(c.accept) > 1 for c in key.cells.values())} cells with more than one acceptable rating"
            + (", a computed answer" if key.normative else "")
        )
        label = key.label
    elif ex.kind == "questions":
        from .questions import load_question_key

        qkey = load_question_key(ex.key_path, ex.shown("key.yaml"))
        detail, label = f"{len(qkey.questions)} questions", qkey.label
    else:
        from .calibration import load_bank

        bank = load_bank(ex.key_path, ex.shown("questions.yaml"))
        resolved = sum(q.resolution is not None for q in bank.questions)
        detail, label = f"{len(bank.questions)} questions ({resolved} resolved), {len(bank.terms)} terms", bank.label
    print(f"{ex.id}: valid ({ex.kind}; {detail}; {label})")
    return 0


def run_pack(args: argparse.Namespace) -> int:
    """``sat exercise pack EXERCISE --to DIR``."""
    from .exercise import pack_exercise

    folder = pack_exercise(args.exercise, args.to)
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    print(f"wrote the trainee pack to {folder} ({', '.join(files)}); checked: no key material in it")
    return 0


def run_derive(args: argparse.Namespace) -> int:
    """``sat exercise derive-key EXERCISE``."""
    from .exercise import load_exercise
    from .key import derive_key_file
    from .questions import derive_question_key

    ex = load_exercise(args.exercise, need_key=False)
    path, version, changed = (derive_question_key if ex.kind == "questions" else derive_key_file)(ex)
    print(f"{path}: {'written, now' if changed else 'unchanged,'} version {version}")
    return 0


def run_grade(args: argparse.Namespace) -> int:
    """``sat grade EXERCISE SUBMISSION... [--out DIR] [--json]``."""
    from .run import grade_class

    result = grade_class(args.exercise, args.submissions, args.out)
    if args.json:
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
        return 0
    book = result.gradebook
    if result.drill is not None:
        print(f"{result.exercise.title} ({result.drill.bank.label})")
        print(f"{'trainee':<20} {'answered':>8} {'Brier':>7} {'vs median':>9}  terms in range")
        for row in book.itertuples(index=False):
            print(
                f"{row.trainee:<20} {row.answered:>8} {row.brier:>7.3f} {row.relative_to_median:>+9.3f}  "
                f"{row.terms_in_range}/{row.terms_given}"
            )
    elif result.exercise.kind == "questions":
        print(f"{result.exercise.title} ({result.grades[0].key_label})")
        for g in result.grades:
            print(f"{g.trainee:<20} {g.total:6.1f} / {g.out_of:g}")
    else:
        print(f"{result.exercise.title} ({result.grades[0].key_label})")
        print(f"{'trainee':<20} {'total':>6} {'of':>4} {'cells':>6} {'kappa':>6} {'tau':>6}  leader  unrated")
        for g in result.grades:
            kappa = f"{g.kappa:6.2f}" if g.kappa == g.kappa else "     –"
            tau = f"{g.tau:6.2f}" if g.tau == g.tau else "     –"
            print(
                f"{g.trainee:<20} {g.total:6.1f} {g.out_of:4.0f} {g.agreement:6.0%} {kappa} {tau}  "
                f"{g.leader:<6}  {g.unrated}"
            )
    for path in result.written:
        print(f"wrote {path}")
    return 0
