"""Concurrent and batch rendering: isolated renders, clean reuse of warm workers, one-line failures, the runner API,
`sat report CASE... --jobs N`, and the same batch on a real Dask LocalCluster."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sat.errors import ReportError, SatError
from sat.paths import cases_dir
from sat.report import case_folders, kinds_for, render_case, render_notebook, report_tasks
from sat.runner import Outcome, Task, local_executor, run, summary

ROOT = Path(__file__).resolve().parents[1]
ACH_NOTEBOOK = ROOT / "notebooks" / "ach" / "ach_report.ipynb"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def sat_command(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sat.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def notebook(path: Path, *sources: str) -> Path:
    """A small notebook whose code cells are ``sources`` (the first one tagged ``parameters``)."""
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": f"c{i}",
            "outputs": [],
            "source": source,
            "metadata": {"tags": ["parameters"]} if i == 0 else {},
        }
        for i, source in enumerate(sources)
    ]
    nb = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb))
    return path


@pytest.fixture(scope="module")
def tiny_ach_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The tiny case's ACH report rendered here, serially: the reference of the batch and concurrent renders."""
    tiny = tmp_path_factory.mktemp("reference") / "tiny"
    shutil.copytree(FIXTURES / "tiny", tiny)
    return render_case(tiny, out_dir=tiny.parent / "out")[0].read_text()


