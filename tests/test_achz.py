"""PARC ACH ``.achz`` import and export: round trips, lenient reading, and hostile files refused."""

from __future__ import annotations

import datetime as dt
import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from sat.ach import achz
from sat.cli import main
from sat.errors import SatError, ValidationError
from sat.store import load_case


def write_achz(folder: Path, xml: str, encoding: str = "utf-16", name: str = "in.achz") -> Path:
    path = folder / name
    path.write_bytes(gzip.compress(xml.encode(encoding)))
    return path


def project(matrix: str, top: str = "<PROJECT-TITLE>Harbour</PROJECT-TITLE>") -> str:
    return f'<?xml version="1.0" encoding="UTF-16"?>\n<ACH-PROJECT>{top}<MATRIX>{matrix}</MATRIX></ACH-PROJECT>'


TWO_HYPOTHESES = "<HYPOTHESIS><NAME>Crew</NAME></HYPOTHESIS><HYPOTHESIS><NAME>Owner</NAME></HYPOTHESIS>"


def assert_nothing_written(folder: Path, target: Path) -> None:
    assert not target.exists()
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


def assert_same_case(original, imported, analyst: str) -> None:
    assert [h.title for h in imported.hypotheses] == [h.title for h in original.hypotheses]
    assert imported.hypothesis_ids == original.hypothesis_ids
    assert imported.evidence_ids == original.evidence_ids
    for before, after in zip(original.evidence, imported.evidence):
        assert (after.summary, after.notes, after.type, after.date, after.credibility, after.relevance) == (
            before.summary,
            before.notes,
            before.type,
            before.date,
            before.credibility,
            before.relevance,
        )
    assert imported.title == original.title
    assert imported.matrix("x").equals(original.matrix(analyst))


@pytest.mark.parametrize("analyst", ["ann", "bob"])
def test_tiny_round_trip_keeps_what_the_format_holds(tiny, tmp_path, analyst):
    original = load_case(tiny)
    path = tmp_path / "tiny.achz"
    assert achz.export_achz(original, path, analyst) == analyst
    achz.import_achz(path, tmp_path / "back", "x")
    imported = load_case(tmp_path / "back")
    assert imported.id == "back"
    assert_same_case(original, imported, analyst)
    assert imported.analysts == ["x"]
    # achz -> case -> achz gives the same file
    assert achz.achz_bytes(imported, imported.matrix("x")) == path.read_bytes()


@pytest.mark.parametrize("analyst", ["levant_desk", "russia_desk"])
def test_karish_round_trip(karish, tmp_path, analyst):
    original = load_case(karish)
    path = tmp_path / "karish.achz"
    achz.export_achz(original, path, analyst)
    imported = achz.import_achz(path, tmp_path / "karish-back", "x")
    imported = load_case(imported.folder)
    assert_same_case(original, imported, analyst)
    urls = {s.id: s.url for s in original.sources if s.url}
    for before, after in zip(original.evidence, imported.evidence):
        first_url = next((urls[s] for s in before.sources if s in urls), "")
        assert [imported.source(s).url for s in after.sources] == ([first_url] if first_url else [])


def test_export_default_analyst(tiny, tmp_path):
    case = load_case(tiny)
    matrix, who = achz.export_matrix(case)
    assert who == "group verdict of ann, bob"
    # ann E1/H2 = I, bob = C: mean 0 -> N; E3/H3 ann I, bob NA: one NA of two votes is no majority -> I
    assert matrix.loc["E1", "H2"] == "N" and matrix.loc["E3", "H3"] == "I" and matrix.loc["E1", "H3"] == "II"
    del case.ratings["bob"]
    assert achz.export_matrix(case)[1] == "ann"
    with pytest.raises(SatError, match="no analyst 'zed'"):
        achz.export_matrix(case, "zed")


def test_written_layout(tiny):
    case = load_case(tiny)
    xml = gzip.decompress(achz.achz_bytes(case, case.matrix("ann"))).decode("utf-16")
    assert xml.startswith('<?xml version="1.0" encoding="UTF-16"?>\n<ACH-PROJECT>')
    assert "<VALUES>C C,NA,I</VALUES>" in xml
    assert "<DATE>1642118400000</DATE>" in xml  # 2022-01-14 00:00 UTC
    assert "<CREDIBILITY>HIGH</CREDIBILITY>" in xml and "<TYPE>Absence of Evidence</TYPE>" in xml


