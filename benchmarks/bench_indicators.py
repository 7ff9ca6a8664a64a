"""Time the indicator timeline (sat.indicators.updating.timeline) on a synthetic board, against a baseline.

The baseline recomputes every indicator's status at each date from the whole log (tracking.status_at, as a reader
of the file format would) and then the same posterior; the timeline itself walks the sorted log once. Both run in
the same process on the same data, alternately, and must agree. Prints medians; not a test.

    .venv/bin/python benchmarks/bench_indicators.py --indicators 200 --targets 5 --observations 5000 --dates 1000
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

import numpy as np
import pandas as pd

from sat.indicators import tracking, updating
from sat.indicators.validator import DEFAULT_MAPPING, SCALE, observed_probability

CREDIBILITY = {"high": 1.0, "medium": 0.8, "low": 0.5}


def make_board(indicators: int, targets: int, observations: int, dates: int, seed: int = 0):
    """Random ratings, groups (a tenth of the indicators in pairs) and an observation log."""
    rng = np.random.default_rng(seed)
    ids = [f"I{k:04d}" for k in range(indicators)]
    ratings = pd.DataFrame(
        rng.choice(SCALE, size=(indicators, targets)),
        index=ids,
        columns=[f"T{t}" for t in range(targets)],
        dtype=object,
    )
    groups = [f"g{k // 2}" if k < indicators // 10 else None for k in range(indicators)]
    start = dt.date(2023, 1, 1)
    days = sorted(rng.choice(dates * 2, size=dates, replace=False))
    log = pd.DataFrame(
        {
            "indicator": rng.choice(ids, size=observations),
            "date": [start + dt.timedelta(days=int(d)) for d in rng.choice(days, size=observations)],
            "status": rng.choice(tracking.STATUSES, size=observations),
            "credibility": rng.choice(["low", "medium", "high"], size=observations),
            "sources": "",
            "note": "",
        }
    )
    return ratings, groups, log


def baseline(ratings, groups, log):
    """Status of every indicator recomputed from the whole log at each date, then the same posterior."""
    p_obs = observed_probability(ratings, DEFAULT_MAPPING).to_numpy()
    labels = updating.group_labels(groups)
    prior = np.full(ratings.shape[1], 1 / ratings.shape[1])
    out = []
    for date in sorted(set(log["date"])):
        now = tracking.status_at(log, list(ratings.index), date)
        weights = now["credibility"].map(lambda c: CREDIBILITY.get(c, 1.0)).to_numpy(dtype=float)
        loglik = updating.status_loglik(p_obs, list(now["status"]), weights, DEFAULT_MAPPING["C"])
        out.append(updating.posterior(loglik, labels, prior)[0])
    return np.array(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--targets", type=int, default=5)
    parser.add_argument("--observations", type=int, default=5000)
    parser.add_argument("--dates", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ratings, groups, log = make_board(args.indicators, args.targets, args.observations, args.dates)
    prior = dict.fromkeys(ratings.columns, 1.0)
    fast, slow = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        line = updating.timeline(ratings, groups, log, prior, DEFAULT_MAPPING, CREDIBILITY)
        fast.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        reference = baseline(ratings, groups, log)
        slow.append(time.perf_counter() - t0)
        assert np.allclose(line.probabilities.iloc[1:].to_numpy(), reference)
    n_dates = len(set(log["date"]))
    print(f"{args.indicators} indicators x {args.targets} targets, {len(log)} observations on {n_dates} dates")
    print(f"timeline (with movers): median {statistics.median(fast):.3f} s over {args.repeat} runs")
    print(f"baseline (status recomputed per date, no movers): median {statistics.median(slow):.3f} s")


if __name__ == "__main__":
    main()
