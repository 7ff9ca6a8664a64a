"""The ``sat class`` command: an instructor collects a class's ratings of a case from the trainees' workspaces.

Registered by :mod:`sat.cli`; imports nothing heavy at module level.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``sat class collect``."""
    klass = subparsers.add_parser("class", help="a course: collect the trainees' work (see docs/deployment.md)",
                                  description="Work with a class of trainees on a course hub.")
    actions = klass.add_subparsers(dest="action", required=True, metavar="ACTION")
    collect = actions.add_parser(
        "collect", help="copy every trainee's ratings of CASE into DIR/CASE, beside the case's key",
        description="Read (never change) each trainee's ratings/<trainee>.csv of CASE in HOMES/<trainee>/workbook "
        "and write DIR/CASE: the full case with its expert ratings plus one ratings file per trainee, ready for "
        "`sat report DIR/CASE`.")
    collect.add_argument("case", metavar="CASE", help="case id under data/cases (the exercise's case)")
    collect.add_argument("--homes", type=Path, default=Path("/home"), metavar="HOMES",
                         help="folder of the trainees' home folders (default /home)")
    collect.add_argument("--trainee", action="append", metavar="NAME",
                         help="collect only this trainee (repeatable; default: every home with a workbook)")
    collect.add_argument("--to", type=Path, required=True, metavar="DIR", help="folder to write the collection to")
    collect.set_defaults(run=_run_collect)


def _run_collect(args: argparse.Namespace) -> int:
    from .workspace import collect, workspaces_under

    workspaces = workspaces_under(args.homes, args.trainee)
    found = collect(args.case, workspaces, args.to)
    missing = sorted(set(workspaces) - set(found))
    print(f"collected {len(found)} of {len(workspaces)} trainee(s) into {args.to / args.case}: {', '.join(found) or '-'}")
    if missing:
        print(f"no ratings yet (or not readable): {', '.join(missing)}")
    return 0
