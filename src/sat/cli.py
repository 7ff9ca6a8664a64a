"""The ``sat`` command: validate cases, score ACH matrices, render reports, run cross-impact balance.

Heavy libraries (numpy, pandas, papermill) are imported inside the commands, so ``sat --help`` answers fast.
Bad input never ends in a traceback: every :class:`~sat.errors.SatError` is printed (one problem a line) to
standard error and the command exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import SatError, ValidationError, shown_value

EXIT_INVALID = 2
#: Most problems printed by one command (a file with thousands of bad cells would otherwise flood the terminal).
MAX_PRINTED = 100
#: Most robustness draws accepted (each draw holds a copy of the matrix; the default is 10,000).
MAX_DRAWS = 100_000


def _draws(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text[:40]!r}") from None
    if not 0 <= value <= MAX_DRAWS:
        raise argparse.ArgumentTypeError(f"must be between 0 and {MAX_DRAWS:,}, got {value}")
    return value


def _cmd_validate(args: argparse.Namespace) -> int:
    from .store import check_folder

    checked = check_folder(args.case)
    checked.raise_if_any()
    case = checked.context.case
    assert case is not None
    rated = ", ".join(case.analysts) or "no analysts yet"
    print(
        f"{case.id}: valid ({len(case.hypotheses)} hypotheses, {len(case.evidence)} evidence items, "
        f"{len(case.sources)} sources; ratings: {rated})"
    )
    print(f"checked: {', '.join(checked.checked)}")
    if case.ratings and len(case.hypotheses) >= 2 and case.evidence:
        from .ach.analysis import score_case

        for warning in score_case(case, sensitivity_analysis=False).warnings:
            print(f"warning: {warning}")
    if case.folder is not None:
        from .indicators.board import describe

        for line in describe(case.folder):
            print(line)
    return 0


def _cmd_ach_score(args: argparse.Namespace) -> int:
    from .ach.analysis import score_case
    from .language import icd203_term
    from .store import load_case

    scores = score_case(load_case(args.case), args.analyst, draws=args.draws, seed=args.seed)
    if args.json:
        # Compact: the C encoder; an indented dump of a large case takes seconds in pure Python.
        sys.stdout.write(json.dumps(scores.to_json(full=args.full), ensure_ascii=False))
        sys.stdout.write("\n")
        return 0
    who = args.analyst or f"all analysts combined ({', '.join(scores.analysts)})"
    print(f"{scores.case.title}\n{scores.case.question}\nRatings: {who}\n")
    table = scores.hypotheses.sort_values("rank")
    robust = scores.robustness is not None
    top = f" {'P(first)':>8}" if robust else ""
    print(
        f"{'rank':>4}  {'id':<8} {'inconsistency':>13} {'weighted':>9} {'posterior':>9}{top}  {'likelihood':<19}  title"
    )
    for hid, row in table.iterrows():
        p_top = f" {row['p_top']:>8.3f}" if robust else ""
        print(
            f"{row['rank']:>4}  {hid:<8} {row['inconsistency']:>13.2f} {row['weighted_inconsistency']:>9.3f} "
            f"{row['posterior']:>9.3f}{p_top}  {icd203_term(row['posterior']):<19}  {row['title']}"
        )
    print("\nMost diagnostic evidence (likelihood ratio, highest first):")
    for eid, row in scores.evidence.head(5).iterrows():
        print(f"  {eid:<8} {row['likelihood_ratio']:>7.2f}  {row['summary'][:80]}")
    flat = scores.evidence[~scores.evidence["diagnostic"]]
    if len(flat):
        print(f"No diagnostic value (rated alike for every hypothesis): {', '.join(flat.index)}")
    if len(scores.analysts) > 1:
        print(f"Cells in dispute between analysts: {scores.dispute_count}")
    if scores.sensitivity is not None:
        linchpins = scores.sensitivity.linchpins
        print(f"\nLinchpins (Heuer step 6): {', '.join(linchpins) if linchpins else 'none'}")
        for sentence in scores.sensitivity.sentences[:8]:
            print(f"  {sentence}")
    if scores.robustness is not None:
        print(f"(P(first): {scores.robustness.draws} draws, each rating a step off with the case's uncertainty)")
    if scores.warnings:
        print("\nWarnings:")
        for warning in scores.warnings:
            print(f"  - {warning}")
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, got {text[:40]!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds and finite, got {text[:40]}")
    return value


def _cmd_report(args: argparse.Namespace) -> int:
    if args.own_process:  # the `sat` command itself, not main() called from other Python code
        from .sandbox import claim_process

        claim_process()  # before anything heavy is imported: renders are forked from this process
    from .report import render_case, report_tasks, start_converter

    if not args.case and not args.all:
        raise SatError("name at least one case (a case id, a case folder or a folder of cases), or use --all")
    if args.scheduler_timeout is not None and args.scheduler is None:
        raise SatError("--scheduler-timeout applies only with --scheduler")
    folder = Path(args.case[0]) if args.case else Path()
    of_cases = folder.is_dir() and not (folder / "case.yaml").is_file()  # a class: a folder of case folders
    if len(args.case) == 1 and not of_cases and not args.all and args.scheduler is None:
        if args.own_process:
            start_converter()  # the HTML converter gets ready on another core while the case is validated and run
        paths = render_case(args.case[0], out_dir=args.out, analyst=args.analyst, timeout=args.timeout)
        _print_reports(paths, args.pdf)
        return 0
    from .runner import DEFAULT_SCHEDULER_TIMEOUT, progress_bar, run, summary

    tasks = report_tasks(args.case, out_dir=args.out, analyst=args.analyst, timeout=args.timeout, all_cases=args.all)
    update, close = progress_bar(len(tasks), "cases")
    try:
        outcomes = run(
            tasks,
            jobs=args.jobs,
            scheduler=args.scheduler,
            progress=update,
            scheduler_timeout=args.scheduler_timeout or DEFAULT_SCHEDULER_TIMEOUT,
        )
    finally:
        close()
    _print_reports([path for outcome in outcomes for path in outcome.result or ()], args.pdf)
    lines = summary(outcomes, "cases")
    for line in lines:
        print(line, file=sys.stderr)
    return EXIT_INVALID if lines else 0


def _print_reports(paths: list[Path], pdf: str | None) -> None:
    """Print each report's path, and with ``--pdf`` print it to PDF too (with the local Chromium, launched once)."""
    if not pdf or not paths:
        for path in paths:
            print(path)
        return
    from .pdf import PdfPrinter

    with PdfPrinter(pdf) as printer:
        for path in paths:
            print(path)
            print(printer.print(path, path.with_suffix(".pdf")))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``sat`` command."""
    parser = argparse.ArgumentParser(
        prog="sat",
        description="Structured analytic techniques workbook: ACH, scenarios and reports from case files.",
    )
    parser.add_argument("--version", action="version", version=f"sat {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    case_help = "a case folder, or a case id under data/cases (e.g. karish)"
    validate = commands.add_parser("validate", help="check a case folder and list every problem")
    validate.add_argument("case", metavar="CASE", help=case_help)
    validate.set_defaults(run=_cmd_validate)

    ach = commands.add_parser("ach", help="Analysis of Competing Hypotheses")
    ach_commands = ach.add_subparsers(dest="ach_command", metavar="ACH_COMMAND", required=True)
    score = ach_commands.add_parser("score", help="score a case's hypotheses under every method")
    score.add_argument("case", metavar="CASE", help=case_help)
    score.add_argument("--analyst", help="one analyst's ratings (default: all analysts combined)")
    score.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    score.add_argument(
        "--full",
        action="store_true",
        help="with --json: every sensitivity change and every disputed cell (default: the changes that "
        "move a posterior by more than 1 point, and the 200 worst disputes, with counts)",
    )
    score.add_argument(
        "--draws",
        type=_draws,
        default=10_000,
        help=f"robustness Monte Carlo draws (default 10000, at most {MAX_DRAWS}; 0 to skip)",
    )
    score.add_argument("--seed", type=int, default=0, help="random seed of the robustness draws (default 0)")
    score.set_defaults(run=_cmd_ach_score)
    _add_optional(ach_commands, "sat.ach.command")

    report = commands.add_parser("report", help="render cases' reports to self-contained offline HTML")
    report.add_argument(
        "case",
        metavar="CASE",
        nargs="*",
        help=f"{case_help}; several, or a folder of case folders (a class) for a batch",
    )
    report.add_argument("--all", action="store_true", help="every case under data/cases")
    report.add_argument("--out", metavar="DIR", help="output folder (default: reports/ in the repository)")
    report.add_argument("--analyst", default="", help="ACH report for one analyst (default: all combined)")
    report.add_argument(
        "--jobs",
        "-j",
        type=_positive,
        default=1,
        metavar="N",
        help="render N cases at once on this machine (default 1)",
    )
    report.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="render on the Dask cluster whose scheduler is at ADDRESS (e.g. tcp://10.0.0.5:8786); "
        "needs pip install 'sat[dask]'",
    )
    report.add_argument(
        "--scheduler-timeout",
        type=_seconds,
        metavar="SECONDS",
        help="with --scheduler: give up reaching the scheduler after this many seconds (default 10)",
    )
    report.add_argument(
        "--timeout",
        type=_seconds,
        default=600.0,
        metavar="SECONDS",
        help="stop a report that runs longer than this (default 600)",
    )
    report.add_argument(
        "--pdf",
        choices=("A4", "Letter"),
        help="also print each report to PDF on this paper, "
        "offline, with the local Chromium (Debian's chromium package)",
    )
    report.set_defaults(run=_cmd_report)

    _add_optional(commands, "sat.scenarios.command")
    _add_optional(commands, "sat.indicators.command")
    _add_optional(commands, "sat.training.command")
    _add_optional(commands, "sat.hub.command")
    _add_optional(commands, "sat.worksheets.command")
    return parser


def _add_optional(subparsers: argparse._SubParsersAction, module: str) -> None:
    """Let a technique package register its own sub-commands (its module must import nothing heavy)."""
    import importlib

    try:
        command = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return
    command.add_parser(subparsers)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    args.own_process = argv is None
    try:
        return int(args.run(args) or 0)
    except ValidationError as exc:
        for problem in exc.problems[:MAX_PRINTED]:
            print(f"error: {problem}", file=sys.stderr)
        if len(exc.problems) > MAX_PRINTED:
            print(f"... and {len(exc.problems) - MAX_PRINTED:,} more (fix these first)", file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found.", file=sys.stderr)
        return EXIT_INVALID
    except SatError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a path the system refuses (name too long, permission denied, disk full, ...)
        where = f"{shown_value(exc.filename)}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
