"""The long fuzz campaign of issue 15: generated hostile input through the real ``sat`` commands, with a time and a
memory cap per run, counted per input kind.

Usage (from the repository root)::

    .venv/bin/python benchmarks/fuzz.py                     # 11,000 inputs, 25 s and 1 GiB per run, 2 at a time
    .venv/bin/python benchmarks/fuzz.py --inputs 700 --jobs 1 --seed 7
    .venv/bin/python benchmarks/fuzz.py --exec --inputs 300 # each run a fresh `sat` process (slower, same counts)
    .venv/bin/python benchmarks/fuzz.py --save-crashes tests/fuzz/crashes

Inputs come from ``tests/fuzz/fuzz_corpus.py`` (the failure classes of the issue as explicit mutation operators, plus
generic ones), in the issue's proportions per kind, each reproducible from ``--seed``, its kind and its number.

Each input is placed in a fresh work folder and its command (``sat validate``, ``sat ach score``, ``sat ach
import``, ``sat ach import-matrix``, ``sat cib``, ``sat grade``, ``sat exercise check``) runs in a child process
with an address-space limit (``RLIMIT_AS``: the parent's size plus ``--memory``) and a wall-clock limit
(``--timeout``). By default the child is forked from this process after the package is imported and calls
``sat.cli.main`` (the entry point of the ``sat`` script), which
saves the interpreter start-up per run; ``--exec`` starts the installed ``sat`` script instead. A run counts as

- a *hang* when it is killed at the time limit;
- a *memory blow-up* when it hits the memory cap (MemoryError, a crash by signal) or its peak RSS passes ``--memory``;
- a *traceback* when anything else escapes as a traceback or the status is neither 0 nor 2;
- a *partial write* when it fails (status 2, or killed) and a visible file of the work folder changed.

It prints the table of the issue, then the operators behind each failure. With ``--save-crashes DIR`` the first failing
input of each kind, verdict and exception is saved there (compressed) so that ``tests/fuzz/test_fuzz.py`` replays it
from then on.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fuzz"))

import fuzz_corpus as corpus  # noqa: E402 - found through the path set just above
from fuzz_corpus import KINDS, Input, partial_write, place, snapshot  # noqa: E402

#: The issue's counts per kind (10,399 inputs), used as proportions, and the training files that landed since.
WEIGHTS = {
    "case.yaml": 3555,
    "ratings CSV": 1484,
    "notes CSV": 1036,
    "scenarios.yaml": 1418,
    ".achz": 1744,
    ".scw": 549,
    ".xlsx": 613,
    "exercise files": 600,
}
COLUMNS = ("tracebacks", "hangs", "memory blow-ups", "partial writes")


@dataclass
class Result:
    item: Input
    verdict: str  # "ok", or one of COLUMNS
    status: int | None
    seconds: float
    peak_mb: float
    detail: str
    error: str = ""  # the exception's type, for a traceback


def _status(field: str) -> int:
    """A size from /proc/self/status in bytes (``VmSize``: the child's cap is this plus the budget; ``VmRSS``: what
    a forked child shares at birth, which its peak RSS includes)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _trim() -> None:
    """Give freed heap back to the system, so that the parent (which children share at fork) stays small."""
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _vm_size() -> int:
    return _status("VmSize")


def _preload() -> None:
    """Import what the commands import, once, before forking."""
    import sat.ach.achz
    import sat.ach.analysis
    import sat.ach.command
    import sat.ach.excel
    import sat.cli
    import sat.scenarios.cib
    import sat.scenarios.command
    import sat.scenarios.scenario_file
    import sat.store
    import sat.training.command  # noqa: F401


