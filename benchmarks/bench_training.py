"""Time grading a class in-process: `grade_class` on simulated classes of the Karish exercise, against a baseline
measured in the same run (`score_case` once per trainee, the report's function that grading calls per trainee).
Each figure is the median wall time, with the median CPU time of this process beside it (the one to compare on a
shared machine).

    .venv/bin/python benchmarks/bench_training.py --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sat.ach.analysis import score_case
from sat.training import grade_class, load_exercise
from sat.training.ach_grade import read_submissions
from sat.training.key import load_key
from sat.training.simulate import write_simulated_class


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ex = load_exercise("karish-ach")
    case = ex.case()
    key = load_key(ex.key_path, case, "key.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (20, 200):
            folder = write_simulated_class(case, key, Path(tmp) / f"class{size}", size, seed=1)
            subs = read_submissions(case, [folder])
            base: list[tuple[float, float]] = []
            grade: list[tuple[float, float]] = []
            pages: list[tuple[float, float]] = []
            for _ in range(args.repeat):
                start, cpu = time.perf_counter(), time.process_time()
                for s in subs:
                    case.ratings = {s.trainee: s.matrix}
                    score_case(case, s.trainee)
                base.append((time.perf_counter() - start, time.process_time() - cpu))
                case.ratings = {}
                start, cpu = time.perf_counter(), time.process_time()
                grade_class(ex, [folder])
                grade.append((time.perf_counter() - start, time.process_time() - cpu))
                start, cpu = time.perf_counter(), time.process_time()
                grade_class(ex, [folder], out=Path(tmp) / f"out{size}")
                pages.append((time.perf_counter() - start, time.process_time() - cpu))
            (b, bc), (g, gc), (p, pc) = (
                (statistics.median(w for w, _ in x), statistics.median(c for _, c in x)) for x in (base, grade, pages)
            )
            print(
                f"{size:>4} trainees: baseline score_case x{size} {b:6.2f} s (CPU {bc:5.2f}) | grade_class {g:6.2f} s "
                f"(CPU {gc:5.2f}; {g / b:4.2f}x baseline, CPU {gc / bc:4.2f}x; {1000 * g / size:5.1f} ms/trainee) | "
                f"with pages and class view {p:6.2f} s (CPU {pc:5.2f}; {1000 * p / size:5.1f} ms/trainee)"
            )


if __name__ == "__main__":
    main()
