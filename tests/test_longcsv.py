"""Long-format CSV export and the formula neutralising shared with the Excel export."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from sat.ach.longcsv import HEADER, export_long_csv
from sat.cli import main
from sat.errors import SatError
from sat.spreadsheet import neutralise
from sat.store import load_case


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_formula_triggers_are_prefixed(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", "a=b", " =1", "", 5, -1.5, None])
def test_other_values_are_unchanged(value):
    assert neutralise(value) == value


def read(path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_one_row_per_analyst_evidence_hypothesis(tiny, tmp_path):
    path = tmp_path / "long.csv"
    assert export_long_csv(load_case(tiny), path) == 18
    rows = read(path)
    assert tuple(rows[0]) == HEADER
    assert [(r["analyst"], r["evidence"], r["hypothesis"]) for r in rows[:4]] == [
        ("ann", "E1", "H1"),
        ("ann", "E1", "H2"),
        ("ann", "E1", "H3"),
        ("ann", "E2", "H1"),
    ]
    by_cell = {(r["analyst"], r["evidence"], r["hypothesis"]): r for r in rows}
    assert by_cell["ann", "E3", "H1"]["rating"] == "CC"
    assert by_cell["bob", "E1", "H2"] == {
        "analyst": "bob",
        "evidence": "E1",
        "hypothesis": "H2",
        "rating": "C",
        "rationale": "Owners learn harbour knots, so this fits the owner too",
    }
    assert by_cell["ann", "E1", "H2"]["rationale"] == ""


def test_unrated_cells_are_empty_and_one_analyst_can_be_chosen(tiny, tmp_path):
    case = load_case(tiny)
    case.ratings["ann"].loc["E2", "H3"] = ""
    path = tmp_path / "ann.csv"
    assert export_long_csv(case, path, "ann") == 9
    rows = read(path)
    assert {r["analyst"] for r in rows} == {"ann"}
    assert [r["rating"] for r in rows if (r["evidence"], r["hypothesis"]) == ("E2", "H3")] == [""]
    with pytest.raises(SatError, match="no analyst 'zed' \\(analysts: ann, bob\\)"):
        export_long_csv(case, tmp_path / "zed.csv", "zed")
    assert not (tmp_path / "zed.csv").exists()


def test_formula_payloads_are_neutralised(tiny, tmp_path):
    case = load_case(tiny)
    payload = '=HYPERLINK("http://evil.example","click")'
    case.rationale["ann"] = pd.DataFrame(
        [
            {"evidence": "E1", "hypothesis": "H1", "rationale": payload},
            {"evidence": "E1", "hypothesis": "H1", "rationale": "-2 from the second look"},
        ]
    )
    path = tmp_path / "long.csv"
    export_long_csv(case, path, "ann")
    first = read(path)[0]
    assert first["rationale"] == f"'{payload}\n\n-2 from the second look"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in read(path) for cell in row.values())


def test_command_writes_csv(tiny, tmp_path, capsys):
    path = tmp_path / "out.csv"
    assert main(["ach", "export", str(tiny), "--to", str(path), "--analyst", "bob"]) == 0
    assert "9 rows written" in capsys.readouterr().out
    assert len(read(path)) == 9
    assert main(["ach", "export", str(tiny), "--to", str(tmp_path / "out.txt")]) == 2
    assert "unknown export format '.txt'" in capsys.readouterr().err