@pytest.fixture(scope="module")
def karish_ach(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A read-only copy of Karish without its worksheets and indicator board: one report (ACH) instead of four."""
    target = tmp_path_factory.mktemp("karish-ach") / "karish"
    shutil.copytree(cases_dir() / "karish", target)
    for name in ("assumptions.yaml", "indicators.yaml", "observations.csv"):
        (target / name).unlink()
    assert [kind.name for kind in kinds_for(target)] == ["ach"]
    return target


def class_folder(tmp_path: Path, tiny: Path) -> Path:
    """A class of two trainees, each with a copy of the tiny case; bob's has a bad rating."""
    for trainee in ("alice", "bob"):
        shutil.copytree(tiny, tmp_path / "class" / trainee / "tiny")
    (tmp_path / "class" / "bob" / "tiny" / "ratings" / "ann.csv").write_text("evidence,H1,H2,H3\nE1,C,ZZ,II\n")
    return tmp_path / "class"


def test_concurrent_sat_report_processes_do_not_interfere(tiny, tiny_ach_html, karish_ach, tmp_path):
    reference = tiny_ach_html
    karish_reference = render_case(karish_ach, out_dir=tmp_path / "reference")[0].read_text()
    runs = [
        ("tiny", str(tiny), tmp_path / "a"),
        ("tiny", str(tiny), tmp_path / "a"),  # same case, same folder
        ("karish", str(karish_ach), tmp_path / "c"),  # another case
    ]
    procs = [sat_command("report", case, "--out", str(out)) for _, case, out in runs]
    results = [(p, *p.communicate(timeout=300)) for p in procs]
    for proc, out, err in results:
        assert proc.returncode == 0, err
        assert err == "" and out.strip().endswith(".html")
    for name, _, out in runs:
        html = (out / f"{name}-ach.html").read_text()
        assert html == (reference if name == "tiny" else karish_reference)
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["tiny-ach.html"]  # no stray files


def test_a_warm_worker_renders_a_then_b_then_a_identically(tiny, tmp_path):
    polluter = notebook(
        tmp_path / "polluter.ipynb",
        "x = 0",
        "import matplotlib, sat, sat.ach.figures\n"
        "seen = getattr(sat, 'renders_seen', 0)\n"
        "print(f'earlier renders seen by this process: {seen}')\n"
        "sat.renders_seen = seen + 1\n"
        "matplotlib.rcParams['figure.dpi'] = 17\n"
        "sat.ach.figures.matrix_table = None",
    )
    params = {"case": str(tiny), "analyst": ""}
    tasks = [
        Task("A", render_notebook, (ACH_NOTEBOOK, params, tmp_path / "a1.html")),
        Task("B", render_notebook, (polluter, {"x": 1}, tmp_path / "b1.html")),
        Task("A", render_notebook, (ACH_NOTEBOOK, params, tmp_path / "a2.html")),
        Task("B", render_notebook, (polluter, {"x": 2}, tmp_path / "b2.html")),
    ]
    from sat.runner import _call

    with local_executor(1) as one_worker:
        outcomes = [one_worker.submit(_call, task).result() for task in tasks]
        pids = {one_worker.submit(os.getpid).result() for _ in range(2)}
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    assert len(pids) == 1  # one worker did all of it
    first, third = (tmp_path / "a1.html").read_text(), (tmp_path / "a2.html").read_text()
    assert "data:image/png;base64," in first and "Conclusions" in first
    assert third == first
    for name in ("b1.html", "b2.html"):
        assert "earlier renders seen by this process: 0" in (tmp_path / name).read_text()


def test_timeout_gives_one_line_and_writes_nothing(tmp_path):
    slow = notebook(tmp_path / "slow.ipynb", "x = 0", "import time\ntime.sleep(60)")
    target = tmp_path / "out" / "slow.html"
    with pytest.raises(ReportError) as info:
        render_notebook(slow, {}, target, timeout=3)
    assert str(info.value) == "slow.html: slow.ipynb: timed out after 3 s (at cell 3); nothing written"
    assert not target.parent.exists()


def test_a_dying_process_gives_one_line_and_writes_nothing(tmp_path):
    dies = notebook(
        tmp_path / "dies.ipynb",
        "x = 0",
        "print('about to die')",
        "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
    )
    target = tmp_path / "dies.html"
    with pytest.raises(ReportError) as info:
        render_notebook(dies, {}, target)
    assert str(info.value) == (
        "dies.html: dies.ipynb: the process running it died (killed by signal 9 (SIGKILL)) at cell 4; nothing written"
    )
    assert not target.exists()


def test_a_failing_cell_names_the_cell_and_the_error(tmp_path):
    fails = notebook(tmp_path / "fails.ipynb", "x = 0", "1 / x")
    with pytest.raises(ReportError, match=r"^fails.ipynb: cell 3 failed: ZeroDivisionError: division by zero$"):
        render_notebook(fails, {"x": 0}, tmp_path / "fails.html")
    assert not (tmp_path / "fails.html").exists()


def test_runner_returns_results_and_failures_in_task_order():
    tasks = [Task("twelve", int, ("12",)), Task("bad", int, ("twelve",)), Task("big", pow, (2, 10))]
    seen: list[str] = []
    for jobs in (1, 2):
        outcomes = run(tasks, jobs=jobs, progress=lambda outcome: seen.append(outcome.key))
        assert [(o.key, o.ok, o.result) for o in outcomes] == [
            ("twelve", True, 12),
            ("bad", False, None),
            ("big", True, 1024),
        ]
        assert outcomes[1].error == "ValueError: invalid literal for int() with base 10: 'twelve'"
    assert sorted(seen) == sorted(["twelve", "bad", "big"] * 2)
    assert summary(outcomes, "tasks") == [
        "1 of 3 tasks failed:",
        "  bad: ValueError: invalid literal for int() with base 10: 'twelve'",
    ]
    assert summary([Outcome("a", True)]) == []
    with pytest.raises(SatError, match="--jobs must be 1 or more, got 0"):
        run(tasks, jobs=0)


def test_case_folders_expand_a_class_and_refuse_collisions(tiny, tmp_path):
    klass = class_folder(tmp_path, tiny)
    found = case_folders([str(klass), "karish", "karish"])
    assert [(label, sub.as_posix()) for label, _, sub in found] == [
        ("alice/tiny", "alice"),
        ("bob/tiny", "bob"),
        ("karish", "."),
    ]
    assert {label for label, _, _ in case_folders([], all_cases=True)} >= {"karish", "syria-militias"}
    with pytest.raises(SatError, match=r"^tiny and .*/tiny would write the same report files; render them into "):
        case_folders([str(klass / "alice"), str(klass / "alice" / "tiny"), str(tiny)])
    (tmp_path / "empty").mkdir()
    with pytest.raises(SatError, match="neither a case folder nor a folder of cases"):
        case_folders([str(tmp_path / "empty")])
    tasks = report_tasks([str(klass)], out_dir=tmp_path / "out")
    assert [t.kwargs["out_dir"] for t in tasks] == [str(tmp_path / "out" / "alice"), str(tmp_path / "out" / "bob")]


def test_batch_command_renders_a_class_and_summarises_failures(tiny, tiny_ach_html, tmp_path):
    klass = class_folder(tmp_path, tiny)
    proc = sat_command("report", str(klass), str(tiny), "--jobs", "2", "--out", str(tmp_path / "out"))
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 2
    assert out.splitlines() == [
        str(tmp_path / "out" / "alice" / "tiny-ach.html"),
        str(tmp_path / "out" / "tiny-ach.html"),
    ]
    assert err.splitlines()[0] == "1 of 3 cases failed:"
    assert "bob/tiny: " in err and "ann.csv:2: H2: unknown rating code for E1" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out" / "bob").exists()
    assert (tmp_path / "out" / "alice" / "tiny-ach.html").read_text() == tiny_ach_html


def test_report_command_needs_a_case_and_a_reachable_scheduler():
    no_case = sat_command("report")
    unreachable = sat_command("report", "karish", "--scheduler", "tcp://127.0.0.1:9", "--scheduler-timeout", "0.5")
    _, err = no_case.communicate(timeout=60)
    assert no_case.returncode == 2 and err.startswith("error: name at least one case")
    _, err = unreachable.communicate(timeout=120)
    assert unreachable.returncode == 2 and "Traceback" not in err
    assert err.startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9: ")
    assert err.rstrip().endswith("after 0.5 s")  # Dask's words: it gave up when told to


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("soon", "must be a number of seconds, got 'soon'"),
        ("0", "must be more than 0 seconds and finite, got 0"),
        ("-3", "must be more than 0 seconds and finite, got -3"),
        ("inf", "must be more than 0 seconds and finite, got inf"),
        ("nan", "must be more than 0 seconds and finite, got nan"),
    ],
    ids=["word", "zero", "negative", "infinite", "nan"],
)
@pytest.mark.parametrize("option", ["--scheduler-timeout", "--timeout"])
def test_bad_timeouts_are_refused_with_the_reason(option, value, message, capsys):
    from sat.cli import build_parser

    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["report", "karish", "--scheduler", "tcp://127.0.0.1:9", option, value])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"sat report: error: argument {option}: {message}"


