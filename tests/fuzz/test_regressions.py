"""One regression test per failure class of issue 15, each reproduced through the command a user runs.

Every test asserts the promise: status 2 and a message naming file, line (where the format has lines), field and
value; no traceback; no partial write; bounded time.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from sat.ach.achz import achz_bytes
from sat.ach.excel import workbook_bytes
from sat.cli import main
from sat.fileio import sweep
from sat.store import load_case, save_ratings

ROOT = Path(__file__).resolve().parents[2]
SYRIA = ROOT / "data" / "cases" / "syria-militias"
DEAD = 99_999_999  # above Linux's largest process id: never a live process


def sat(*argv: str | Path) -> tuple[int, str, str]:
    """Run the command line in this process: (status, standard output, standard error)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main([str(a) for a in argv])
        except SystemExit as exc:
            status = int(exc.code or 0)
    return status, out.getvalue(), err.getvalue()


def refused(*argv: str | Path, seconds: float = 5.0) -> str:
    """The messages of a command that must fail cleanly and quickly."""
    start = time.perf_counter()
    status, _, err = sat(*argv)
    assert status == 2, err
    assert time.perf_counter() - start < seconds
    assert "Traceback" not in err and err.startswith(("error:", "usage:"))
    return err


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


BOMB = "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9) if p else ', '.join(['lol'] * 9)}]\n"
    for p, c in zip(["", *"abcdefgh"], "abcdefghi")
)


# --- YAML ---------------------------------------------------------------------------------------------------------


def test_billion_laughs_in_case_yaml_is_refused_before_anything_is_built(tiny):
    edit(tiny / "case.yaml", "title: Who moved the boat?", "title: *i")
    (tiny / "case.yaml").write_text(BOMB + (tiny / "case.yaml").read_text())
    assert len(BOMB) < 400
    err = refused("validate", tiny, seconds=2)
    assert "case.yaml:1: a: YAML anchors and aliases (&name, *name) are not allowed" in err
    assert "lol" not in err and len(err) < 500  # the message never prints an expanded value


def test_billion_laughs_in_scenarios_yaml_is_refused(tmp_path):
    case = tmp_path / "syria"
    shutil.copytree(SYRIA, case)
    edit(case / "scenarios.yaml", "horizon: February 2023 to February 2025", "horizon: *i")
    (case / "scenarios.yaml").write_text(BOMB + (case / "scenarios.yaml").read_text())
    assert "anchors and aliases" in refused("validate", case, seconds=5)
    assert "anchors and aliases" in refused("cib", case / "scenarios.yaml", seconds=5)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!int abc", "explicit YAML tags"),
        ("!!timestamp garbage", "explicit YAML tags"),
        ("!!seq {a: 1}", "explicit YAML tags"),
        ("[" * 100 + "]" * 100, "nested more than 64 levels deep"),
    ],
)
def test_explicit_tags_and_deep_nesting_are_located_problems(tiny, value, message):
    edit(tiny / "case.yaml", "title: Who moved the boat?", f"title: {value}")
    err = refused("validate", tiny)
    assert "case.yaml:3: title: " in err and message in err


def test_yaml_syntax_errors_name_the_nearest_field(tiny):
    edit(tiny / "case.yaml", "question: Which crew", "question: [Which crew")
    err = refused("validate", tiny)
    assert (
        "case.yaml:5: yaml: malformed YAML: did not find expected ',' or ']' (in the field 'question' that "
        "starts on line 4)" in err
    )


# --- numbers from hostile text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scoring", "message"),
    [
        (
            "likelihoods: {CC: " + "9" * 5000 + "}",
            "case.yaml:43: yaml: malformed YAML: a number of more than 100 digits",
        ),
        ("credibility: {high: 1.0, medium: 1.0, low: .nan}", "scoring.credibility.low: must be a probability"),
        ("priors: {H1: 1.0e+400, H2: 1, H3: 1}", "scoring.priors.H1: must be a positive number (value: inf)"),
        ("priors: {H1: 1e400, H2: 1, H3: 1}", "scoring.priors.H1: must be a positive number (value: '1e400')"),
        ("priors: {H1: '', H2: 1, H3: 1}", "scoring.priors.H1: must be a positive number (value: '')"),
        ("uncertainty: 0x", "scoring.uncertainty: must be a probability between 0 and 1 (value: '0x')"),
    ],
)
def test_hostile_numbers_in_scoring_are_located_problems(tiny, scoring, message):
    edit(tiny / "case.yaml", "credibility: {high: 1.0, medium: 1.0, low: 1.0}", scoring)
    assert message in refused("validate", tiny)


