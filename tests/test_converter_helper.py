"""The `sat` command's converter helper: the HTML converter gets ready on a second core while the notebook runs.

Each test runs a claimed process of its own (as the `sat` command is), since the helper belongs to the process that
started it. The pages must be byte for byte those of the one-child render; a helper that is gone (started again)
or a single core still render the same page; a failing cell ends as before: one line, nothing written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES
from sat.report import render_case

SCRIPT = """
import json, os, sys
from sat import sandbox
sandbox.claim_process()
if sys.argv[3] == "one-core":
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
from sat.report import render_case, start_converter
started = start_converter()
helpers, paths = [], []
for out in sys.argv[2].split(os.pathsep):
    paths += [str(p) for p in render_case(sys.argv[1], out_dir=out)]
    if started:  # the helper that converted; gone before the next render, which must start it again
        helpers.append(sandbox._helper._proc.pid)
        sandbox._helper._proc.kill()
        sandbox._helper._proc.wait()
print(json.dumps({"started": started, "helpers": helpers, "paths": paths}))
"""


def claimed_render(case: Path, outs: list[Path], mode: str = "") -> dict:
    """Render ``case`` into each of ``outs`` in turn in a claimed process (killing its helper after each)."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(case), os.pathsep.join(map(str, outs)), mode],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout)


needs_two_cores = pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="the helper needs two cores")


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The tiny case's ACH page rendered by one child per report (no helper)."""
    tiny = tmp_path_factory.mktemp("reference") / "tiny"
    shutil.copytree(FIXTURES / "tiny", tiny)
    return render_case(tiny, out_dir=tiny.parent / "out")[0].read_bytes()


@needs_two_cores
def test_the_helper_converts_the_same_page_is_started_again_when_gone_and_ends_with_the_command(
    tiny, tmp_path, reference
):
    result = claimed_render(tiny, [tmp_path / "first", tmp_path / "second"])
    assert result["started"]
    assert [Path(p).name for p in result["paths"]] == ["tiny-ach.html", "tiny-ach.html"]
    assert [Path(p).read_bytes() for p in result["paths"]] == [reference, reference]
    first, second = result["helpers"]
    assert first != second  # the second render started a new helper
    with pytest.raises(ProcessLookupError):  # stopped with the process that started it, not left behind
        os.kill(second, 0)


def test_one_core_renders_without_a_helper(tiny, tmp_path, reference):
    result = claimed_render(tiny, [tmp_path / "alone"], "one-core")
    assert not result["started"]
    assert Path(result["paths"][0]).read_bytes() == reference


@needs_two_cores
def test_a_failing_cell_is_reported_in_one_line_and_nothing_is_written(tmp_path):
    cells = [
        {"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {}, "outputs": [], "source": src}
        for i, src in enumerate(["x = 1", "x / 0"])
    ]
    nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "bad.ipynb").write_text(json.dumps(nb))
    script = (
        "import sys\nfrom pathlib import Path\nfrom sat import sandbox\nsandbox.claim_process()\n"
        "from sat.errors import SatError\nfrom sat.report import render_notebook, start_converter\n"
        "assert start_converter()\n"
        "try:\n    render_notebook(Path(sys.argv[1]), {}, Path(sys.argv[2]))\n"
        "except SatError as exc:\n    print(exc)\n"
    )
    out = tmp_path / "bad.html"
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "bad.ipynb"), str(out)], capture_output=True, text=True
    )
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert done.stdout.strip() == "bad.ipynb: cell 3 failed: ZeroDivisionError: division by zero"
    assert not out.exists()
