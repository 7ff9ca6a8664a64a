"""Time the course hub test (`tests/test_hub_course.py`) beside a baseline tree, the two taking turns in one run.

For each run it prints the load average before it, the wall time, the CPU time of what pytest waited for
(`getrusage` of the children, what `/usr/bin/time` reports) and the CPU time of the whole process tree, sampled from
`/proc` every 0.2 s. The tree figure also counts processes that end after their parent (a kernel whose server stopped
first, reaped by init), which `getrusage` misses; each process's last 0.2 s is missed by both trees alike.

Needs what the test needs (root, Chromium, `/opt/sat-hub-env`). A baseline tree is a plain copy of another commit:

    git archive main | tar -x -C /tmp/hub-base            # (mkdir it first)
    .venv/bin/python benchmarks/bench_hub_test.py --baseline /tmp/hub-base --repeat 3
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")


def _proc_table() -> dict[tuple[int, int], tuple[int, float]]:
    """(pid, start time) -> (parent pid, CPU seconds so far) of every process now running."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # after the command: state, ppid, ... utime (12th), stime (13th), ..., starttime (20th); see proc(5)
        table[(int(entry), int(fields[19]))] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK)
    return table


KINDS = (
    "chromium",
    "jupyterhub-singleuser",
    "bin/jupyterhub",
    "ipykernel",
    "configurable-http-proxy",
    "pytest",
    "bin/sat",
    "playwright",
)


def _kind(pid: int) -> str:
    """Which part of the test a process is, from its command line (``other`` if none)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "other"
    return next((kind for kind in KINDS if kind in command), "other")


def run_once(tree: Path) -> tuple[float, float, float, int, dict[str, float]]:
    """Run the hub test in ``tree``; return wall s, CPU s of reaped children, CPU s of the process tree, exit code
    and the tree's CPU s by kind of process."""
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    command = [sys.executable, "-m", "pytest", "tests/test_hub_course.py", "-q", "-p", "no:cacheprovider"]
    proc = subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen: dict[tuple[int, int], tuple[int, float]] = {}
    kinds: dict[tuple[int, int], str] = {}
    while proc.poll() is None:
        for key, (ppid, cpu) in _proc_table().items():
            # the parent first seen: a process whose parent has ended is handed to init
            seen[key] = (seen[key][0] if key in seen else ppid, cpu)
            if key not in kinds:
                kinds[key] = _kind(key[0])
        time.sleep(0.2)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    reaped = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    parent = {pid: ppid for (pid, _), (ppid, _) in seen.items()}

    def descends(pid: int) -> bool:
        for _ in range(64):
            if pid == proc.pid:
                return True
            if pid not in parent:
                return False
            pid = parent[pid]
        return False

    by_kind: dict[str, float] = {}
    for key, (_, cpu) in seen.items():
        if descends(key[0]):
            by_kind[kinds[key]] = by_kind.get(kinds[key], 0.0) + cpu
    return wall, reaped, sum(by_kind.values()), proc.returncode, by_kind


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="a copy of the tree to compare with")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print("run  tree      load(1 min)  wall s  CPU s (reaped)  CPU s (process tree)  exit")
    results: dict[str, list[tuple[float, float, float]]] = {"baseline": [], "this": []}
    last: dict[str, dict[str, float]] = {}
    for i in range(1, args.repeat + 1):
        for name, tree in (("baseline", args.baseline.resolve()), ("this", ROOT)):
            load = os.getloadavg()[0]
            wall, reaped, tree_cpu, code, last[name] = run_once(tree)
            results[name].append((wall, reaped, tree_cpu))
            print(f"{i:>3}  {name:<8}  {load:>11.2f}  {wall:>6.1f}  {reaped:>14.1f}  {tree_cpu:>20.1f}  {code}")
    for name, rows in results.items():
        medians = [sorted(column)[len(column) // 2] for column in zip(*rows, strict=True)]
        print(f"median {name:<8}  wall {medians[0]:.1f} s, CPU {medians[1]:.1f} s reaped, {medians[2]:.1f} s tree")
    print("CPU s of the process tree by kind, last run:  " + "  ".join(f"{name:>8}" for name in last))
    for kind in (*KINDS, "other"):
        print(f"  {kind:<43}" + "  ".join(f"{last[name].get(kind, 0.0):>8.1f}" for name in last))


if __name__ == "__main__":
    main()