def test_lenient_reading_and_mapping(tmp_path):
    xml = project(
        "<hypothesis><name>Crew</name></hypothesis><Hypothesis>Owner</Hypothesis>"
        "<evidence><name>Knot</name><values>CC I</values><date>1642118400000</date><type>Defector report</type>"
        "<code>A</code><flag>1</flag><link>http://x.example/a</link><credibility>h</credibility></evidence>"
        "<EVIDENCE><NAME>Asleep</NAME><VALUES><V>c c</V><V/></VALUES><TYPE>OSINT</TYPE><CODE>A</CODE>"
        "<LINK>http://x.example/a</LINK><NOTES>Said so.</NOTES></EVIDENCE>"
        "<EVIDENCE><NAME>Alarm</NAME><VALUES>NA; i i</VALUES><DATE>2022-01-15</DATE></EVIDENCE>"
        "<SORT-ORDER>1</SORT-ORDER>",
        top="<project_title>Harbour</project_title><CLASSIFICATION>RESTRICTED</CLASSIFICATION>",
    )
    case = achz.import_achz(write_achz(tmp_path, xml), tmp_path / "harbour", "ann")
    case = load_case(case.folder)
    assert [h.title for h in case.hypotheses] == ["Crew", "Owner"]
    assert case.evidence_ids == ["E01", "E02", "E03"]  # the CODEs are not distinct, so they go to the notes
    knot, asleep, alarm = case.evidence
    assert knot.type == "other" and knot.date == dt.date(2022, 1, 14) and knot.credibility == "high"
    assert knot.notes == "PARC type: Defector report\nPARC code: A\nPARC flag: yes"
    assert asleep.type == "open-source" and asleep.notes == "Said so.\n\nPARC code: A"
    assert knot.sources == asleep.sources == ("S1",) and case.source("S1").url == "http://x.example/a"
    assert alarm.date == dt.date(2022, 1, 15) and case.as_of == dt.date(2022, 1, 15)
    assert case.question == "Harbour" and "PARC classification: RESTRICTED" in case.description
    assert case.matrix("ann").values.tolist() == [["CC", "I"], ["CC", ""], ["NA", "II"]]
    # exporting again restores TYPE, CODE, FLAG and CLASSIFICATION from the notes
    back = gzip.decompress(achz.achz_bytes(case, case.matrix("ann"))).decode("utf-16")
    assert "<TYPE>Defector report</TYPE>" in back and "<CODE>A</CODE>" in back and "<FLAG>1</FLAG>" in back
    assert "<CLASSIFICATION>RESTRICTED</CLASSIFICATION>" in back and "<NOTES>Said so.</NOTES>" in back


def test_utf16_without_bom_and_utf8_are_read(tmp_path):
    xml = project(TWO_HYPOTHESES + "<EVIDENCE><NAME>Knot é</NAME><VALUES>C,I</VALUES></EVIDENCE>")
    for number, encoding in enumerate(["utf-16-le", "utf-16-be", "utf-8"]):
        path = write_achz(tmp_path, xml.replace("UTF-16", encoding.upper()), encoding, f"{number}.achz")
        assert achz.read_achz(path, "x").evidence[0].summary == "Knot é"


