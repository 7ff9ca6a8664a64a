"""Benchmark of the data layer (prints figures; not a test).

For the bundled Karish case and a synthetic case of 30 hypotheses x 3,000 evidence items (``bench_ach.make_case``):
reading the case (``load_case``), checking the whole folder (``check_folder``, what ``sat validate`` and ``sat
report`` run), and saving ``case.yaml`` after adding one evidence item, two ways in the same run: the editor's
minimal-diff save (``save_case``: splice only the changed lines, then read the result back and compare) and, as the
baseline, the old full rewrite (``dump_yaml`` of the whole case, written atomically). Also the lines each save
changes.

Run: .venv/bin/python benchmarks/bench_store.py [--repeat N]
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sat import edits  # noqa: E402
from sat.fileio import atomic_write_text  # noqa: E402
from sat.model import Evidence  # noqa: E402
from sat.store import case_to_dict, check_folder, load_case, save_case  # noqa: E402
from sat.yamlio import dump_yaml  # noqa: E402


def _bench_ach() -> Any:
    spec = importlib.util.spec_from_file_location("bench_ach", ROOT / "benchmarks" / "bench_ach.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(repeat: int, setup: Callable[[], object], run: Callable[[object], object]) -> float:
    """Median seconds of ``run(setup())`` over ``repeat`` runs (setup not timed)."""
    times = []
    for _ in range(repeat):
        state = setup()
        start = time.perf_counter()
        run(state)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def changed_lines(before: str, after: str) -> int:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return sum(1 for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---"))


def measure(name: str, folder: Path, repeat: int) -> None:
    original = (folder / "case.yaml").read_text(encoding="utf-8")
    case = load_case(folder)
    item = Evidence(id=edits.next_id(case.evidence_ids, "E"), summary="A new item", sources=(case.sources[0].id,))
    added = edits.with_evidence(case, item)

    def fresh(_: object) -> None:
        atomic_write_text(folder / "case.yaml", dump_yaml(case_to_dict(added)))

    def restore() -> None:
        (folder / "case.yaml").write_text(original, encoding="utf-8")

    load = timed(repeat, lambda: None, lambda _: load_case(folder))
    check = timed(repeat, lambda: None, lambda _: check_folder(folder))
    splice = timed(repeat, restore, lambda _: save_case(added, folder))
    splice_lines = changed_lines(original, (folder / "case.yaml").read_text(encoding="utf-8"))
    full = timed(repeat, restore, fresh)
    full_lines = changed_lines(original, (folder / "case.yaml").read_text(encoding="utf-8"))
    restore()
    noop = timed(repeat, lambda: None, lambda _: save_case(case, folder))
    same = (folder / "case.yaml").read_text(encoding="utf-8") == original
    print(f"{name}: {len(original.splitlines())} lines in case.yaml, {len(case.evidence)} evidence items")
    print(f"  load_case {load * 1000:.0f} ms; check_folder (sat validate) {check * 1000:.0f} ms")
    print(
        f"  add one evidence item: minimal-diff save {splice * 1000:.0f} ms, {splice_lines} lines changed; "
        f"full rewrite (baseline) {full * 1000:.0f} ms, {full_lines} lines changed"
    )
    print(f"  save with no change: {noop * 1000:.0f} ms, file byte-identical: {same}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, Python "
        f"{platform.python_version()}; median of {args.repeat} runs"
    )
    with tempfile.TemporaryDirectory() as tmp:
        karish = Path(tmp) / "karish"
        shutil.copytree(ROOT / "data" / "cases" / "karish", karish)
        measure("karish", karish, args.repeat)
        synthetic = _bench_ach().make_case(Path(tmp) / "synthetic", hypotheses=30, evidence=3000, analysts=1)
        measure("synthetic 30 x 3,000", synthetic, args.repeat)


if __name__ == "__main__":
    main()
