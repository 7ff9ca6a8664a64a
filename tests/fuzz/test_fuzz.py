"""Property-based fuzzing of every reader through the command a user runs (Hypothesis).

For every input kind of issue 15, Hypothesis draws inputs from :mod:`fuzz_corpus` (the failure classes as explicit
mutation operators, plus generic ones) and runs the real ``sat`` command line on each, in this process. The
property: the command ends with status 0 or 2, never with an exception (a traceback for the user); a failure says
``error:`` and names the file; it changes nothing but hidden leftovers; and it finishes in bounded time.
``make test`` runs a bounded number of examples per kind (``SAT_FUZZ_EXAMPLES``, default 20, derandomised so CI is
reproducible); ``benchmarks/fuzz.py`` runs the long campaign in subprocesses with time and memory caps. Every
input that ever crashed is kept in ``tests/fuzz/crashes/`` and replayed here.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from fuzz_corpus import KINDS, Input, generate
from fuzz_runner import CRASHES, load_crash, run_in_process
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("SAT_FUZZ_EXAMPLES", "20"))
#: Wall time allowed to one command on one generated input (the campaign allows 25 s on a loaded machine).
SECONDS = 20.0


def check_outcome(item: Input, work: Path) -> None:
    outcome = run_in_process(item, work, timeout=SECONDS)
    context = f"{item.kind} {item.operators} {item.argv}"
    assert outcome.error is None, f"{context}: {type(outcome.error).__name__}: {str(outcome.error)[:300]}"
    assert outcome.status in (0, 2), f"{context}: exit status {outcome.status}"
    if outcome.status == 2:
        assert outcome.stderr.startswith(("error:", "usage:")), f"{context}: {outcome.stderr[:300]}"
        assert "Traceback" not in outcome.stderr
        assert not outcome.changed, f"{context}: a failed command wrote {outcome.changed}"
    assert len(outcome.stderr) < 200_000, f"{context}: the messages echo the input ({len(outcome.stderr)} chars)"


@pytest.mark.parametrize("kind", KINDS)
def test_generated_input_gets_a_message_never_a_traceback(kind: str) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="sat-fuzz-"))

    @settings(
        max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(rng=st.randoms(use_true_random=False))
    def check(rng) -> None:
        work = Path(tempfile.mkdtemp(dir=scratch))
        try:
            check_outcome(generate(kind, rng), work)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    try:
        check()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@pytest.mark.parametrize("path", sorted(CRASHES.glob("*.json.gz")), ids=lambda p: p.name.split(".")[0])
def test_every_input_that_ever_crashed_stays_fixed(path: Path, tmp_path: Path) -> None:
    check_outcome(load_crash(path), tmp_path)
