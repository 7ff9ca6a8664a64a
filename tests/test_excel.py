"""Excel workbook export and reading a matrix sheet back."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from openpyxl import load_workbook

from sat.ach import excel
from sat.ach.analysis import score_case
from sat.cli import main
from sat.errors import SatError, ValidationError
from sat.store import load_case


@pytest.fixture
def workbook_path(tiny, tmp_path):
    path = tmp_path / "tiny.xlsx"
    excel.export_xlsx(load_case(tiny), path)
    return path


def test_sheets_and_contents(workbook_path):
    book = load_workbook(workbook_path)
    assert book.sheetnames == ["Case", "Hypotheses", "Evidence", "Sources", "ann", "bob", "Scores"]
    fields = {row[0]: row[1] for row in book["Case"].iter_rows(min_row=2, values_only=True)}
    assert fields["question"] == "Which crew moved the boat overnight?"
    assert fields["as_of"].date() == dt.date(2022, 1, 15)
    assert fields["analysts"] == "ann, bob" and fields["P(evidence | hypothesis) if CC"] == 0.95
    evidence = list(book["Evidence"].iter_rows(values_only=True))
    assert evidence[0] == ("id", "summary", "date", "type", "sources", "credibility", "relevance", "group", "notes")
    assert evidence[1][:4] == (
        "E1",
        "The mooring line was retied with a harbour knot",
        dt.datetime(2022, 1, 14),
        "imagery",
    )
    assert next(book["Hypotheses"].iter_rows(min_row=3, max_row=3, values_only=True)) == (
        "H2",
        "The owner moved it",
        None,
        "The owner's fuel receipt for that night turns up",
    )
    assert [r[0] for r in book["Sources"].iter_rows(min_row=2, values_only=True)] == ["S1", "S2"]


def test_matrix_sheet_is_coloured_like_the_report(workbook_path):
    sheet = load_workbook(workbook_path)["ann"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("evidence", "summary", "H1", "H2", "H3")
    assert [r[2:] for r in rows[1:]] == [("C", "I", "II"), ("N", "N", "N"), ("CC", "NA", "I")]
    assert sheet["C2"].fill.fgColor.rgb == "00A6D96A"  # C
    assert sheet["E2"].fill.fgColor.rgb == "00D73027"  # II
    assert sheet["E2"].font.color.rgb == "00FFFFFF"


def test_scores_sheet_matches_score_case(tiny, workbook_path):
    rows = list(load_workbook(workbook_path)["Scores"].iter_rows(min_row=2, values_only=True))
    combined = score_case(load_case(tiny))
    ann = score_case(load_case(tiny), "ann")
    assert len(rows) == 9
    for who, scores, block in (("all analysts combined", combined, rows[:3]), ("ann", ann, rows[3:6])):
        assert [r[0] for r in block] == [who] * 3
        assert [r[3] for r in block] == [1, 2, 3]
        for row in block:
            expected = scores.hypotheses.loc[row[1]]
            assert row[4:] == pytest.approx(
                (expected["inconsistency"], expected["weighted_inconsistency"], expected["posterior"])
            )


def test_scores_sheet_explains_when_there_is_nothing_to_score(tiny, tmp_path):
    case = load_case(tiny)
    case.ratings.clear()
    path = tmp_path / "empty.xlsx"
    assert excel.export_xlsx(case, path) == ["Case", "Hypotheses", "Evidence", "Sources", "Scores"]
    assert load_workbook(path)["Scores"]["A2"].value.startswith("No scores: case 'tiny': no ratings yet")


def test_no_cell_is_a_formula_and_payloads_survive_as_text(tiny, tmp_path):
    case = load_case(tiny)
    payloads = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
    case.evidence[0] = dataclasses.replace(case.evidence[0], summary=payloads[0], notes=payloads[1])
    case.hypotheses[0] = dataclasses.replace(case.hypotheses[0], title=payloads[2])
    case.sources[0] = dataclasses.replace(case.sources[0], publisher=payloads[3], url=payloads[4])
    case.question = payloads[5]
    path = tmp_path / "hostile.xlsx"
    excel.export_xlsx(case, path)
    book = load_workbook(path)
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.coordinate
                    texts.append(cell.value)
    for payload in payloads:
        assert "'" + payload.replace("\r", "\n") in texts  # XML reads a carriage return back as a line feed


def test_control_characters_are_refused_naming_the_cell(tiny, tmp_path):
    case = load_case(tiny)
    case.evidence[1] = dataclasses.replace(case.evidence[1], notes="bell\x07")
    with pytest.raises(ValidationError, match=r"sheet 'Evidence', cell I3: holds a control character"):
        excel.export_xlsx(case, tmp_path / "bad.xlsx")
    assert not (tmp_path / "bad.xlsx").exists()


def test_export_replaces_atomically_without_leftovers(tiny, tmp_path):
    path = tmp_path / "out.xlsx"
    path.write_text("old")
    excel.export_xlsx(load_case(tiny), path, "bob")
    assert load_workbook(path).sheetnames == ["Case", "Hypotheses", "Evidence", "Sources", "bob", "Scores"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx", "tiny"]


def test_matrix_sheet_names_stay_unique():
    long = "x" * 40
    assert excel.matrix_sheet_names(["scores", long, "x" * 31, "ann"]) == {
        "scores": "Matrix 1",
        long: "x" * 31,
        "x" * 31: "Matrix 3",
        "ann": "ann",
    }


def test_round_trip_leaves_ratings_unchanged(tiny, workbook_path):
    before = {name: (tiny / "ratings" / f"{name}.csv").read_bytes() for name in ("ann", "bob")}
    for name in before:
        excel.import_matrix(workbook_path, load_case(tiny), name)
        assert (tiny / "ratings" / f"{name}.csv").read_bytes() == before[name]


def test_edited_sheet_is_imported(tiny, workbook_path):
    book = load_workbook(workbook_path)
    sheet = book["ann"]
    sheet["D2"] = "c c"  # E1 / H2
    sheet["E4"] = None  # E3 / H3 cleared
    sheet.delete_rows(3)  # E2 row removed: unrated
    book.save(workbook_path)
    excel.import_matrix(workbook_path, load_case(tiny), "carol", sheet="ann")
    assert (tiny / "ratings" / "carol.csv").read_text() == "evidence,H1,H2,H3\nE1,C,CC,II\nE2,,,\nE3,CC,NA,\n"


def test_bad_cells_are_all_named_and_nothing_is_written(tiny, workbook_path):
    book = load_workbook(workbook_path)
    sheet = book["ann"]
    sheet["D2"] = "maybe"
    sheet["A3"] = "E9"
    sheet["F1"] = "H7"
    sheet["E4"] = 5
    book.save(workbook_path)
    before = (tiny / "ratings" / "ann.csv").read_bytes()
    with pytest.raises(ValidationError) as caught:
        excel.import_matrix(workbook_path, load_case(tiny), "ann")
    messages = [str(p) for p in caught.value.problems]
    assert messages == [
        f"{workbook_path}: sheet 'ann', cell F1: column for a hypothesis that is not in the case (value: 'H7')",
        f"{workbook_path}: sheet 'ann', cell D2: unknown rating code for E1 and H2 (expected one of: CC, C, N, I, II,"
        " NA, or empty) (value: 'maybe')",
        f"{workbook_path}: sheet 'ann', cell A3: evidence id that is not in the case (value: 'E9')",
        f"{workbook_path}: sheet 'ann', cell E4: unknown rating code for E3 and H3 (expected one of: CC, C, N, I, II,"
        " NA, or empty) (value: 5)",
    ]
    assert (tiny / "ratings" / "ann.csv").read_bytes() == before


def test_formula_in_a_rating_cell_is_refused(tiny, workbook_path):
    book = load_workbook(workbook_path)
    book["bob"]["C2"] = "=1+1"
    book.save(workbook_path)
    with pytest.raises(ValidationError, match=r"cell C2: unknown rating code .* \(value: '=1\+1'\)"):
        excel.import_matrix(workbook_path, load_case(tiny), "bob")


def test_sheet_must_start_with_the_evidence_header(tiny, workbook_path):
    with pytest.raises(
        ValidationError,
        match=r"sheet 'Case', cell A1: a matrix sheet starts with the header "
        r"'evidence' in A1 \(value: 'field'\)",
    ):
        excel.import_matrix(workbook_path, load_case(tiny), "ann", sheet="Case")


def test_missing_sheet_lists_the_sheets(tiny, workbook_path):
    with pytest.raises(
        SatError, match="no sheet 'carol' \\(sheets: Case, Hypotheses, Evidence, Sources, ann, bob, Scores\\)"
    ):
        excel.import_matrix(workbook_path, load_case(tiny), "carol")


def test_not_a_workbook_and_zip_bombs_are_refused(tiny, tmp_path, workbook_path, monkeypatch):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("evidence,H1\n")
    with pytest.raises(ValidationError, match=r"not an Excel \.xlsx workbook"):
        excel.import_matrix(fake, load_case(tiny), "ann")
    monkeypatch.setattr(excel, "MAX_UNCOMPRESSED", 1000)
    with pytest.raises(ValidationError, match="unpacks to more than"):
        excel.import_matrix(workbook_path, load_case(tiny), "ann")


def test_commands_export_and_import_matrix(tiny, tmp_path, capsys):
    path = tmp_path / "t.xlsx"
    assert main(["ach", "export", str(tiny), "--to", str(path)]) == 0
    assert "sheets: Case, Hypotheses, Evidence, Sources, ann, bob, Scores" in capsys.readouterr().out
    book = load_workbook(path)
    book["bob"]["C2"] = "II"
    book.save(path)
    assert main(["ach", "import-matrix", str(path), "--case", str(tiny), "--analyst", "bob"]) == 0
    assert load_case(tiny).matrix("bob").loc["E1", "H1"] == "II"
    book["bob"]["C2"] = "XX"
    book.save(path)
    assert main(["ach", "import-matrix", str(path), "--case", str(tiny), "--analyst", "bob"]) == 2
    err = capsys.readouterr().err
    assert "sheet 'bob', cell C2: unknown rating code for E1 and H1" in err and "Traceback" not in err
    assert load_case(tiny).matrix("bob").loc["E1", "H1"] == "II"
