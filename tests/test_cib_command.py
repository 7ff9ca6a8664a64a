"""The ``sat cib`` command: tables, JSON, succession, exports, and every bad-input message (exit status 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_cib_engine import small_model

from sat.cli import main
from sat.scenarios.cib import CIBMatrix
from sat.scenarios.cib.file import cib_ensemble_to_yaml, cib_to_yaml
from sat.scenarios.scw import read_scw, read_sl
from sat.yamlio import dump_yaml

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "cib"


@pytest.fixture
def model_file(tmp_path) -> Path:
    path = tmp_path / "scenarios.yaml"
    path.write_text(dump_yaml({"horizon": "2025", "cib": cib_to_yaml(small_model())}))
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["cib", *map(str, argv)])
    out, err = capsys.readouterr()
    return status, out, err


def test_table_output(capsys, model_file):
    status, out, err = run(capsys, model_file)
    assert status == 0 and err == ""
    assert out.splitlines() == [
        f"{model_file} (hand): 3 descriptors, 6 variants, 8 scenarios",
        "  D1 A: 1=a1, 2=a2",
        "  D2 B: 1=b1, 2=b2",
        "  D3 C: 1=c1, 2=c2",
        "",
        "2 scenario(s) consistent, by total impact score (TIS):",
        "  #  TIS  margin  variants  A   B   C",
        "  1    5       2  1 1 1     a1  b1  c1",
        "  2    3       2  2 2 2     a2  b2  c2",
    ]


def test_json_output(capsys, model_file):
    status, out, _ = run(capsys, model_file, "--json")
    report = json.loads(out)
    assert status == 0
    assert report["descriptors"] == [
        {"name": "A", "variants": ["a1", "a2"]},
        {"name": "B", "variants": ["b1", "b2"]},
        {"name": "C", "variants": ["c1", "c2"]},
    ]
    assert report["scenarios_total"] == 8
    assert report["consistent"] == [
        {"variants": [1, 1, 1], "names": ["a1", "b1", "c1"], "tis": 5, "margin": 2, "inconsistency": 0},
        {"variants": [2, 2, 2], "names": ["a2", "b2", "c2"], "tis": 3, "margin": 2, "inconsistency": 0},
    ]
    assert report["written"] == [] and "succession" not in report and "ensemble" not in report


def test_tolerance_lists_near_consistent_scenarios(capsys, model_file):
    status, out, _ = run(capsys, model_file, "--tolerance", "2")
    assert status == 0
    lines = out.splitlines()
    assert lines[5] == "5 scenario(s) with inconsistency <= 2, by total impact score (TIS):"
    assert lines[6] == "  #  TIS  margin  incons.  variants  A   B   C"
    assert lines[7:] == [  # TIS from the hand table in test_cib_engine
        "  1    5       2        0  1 1 1     a1  b1  c1",
        "  2    3       2        0  2 2 2     a2  b2  c2",
        "  3    3      -2        2  1 1 2     a1  b1  c2",
        "  4    1      -2        2  2 2 1     a2  b2  c1",
        "  5   -1      -2        2  2 1 1     a2  b1  c1",
    ]


def test_succession(capsys, model_file):
    status, out, _ = run(capsys, model_file, "--succession", "sequential", "--start", "1 2 1", "--json")
    assert status == 0
    assert json.loads(out)["succession"] == {
        "kind": "sequential",
        "start": [1, 2, 1],
        "path": [[1, 2, 1], [2, 2, 1], [2, 2, 2]],
        "outcome": "fixed_point",
        "cycle": [],
    }
    status, out, _ = run(capsys, model_file, "--start", "1,2,2")  # global by default
    assert out.splitlines()[-4:] == [
        "Global succession from 1 2 2:",
        "  1 2 2",
        "  2 1 2",
        "  ends in a cycle of 2: 1 2 2 -> 2 1 2",
    ]


def test_explain_and_sensitivity(capsys, model_file):
    _, out, _ = run(capsys, model_file, "--explain", "--sensitivity", "--json")
    report = json.loads(out)
    assert report["consistent"][0]["explanation"][1] == (
        "B = b1 is supported most by A = a1 (+2) and opposed by none; score 3, ahead of its strongest rival b2 (-3) "
        "by 6."
    )
    assert report["sensitivity"] == []  # see test_cib_analysis.test_sensitivity_by_hand
    _, out, _ = run(capsys, model_file, "--explain", "--sensitivity")
    assert "Scenario 1 (1 1 1):" in out and "Sensitivity: 0 single judgment change(s) of 1 alter the set" in out


def test_exports(capsys, model_file, tmp_path):
    sl, scw = tmp_path / "out.sl", tmp_path / "out.scw"
    status, out, _ = run(capsys, model_file, "--sl", sl, "--scw", scw)
    assert status == 0 and out.splitlines()[-2:] == [f"wrote {sl}", f"wrote {scw}"]
    rows = read_sl(sl, 3)
    # reached_from by hand in test_cib_succession.test_global_basins_by_hand: 4 starts end at (0,0,0), 2 at (1,1,1)
    assert [(r.scenario, r.reached_from, r.margin, r.tis) for r in rows] == [((0, 0, 0), 4, 2, 5), ((1, 1, 1), 2, 2, 3)]
    assert read_scw(scw).matrix.judgments.tolist() == small_model().judgments.tolist()
    status, out, _ = run(capsys, scw, "--json")
    assert [r["variants"] for r in json.loads(out)["consistent"]] == [[1, 1, 1], [2, 2, 2]]


def test_ensemble(capsys, tmp_path):
    m = small_model()
    flat = CIBMatrix(m.descriptors, m.judgments * 0, "analyst_b")  # all ties: every scenario consistent
    path = tmp_path / "s.yaml"
    path.write_text(dump_yaml({"cib": cib_ensemble_to_yaml([m, flat])}))
    _, out, _ = run(capsys, path, "--json")
    ensemble = json.loads(out)["ensemble"]
    assert ensemble["matrices"] == ["hand", "analyst_b"]
    assert ensemble["scenarios"][0] == {
        "variants": [1, 1, 1],
        "names": ["a1", "b1", "c1"],
        "count": 2,
        "fraction": 1.0,
        "matrices": ["hand", "analyst_b"],
    }
    assert len(ensemble["scenarios"]) == 8
    _, out, _ = run(capsys, path)
    assert "Ensemble of 2 matrices (hand, analyst_b):" in out and "  2/2  1 1 1  hand, analyst_b" in out


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            ["--start", "1 2"],
            ["error: {f}: --start: needs 3 variant numbers, one per descriptor, got 2 (value: '1 2')"],
        ),
        (
            ["--start", "0 3 x"],
            [
                "error: {f}: --start: A needs a variant number from 1 to 2 (value: '0')",
                "error: {f}: --start: B needs a variant number from 1 to 2 (value: '3')",
                "error: {f}: --start: C needs a variant number from 1 to 2 (value: 'x')",
            ],
        ),
        (["--succession", "global"], ['error: {f}: --succession: needs a start scenario: --start "1 2 3"']),
    ],
)
def test_bad_options(capsys, model_file, extra, expected):
    status, out, err = run(capsys, model_file, *extra)
    assert status == 2 and out == ""
    assert err.splitlines()[:-1] == [e.format(f=model_file) for e in expected]


@pytest.mark.parametrize("value", ["-1", "abc", "nan"])
def test_bad_tolerance_is_an_argument_error(capsys, model_file, value):
    with pytest.raises(SystemExit) as excinfo:
        main(["cib", str(model_file), "--tolerance", value])
    assert excinfo.value.code == 2
    assert "--tolerance" in capsys.readouterr().err


def test_bad_files(capsys, tmp_path):
    status, _, err = run(capsys, tmp_path / "none.scw")
    assert status == 2 and err.splitlines() == [
        f"error: {tmp_path / 'none.scw'}: file: file not found",
        "1 problem(s) found.",
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text("cib:\n  descriptors:\n    - {name: a, variants: [x, x]}\n")
    status, _, err = run(capsys, bad)
    assert status == 2 and err.splitlines() == [
        f"error: {bad}:3: cib.descriptors[0].variants[1]: duplicate variant name (value: 'x')",
        "1 problem(s) found.",
    ]


def test_whole_process_exit_status_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.scw"
    bad.write_text("$ ScenarioWizard 4.0\nx\n&A\n -a\n#\n")
    done = subprocess.run([sys.executable, "-m", "sat.cli", "cib", str(bad)], capture_output=True, text=True)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f'error: {bad}:5: structure: file ends before the judgment matrix and its closing "#" line',
        "1 problem(s) found.",
    ]


@pytest.mark.reference
@pytest.mark.skipif(not REFERENCE.is_dir(), reason="reference files not found")
def test_nested_reference_json(capsys):
    status, out, _ = run(capsys, REFERENCE / "CIB_nested.scw", "--json")
    report = json.loads(out)
    assert status == 0 and report["scenarios_total"] == 408_146_688 and len(report["consistent"]) == 20
    assert report["consistent"][0] == {
        "variants": [1, 1, 2, 3, 2, 3, 3, 1, 1, 1, 3, 1, 1, 1, 2, 3, 2],
        "names": [
            "Ins",
            "Prot",
            "Mrkt",
            "Alrt",
            "Stag",
            "High",
            "High",
            "Slow",
            "Ins",
            "Prot",
            "Alrt",
            "Decl",
            "Antg",
            "Mnr",
            "Ntl",
            "Alrt",
            "Stag",
        ],
        "tis": 184,
        "margin": 0,
        "inconsistency": 0,
    }
    assert [r["tis"] for r in report["consistent"]] == sorted((r["tis"] for r in report["consistent"]), reverse=True)
