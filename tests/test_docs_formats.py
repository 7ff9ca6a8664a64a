"""The examples of docs/formats/ are valid: the case files form one valid case folder, and every other example is
read (or written, byte for byte) by the workbook's own code."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sat.ach.achz import read_achz
from sat.ach.longcsv import HEADER, export_long_csv
from sat.scenarios.cib.file import load_cib_section
from sat.scenarios.scw import parse_scw, read_sl
from sat.store import check_folder, load_case
from sat.validation import CODES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "formats"
FENCE = re.compile(r"^```(\w+) ?([^\n]*)\n(.*?)^```", re.S | re.M)


def examples() -> dict[str, str]:
    """Every fenced example with a label (``yaml file=case.yaml`` -> ``file=case.yaml``), by label."""
    found: dict[str, str] = {}
    for page in sorted(DOCS.glob("*.md")):
        for _, label, body in FENCE.findall(page.read_text(encoding="utf-8")):
            if label:
                assert label not in found, f"two examples labelled {label!r}"
                found[label] = body
    return found


EXAMPLES = examples()


@pytest.fixture
def documented_case(tmp_path: Path) -> Path:
    folder = tmp_path / "harbour"
    for label, body in EXAMPLES.items():
        if label.startswith("file="):
            target = folder / label.removeprefix("file=")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, encoding="utf-8")
    return folder


def test_every_page_is_linked_from_the_index_and_every_reason_code_is_listed() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for page in DOCS.glob("*.md"):
        if page.name != "README.md":
            assert f"]({page.name})" in index, page.name
    for code in CODES:
        assert f"| `{code}` |" in index, code


def test_the_documented_case_files_form_one_valid_case_folder(documented_case: Path) -> None:
    result = check_folder(documented_case)
    assert list(result.problems) == []
    assert result.checked == [
        "case.yaml",
        "ratings/ann.csv",
        "ratings/ann.notes.csv",
        "scenarios.yaml",
        "indicators.yaml",
        "observations.csv",
        "assumptions.yaml",
    ]
    case = load_case(documented_case)
    assert case.matrix("ann").to_numpy().tolist() == [["C", "I"], ["N", ""]]
    assert case.rationale["ann"].iloc[0]["rationale"] == "Owners rarely tie a harbour knot, so this counts against H2"


def test_the_documented_long_csv_is_what_export_writes_for_the_documented_case(
    documented_case: Path, tmp_path: Path
) -> None:
    out = tmp_path / "long.csv"
    export_long_csv(load_case(documented_case), out)
    assert out.read_text(encoding="utf-8") == EXAMPLES["long"]
    assert EXAMPLES["long"].splitlines()[0] == ",".join(HEADER)


def test_the_documented_cib_section_loads(tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(EXAMPLES["cib"], encoding="utf-8")
    section = load_cib_section(path)
    assert [d.name for d in section.matrix.descriptors] == ["weather", "crew"]
    assert section.matrix.block("weather", "crew").tolist() == [[0, 1, 0], [2, -1, -1]]
    assert [m.name for m in section.experts] == ["analyst_b"]


def test_the_documented_achz_imports(tmp_path: Path) -> None:
    path = tmp_path / "harbour.achz"
    path.write_bytes(gzip.compress(EXAMPLES["achz"].encode("utf-16")))
    case = read_achz(path, "harbour", "ann")
    assert case.hypothesis_ids == ["H1", "H2"] and case.evidence_ids == ["E1", "E2"]
    assert case.matrix("ann").to_numpy().tolist() == [["C", "I"], ["N", ""]]
    assert str(case.evidence_item("E1").date) == "2022-01-14" and case.evidence_item("E2").credibility == "low"


def test_the_documented_scw_project_reads_and_its_solution_list_is_what_sat_cib_writes(tmp_path: Path) -> None:
    project = parse_scw(EXAMPLES["scw"], "demo.scw")
    assert [d.name for d in project.matrix.descriptors] == ["A", "B"]
    assert project.pair_texts == {(0, 1): "A pushes B"}
    (tmp_path / "demo.scw").write_text(EXAMPLES["scw"], encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "sat.cli", "cib", "demo.scw", "--sl", "demo.sl"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "demo.sl").read_bytes().decode("utf-8").replace("\r\n", "\n") == EXAMPLES["sl"]
    assert [r.scenario for r in read_sl(tmp_path / "demo.sl", 2)] == [(0, 0), (1, 1)]
