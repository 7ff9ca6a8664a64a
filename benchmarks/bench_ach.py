"""Benchmark of ACH scoring (prints figures; not a test).

1. Whole process: `sat ach score CASE --json` with full sensitivity and 10,000 robustness draws on a synthetic case
   of 30 hypotheses x 3,000 evidence items x 5 analysts, next to a bare `python -c "import numpy, pandas"`.
   Targets: under 2 s, and within 2.5x of the bare import.
2. The editor's path: one cell changed in a 20 x 200 matrix, then the scores (with sensitivity) recomputed in
   process. Target: under 20 ms.
3. With --large: the same command on 100 hypotheses x 20,000 items x 10 analysts (twenty million rated cells):
   wall time, peak memory (maximum resident set) and the size of the JSON, by default and with --full.
   Targets: under 5 s and under 600 MB.

Run: .venv/bin/python benchmarks/bench_ach.py [--repeat N] [--large]
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

from sat.rating_scale import RATING_CODES

CODES = np.array(RATING_CODES)  # CC, C, N, I, II, NA: WEIGHTS below follow this order
WEIGHTS = [0.08, 0.3, 0.32, 0.2, 0.08, 0.02]


def make_case(folder: Path, hypotheses: int, evidence: int, analysts: int, seed: int = 1) -> Path:
    """Write a synthetic, valid case: random ratings shared with small differences between analysts, a tenth of
    the items in dependence groups of three."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True)
    hids = [f"H{i + 1:02d}" for i in range(hypotheses)]
    eids = [f"E{i + 1:04d}" for i in range(evidence)]
    levels = ["low", "medium", "high"]
    case = {
        "id": "synthetic",
        "title": "Synthetic benchmark case",
        "question": "Which hypothesis does random evidence favour?",
        "as_of": "2024-01-01",
        "hypotheses": [{"id": h, "title": f"Hypothesis {h}"} for h in hids[:-1]]
        + [{"id": hids[-1], "title": "Other explanation"}],
        "evidence": [
            {
                "id": e,
                "summary": f"Item {e}",
                "type": "open-source",
                "sources": [f"S{i % 50 + 1}"],
                "credibility": levels[rng.integers(3)],
                "relevance": levels[rng.integers(3)],
                **({"group": f"g{i // 3}"} if i < evidence // 10 else {}),
            }
            for i, e in enumerate(eids)
        ],
        "sources": [{"id": f"S{i + 1}", "title": f"Source {i + 1}", "reliability": "B"} for i in range(50)],
    }
    (folder / "case.yaml").write_text(yaml.safe_dump(case, sort_keys=False))
    (folder / "ratings").mkdir()
    # Analysts share most judgements: each starts from one base matrix and reads 15% of its cells a step
    # differently (independent random matrices would put nearly every cell in dispute, which no real team does).
    base = rng.choice(len(CODES), size=(evidence, hypotheses), p=WEIGHTS)
    for a in range(analysts):
        step = np.where(rng.random(base.shape) < 0.15, rng.choice([-1, 1], size=base.shape), 0)
        moved = np.where(base < 5, np.clip(base + step, 0, 4), base)  # NA (index 5) stays NA
        ratings = CODES[moved]
        with (folder / "ratings" / f"analyst{a + 1}.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["evidence", *hids])
            writer.writerows([eid, *row] for eid, row in zip(eids, ratings))
    return folder


def time_commands(commands: dict[str, list[str]], repeat: int) -> dict[str, list[float]]:
    """Wall-clock seconds of each whole process, ``repeat`` times, taking the commands in turn so that they share
    the machine's conditions. One untimed warm-up run each first; bytecode is cached as Python normally does (and
    as pip does for installed packages), even where PYTHONDONTWRITEBYTECODE is set."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(repeat + 1):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            if round_:
                times[name].append(time.perf_counter() - start)
    return times


def run_measured(command: list[str]) -> tuple[float, float, int, float]:
    """Wall seconds, peak resident memory (MB), bytes written to standard output and CPU seconds (user + system)
    of one whole process. On a shared machine the CPU time is the steadier figure."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            raise SystemExit(f"{' '.join(command)} failed with status {proc.returncode}")
        size = out.seek(0, os.SEEK_END)
    return seconds, usage.ru_maxrss / 1024, size, usage.ru_utime + usage.ru_stime


def large(tmp: Path, repeat: int) -> None:
    """Section 3: twenty million cells, whole processes, beside the bare import in the same rounds."""
    folder = make_case(tmp / "large", 100, 20_000, 10)
    score = [sys.executable, "-m", "sat.cli", "ach", "score", str(folder), "--json"]
    bare = [sys.executable, "-c", "import numpy, pandas"]
    runs: dict[str, list[tuple[float, float, int, float]]] = {"bare": [], "default": [], "full": []}
    for _ in range(repeat):
        runs["bare"].append(run_measured(bare))
        runs["default"].append(run_measured(score))
        runs["full"].append(run_measured([*score, "--full"]))
    for name, label in (
        ("bare", "bare import"),
        ("default", "`sat ach score --json` 100 x 20,000 x 10"),
        ("full", "the same with --full"),
    ):
        seconds = [r[0] for r in runs[name]]
        cpu = statistics.median(r[3] for r in runs[name])
        peak = max(r[1] for r in runs[name])
        size = runs[name][-1][2]
        print(
            f"{label}: {describe(seconds)}, CPU median {cpu:.3f} s, peak memory {peak:.0f} MB"
            + (f", JSON {size / 1e6:.1f} MB" if name != "bare" else "")
        )
    print("targets: under 5 s and under 600 MB (default JSON)")


def editor_path(folder: Path, repeat: int) -> list[float]:
    from sat.ach.analysis import score_case
    from sat.store import load_case

    case = load_case(folder)
    analyst = case.analysts[0]
    matrix = case.ratings[analyst]
    rng = np.random.default_rng(0)
    times = []
    for _ in range(repeat):
        e, h = rng.integers(matrix.shape[0]), rng.integers(matrix.shape[1])
        start = time.perf_counter()
        matrix.iat[e, h] = CODES[rng.integers(5)]
        score_case(case, draws=0)
        times.append(time.perf_counter() - start)
    return times


def stages(folder: Path, repeat: int) -> dict[str, float]:
    """Median in-process seconds of each step of `sat ach score --json` (warm: after the first run)."""
    import json

    from sat.ach.analysis import score_case
    from sat.store import load_case

    steps: dict[str, list[float]] = {"read the case": [], "score": [], "build and encode the JSON": []}
    for _ in range(repeat + 1):
        start = time.perf_counter()
        case = load_case(folder)
        loaded = time.perf_counter()
        scores = score_case(case, draws=10_000)
        scored = time.perf_counter()
        json.dumps(scores.to_json(), ensure_ascii=False)
        done = time.perf_counter()
        for name, seconds in zip(steps, (loaded - start, scored - loaded, done - scored)):
            steps[name].append(seconds)
    return {name: statistics.median(values[1:]) for name, values in steps.items()}


def describe(times: list[float]) -> str:
    return f"min {min(times):.3f} s, median {statistics.median(times):.3f} s (n={len(times)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--large", action="store_true", help="also the 100 x 20,000 x 10 case (a minute or more)")
    args = parser.parse_args()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    print(
        f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        big = make_case(Path(tmp) / "big", 30, 3000, 5)
        times = time_commands(
            {
                "bare": [sys.executable, "-c", "import numpy, pandas"],
                "score": [sys.executable, "-m", "sat.cli", "ach", "score", str(big), "--json", "--draws", "10000"],
            },
            args.repeat,
        )
        bare, score = times["bare"], times["score"]
        print(f"bare `python -c 'import numpy, pandas'`: {describe(bare)}")
        print(f"`sat ach score` 30 x 3000 x 5, sensitivity + 10,000 draws: {describe(score)}")
        print(
            f"ratio to the bare import (medians): {statistics.median(score) / statistics.median(bare):.2f}x "
            "(target: under 2 s and within 2.5x)"
        )
        split = ", ".join(f"{name} {seconds:.3f} s" for name, seconds in stages(big, args.repeat).items())
        print(f"in process, median: {split}")
        small = make_case(Path(tmp) / "small", 20, 200, 2)
        edits = editor_path(small, max(args.repeat * 20, 50))
        print(
            f"one cell change -> rescored 20 x 200 x 2 with sensitivity: median "
            f"{statistics.median(edits) * 1000:.1f} ms, max {max(edits) * 1000:.1f} ms (target: under 20 ms)"
        )
        if args.large:
            large(Path(tmp), max(1, args.repeat // 2))
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
