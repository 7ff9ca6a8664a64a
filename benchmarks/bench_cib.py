"""Benchmark of the exact CIB search: the whole ``sat cib FILE --json`` process on the SEI reference models.

Prints, per model, the scenario space, the minimum and median wall time of the whole process over several runs,
the in-process search time alone, and the number of consistent scenarios, checked against ScenarioWizard's
solution list (.sl). Usage::

    .venv/bin/python benchmarks/bench_cib.py [--repeat 5]

The reference files are read in place from ../shared/reference/cib beside the repository (never copied).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference" / "cib"
MODELS = ["CIB_nested.scw", "CIB_natl_regional.scw"]


def python() -> str:
    """The repository's virtual environment if there is one (it has ``sat`` installed), else this interpreter."""
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def whole_process(path: Path, repeat: int) -> tuple[list[float], dict]:
    command = [python(), "-m", "sat.cli", "cib", str(path), "--json"]
    times, report = [], {}
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
        report = json.loads(done.stdout)
    return times, report


def search_only(path: Path, repeat: int) -> float:
    sys.path.insert(0, str(ROOT / "src"))
    from sat.scenarios.cib import search
    from sat.scenarios.scw import read_scw

    matrix = read_scw(path).matrix
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        search(matrix)
        best = min(best, time.perf_counter() - start)
    return best


def expected(path: Path) -> set[tuple[int, ...]] | None:
    sl = path.with_suffix(".sl")
    if not sl.exists():
        return None
    rows = [line for line in sl.read_text().splitlines() if line.startswith('"')]
    return {tuple(int(v) for v in line.split('"')[1].split()) for line in rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per model (default 5)")
    args = parser.parse_args()
    if not REFERENCE.is_dir():
        print(f"reference files not found at {REFERENCE}", file=sys.stderr)
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"machine: {cpus} CPUs ({cpu_model()}), Python {platform.python_version()}, {platform.system()}")
    print(f"command: {python()} -m sat.cli cib FILE --json   ({args.repeat} runs each)\n")
    print(f"{'model':<24} {'scenarios':>12} {'min s':>7} {'median s':>9} {'search s':>9} {'consistent':>10}  check")
    failed = False
    for name in MODELS:
        path = REFERENCE / name
        times, report = whole_process(path, args.repeat)
        found = {tuple(r["variants"]) for r in report["consistent"]}
        want = expected(path)
        verdict = "no .sl" if want is None else ("= .sl" if found == want else f"DIFFERS from .sl ({len(want)})")
        failed |= want is not None and found != want
        print(
            f"{name:<24} {report['scenarios_total']:>12,} {min(times):>7.2f} {statistics.median(times):>9.2f} "
            f"{search_only(path, args.repeat):>9.3f} {len(found):>10}  {verdict}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
