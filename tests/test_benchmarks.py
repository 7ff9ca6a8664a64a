"""The benchmark scripts' synthetic cases stay valid (the scripts themselves print figures and are not tests)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sat.ach.analysis import score_case
from sat.store import load_case

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_ach.py"


def _bench_ach():
    spec = importlib.util.spec_from_file_location("bench_ach", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_synthetic_ach_case_loads_and_scores(tmp_path):
    folder = _bench_ach().make_case(tmp_path / "case", hypotheses=5, evidence=40, analysts=3)
    case = load_case(folder)
    assert (len(case.hypotheses), len(case.evidence), len(case.analysts)) == (5, 40, 3)
    assert sum(1 for e in case.evidence if e.group) == 4  # a tenth of the items, in groups of three
    scores = score_case(case, draws=200)
    assert scores.sensitivity is not None and scores.robustness is not None
    assert abs(scores.hypotheses["posterior"].sum() - 1.0) < 1e-9


def test_indicator_timeline_equals_status_recomputed_at_every_date():
    """The benchmark's baseline (status from tracking.status_at at each date) and the incremental timeline agree."""
    path = BENCH.parent / "bench_indicators.py"
    spec = importlib.util.spec_from_file_location("bench_indicators", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    ratings, groups, log = module.make_board(indicators=30, targets=4, observations=300, dates=40, seed=3)
    line = module.updating.timeline(
        ratings, groups, log, dict.fromkeys(ratings.columns, 1.0), module.DEFAULT_MAPPING, module.CREDIBILITY
    )
    reference = module.baseline(ratings, groups, log)
    assert len(reference) == len(set(log["date"]))
    assert abs(line.probabilities.iloc[1:].to_numpy() - reference).max() < 1e-12