def test_scheduler_timeout_needs_a_scheduler(capsys):
    from sat.cli import main

    assert main(["report", "karish", "--scheduler-timeout", "5"]) == 2
    assert capsys.readouterr().err == "error: --scheduler-timeout applies only with --scheduler\n"


def test_dask_local_cluster_renders_the_same_batch(tiny, tiny_ach_html, karish_ach, tmp_path):
    distributed = pytest.importorskip("distributed")
    klass = class_folder(tmp_path, tiny)
    reference = tiny_ach_html
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        outcomes = run(
            report_tasks([str(klass), str(karish_ach)], out_dir=tmp_path / "dask"), scheduler=cluster.scheduler_address
        )
        proc = sat_command(
            "report", str(tiny), "--scheduler", cluster.scheduler_address, "--out", str(tmp_path / "cli")
        )
        out, err = proc.communicate(timeout=300)
    assert [(o.key, o.ok) for o in outcomes] == [("alice/tiny", True), ("bob/tiny", False), (str(karish_ach), True)]
    assert "unknown rating code for E1" in outcomes[1].error
    assert (tmp_path / "dask" / "alice" / "tiny-ach.html").read_text() == reference
    assert "Conclusions" in (tmp_path / "dask" / "karish-ach.html").read_text()
    assert proc.returncode == 0, err
    assert out.strip() == str(tmp_path / "cli" / "tiny-ach.html")
    assert (tmp_path / "cli" / "tiny-ach.html").read_text() == reference


