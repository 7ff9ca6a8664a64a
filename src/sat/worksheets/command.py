"""The ``sat worksheets`` command: Key Assumptions Check and Quality of Information Check of a case.

Registered by :mod:`sat.cli`; imports nothing heavy at module level. Sub-commands:

- ``assumptions CASE [--json]``: the Key Assumptions Check (grid, collection needs, indicator candidates, the sweep
  through ACH, cue phrases);
- ``quality CASE [--json]``: the Quality of Information Check (marks, key judgments, dependence groups offered, the
  leader's support by origin, the source summary statement);
- ``indicators CASE``: write the indicator candidates into ``indicators.yaml``;
- ``apply CASE [--groups] [--credibility]``: write the offered dependence groups and/or the mapped credibility
  levels into ``case.yaml``;
- ``export CASE --out FILE.xlsx``: both worksheets as a formula-safe workbook.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

CASE_HELP = "a case folder, or a case id under data/cases (e.g. karish)"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``sat worksheets``."""
    parser = subparsers.add_parser("worksheets", help="Key Assumptions Check and Quality of Information Check")
    commands = parser.add_subparsers(dest="worksheets_command", metavar="WORKSHEET_COMMAND", required=True)
    kac = commands.add_parser("assumptions", help="the Key Assumptions Check of a case (assumptions.yaml)")
    kac.add_argument("case", metavar="CASE", help=CASE_HELP)
    kac.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    kac.set_defaults(run=_assumptions)
    qoic = commands.add_parser("quality", help="the Quality of Information Check of a case (its source register)")
    qoic.add_argument("case", metavar="CASE", help=CASE_HELP)
    qoic.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    qoic.set_defaults(run=_quality)
    ind = commands.add_parser("indicators", help="write the assumptions' indicator candidates into indicators.yaml")
    ind.add_argument("case", metavar="CASE", help=CASE_HELP)
    ind.set_defaults(run=_indicators)
    apply = commands.add_parser("apply", help="write offered dependence groups / mapped credibility into case.yaml")
    apply.add_argument("case", metavar="CASE", help=CASE_HELP)
    apply.add_argument("--groups", action="store_true", help="put single-origin items into one dependence group")
    apply.add_argument(
        "--credibility",
        action="store_true",
        help="set each graded item's ACH credibility to the level its 1-6 grade maps to",
    )
    apply.set_defaults(run=_apply)
    export = commands.add_parser("export", help="both worksheets as an .xlsx workbook (formula-safe)")
    export.add_argument("case", metavar="CASE", help=CASE_HELP)
    export.add_argument("--out", metavar="FILE.xlsx", required=True, help="the workbook to write")
    export.set_defaults(run=_export)


def _load(case: str) -> tuple[Any, Any]:
    from ..store import load_case
    from .assumptions_file import load_assumptions

    loaded = load_case(case)
    return loaded, load_assumptions(loaded)


def _require(case: Any, worksheet: Any) -> Any:
    from ..errors import SatError

    if worksheet is None:
        raise SatError(f"case {case.id!r}: no assumptions.yaml (see docs/worksheets.md for its layout)")
    return worksheet


def _print_json(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False))
    sys.stdout.write("\n")


def _assumptions(args: argparse.Namespace) -> int:
    from .analysis import assumptions_check

    case, worksheet = _load(args.case)
    check = assumptions_check(case, _require(case, worksheet))
    if args.json:
        _print_json(check.to_json())
        return 0
    print(f"{case.title}\nAnalytic line: {worksheet.analytic_line}\n")
    for a in worksheet.assumptions:
        extra = f", {a.disposition}" if a.disposition else ""
        print(f"  {a.id:<6} {a.category:<21} confidence {a.confidence:<6} impact {a.impact:<6} {a.kind}{extra}")
    print("\nConfidence x impact:")
    print(check.grid.to_string())
    print("\nCollection needs (unsupported, high impact): " + (", ".join(a.id for a in check.needs) or "none"))
    print(f"Indicator candidates: {len(check.candidates)} (write them with: sat worksheets indicators {case.id})")
    if check.sweep:
        print("\nSweep through ACH (the items each assumption stands behind removed):")
        for row in check.sweep:
            print(f"  {row.sentence}")
    print(f"\nCue phrases of hidden assumptions (prompts, not verdicts): {len(check.cues)}")
    for cue in check.cues:
        print(f'  {cue.place}: "{cue.phrase}" in {cue.snippet}')
    return 0


def _quality(args: argparse.Namespace) -> int:
    import pandas as pd

    from .analysis import quality_check

    case, worksheet = _load(args.case)
    check = quality_check(case, worksheet)
    if args.json:
        _print_json(check.to_json())
        return 0
    print(f"{case.title}\n")
    if len(check.marks):
        print("Evidence items:")
        for eid, row in check.marks.iterrows():
            grade = "-" if pd.isna(row["information_credibility"]) else int(row["information_credibility"])
            print(f"  {eid:<6} {row['mark']:<14} credibility {grade}  origins: {row['origins'] or '-'}")
    if len(check.judgments):
        print("\nKey judgments:")
        for jid, row in check.judgments.iterrows():
            print(f"  {jid:<6} {row['mark']:<14} origins: {row['origins'] or '-'}")
    if check.offers:
        print(f"\nDependence groups offered (apply with: sat worksheets apply {case.id} --groups):")
        for offer in check.offers:
            print(f"  {offer.origin}: {', '.join(offer.members)} -> {offer.name}")
    print("\nSource summary statement:\n")
    for paragraph in check.statement:
        print(paragraph + "\n")
    return 0


def _indicators(args: argparse.Namespace) -> int:
    from .key_assumptions import indicator_candidates
    from .links import write_candidates

    case, worksheet = _load(args.case)
    path, added = write_candidates(case, indicator_candidates(_require(case, worksheet)))
    print(
        f"{path}: {len(added)} candidate(s) added" + (f" ({', '.join(added)})" if added else " (all are there already)")
    )
    return 0


def _apply(args: argparse.Namespace) -> int:
    from ..errors import SatError
    from .links import apply_to_case

    if not (args.groups or args.credibility):
        raise SatError("say what to apply: --groups, --credibility, or both")
    case, _ = _load(args.case)
    path, changes = apply_to_case(case, groups=args.groups, credibility=args.credibility)
    if not changes:
        print(f"{path}: nothing to change")
    for eid, fields in changes.items():
        print(f"{eid}: " + ", ".join(f"{k} -> {v}" for k, v in fields.items()))
    return 0


def _export(args: argparse.Namespace) -> int:
    from .analysis import assumptions_check, quality_check
    from .excel import export_workbook

    case, worksheet = _load(args.case)
    kac = assumptions_check(case, worksheet) if worksheet is not None else None
    print(export_workbook(args.out, quality_check(case, worksheet), kac))
    return 0
