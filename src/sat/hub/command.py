"""The ``sat class`` command: an instructor collects a class's submissions of an exercise from their workspaces.

Registered by :mod:`sat.cli`; imports nothing heavy at module level.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``sat class collect``."""
    klass = subparsers.add_parser(
        "class",
        help="a course: collect the trainees' work (see docs/deployment.md)",
        description="Work with a class of trainees on a course hub.",
    )
    actions = klass.add_subparsers(dest="action", required=True, metavar="ACTION")
    collect = actions.add_parser(
        "collect",
        help="copy every trainee's submission of EXERCISE into DIR, ready for `sat grade EXERCISE DIR`",
        description="Read (never change) each trainee's <trainee>.csv (and .notes.csv, .answers.yaml) in "
        "HOMES/<trainee>/workbook/EXERCISE/case/ratings and write them into DIR, which must be new, empty or an "
        "earlier collection: then `sat grade EXERCISE DIR --out graded/`.",
    )
    collect.add_argument("exercise", metavar="EXERCISE", help="exercise id under data/exercises")
    collect.add_argument(
        "--homes",
        type=Path,
        default=Path("/home"),
        metavar="HOMES",
        help="folder of the trainees' home folders (default /home)",
    )
    collect.add_argument(
        "--trainee",
        action="append",
        metavar="NAME",
        help="collect only this trainee (repeatable; default: every home with a workbook)",
    )
    collect.add_argument("--to", type=Path, required=True, metavar="DIR", help="folder to write the collection to")
    collect.set_defaults(run=_run_collect)


def _run_collect(args: argparse.Namespace) -> int:
    from .workspace import collect, workspaces_under

    workspaces = workspaces_under(args.homes, args.trainee)
    found = collect(args.exercise, workspaces, args.to)
    missing = sorted(set(workspaces) - set(found))
    print(f"collected {len(found)} of {len(workspaces)} trainee(s) into {args.to}: {', '.join(found) or '-'}")
    if missing:
        print(f"no ratings yet (or not readable): {', '.join(missing)}")
    return 0
