"""CPU time of one pytest process's start-up and collection (`pytest --collect-only` over the whole suite), which
every pytest-xdist worker of `make test` pays before its first test, as `make test` runs it against two baselines
measured alternately in the same call:

- "no bytecode": `PYTHONDONTWRITEBYTECODE=1`, run in a fresh `git archive` copy of the repository (no
  `__pycache__`), so the test modules and `sat` are compiled and assertion-rewritten in every process; the caches of
  pytest's assertion rewriting for plugin packages in `.venv` are left as they are (if a previous run wrote them
  this baseline understates the cost);
- "no lean start": bytecode caches written and read, without `-p tests.lean_start`.

    .venv/bin/python benchmarks/bench_collect.py --repeat 5
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLLECT = ["--collect-only", "-q", "-p", "no:cacheprovider", "--nbval", "tests", "notebooks"]


def cpu_of(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    """User + system CPU seconds of one process (and its children) running ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    lean = [sys.executable, "-m", "pytest", "-p", "tests.lean_start", *COLLECT]
    plain = [sys.executable, "-m", "pytest", *COLLECT]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    figures: dict[str, list[float]] = {"make test": [], "no bytecode": [], "no lean start": []}
    cpu_of(lean, ROOT, env)  # writes the caches
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "HEAD"], capture_output=True, check=True)
        copy = Path(tmp) / "copy"
        copy.mkdir()
        tar = Path(tmp) / "head.tar"
        tar.write_bytes(archive.stdout)
        with tarfile.open(tar) as bundle:
            bundle.extractall(copy, filter="data")
        cold = {**env, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(copy / "src")}
        for _ in range(args.repeat):
            figures["make test"].append(cpu_of(lean, ROOT, env))
            figures["no bytecode"].append(cpu_of(plain, copy, cold))
            figures["no lean start"].append(cpu_of(plain, ROOT, env))
    base = statistics.median(figures["make test"])
    print(
        f"CPU s of one `pytest --collect-only` process, median of {args.repeat} (load average {os.getloadavg()[0]:.1f})"
    )
    for name, values in figures.items():
        median = statistics.median(values)
        print(f"{name:>14}: {median:5.2f} s  (min {min(values):5.2f}; {median / base:4.2f}x `make test`)")


if __name__ == "__main__":
    main()
