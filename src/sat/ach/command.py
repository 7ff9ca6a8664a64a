"""The ``sat ach import``, ``sat ach export`` and ``sat ach import-matrix`` sub-commands.

Registered by :mod:`sat.cli`; imports nothing heavy at module level (the work is imported inside each command).
``export`` picks the format from the suffix of ``--to``: ``.achz`` (PARC ACH), ``.xlsx`` (Excel), ``.csv`` (long
format).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SatError

if TYPE_CHECKING:
    from ..model import Case

CASE_HELP = "a case folder, or a case id under data/cases (e.g. karish)"
FORMATS = (".achz", ".xlsx", ".csv")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the interchange sub-commands to ``sat ach``."""
    imp = subparsers.add_parser("import", help="create a new case folder from a PARC ACH .achz file")
    imp.add_argument("file", metavar="FILE.achz", help="the PARC ACH file")
    imp.add_argument(
        "--to",
        required=True,
        metavar="DIR",
        help="the new case folder (must not exist, or be empty); its name gives the case id",
    )
    imp.add_argument("--analyst", default="parc", help="whose ratings the file holds (default: parc)")
    imp.set_defaults(run=run_import)

    exp = subparsers.add_parser("export", help="write a case as .achz (PARC ACH), .xlsx (Excel) or .csv (long)")
    exp.add_argument("case", metavar="CASE", help=CASE_HELP)
    exp.add_argument("--to", required=True, metavar="FILE", help="output file; its suffix picks the format")
    exp.add_argument(
        "--analyst",
        help=".achz: whose matrix (default: the only analyst, else the group verdict of "
        "all); .xlsx and .csv: only this analyst (default: every analyst)",
    )
    exp.set_defaults(run=run_export)

    matrix = subparsers.add_parser(
        "import-matrix", help="read one matrix sheet of an .xlsx workbook into ratings/<analyst>.csv (replacing it)"
    )
    matrix.add_argument("file", metavar="FILE.xlsx", help="the workbook")
    matrix.add_argument("--case", required=True, help=CASE_HELP)
    matrix.add_argument("--analyst", required=True, help="whose ratings these are")
    matrix.add_argument("--sheet", help="the sheet to read (default: the sheet named for the analyst)")
    matrix.set_defaults(run=run_import_matrix)


def run_import(args: argparse.Namespace) -> int:
    """``sat ach import FILE.achz --to DIR [--analyst NAME]``."""
    from .achz import import_achz

    case = import_achz(args.file, args.to, args.analyst)
    print(
        f"{case.folder}: case {case.id!r} created ({len(case.hypotheses)} hypotheses, {len(case.evidence)} "
        f"evidence items; ratings of {args.analyst})"
    )
    return 0


def group_verdict_note(case: Case) -> str:
    """What an export of the group verdict means for the leader: the report averages the analysts' posteriors,
    while a PARC user scores the one verdict matrix the file holds, and the two can rank differently."""
    import dataclasses

    from .achz import export_matrix
    from .analysis import score_case

    matrix, _ = export_matrix(case)
    verdict = dataclasses.replace(case, ratings={"group verdict": matrix}, rationale={})
    alone = score_case(verdict, sensitivity_analysis=False).leader
    report = score_case(case, sensitivity_analysis=False).leader
    same = (
        "its leader is the report's"
        if alone == report
        else f"scored alone it puts {alone} first, while the report, which averages each analyst's "
        f"probabilities, puts {report} first"
    )
    return (
        f"note: the file holds the group verdict (each cell the analysts' mean rating, rounded), not each "
        f"analyst's matrix; {same}. Use --analyst NAME to export one analyst's ratings."
    )


def run_export(args: argparse.Namespace) -> int:
    """``sat ach export CASE --to FILE.{achz,xlsx,csv} [--analyst NAME]``."""
    from ..store import load_case

    target = Path(args.to)
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise SatError(
            f"{target}: unknown export format {suffix or '(no suffix)'!r} (use one of: {', '.join(FORMATS)})"
        )
    case = load_case(args.case)
    if suffix == ".achz":
        from .achz import export_achz

        who = export_achz(case, target, args.analyst)
        print(f"{target}: PARC ACH file written (ratings: {who})")
        if who.startswith("group verdict"):
            print(group_verdict_note(case))
    elif suffix == ".xlsx":
        from .excel import export_xlsx

        print(f"{target}: workbook written (sheets: {', '.join(export_xlsx(case, target, args.analyst))})")
    else:
        from .longcsv import export_long_csv

        print(f"{target}: {export_long_csv(case, target, args.analyst)} rows written")
    return 0


def run_import_matrix(args: argparse.Namespace) -> int:
    """``sat ach import-matrix FILE.xlsx --case CASE --analyst NAME [--sheet SHEET]``."""
    from ..store import load_case
    from .excel import import_matrix

    path = import_matrix(args.file, load_case(args.case), args.analyst, args.sheet)
    print(f"{path}: ratings of {args.analyst} written")
    return 0
