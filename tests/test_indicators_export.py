"""Exports of the indicator board: .xlsx and CSV, formula-safe, atomic, and with the CLI."""

from __future__ import annotations

import csv

from openpyxl import load_workbook

from sat.cli import main
from sat.indicators.board import load_board
from sat.indicators.export import export_csv, export_xlsx

INDICATORS = """\
targets: hypotheses
indicators:
  - id: I1
    text: "=HYPERLINK(\\"http://x\\")"
    criteria: {observable: high}
    ratings: {H1: HL, H2: HU, H3: C}
  - id: I2
    text: Crew talk
    ratings: {H1: C, H2: C, H3: C}
"""


def make(tiny):
    (tiny / "indicators.yaml").write_text(INDICATORS)
    (tiny / "observations.csv").write_text(
        "indicator,date,status,credibility,sources,note\nI1,2022-02-01,observed,high,@SUM(A1),+note\n"
    )
    return load_board(tiny)


def test_xlsx_has_every_sheet_and_no_formula(tiny, tmp_path):
    board = make(tiny)
    path = export_xlsx(board, tmp_path / "out.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Validator", "Observations", "Timeline", "For collectors"]
    rows = list(book["Validator"].values)
    assert rows[0][:7] == ("indicator", "text", "group", "from", "H1", "H2", "H3")
    assert rows[1][1] == '\'=HYPERLINK("http://x")' and rows[1][4:7] == ("HL", "HU", "C")
    assert rows[2][rows[0].index("diagnostic")] is False
    obs = list(book["Observations"].values)
    assert obs[1][4] == "'@SUM(A1)" and obs[1][5] == "'+note"
    timeline = list(book["Timeline"].values)
    assert timeline[1][0] == "prior" and abs(timeline[2][1] - 0.9 / 1.5) < 1e-6  # H1 .9 / (.9 + .1 + .5)
    assert [r[0] for r in list(book["For collectors"].values)[1:]] == ["I2"]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)


def test_csv_exports_are_formula_safe(tiny, tmp_path):
    paths = export_csv(make(tiny), tmp_path)
    assert [p.name for p in paths] == ["tiny-indicators.csv", "tiny-observations.csv"]
    validator = list(csv.DictReader(paths[0].open()))
    assert validator[0]["text"].startswith("'=") and validator[0]["log_likelihood_ratio"] == "2.197225"
    assert validator[0]["observable"] == "high" and validator[1]["diagnostic"] == "False"
    observations = list(csv.DictReader(paths[1].open()))
    assert observations[0]["date"] == "2022-02-01" and observations[0]["sources"] == "'@SUM(A1)"


def test_cli_writes_exports(tiny, tmp_path, capsys):
    make(tiny)
    assert main(["indicators", str(tiny), "--xlsx", str(tmp_path / "b.xlsx"), "--csv", str(tmp_path / "csv")]) == 0
    out = capsys.readouterr().out
    assert "written: " in out and (tmp_path / "b.xlsx").is_file()
    assert (tmp_path / "csv" / "tiny-observations.csv").is_file()