def test_an_impossible_date_is_a_located_problem(tiny):
    edit(tiny / "case.yaml", "as_of: 2022-01-15", "as_of: 2022-13-45")
    assert "case.yaml:5: yaml: malformed YAML: '2022-13-45' is not a real date" in refused("validate", tiny)


def test_priors_near_the_float_limit_score_like_their_ratios(tiny):
    edit(
        tiny / "case.yaml",
        "credibility: {high: 1.0, medium: 1.0, low: 1.0}",
        "credibility: {high: 1.0, medium: 1.0, low: 1.0}\n  priors: {H1: 1.0e+308, H2: 1.0e+308, H3: 1.0e+308}",
    )
    status, out, err = sat("ach", "score", tiny, "--json", "--draws", "0")
    assert status == 0, err
    huge = {h["id"]: h["posterior"] for h in json.loads(out)["hypotheses"]}
    edit(tiny / "case.yaml", "priors: {H1: 1.0e+308, H2: 1.0e+308, H3: 1.0e+308}", "priors: {H1: 1, H2: 1, H3: 1}")
    status, out, _ = sat("ach", "score", tiny, "--json", "--draws", "0")
    assert huge == {h["id"]: h["posterior"] for h in json.loads(out)["hypotheses"]}  # equal priors: same as uniform


def test_hostile_numbers_in_cib_judgments_scw_cells_and_achz_dates(tmp_path, tiny):
    case = tmp_path / "syria"
    shutil.copytree(SYRIA, case)
    text = (case / "scenarios.yaml").read_text()
    at = text.index("impacts:", text.index("cib:"))
    row = text.index("[", at)
    (case / "scenarios.yaml").write_text(text[:row] + "[" + "9" * 5000 + ", " + text[row + 1 :])
    assert "a number of more than 100 digits" in refused("cib", case / "scenarios.yaml")
    scw = tmp_path / "m.scw"
    status, _, _ = sat("cib", case / "scenarios.yaml", "--scw", scw)  # still invalid: no output
    assert status == 2 and not scw.exists()
    shutil.copy(SYRIA / "scenarios.yaml", case / "scenarios.yaml")
    assert sat("cib", case / "scenarios.yaml", "--scw", scw)[0] == 0
    lines = scw.read_bytes().decode("cp1252").split("\r\n")
    matrix_row = next(k for k, line in enumerate(lines) if line.count(",") > 5)
    lines[matrix_row] = "1e999," + lines[matrix_row].split(",", 1)[1]
    scw.write_bytes("\r\n".join(lines).encode("cp1252"))
    assert f"m.scw:{matrix_row + 1}: judgments row 1" in refused("cib", scw)
    xml = gzip.decompress(achz_bytes(load_case(tiny), load_case(tiny).matrix("ann"))).decode("utf-16")
    (tmp_path / "d.achz").write_bytes(gzip.compress(xml.replace("<DATE>", "<DATE>" + "9" * 30, 1).encode("utf-16")))
    assert "DATE: milliseconds since 1970 out of range" in refused(
        "ach", "import", tmp_path / "d.achz", "--to", tmp_path / "new"
    )
    assert not (tmp_path / "new").exists()


# --- CSV ------------------------------------------------------------------------------------------------------------


