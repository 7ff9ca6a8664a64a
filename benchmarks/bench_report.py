"""Benchmark of report rendering (prints figures; not a test).

1. One report, whole process: `sat report` of the Karish case's ACH report (a copy holding case.yaml and ratings
   only, since the bundled case also renders indicator and worksheet reports), next to the issue's baseline, bare
   papermill + `jupyter nbconvert --to html --no-input` of a trivial three-cell notebook, and next to the engine this
   replaced (the same notebook run by papermill in a fresh ipykernel, then converted). Commands take turns; medians.
   Target: at most half the baseline.
2. Batches of 10 and 50 renders (copies of the Karish case's ACH part in a class folder): `sat report CLASS
   --jobs 1`, `--jobs 2`, and `--scheduler` on a dask.distributed LocalCluster of 2 worker processes (1 thread
   each) started by this script. Target: `--jobs 2` at least 1.8x faster than `--jobs 1`, and at most 1.5 s per report.
3. Where the time of one report goes, in process: each import, executing the cells, converting to HTML.

Run: .venv/bin/python benchmarks/bench_report.py [--repeat N] [--batches 10,50] [--no-dask]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

OLD_ENGINE = """
import sys, nbformat, papermill
from sat.report import notebook_to_html
from sat.store import load_case
from pathlib import Path
folder = Path(sys.argv[1]); out = Path(sys.argv[2])
load_case(folder)
papermill.execute_notebook(sys.argv[3], str(out / "executed.ipynb"), parameters={"case": str(folder), "analyst": ""},
                           kernel_name="python3", progress_bar=False, cwd=str(out))
(out / "old.html").write_text(notebook_to_html(nbformat.read(str(out / "executed.ipynb"), as_version=4)))
"""

SPLIT = """
import os, sys, time
laps = []
t = time.process_time()
def lap(name):
    global t
    now = time.process_time(); laps.append((name, now - t)); t = now
from sat import sandbox
sandbox.claim_process(); lap("start-up, sat.sandbox")
import sat.store; lap("import pandas, sat.store (validation)")
sat.store.load_case(sys.argv[1]); lap("validate the case")
import matplotlib.pyplot; lap("import matplotlib.pyplot")
import IPython.core.interactiveshell; lap("import IPython")
import nbformat; lap("import nbformat (jsonschema, without rfc3987_syntax)")
import nbconvert; lap("import nbconvert")
import sat.ach.figures, sat.ach.analysis, sat.ach.narrative, sat.execute; lap("import sat's ACH modules")
from sat.execute import execute_notebook, inject_parameters
from sat.report import notebook_to_html
os.environ["IPYTHONDIR"] = sys.argv[2]
nb = inject_parameters(nbformat.read(sys.argv[3], as_version=4), {"case": sys.argv[1], "analyst": ""})
lap("read the notebook")
out = execute_notebook(nb); lap("execute the cells")
html = notebook_to_html(nbformat.from_dict(out)); lap("convert to HTML")
for name, seconds in laps:
    print(f"{name}\\t{seconds:.3f}")
