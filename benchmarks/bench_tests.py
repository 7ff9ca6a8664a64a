"""Wall and CPU time of the whole `make test`: one serial baseline run (TEST_JOBS=0) beside the xdist runs.

Each run is a separate `make test` process; CPU is the user + system time of everything it waited for (pytest, its
xdist workers, kernels, servers, Chromium), from ``getrusage(RUSAGE_CHILDREN)``. The load average is printed before
each run because the machine is shared: a run's wall time is only comparable with the other runs of the same call.

    .venv/bin/python benchmarks/bench_tests.py                 # serial baseline, then two xdist runs
    .venv/bin/python benchmarks/bench_tests.py --no-serial --repeat 2
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(jobs: str) -> tuple[float, float, int, str]:
    """Wall s, CPU s, exit status and pytest's summary line of one `make test TEST_JOBS=jobs`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run(
        ["make", "test", f"TEST_JOBS={jobs}", "PYTEST_ARGS=-p no:cacheprovider -q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = [line for line in done.stdout.splitlines() if " in " in line and ("passed" in line or "failed" in line)]
    return wall, cpu, done.returncode, lines[-1].strip("= ") if lines else done.stdout[-300:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="xdist runs (TEST_JOBS=auto)")
    parser.add_argument("--no-serial", action="store_true", help="leave out the serial baseline run")
    args = parser.parse_args()
    plan = ([] if args.no_serial else ["0"]) + ["auto"] * args.repeat
    print(f"cores: {os.cpu_count()}")
    print("| run | TEST_JOBS | load average before (1/5/15 min) | wall s | CPU s | CPU / wall | status | pytest |")
    print("|---:|---|---|---:|---:|---:|---:|---|")
    for number, jobs in enumerate(plan, 1):
        load = "/".join(f"{x:.1f}" for x in os.getloadavg())
        wall, cpu, status, summary = run(jobs)
        print(
            f"| {number} | {jobs} | {load} | {wall:.1f} | {cpu:.1f} | {cpu / wall:.2f} | {status} | {summary} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
