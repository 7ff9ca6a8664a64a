"""The `sat` command line: exit codes, JSON contract, and messages instead of tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sat.cli import main


def run_sat(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sat.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_validate_valid_case(tiny, capsys):
    assert main(["validate", str(tiny)]) == 0
    assert "tiny: valid (3 hypotheses, 3 evidence items, 2 sources; ratings: ann, bob)" in capsys.readouterr().out


def test_validate_invalid_case_exits_non_zero_without_traceback(tiny):
    (tiny / "ratings" / "ann.csv").write_text("evidence,H1,H2,H3\nE1,C,Q,II\n")
    result = run_sat("validate", str(tiny))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "ann.csv:2: H2: unknown rating code for E1" in result.stderr
    assert "(value: 'Q')" in result.stderr
    assert result.stdout == ""


def test_impossible_date_exits_non_zero_without_traceback(tiny):
    case_file = tiny / "case.yaml"
    case_file.write_text(case_file.read_text().replace("as_of: 2022-01-15", "as_of: 2022-13-45"))
    result = run_sat("validate", str(tiny))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "case.yaml:5: yaml: malformed YAML: '2022-13-45' is not a real date or time" in result.stderr


def test_unknown_case_id_is_a_clear_error():
    result = run_sat("validate", "../../etc")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "not a valid case id" in result.stderr or "not a case folder" in result.stderr


def test_score_json_contract(tiny, capsys):
    assert main(["ach", "score", str(tiny), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["case"] == "tiny"
    assert doc["analysts"] == ["ann", "bob"]
    h1 = doc["hypotheses"][0]
    assert set(h1) >= {"id", "title", "inconsistency", "weighted_inconsistency", "posterior", "rank"}
    assert [h["rank"] for h in doc["hypotheses"]] == [1, 2, 3]
    assert sum(h["posterior"] for h in doc["hypotheses"]) == pytest.approx(1.0, abs=1e-5)
    assert [e["id"] for e in doc["evidence"]] == ["E1", "E3", "E2"]
    assert doc["evidence"][0]["diagnosticity"] == pytest.approx(16.0)


def test_score_one_analyst(tiny, capsys):
    assert main(["ach", "score", str(tiny), "--analyst", "ann", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["analysts"] == ["ann"]
    assert doc["hypotheses"][2]["weighted_inconsistency"] == pytest.approx(-5.0)


def test_score_text_output_names_the_leader(tiny, capsys):
    assert main(["ach", "score", str(tiny)]) == 0
    out = capsys.readouterr().out
    assert "   1  H1" in out and "very likely" in out
    assert "No diagnostic value (rated alike for every hypothesis)" not in out  # E2 differs for bob


def test_unknown_analyst_is_an_error(tiny, capsys):
    assert main(["ach", "score", str(tiny), "--analyst", "zoe"]) == 2
    assert "no analyst 'zoe'" in capsys.readouterr().err


def test_help_does_not_import_heavy_libraries():
    code = (
        "import sys; from sat.cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('numpy', 'pandas', 'papermill', 'matplotlib') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]"
    assert run_sat("--help").returncode == 0