"""


CPU: list[float] = []  # CPU seconds (user + system) of each command timed, its child processes included


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], cwd: Path | None = None) -> float:
    """Wall seconds of one whole process; its CPU seconds go to ``CPU`` (a noisy machine inflates the first, not
    the second)."""
    cpu = _children_cpu()
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, cwd=cwd)
    CPU.append(_children_cpu() - cpu)
    return time.perf_counter() - start


def trivial_notebook(path: Path) -> Path:
    cells = [
        {"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": meta, "outputs": [], "source": source}
        for i, (source, meta) in enumerate([("x = 1", {"tags": ["parameters"]}), ("y = x + 1", {}), ("print(y)", {})])
    ]
    nb = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb))
    return path


def ach_only(target: Path) -> Path:
    """A copy of the Karish case that calls for one report, the ACH report: its case.yaml and ratings only (the
    bundled case also has an indicator board and worksheets, each a report of its own)."""
    source = ROOT / "data" / "cases" / "karish"
    target.mkdir(parents=True)
    shutil.copy2(source / "case.yaml", target / "case.yaml")
    shutil.copytree(source / "ratings", target / "ratings")
    return target


def one_report(tmp: Path, repeat: int) -> None:
    trivial = trivial_notebook(tmp / "trivial.ipynb")
    karish = ach_only(tmp / "karish")
    commands = {
        "sat report karish, ACH report (this engine)": lambda: timed(
            [str(BIN / "sat"), "report", str(karish), "--out", str(tmp / "one")]
        ),
        "baseline: papermill + nbconvert, trivial notebook": lambda: (
            timed([str(BIN / "papermill"), "--no-progress-bar", str(trivial), str(tmp / "out.ipynb")], cwd=tmp)
            + timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(tmp / "out.ipynb")], cwd=tmp)
        ),
        "old engine: papermill + fresh kernel, karish": lambda: timed(
            [sys.executable, "-c", OLD_ENGINE, str(karish), str(tmp), str(ROOT / "notebooks/ach/ach_report.ipynb")]
        ),
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(repeat + 1):
        for name, run in commands.items():
            CPU.clear()
            seconds = run()
            if round_:  # the first round warms the caches and is not counted
                times[name].append(seconds)
                cpus[name].append(sum(CPU))
    base = statistics.median(times["baseline: papermill + nbconvert, trivial notebook"])
    base_cpu = statistics.median(cpus["baseline: papermill + nbconvert, trivial notebook"])
    print(
        "\n1. One report, whole process (median of",
        repeat,
        "alternating runs; min in brackets; CPU = user + system of every process involved)",
    )
    for name, values in times.items():
        median, cpu = statistics.median(values), statistics.median(cpus[name])
        print(
            f"   {name:<52} {median:6.2f} s (min {min(values):.2f}) {median / base:5.2f}x baseline | "
            f"CPU {cpu:5.2f} s {cpu / base_cpu:5.2f}x"
        )


def make_class(folder: Path, count: int) -> Path:
    for i in range(count):
        ach_only(folder / f"trainee{i:02d}" / "karish")
    return folder


def batches(tmp: Path, sizes: list[int], repeat: int, dask: bool) -> None:
    sat = str(BIN / "sat")
    cluster = None
    if dask:
        from distributed import LocalCluster

        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        )
        warm = make_class(tmp / "warm", 2)  # each worker starts its warm helper process once
        timed([sat, "report", str(warm), "--scheduler", cluster.scheduler_address, "--out", str(tmp / "w")])
    try:
        for size in sizes:
            klass = make_class(tmp / f"class{size}", size)
            commands = {
                "--jobs 1 (serial)": [sat, "report", str(klass), "--jobs", "1", "--out", str(tmp / "o")],
                "--jobs 2": [sat, "report", str(klass), "--jobs", "2", "--out", str(tmp / "o")],
            }
            if cluster is not None:
                commands["LocalCluster, 2 workers"] = [
                    sat,
                    "report",
                    str(klass),
                    "--scheduler",
                    cluster.scheduler_address,
                    "--out",
                    str(tmp / "o"),
                ]
            times: dict[str, list[float]] = {name: [] for name in commands}
            cpus: dict[str, list[float]] = {name: [] for name in commands}
            for _ in range(repeat):
                for name, command in commands.items():
                    CPU.clear()
                    times[name].append(timed(command))
                    cpus[name].append(CPU[0])
            serial = statistics.median(times["--jobs 1 (serial)"])
            print(
                f"\n2. Batch of {size} renders, whole `sat report` process (median of {repeat}; CPU of the "
                "command's own processes: the cluster's workers are not counted)"
            )
            for name, values in times.items():
                median = statistics.median(values)
                print(
                    f"   {name:<28} {median:7.2f} s  {median / size:5.2f} s/report  "
                    f"{serial / median:5.2f}x faster than serial | CPU {statistics.median(cpus[name]):6.2f} s"
                )
    finally:
        if cluster is not None:
            cluster.close()


def split(tmp: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            SPLIT,
            str(ROOT / "data/cases/karish"),
            str(tmp / "ipython"),
            str(ROOT / "notebooks/ach/ach_report.ipynb"),
        ],
        capture_output=True,
        text=True,
        check=True,
        env=ENV,
        cwd=tmp,
    )
    print("\n3. Where one report's time goes (in one process, cold)")
    for line in result.stdout.splitlines():
        name, seconds = line.split("\t")
        print(f"   {name:<52} {float(seconds):6.3f} s")
    rfc = [timed([sys.executable, "-c", "import rfc3987_syntax"]) for _ in range(3)]
    bare = [timed([sys.executable, "-c", "pass"]) for _ in range(3)]
    print(
        f"   (skipped) import rfc3987_syntax, via nbformat -> jsonschema  "
        f"{statistics.median(rfc) - statistics.median(bare):6.3f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each single-report command (default 5)")
    parser.add_argument("--batch-repeat", type=int, default=1, help="runs of each batch command (default 1)")
    parser.add_argument("--batches", default="10,50", help="batch sizes (default 10,50)")
    parser.add_argument("--no-dask", action="store_true", help="skip the LocalCluster figures")
    args = parser.parse_args()
    print(
        f"Machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}; load average before: {os.getloadavg()[0]:.2f}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        one_report(Path(tmp), args.repeat)
        split(Path(tmp))
        batches(Path(tmp), [int(n) for n in args.batches.split(",")], args.batch_repeat, not args.no_dask)
    print(f"\nLoad average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