def test_a_csv_field_beyond_the_limit_is_a_located_problem(tiny):
    (tiny / "ratings" / "ann.csv").write_text('evidence,H1,H2,H3\nE1,C,I,II\nE2,N,"' + "x" * 200_000 + '",N\n')
    assert "ann.csv:3: row: cannot be read as CSV: a field is longer than 131,072 characters" in refused(
        "validate", tiny
    )
    (tiny / "ratings" / "ann.csv").write_text("evidence,H1,H2,H3\nE1,C,I,II\n")
    (tiny / "ratings" / "bob.notes.csv").write_text("evidence,hypothesis,rationale\nE1,H1," + "y" * 200_000 + "\n")
    assert "bob.notes.csv:2: row: cannot be read as CSV: a field is longer than" in refused("validate", tiny)


def test_a_tab_separated_ratings_file_is_said_to_be_tab_separated(tiny):
    (tiny / "ratings" / "ann.csv").write_text("evidence\tH1\tH2\tH3\nE1\tC\tI\tII\n")
    assert "ann.csv:1: header: this file is tab-separated; save it as comma-separated CSV" in refused("validate", tiny)


def test_a_header_with_one_id_repeated_is_fast_and_reported(tiny):
    (tiny / "ratings" / "ann.csv").write_text("evidence" + ",H1" * 999 + "\nE1" + ",C" * 999 + "\n")
    err = refused("validate", tiny, seconds=3)
    assert "ann.csv:1: header: duplicate hypothesis column (value: 'H1')" in err
    assert "... and 898 more (fix these first)" in err  # 998 duplicates + 1 other problem, 100 shown
    (tiny / "ratings" / "ann.csv").write_text("evidence" + ",H1" * 40_000 + "\nE1,C\n")
    assert "ann.csv:1: header: more than 1,000 columns" in refused("validate", tiny, seconds=3)


def test_a_row_far_longer_than_the_header_is_fast_and_reported(tiny):
    # Found by the campaign (exercise files #181, seed 15): pandas made an index of the extra cells, for minutes.
    (tiny / "ratings" / "ann.csv").write_text("evidence,H1,H2,H3\nE1" + ",C" * 30_000 + "\nE2,N,N,N\n")
    assert "ann.csv:2: row: has 30001 cells but the header has 4 (value: 'E1')" in refused("validate", tiny, seconds=3)


def test_encoding_errors_give_a_line_and_column_not_a_byte_offset(tiny):
    (tiny / "ratings" / "ann.csv").write_bytes(b"evidence,H1,H2,H3\nE1,C,I,II\nE2,N,N,\xe9N\n")
    assert "ann.csv:3: file: not UTF-8 text: invalid continuation byte at column 8" in refused("validate", tiny)
    data = (tiny / "case.yaml").read_bytes().replace(b"Who moved", b"Who \xff moved")
    (tiny / "case.yaml").write_bytes(data)
    assert "case.yaml:3: file: not UTF-8 text: invalid start byte at column 12" in refused("validate", tiny)


# --- files that are not regular, and symbolic links out of the case ------------------------------------------------


def test_a_ratings_file_linked_to_a_device_is_refused_without_reading_it(tiny):
    (tiny / "ratings" / "zero.csv").symlink_to("/dev/zero")
    assert "zero.csv: file: is not a regular file (a device, pipe or socket); refused" in refused(
        "validate", tiny, seconds=2
    )


def test_a_fifo_ratings_file_does_not_block(tiny):
    os.mkfifo(tiny / "ratings" / "pipe.csv")
    assert "pipe.csv: file: is not a regular file" in refused("validate", tiny, seconds=2)


