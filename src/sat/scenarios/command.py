"""The ``sat cib`` command: the exact consistent set of a CIB model, succession, ScenarioWizard export.

Registered by :mod:`sat.cli`; imports nothing heavy at module level (numpy and the engine load inside :func:`run`),
so ``sat --help`` stays fast. Bad input raises :class:`~sat.errors.ValidationError`, which the command line prints
one problem a line on standard error before exiting with status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import TYPE_CHECKING, Any

from ..errors import Problem, ValidationError

if TYPE_CHECKING:
    from .cib.file import CIBSection
    from .cib.model import CIBMatrix
    from .cib.scores import ScenarioScores

#: ``--sl`` computes ScenarioWizard's "reached from" counts (global succession from every scenario) up to this size.
BASIN_LIMIT = 1_000_000


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``sat cib``."""
    cib = subparsers.add_parser(
        "cib",
        help="cross-impact balance: the exact set of consistent scenarios of a .scw or scenarios.yaml model",
        description="Find every consistent scenario of a cross-impact balance model (exact, no sampling).",
    )
    cib.add_argument("file", metavar="FILE", help="a ScenarioWizard .scw project or a YAML file with a cib: section")
    cib.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    cib.add_argument(
        "--tolerance",
        type=_tolerance,
        default=0.0,
        metavar="N",
        help="also list scenarios whose inconsistency is at most N (default 0: consistent only)",
    )
    cib.add_argument(
        "--succession",
        choices=("global", "sequential"),
        help="run succession from --start: all descriptors at once (global) or one at a time",
    )
    cib.add_argument(
        "--start", metavar='"1 2 3"', help="start scenario for --succession: one 1-based variant number per descriptor"
    )
    cib.add_argument(
        "--explain", action="store_true", help="explain each listed scenario: who supports and who opposes each variant"
    )
    cib.add_argument(
        "--sensitivity",
        action="store_true",
        help="list the single judgments whose change by 1 adds or removes consistent scenarios",
    )
    cib.add_argument(
        "--sl",
        metavar="OUT.sl",
        help="write the listed scenarios as a ScenarioWizard solution list (its 'reached from' "
        f"count needs succession from every scenario: computed up to {BASIN_LIMIT:,} scenarios, "
        "else written as 0)",
    )
    cib.add_argument("--scw", metavar="OUT.scw", help="write the model as a ScenarioWizard project")
    cib.set_defaults(run=run)


