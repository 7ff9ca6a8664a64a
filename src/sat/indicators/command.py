"""The ``sat indicators`` command: the validator table and the probability timeline of a case's indicator board.

Registered by :mod:`sat.cli`; imports nothing heavy at module level.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .board import Board


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date written YYYY-MM-DD: {text!r}") from None


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``sat indicators``."""
    cmd = subparsers.add_parser(
        "indicators",
        help="indicator board: which indicators tell the targets apart, and how the picture moved over time",
        description="Validator table, status and probability timeline of a case's indicators.yaml and "
        "observations.csv.",
    )
    cmd.add_argument("case", metavar="CASE", help="a case folder, or a case id under data/cases (e.g. karish)")
    cmd.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    cmd.add_argument(
        "--as-of",
        type=_date,
        metavar="DATE",
        help="status and timeline up to this date (YYYY-MM-DD; default: every observation)",
    )
    cmd.add_argument("--xlsx", metavar="OUT.xlsx", help="also write the validator matrix and observations as .xlsx")
    cmd.add_argument("--csv", metavar="DIR", help="also write the validator matrix and observations as CSV files")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """``sat indicators CASE [--json] [--as-of DATE] [--xlsx OUT.xlsx] [--csv DIR]``."""
    from .board import load_board

    board = load_board(args.case)
    written = []
    if args.xlsx:
        from .export import export_xlsx

        written.append(str(export_xlsx(board, args.xlsx)))
    if args.csv:
        from .export import export_csv

        written.extend(str(p) for p in export_csv(board, args.csv))
    if args.json:
        report = board.to_json(args.as_of)
        if written:
            report["written"] = written
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
        return 0
    _print(board, args.as_of)
    for path in written:
        print(f"written: {path}")
    return 0


def _print(board: Board, as_of: dt.date | None) -> None:
    from ..language import icd203_term

    spec = board.spec
    print(
        f"{board.case.title}\nIndicators: {len(spec.indicators)}; targets ({spec.targets}): {', '.join(board.targets)}"
    )
    print(f"Diagnosticity rule: {spec.rule} (diagnostic at >= {spec.threshold:.3g}); coverage wanted: {spec.coverage}")
    table = board.validator_table()
    status = board.status(as_of)
    ratings = board.ratings
    head = " ".join(f"{t[:6]:>6}" for t in board.targets)
    print(f"\n{'id':<24} {head} {'spread':>6} {'home':>5} {'llr':>6} diag  status")
    for iid, row in table.iterrows():
        cells = " ".join(f"{ratings.loc[iid, t] or '-':>6}" for t in board.targets)
        print(
            f"{iid:<24} {cells} {row['spread']:>6.0f} {row['home_vs_other']:>5.0f} {row['llr']:>6.2f} "
            f"{'yes' if row['diagnostic'] else 'NO':<4}  {status.loc[iid, 'status']}"
        )
    cover = board.coverage()
    short = [t for t, ok in cover["covered"].items() if not ok]
    print(
        "\nCoverage: "
        + ", ".join(f"{t} {n}" for t, n in cover["count"].items())
        + (f"; fewer than {spec.coverage}: {', '.join(short)}" if short else "")
    )
    line = board.timeline(as_of)
    print(f"\nTimeline ({'prior: ' + ('ACH posterior' if spec.prior == 'ach' else 'given')})")
    print(f"{'date':<11} " + " ".join(f"{t[:8]:>8}" for t in board.targets) + "  moved most")
    for date, row in line.probabilities.iterrows():
        label = "prior" if date is None else date.isoformat()
        movers = line.movers.get(date)
        moved = ""
        if movers is not None and len(movers) and movers.loc[0, "shift"] > 0:
            moved = f"{movers.loc[0, 'indicator']} {movers.loc[0, 'status']} ({movers.loc[0, 'shift']:.2f})"
        print(f"{label:<11} " + " ".join(f"{p:>8.3f}" for p in row) + f"  {moved}")
    last = line.probabilities.iloc[-1]
    lead = last.idxmax()
    print(f"\nAt the end: {lead} is {icd203_term(float(last[lead]))} ({last[lead]:.2f}).")
    for warning in board.warnings:
        print(f"warning: {warning}")