def test_symbolic_links_out_of_the_case_are_refused(tiny, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("root:x:0:0:secret line\n")
    (tiny / "ratings" / "out.csv").symlink_to(secret)
    assert "out.csv: file: is a symbolic link to a file outside the case folder" in refused("validate", tiny)
    (tiny / "ratings" / "out.csv").unlink()
    (tiny / "case.yaml").rename(tmp_path / "real-case.yaml")
    (tiny / "case.yaml").symlink_to(secret)
    err = refused("validate", tiny)
    assert "case.yaml: file: is a symbolic link to a file outside the case folder" in err
    assert "secret" not in err.replace(str(tmp_path), "")  # nothing of the target is echoed


def test_import_matrix_never_writes_through_a_ratings_link_out_of_the_case(tiny, tmp_path):
    book = tmp_path / "m.xlsx"
    book.write_bytes(workbook_bytes(load_case(tiny), ["ann"]))
    outside = tmp_path / "elsewhere"
    shutil.move(tiny / "ratings", outside)
    (tiny / "ratings").symlink_to(outside)
    assert "ann.csv: file: is a symbolic link to a file outside the case folder" in refused(
        "ach", "import-matrix", book, "--case", tiny, "--analyst", "cy", "--sheet", "ann"
    )  # not even read
    for path in outside.iterdir():
        path.unlink()
    assert "ratings/: file: is a symbolic link out of the case folder; refusing to write there" in refused(
        "ach", "import-matrix", book, "--case", tiny, "--analyst", "cy", "--sheet", "ann"
    )
    assert not any(outside.iterdir())


# --- sizes checked before allocating ------------------------------------------------------------------------------


def _cib_yaml(path: Path, descriptors: int, variants: int) -> None:
    lines = ["cib:", "  descriptors:"]
    for d in range(descriptors):
        lines += [f"    - name: D{d}", f"      variants: [{', '.join(f'v{v}' for v in range(variants))}]"]
    path.write_text("\n".join([*lines, "  judgments: []", ""]))


def test_an_all_zero_cib_model_gets_a_message_saying_what_to_do(tmp_path):
    _cib_yaml(tmp_path / "m.yaml", 14, 3)
    err = refused("cib", tmp_path / "m.yaml", seconds=15)
    assert "m.yaml: cib: more than 100,000 scenarios are consistent" in err and "succession" in err


def test_cib_and_scw_dimensions_are_checked_before_allocating(tmp_path):
    _cib_yaml(tmp_path / "m.yaml", 2, 1000)
    assert "m.yaml:2: cib.descriptors: a descriptor with 1,000 variants; at most 20 per descriptor" in refused(
        "cib", tmp_path / "m.yaml", seconds=3
    )
    lines = ["$ ScenarioWizard 4.4", "project", "&D1", *[f" -v{n}" for n in range(30_000)], "&D2", " -a", " -b", "#"]
    (tmp_path / "m.scw").write_text("\r\n".join(lines) + "\r\n")
    assert "m.scw:3: descriptors: a descriptor with 30,000 variants" in refused("cib", tmp_path / "m.scw", seconds=3)


def test_draws_are_capped(tiny):
    assert "--draws: must be between 0 and 100,000, got 100000000" in refused(
        "ach", "score", tiny, "--draws", "100000000"
    )


# --- .achz and .xlsx ------------------------------------------------------------------------------------------------


def test_an_achz_with_a_24_million_character_title_is_refused_quickly(tiny, tmp_path):
    xml = gzip.decompress(achz_bytes(load_case(tiny), load_case(tiny).matrix("ann"))).decode("utf-16")
    start = xml.index("<PROJECT-TITLE>") + len("<PROJECT-TITLE>")
    (tmp_path / "t.achz").write_bytes(
        gzip.compress((xml[:start] + "x" * 24_000_000 + xml[start:]).encode("utf-16"), compresslevel=1)
    )
    err = refused("ach", "import", tmp_path / "t.achz", "--to", tmp_path / "new", seconds=10)
    assert "t.achz: PROJECT-TITLE: a text of 24,000,0" in err and "at most 100,000" in err
    assert not (tmp_path / "new").exists()


def test_a_killed_import_leaves_nothing_a_later_import_does_not_clean(tiny, tmp_path):
    path = tmp_path / "t.achz"
    path.write_bytes(achz_bytes(load_case(tiny), load_case(tiny).matrix("ann")))
    left = tmp_path / f".new.{DEAD}.abcd1234.import"
    left.mkdir()
    (left / "case.yaml").write_text("half")
    status, _, err = sat("ach", "import", path, "--to", tmp_path / "new")
    assert status == 0, err
    assert not left.exists() and (tmp_path / "new" / "case.yaml").is_file()


def test_a_worksheet_cut_in_half_is_a_problem_not_a_traceback(tiny, tmp_path):
    book = io.BytesIO(workbook_bytes(load_case(tiny), ["ann"]))
    with zipfile.ZipFile(book) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet5.xml"
    parts[sheet] = parts[sheet][: len(parts[sheet]) // 2]
    out = tmp_path / "cut.xlsx"
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    before = files_of(tiny)
    err = refused("ach", "import-matrix", out, "--case", tiny, "--analyst", "ann")
    assert "cut.xlsx: sheet 'ann': the sheet is damaged and cannot be read (ParseError" in err
    assert files_of(tiny) == before


# --- command-line arguments -----------------------------------------------------------------------------------------


def test_over_long_paths_and_names_are_messages(tiny, tmp_path):
    assert "File name too long" in refused("validate", tmp_path / ("c" * 300))
    path = tmp_path / "t.achz"
    path.write_bytes(achz_bytes(load_case(tiny), load_case(tiny).matrix("ann")))
    assert "File name too long" in refused("ach", "import", path, "--to", tmp_path / ("n" * 300))


def test_an_analyst_name_with_a_newline_is_refused(tiny, tmp_path):
    path = tmp_path / "t.achz"
    path.write_bytes(achz_bytes(load_case(tiny), load_case(tiny).matrix("ann")))
    assert "analyst 'x\\n': use only letters" in refused(
        "ach", "import", path, "--to", tmp_path / "new", "--analyst", "x\n"
    )
    book = tmp_path / "m.xlsx"
    book.write_bytes(workbook_bytes(load_case(tiny), ["ann"]))
    refused("ach", "import-matrix", book, "--case", tiny, "--analyst", "x\n", "--sheet", "ann")
    assert sorted(p.name for p in (tiny / "ratings").iterdir()) == ["ann.csv", "bob.csv", "bob.notes.csv"]


# --- leftovers of killed processes --------------------------------------------------------------------------------


def test_temporary_files_of_dead_writers_are_removed_by_the_next_save(tiny):
    ratings = tiny / "ratings"
    dead = ratings / f".ann.csv.{DEAD}.x1y2z3.tmp"
    old = ratings / ".ann.csv.k9j8h7g6.tmp"  # the form before process ids were written: removed when an hour old
    mine = ratings / f".ann.csv.{os.getpid()}.live0000.tmp"  # a live writer's file stays
    for path in (dead, old, mine):
        path.write_text("evidence,H1\n")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    assert load_case(tiny).matrix("ann").shape == (3, 3)  # never read as data
    case = load_case(tiny)
    save_ratings(case, "ann")
    assert not dead.exists() and not old.exists() and mine.exists()


def test_staging_folders_of_dead_processes_are_swept(tmp_path):
    dead = tmp_path / f".sat-report.{DEAD}.abc.tmp"
    live = tmp_path / f".sat-report.{os.getpid()}.abc.tmp"
    for folder in (dead, live):
        folder.mkdir()
        (folder / "x.ipynb").write_text("{}")
    assert sweep(tmp_path, ".sat-report.*.tmp") == 1
    assert not dead.exists() and live.exists()


# --- analyst text is never mathtext -----------------------------------------------------------------------------


def test_a_driver_named_like_mathtext_is_drawn_as_plain_text():
    from sat.scenarios import figures
    from sat.scenarios.drivers import Driver

    drivers = [
        Driver("x", "$\\x$ and $\\frac{", "d", "Military", 5, 5, ("lo", "hi")),
        Driver("y", "a_b^c $$", "d", "Political", 4, 4, ("lo", "hi")),
    ]
    fig = figures.driver_scatter(drivers)
    fig.savefig(io.BytesIO(), format="png")  # mathtext would raise ParseFatalException here
    assert "1. $\\x$ and $\\frac{" in fig.axes[1].texts[0].get_text()


# --- the real `sat` script: no traceback ----------------------------------------------------------------------------


def test_the_installed_command_prints_no_traceback_on_an_alias_bomb(tiny):
    edit(tiny / "case.yaml", "title: Who moved the boat?", "title: *i")
    (tiny / "case.yaml").write_text(BOMB + (tiny / "case.yaml").read_text())
    result = subprocess.run(
        [str(Path(sys.executable).parent / "sat"), "validate", str(tiny)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr and "anchors and aliases" in result.stderr