def test_existing_folder_is_refused(tiny, tmp_path):
    path = tmp_path / "t.achz"
    achz.export_achz(load_case(tiny), path, "ann")
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "keep.txt").write_text("mine")
    with pytest.raises(SatError, match="already exists and is not empty"):
        achz.import_achz(path, occupied)
    assert [p.name for p in occupied.iterdir()] == ["keep.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert achz.import_achz(path, empty).analysts == ["parc"]
    assert (empty / "ratings" / "parc.csv").is_file()


def test_folder_name_must_give_a_case_id(tiny, tmp_path):
    path = tmp_path / "t.achz"
    achz.export_achz(load_case(tiny), path, "ann")
    with pytest.raises(SatError, match="cannot derive a case id"):
        achz.import_achz(path, tmp_path / "!!!")
    assert achz.case_id_for(Path("My Case 2")) == "my-case-2"


def hostile_cases() -> dict[str, tuple[bytes, str]]:
    """name -> (file bytes, expected message fragment)."""
    good = project(TWO_HYPOTHESES + "<EVIDENCE><NAME>Knot</NAME><VALUES>C,I</VALUES></EVIDENCE>").encode("utf-16")
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        "<ACH-PROJECT><PROJECT-TITLE>&lol3;</PROJECT-TITLE><MATRIX/></ACH-PROJECT>"
    )
    external = (
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        "<ACH-PROJECT><PROJECT-TITLE>&xxe;</PROJECT-TITLE><MATRIX/></ACH-PROJECT>"
    )
    return {
        "not gzip": (good, "not gzip-compressed"),
        "truncated gzip": (gzip.compress(good)[:-30], "truncated"),
        "bad xml": (
            gzip.compress("<ACH-PROJECT>\n<MATRIX>\n</ACH-PROJECT>".encode("utf-16")),
            ":3: XML: not well-formed XML (column 2): mismatched tag",
        ),
        "wrong encoding": (
            gzip.compress('<?xml version="1.0"?><A>caf\xe9</A>'.encode("latin-1")),
            "encoding: not valid UTF-8 text (invalid continuation byte at byte 27); PARC ACH files are UTF-16",
        ),
        "billion laughs": (gzip.compress(laughs.encode("utf-16")), "refused: the file declares entities"),
        "external entity": (gzip.compress(external.encode("utf-16")), "refused: the file declares entities"),
        "no matrix": (
            gzip.compress(b"<ACH-PROJECT><PROJECT-TITLE>x</PROJECT-TITLE></ACH-PROJECT>"),
            "ACH-PROJECT: no MATRIX element",
        ),
        "wrong count": (
            gzip.compress(
                project(TWO_HYPOTHESES + "<EVIDENCE><NAME>Knot</NAME><VALUES>C,I,N</VALUES></EVIDENCE>").encode(
                    "utf-16"
                )
            ),
            "MATRIX/EVIDENCE[1]/VALUES: evidence 'Knot' has 3 rating codes but the file has 2 hypotheses",
        ),
        "unknown code": (
            gzip.compress(
                project(TWO_HYPOTHESES + "<EVIDENCE><NAME>Knot</NAME><VALUES>C,Q</VALUES></EVIDENCE>").encode("utf-16")
            ),
            "MATRIX/EVIDENCE[1]/VALUES: evidence 'Knot', hypothesis H2 ('Owner'): unknown rating code "
            "(expected one of: C C, C, N, I, I I, NA) (value: 'Q')",
        ),
        "bad credibility": (
            gzip.compress(
                project(
                    TWO_HYPOTHESES + "<EVIDENCE><NAME>Knot</NAME><CREDIBILITY>sure</CREDIBILITY></EVIDENCE>"
                ).encode("utf-16")
            ),
            "MATRIX/EVIDENCE[1]/CREDIBILITY: unknown value",
        ),
        "bad date": (
            gzip.compress(
                project(TWO_HYPOTHESES + "<EVIDENCE><NAME>Knot</NAME><DATE>last week</DATE></EVIDENCE>").encode(
                    "utf-16"
                )
            ),
            "MATRIX/EVIDENCE[1]/DATE: must be milliseconds since 1970",
        ),
        "empty name": (
            gzip.compress(
                project(TWO_HYPOTHESES + "<EVIDENCE><NAME/><VALUES>C,C</VALUES></EVIDENCE>").encode("utf-16")
            ),
            "MATRIX/EVIDENCE[1]/NAME: an evidence item needs a name",
        ),
    }


@pytest.mark.parametrize("name", sorted(hostile_cases()))
def test_hostile_files_are_refused_and_nothing_is_written(tmp_path, name):
    data, expected = hostile_cases()[name]
    path = tmp_path / "bad.achz"
    path.write_bytes(data)
    target = tmp_path / "case"
    with pytest.raises(ValidationError) as caught:
        achz.import_achz(path, target)
    assert expected in str(caught.value)
    assert str(path) in str(caught.value)
    assert_nothing_written(tmp_path, target)


def test_all_problems_are_reported_at_once(tmp_path):
    xml = project(
        TWO_HYPOTHESES + "<EVIDENCE><NAME>A</NAME><VALUES>C,Q</VALUES></EVIDENCE>"
        "<EVIDENCE><NAME>B</NAME><VALUES>C</VALUES><FLAG>maybe</FLAG></EVIDENCE>"
    )
    with pytest.raises(ValidationError) as caught:
        achz.read_achz(write_achz(tmp_path, xml), "x")
    fields = [p.field for p in caught.value.problems]
    assert fields == ["MATRIX/EVIDENCE[1]/VALUES", "MATRIX/EVIDENCE[2]/FLAG", "MATRIX/EVIDENCE[2]/VALUES"]