def _child(argv: list[str], out: Path, err: Path, limit: int) -> None:
    """In the forked child: cap memory, send output to files, run the command line, exit with its status."""
    status = 1
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        for fd, path in ((1, out), (2, err)):
            target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(target, fd)
            os.close(target)
        sys.stdout = open(1, "w", encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
        from sat.cli import main

        try:
            status = main(argv)
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 2
        except BaseException:
            traceback.print_exc()
            status = 1
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(status)


class Runner:
    """Runs inputs in child processes, at most ``jobs`` at a time."""

    def __init__(self, timeout: float, memory: int, jobs: int, use_exec: bool, scratch: Path):
        self.timeout, self.memory, self.jobs, self.use_exec, self.scratch = timeout, memory, jobs, use_exec, scratch
        self.limit = (_vm_size() if not use_exec else 0) + memory
        self.running: dict[int, tuple[Input, Path, float, dict[str, bytes], subprocess.Popen | None]] = {}
        self.inherited: dict[int, float] = {}  # pid -> MiB resident in this process when the child was forked
        self.sat = shutil.which("sat", path=str(Path(sys.executable).parent)) or "sat"

    def start(self, item: Input) -> None:
        work = Path(tempfile.mkdtemp(dir=self.scratch))
        place(item, work)
        before = snapshot(work)
        argv = item.command(work)
        out, err = work / ".stdout", work / ".stderr"
        if self.use_exec:
            limit = self.memory + 600 * 2**20  # a fresh interpreter with numpy and pandas: about 600 MB of mappings
            proc = subprocess.Popen(
                [self.sat, *argv],
                stdout=out.open("wb"),
                stderr=err.open("wb"),
                cwd=work,
                preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)),
            )
            self.running[proc.pid] = (item, work, time.monotonic(), before, proc)
            return
        self.limit = _vm_size() + self.memory  # the cap follows this process's size (its heap grows and shrinks)
        inherited = _status("VmRSS") / 2**20
        pid = os.fork()
        if pid == 0:
            try:
                os.chdir(work)
                _child(argv, out, err, self.limit)
            finally:
                os._exit(70)  # a child never returns into the campaign loop
        self.running[pid] = (item, work, time.monotonic(), before, None)
        self.inherited[pid] = inherited

    def reap(self, block: bool) -> list[Result]:
        """Results of the children that ended (or were killed at the time limit)."""
        results = []
        while self.running:
            now = time.monotonic()
            for pid, (item, work, started, before, _) in list(self.running.items()):
                hung = now - started > self.timeout
                if hung:
                    os.kill(pid, signal.SIGKILL)
                got, status, usage = os.wait4(pid, 0 if hung else os.WNOHANG)
                if got:
                    del self.running[pid]
                    inherited = self.inherited.pop(pid, 0.0)
                    results.append(
                        self._judge(item, work, before, status, usage, hung, time.monotonic() - started, inherited)
                    )
            if results or not block:
                return results
            time.sleep(0.003)
        return results

    def _judge(
        self,
        item: Input,
        work: Path,
        before: dict[str, bytes],
        status: int,
        usage: resource.struct_rusage,
        hung: bool,
        seconds: float,
        inherited: float = 0.0,
    ) -> Result:
        err = (work / ".stderr").read_text(errors="replace") if (work / ".stderr").exists() else ""
        code = os.waitstatus_to_exitcode(status)
        peak = usage.ru_maxrss / 1024 - inherited  # MiB the run itself added to what it shared at fork
        changed = partial_write(item, work, before) if code != 0 else []
        shutil.rmtree(work, ignore_errors=True)
        if hung:
            verdict = "hangs"
        elif "MemoryError" in err or code < 0 or peak > self.memory / 2**20:
            verdict = "memory blow-ups"
        elif "Traceback (most recent call last)" in err or code not in (0, 2):
            verdict = "tracebacks"
        elif changed:
            verdict = "partial writes"
        else:
            verdict = "ok"
        last = err.strip().splitlines()[-1] if err.strip() else ""
        detail = f"status {code}; {last[:160]}" + (f"; wrote {changed[:3]}" if changed else "")
        return Result(item, verdict, code, seconds, peak, detail, last.split(":")[0][:60] if verdict != "ok" else "")


def plan(total: int) -> list[str]:
    """The kinds of ``total`` inputs in the issue's proportions, interleaved (a run stopped early has tried every
    kind in proportion)."""
    weight = sum(WEIGHTS.values())
    counts = {kind: round(total * WEIGHTS[kind] / weight) for kind in KINDS}
    slots = sorted(
        ((n + 0.5) / counts[kind], order, kind) for order, kind in enumerate(KINDS) for n in range(counts[kind])
    )
    return [kind for _, _, kind in slots]


