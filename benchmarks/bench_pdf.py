"""Benchmark of printing a case's reports to PDF (prints figures; not a test).

`sat report CASE --pdf PAPER` prints every report of the case with one Chromium (`sat.pdf.PdfPrinter`); before, it
launched one per report (`sat.pdf.html_to_pdf` for each). This script renders the case's reports once, then times
both ways of printing them, each in a process of its own, taking turns: CPU seconds (user + system of the process and
of every process under it, Chromium's included: the script makes itself a child subreaper, so the Chromium processes
orphaned at shutdown are reaped and counted here too) and wall seconds; medians.

Run: .venv/bin/python benchmarks/bench_pdf.py [--case syria-militias] [--paper Letter] [--repeat 3]
Linux only (prctl PR_SET_CHILD_SUBREAPER).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
PR_SET_CHILD_SUBREAPER = 36

ONE_EACH = """
import sys
from pathlib import Path
from sat.pdf import html_to_pdf
for html in sys.argv[2:]:
    html_to_pdf(html, Path(html).with_suffix(".pdf"), sys.argv[1])
"""

ONE_FOR_ALL = """
import sys
from pathlib import Path
from sat.pdf import PdfPrinter
with PdfPrinter(sys.argv[1]) as printer:
    for html in sys.argv[2:]:
        printer.print(html, Path(html).with_suffix(".pdf"))
"""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(script: str, paper: str, pages: list[str]) -> tuple[float, float]:
    """Run ``script`` in a child Python; reap every process under it; (wall s, CPU s of all of them)."""
    cpu, start = children_cpu(), time.monotonic()
    subprocess.run([sys.executable, "-c", script, paper, *pages], check=True)
    wall = time.monotonic() - start
    while True:  # orphans (Chromium's helpers) were re-parented to this process: reap them all
        try:
            os.wait()
        except ChildProcessError:
            break
    return wall, children_cpu() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="syria-militias")
    parser.add_argument("--paper", default="Letter", choices=("A4", "Letter"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit("prctl(PR_SET_CHILD_SUBREAPER) failed: Linux only")
    print(f"machine: {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}")
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run(
            [str(BIN / "sat"), "report", args.case, "--out", out], capture_output=True, text=True, check=True
        )
        pages = run.stdout.split()
        print(f"{args.case}: {len(pages)} reports on {args.paper}, {args.repeat} turns each after an untimed one")
        ways = {"one Chromium per report (before)": ONE_EACH, "one Chromium for all (sat report --pdf)": ONE_FOR_ALL}
        for script in ways.values():
            timed(script, args.paper, pages)
        figures: dict[str, list[tuple[float, float]]] = {name: [] for name in ways}
        for _ in range(args.repeat):
            for name, script in ways.items():
                figures[name].append(timed(script, args.paper, pages))
    base_wall, base_cpu = (statistics.median(x[i] for x in figures[next(iter(ways))]) for i in (0, 1))
    for name, runs in figures.items():
        wall, cpu = statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)
        print(f"{name:42s} wall {wall:6.2f} s ({wall / base_wall:.2f}x)  CPU {cpu:6.2f} s ({cpu / base_cpu:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