def test_gzip_bomb_is_stopped_at_the_cap(tmp_path):
    path = tmp_path / "bomb.achz"
    with gzip.open(path, "wb") as handle:
        block = b" " * 2**20
        for _ in range(achz.MAX_DECOMPRESSED // 2**20 + 2):
            handle.write(block)
    assert path.stat().st_size < 1_000_000
    with pytest.raises(ValidationError, match="decompresses to more than 50 MB"):
        achz.import_achz(path, tmp_path / "case")
    assert_nothing_written(tmp_path, tmp_path / "case")


def test_export_refuses_text_xml_cannot_hold(tiny, tmp_path):
    case = load_case(tiny)
    case.hypotheses[0] = type(case.hypotheses[0])(id="H1", title="bell\x07")
    with pytest.raises(ValidationError, match=r"hypotheses H1.title: holds a control character \(U\+0007\)"):
        achz.export_achz(case, tmp_path / "t.achz", "ann")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny"]


def test_commands_import_and_export(tiny, tmp_path, capsys):
    path = tmp_path / "tiny.achz"
    assert main(["ach", "export", str(tiny), "--to", str(path), "--analyst", "bob"]) == 0
    assert "bob" in capsys.readouterr().out
    assert main(["ach", "import", str(path), "--to", str(tmp_path / "again"), "--analyst", "bob"]) == 0
    assert "again" in capsys.readouterr().out
    assert load_case(tmp_path / "again").matrix("bob").equals(load_case(tiny).matrix("bob"))
    assert main(["ach", "import", str(path), "--to", str(tmp_path / "again")]) == 2
    assert "already exists and is not empty" in capsys.readouterr().err


def test_hostile_file_on_the_command_line_exits_2_without_traceback(tmp_path):
    path = tmp_path / "bomb.achz"
    path.write_bytes(hostile_cases()["billion laughs"][0])
    result = subprocess.run(
        [sys.executable, "-m", "sat.cli", "ach", "import", str(path), "--to", str(tmp_path / "case")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"error: {path}: XML: refused: the file declares entities" in result.stderr
    assert_nothing_written(tmp_path, tmp_path / "case")


def test_missing_file_and_bad_analyst_name_are_clear_errors(tiny, tmp_path):
    with pytest.raises(SatError, match=r"nothere.achz: cannot be read: No such file or directory"):
        achz.import_achz(tmp_path / "nothere.achz", tmp_path / "case")
    path = tmp_path / "t.achz"
    achz.export_achz(load_case(tiny), path, "ann")
    with pytest.raises(SatError, match=r"analyst '\.\./x': use only letters, digits"):
        achz.import_achz(path, tmp_path / "case", "../x")
    assert_nothing_written(tmp_path, tmp_path / "case")


def test_export_keeps_the_question_through_a_round_trip(tiny, tmp_path):
    case = load_case(tiny)
    path = tmp_path / "tiny.achz"
    achz.export_achz(case, path)
    back = achz.import_achz(path, tmp_path / "back", "x")
    assert (back.title, back.question) == ("Who moved the boat?", "Which crew moved the boat overnight?")


def test_group_verdict_export_says_when_its_leader_differs_from_the_report(tiny, tmp_path, capsys):
    # ann E1: CC, I; bob E1: II, N. Report: mean of (.95, .2)/1.15 and (.05, .5)/.55 = (.458, .542): H2 first.
    # Verdict per cell: H1 mean 0 -> N (.5), H2 mean -.5 -> I (.2): scored alone, H1 first.
    (tiny / "ratings" / "ann.csv").write_text("evidence,H1,H2,H3\nE1,CC,I,\n")
    (tiny / "ratings" / "bob.csv").write_text("evidence,H1,H2,H3\nE1,II,N,\n")
    case = load_case(tiny)
    case.hypotheses = case.hypotheses[:2]
    case.evidence = case.evidence[:1]
    from sat.ach.command import group_verdict_note

    note = group_verdict_note(case)
    assert "holds the group verdict" in note
    assert (
        "scored alone it puts H1 first, while the report, which averages each analyst's probabilities, puts H2 "
        "first" in note
    )
    assert main(["ach", "export", str(tiny), "--to", str(tmp_path / "t.achz")]) == 0
    out = capsys.readouterr().out
    assert "group verdict of ann, bob" in out and "note: the file holds the group verdict" in out