def table(tally: dict[str, collections.Counter[str]], seconds: dict[str, list[float]]) -> str:
    """The issue's table for the runs counted so far."""
    lines = [
        "| input | tried | tracebacks | hangs | memory blow-ups | partial writes | median s | max s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    total: collections.Counter[str] = collections.Counter()
    for kind in KINDS:
        counts = tally[kind]
        if not counts["tried"]:
            continue
        total.update(counts)
        times = sorted(seconds[kind])
        lines.append(
            f"| {kind} | {counts['tried']:,} | "
            + " | ".join(f"{counts[c]:,}" for c in COLUMNS)
            + f" | {times[len(times) // 2]:.2f} | {times[-1]:.2f} |"
        )
    lines.append(f"| **all** | {total['tried']:,} | " + " | ".join(f"{total[c]:,}" for c in COLUMNS) + " | | |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=11_000, help="number of generated inputs (default 11,000)")
    parser.add_argument("--seed", type=int, default=15, help="campaign seed (default 15)")
    parser.add_argument("--timeout", type=float, default=25.0, help="seconds per run (default 25)")
    parser.add_argument("--memory", type=int, default=1024, help="MiB per run above the start-up size (default 1024)")
    parser.add_argument("--jobs", type=int, default=2, help="runs at a time (default 2)")
    parser.add_argument("--exec", dest="use_exec", action="store_true", help="start the `sat` script for each run")
    parser.add_argument("--kinds", nargs="*", choices=KINDS, help="only these input kinds")
    parser.add_argument("--start", type=int, default=0, help="skip the plan's first N inputs (resume a run)")
    parser.add_argument(
        "--save-crashes", type=Path, metavar="DIR", help="save one failing input per kind, verdict and exception here"
    )
    args = parser.parse_args()

    if not args.use_exec:
        _preload()
    corpus.base_files()
    kinds = [k for k in plan(args.inputs) if not args.kinds or k in args.kinds]
    scratch = Path(tempfile.mkdtemp(prefix="sat-fuzz-campaign-"))
    runner = Runner(args.timeout, args.memory * 2**20, args.jobs, args.use_exec, scratch)
    tally: dict[str, collections.Counter[str]] = {kind: collections.Counter() for kind in KINDS}
    seconds: dict[str, list[float]] = collections.defaultdict(list)
    failures: list[Result] = []
    started = time.monotonic()
    numbers: collections.Counter[str] = collections.Counter(kinds[: args.start])
    kinds = kinds[args.start :]
    stopped = False
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a stop prints the table of what was run
    try:
        queue = list(kinds)
        while queue or runner.running:
            while queue and len(runner.running) < args.jobs:
                kind = queue.pop(0)
                number = numbers[kind]
                numbers[kind] += 1
                item = corpus.generate(kind, random.Random(f"{args.seed}:{kind}:{number}"))
                item.operators.append(f"#{number}")
                runner.start(item)
            for result in runner.reap(block=True):
                if result.item.kind and sum(c["tried"] for c in tally.values()) % 100 == 0:
                    _trim()
                kind = result.item.kind
                tally[kind]["tried"] += 1
                tally[kind][result.verdict] += 1
                seconds[kind].append(result.seconds)
                if result.verdict != "ok":
                    failures.append(result)
                done = sum(counts["tried"] for counts in tally.values())
                if done % 500 == 0:
                    print(
                        f"\n{done:,} of {len(kinds):,} inputs, {time.monotonic() - started:.0f} s\n"
                        f"{table(tally, seconds)}",
                        file=sys.stderr,
                        flush=True,
                    )
    except KeyboardInterrupt:
        stopped = True
        for pid in list(runner.running):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    elapsed = time.monotonic() - started

    print(
        f"sat fuzz campaign: {len(kinds):,} inputs, seed {args.seed}, {args.timeout:g} s and {args.memory} MiB per "
        f"run, {args.jobs} at a time, {'exec' if args.use_exec else 'fork'} mode; {elapsed:.0f} s in all\n"
    )
    if stopped:
        print(
            f"STOPPED EARLY (SIGTERM or Ctrl-C): {sum(c['tried'] for c in tally.values()):,} of the planned inputs "
            "were run.\n"
        )
    print(table(tally, seconds))
    if failures:
        print("\nFailures (kind, verdict, operators, detail):")
        for result in failures[:60]:
            item = result.item
            print(f"  {item.kind} | {result.verdict} | {', '.join(item.operators)} | {result.detail}")
        if args.save_crashes:
            from fuzz_runner import save_crash

            kept: set[tuple[str, str, str]] = set()
            for result in failures:
                item = result.item
                signature = (item.kind, result.verdict, result.error)
                if signature in kept:
                    continue
                kept.add(signature)
                slug = item.kind.strip(".").replace(" ", "-").replace(".", "-").lower()
                save_crash(item, f"{slug}-seed{args.seed}-{item.operators[-1].strip('#')}", args.save_crashes)
            print(f"\n{len(kept)} failing inputs (one per kind, verdict and exception) saved in {args.save_crashes}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