def _tolerance(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    """``sat cib FILE [--json] [--tolerance N] [--succession KIND --start "1 2 3"] [--explain] [--sensitivity]
    [--sl OUT.sl] [--scw OUT.scw]``."""
    from .cib.file import load_cib_section

    if args.succession and not args.start:
        raise ValidationError([Problem(args.file, "--succession", 'needs a start scenario: --start "1 2 3"')])
    section = load_cib_section(args.file)
    start = _parse_start(args.start, section.matrix, args.file) if args.start else None
    from .cib.limits import SearchTooLarge

    try:
        report, found = _analyse(args, section, start)
    except SearchTooLarge as exc:
        raise ValidationError([Problem(args.file, "cib", str(exc), code="limit")]) from None
    report["written"] = _write_outputs(args, section, found)
    if args.json:
        json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        _print_report(report)
    return 0


def _parse_start(text: str, matrix: CIBMatrix, file: str) -> tuple[int, ...]:
    parts = text.replace(",", " ").split()
    if len(parts) != matrix.n_descriptors:
        raise ValidationError(
            [
                Problem(
                    file,
                    "--start",
                    f"needs {matrix.n_descriptors} variant numbers, one per descriptor, got {len(parts)}",
                    text,
                )
            ]
        )
    problems, start = [], []
    for part, d in zip(parts, matrix.descriptors):
        if not part.isdigit() or not 1 <= int(part) <= len(d.variants):
            problems.append(
                Problem(file, "--start", f"{d.name} needs a variant number from 1 to {len(d.variants)}", part)
            )
        else:
            start.append(int(part) - 1)
    if problems:
        raise ValidationError(problems)
    return tuple(start)


def _analyse(
    args: argparse.Namespace, section: CIBSection, start: tuple[int, ...] | None
) -> tuple[dict[str, Any], ScenarioScores]:
    """The JSON-ready report, and the listed scenarios with their scores."""
    from .cib import consistent_set, ensemble, explanation_sentences, sensitivity, succession

    m = section.matrix
    found = consistent_set(m, args.tolerance)
    report: dict[str, Any] = {
        "file": args.file,
        "name": m.name,
        "descriptors": [
            {"name": d.name, "variants": list(d.variants), **({"title": d.description} if d.description else {})}
            for d in m.descriptors
        ],
        "scenarios_total": m.n_scenarios,
        "tolerance": _plain(args.tolerance),
        "self_impacts": m.has_self_impacts,
        "consistent": [],
    }
    for z, tis, margin, inconsistency in zip(found.as_tuples(), found.tis, found.margin, found.inconsistency):
        entry = {
            "variants": [v + 1 for v in z],
            "names": list(m.variant_names(z)),
            "tis": _plain(tis),
            "margin": _plain(margin),
            "inconsistency": _plain(inconsistency),
        }
        if args.explain:
            entry["explanation"] = explanation_sentences(m, z)
        report["consistent"].append(entry)
    if start is not None:
        result = succession(m, start, args.succession or "global")
        report["succession"] = {
            "kind": result.kind,
            "start": [v + 1 for v in start],
            "path": [[v + 1 for v in z] for z in result.path],
            "outcome": result.outcome,
            "cycle": [[v + 1 for v in z] for z in result.cycle],
        }
    if section.experts:
        members = section.ensemble
        together = ensemble(members, args.tolerance)
        report["ensemble"] = {
            "matrices": [x.name for x in members],
            "scenarios": [
                {
                    "variants": [v + 1 for v in z],
                    "names": list(m.variant_names(z)),
                    "count": count,
                    "fraction": count / together.n_matrices,
                    "matrices": [members[k].name for k in who],
                }
                for z, count, who in zip(together.scenarios, together.counts, together.members)
            ],
        }
    if args.sensitivity:
        report["sensitivity"] = [
            {
                "from": [m.descriptors[e.source].name, m.descriptors[e.source].variants[e.source_variant]],
                "to": [m.descriptors[e.target].name, m.descriptors[e.target].variants[e.target_variant]],
                "old_value": _plain(e.old_value),
                "change": _plain(e.change),
                "added": [[v + 1 for v in z] for z in e.added],
                "removed": [[v + 1 for v in z] for z in e.removed],
            }
            for e in sensitivity(m, 1.0, args.tolerance)
        ]
    return report, found


def _write_outputs(args: argparse.Namespace, section: CIBSection, found: ScenarioScores) -> list[str]:
    from .scw import ScwProject, format_sl, write_scw, write_sl

    written = []
    m = section.matrix
    if args.sl:
        reached = None
        if m.n_scenarios <= BASIN_LIMIT:
            from .cib import global_basins

            reached = global_basins(m)[0]
        text = format_sl(m, found.as_tuples(), found.tis, found.margin, found.inconsistency, reached)
        write_sl(args.sl, text)
        written.append(args.sl)
    if args.scw:
        write_scw(args.scw, ScwProject.from_matrix(m, section.rationales))
        written.append(args.scw)
    return written


def _print_report(report: dict[str, Any]) -> None:
    descriptors = report["descriptors"]
    n_variants = sum(len(d["variants"]) for d in descriptors)
    title = f" ({report['name']})" if report["name"] else ""
    print(
        f"{report['file']}{title}: {len(descriptors)} descriptors, {n_variants} variants, "
        f"{report['scenarios_total']:,} scenarios"
    )
    for k, d in enumerate(descriptors, start=1):
        variants = ", ".join(f"{i}={v}" for i, v in enumerate(d["variants"], start=1))
        print(f"  D{k} {d['name']}: {variants}")
    if report["self_impacts"]:
        print("  (self-impacts: some descriptors act on themselves, as ScenarioWizard allows)")
    rows = report["consistent"]
    within = "consistent" if report["tolerance"] == 0 else f"with inconsistency <= {report['tolerance']}"
    print(f"\n{len(rows)} scenario(s) {within}, by total impact score (TIS):")
    if rows:
        _print_table(descriptors, rows, report["tolerance"] != 0)
    for k, row in enumerate(rows, start=1):
        if "explanation" in row:
            print(f"\nScenario {k} ({' '.join(map(str, row['variants']))}):")
            for sentence in row["explanation"]:
                print(f"  {sentence}")
    if "succession" in report:
        s = report["succession"]
        print(f"\n{s['kind'].capitalize()} succession from {' '.join(map(str, s['start']))}:")
        for z in s["path"]:
            print(f"  {' '.join(map(str, z))}")
        if s["outcome"] == "fixed_point":
            print("  ends in a fixed point (a consistent scenario)")
        else:
            print(f"  ends in a cycle of {len(s['cycle'])}: {' -> '.join(' '.join(map(str, z)) for z in s['cycle'])}")
    if "ensemble" in report:
        e = report["ensemble"]
        print(f"\nEnsemble of {len(e['matrices'])} matrices ({', '.join(e['matrices'])}):")
        for row in e["scenarios"]:
            print(
                f"  {row['count']}/{len(e['matrices'])}  {' '.join(map(str, row['variants']))}  "
                f"{', '.join(row['matrices'])}"
            )
    if "sensitivity" in report:
        entries = report["sensitivity"]
        print(f"\nSensitivity: {len(entries)} single judgment change(s) of 1 alter the set")
        for e in entries:
            added = "; ".join(" ".join(map(str, z)) for z in e["added"]) or "-"
            removed = "; ".join(" ".join(map(str, z)) for z in e["removed"]) or "-"
            print(
                f"  {'='.join(e['from'])} -> {'='.join(e['to'])}: {e['old_value']} -> "
                f"{_plain(e['old_value'] + e['change'])}  adds {added}  removes {removed}"
            )
    if report["written"]:
        print()
    for path in report["written"]:
        print(f"wrote {path}")


def _print_table(descriptors: list[dict[str, Any]], rows: list[dict[str, Any]], show_inconsistency: bool) -> None:
    heads = [
        "#",
        "TIS",
        "margin",
        *(["incons."] if show_inconsistency else []),
        "variants",
        *(d["name"] for d in descriptors),
    ]
    table = [
        [
            str(k),
            _text(r["tis"]),
            _text(r["margin"]),
            *([_text(r["inconsistency"])] if show_inconsistency else []),
            " ".join(map(str, r["variants"])),
            *r["names"],
        ]
        for k, r in enumerate(rows, start=1)
    ]
    numeric = 4 if show_inconsistency else 3
    widths = [max(len(h), *(len(row[c]) for row in table)) for c, h in enumerate(heads)]
    for line in [heads, *table]:
        cells = [cell.rjust(w) if c < numeric else cell.ljust(w) for c, (cell, w) in enumerate(zip(line, widths))]
        print("  " + "  ".join(cells).rstrip())


def _plain(value: float) -> int | float | None:
    """JSON-friendly number: integers without ".0", infinity as null."""
    value = float(value)
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() else value


def _text(value: int | float | None) -> str:
    return "-" if value is None else str(value)
