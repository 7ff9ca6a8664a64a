"""The campaign script's verdicts: a hang, a memory blow-up, a traceback and a partial write are each counted as
such (the child processes run a stand-in for ``sat.cli.main``, which they inherit from this process by fork)."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest
from fuzz_corpus import Input

import sat.cli

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "fuzz.py"


def _campaign():
    spec = importlib.util.spec_from_file_location("fuzz_campaign", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _hang(argv):
    time.sleep(60)


def _allocate(argv):
    return len(bytearray(4 * 2**30))


def _crash(argv):
    raise KeyError("free text")


def _half_written(argv):
    Path(argv[0], "case", "out.csv").write_text("half")
    return 2


def _fine(argv):
    print("valid")
    return 0


@pytest.mark.parametrize(
    ("stand_in", "verdict"),
    [
        (_hang, "hangs"),
        (_allocate, "memory blow-ups"),
        (_crash, "tracebacks"),
        (_half_written, "partial writes"),
        (_fine, "ok"),
    ],
)
def test_each_kind_of_failure_gets_its_column(stand_in, verdict, tmp_path, monkeypatch):
    campaign = _campaign()
    monkeypatch.setattr(sat.cli, "main", stand_in)
    runner = campaign.Runner(timeout=2.0, memory=256 * 2**20, jobs=1, use_exec=False, scratch=tmp_path)
    runner.start(Input("case.yaml", {"case/case.yaml": b"id: x\n"}, ["{work}"]))
    (result,) = runner.reap(block=True)
    assert result.verdict == verdict, result.detail


def test_the_plan_keeps_the_issues_proportions():
    campaign = _campaign()
    kinds = campaign.plan(11_000)
    assert len(kinds) >= 10_000
    assert kinds.count("case.yaml") == round(11_000 * 3555 / sum(campaign.WEIGHTS.values()))
    assert set(kinds) == set(campaign.KINDS)