def test_parameters_are_injected_where_papermill_injects_them():
    from sat.execute import inject_parameters

    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": "# Title"},
        {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "case = 'x'", "outputs": []},
        {"cell_type": "code", "metadata": {}, "source": "print(case)", "outputs": []},
    ]
    nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    out = inject_parameters(nb, {"case": 'a"b', "draws": 0, "flag": True, "none": None})
    assert [c["metadata"].get("tags") for c in out["cells"]] == [None, ["parameters"], ["injected-parameters"], None]
    assert out["cells"][2]["source"] == "# Parameters\ncase = 'a\"b'\ndraws = 0\nflag = True\nnone = None\n"
    again = inject_parameters(out, {"case": "y"})  # a second injection replaces the first
    assert [c["source"] for c in again["cells"]].count("# Parameters\ncase = 'y'\n") == 1
    assert len(again["cells"]) == 4
    top = inject_parameters({**nb, "cells": cells[2:]}, {"case": "z"})  # no parameters cell: at the top
    assert top["cells"][0]["metadata"]["tags"] == ["injected-parameters"]
    with pytest.raises(TypeError, match=r"parameter 'case': only str, int, float, bool and None can be passed"):
        inject_parameters(nb, {"case": ["a"]})
    with pytest.raises(ValueError, match=r"parameter name 'not-a-name' is not a Python identifier"):
        inject_parameters(nb, {"not-a-name": 1})


def test_outputs_are_those_a_kernel_sends(tmp_path):
    """Streams, displays, results, display updates, clear_output and inline figures, next to papermill's kernel."""
    import nbformat
    import papermill

    from sat.report import notebook_to_html

    features = notebook(
        tmp_path / "features.ipynb",
        "n = 1",
        "import sys\nprint('out', n)\nprint('err', file=sys.stderr)\nprint('out again')",
        "from IPython.display import HTML, Markdown, display, update_display, clear_output\n"
        "display(HTML('<b>first</b>'), display_id='d')\ndisplay(Markdown('*md*'))\n"
        "update_display(HTML('<i>updated</i>'), display_id='d')\n{'a': (1, 2)}",
        "print('gone')\nclear_output(wait=True)\nprint('kept')",
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots(figsize=(2, 1))\nax.plot([0, 1], [1, 0]);",
        "import pandas as pd\npd.DataFrame({'x': [1, 2]})",
        "update_display(HTML('<u>later</u>'), display_id='d')",
    )
    ours = render_notebook(features, {"n": 2}, tmp_path / "ours.html").read_text()
    executed = tmp_path / "executed.ipynb"
    papermill.execute_notebook(
        str(features), str(executed), parameters={"n": 2}, kernel_name="python3", cwd=str(tmp_path), progress_bar=False
    )
    reference = notebook_to_html(nbformat.read(str(executed), as_version=4))
    injected = r'(celltag_injected-parameters" id="cell-id=)[^"]+'
    assert re.sub(injected, r"\1X", ours) == re.sub(injected, r"\1X", reference)
    for text in ("out 2\nout again", "err", "<u>later</u>", "<em>md</em>", "kept", "data:image/png;base64,"):
        assert text in ours
    assert "gone" not in ours and "<b>first</b>" not in ours and "<i>updated</i>" not in ours


def test_progress_bar_starts_no_thread_so_renders_can_still_be_forked():
    import threading

    from sat.runner import progress_bar

    before = threading.active_count()
    update, close = progress_bar(3, "cases")
    update(Outcome("a", False, error="x"))
    assert threading.active_count() == before
    close()
